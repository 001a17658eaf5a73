"""warta's crawler: spiders, extraction, WARC writing and Scrapy components."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("warta")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
