"""warta's crawler: spiders, extraction, WARC writing and Scrapy components."""

import os
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("warta")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

# No surprise network access: tldextract (Scrapy's cookie middleware uses it) would fetch the
# public suffix list from the internet on first use. An empty URL list makes it use the
# snapshot bundled in its package. Set before Scrapy or surt import tldextract, which read
# it when their extractors are built; an operator's own value wins.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
