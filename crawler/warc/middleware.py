"""Scrapy downloader middleware that archives every HTTP exchange into rotating WARC files.

At priority 950 it is the last middleware a request passes on its way out (after cookies,
User-Agent and Accept-Encoding are set) and the first one a response meets on its way back
(before HttpCompressionMiddleware decodes it and RedirectMiddleware swallows 3xx). So
redirect hops, robots.txt, sitemaps and error pages are all archived, with raw bodies.

Other components reach the writer through :func:`get_warc_writer`, e.g. an item pipeline's
``open_spider``::

    writer = get_warc_writer(self.crawler)   # None when WARC capture is disabled
"""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.utils.defer import deferred_from_coro

from crawler import __version__
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.recovery import recover_open_files
from crawler.warc.writer import RotatingWarcWriter

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

META_KEY = "warc_record"
CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Sent only to a proxy, never to the site; keeping it would put a credential in the archive.
DROPPED_REQUEST_HEADERS = frozenset({"proxy-authorization"})


class WarcConfigError(ValueError):
    """WARC capture is enabled but cannot run with the given settings."""


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def software_string() -> str:
    return f"warta/{__version__} (warcio {_package_version('warcio')}, Scrapy {scrapy.__version__})"


def safe_hostname() -> str:
    """The machine name, reduced to characters allowed in a WARC file name."""
    raw = socket.gethostname().split(".")[0] or "localhost"
    cleaned = "".join(c if c.isalnum() else "-" for c in raw).strip("-")
    return cleaned or "localhost"


def warcinfo_fields(extra: dict[str, Any] | None, hostname: str) -> dict[str, str]:
    """Standard warcinfo fields first, then the operator's (which may override them)."""
    fields = {
        "software": software_string(),
        "format": "WARC File Format 1.1",
        "conformsTo": CONFORMS_TO,
        "hostname": hostname,
    }
    for key, value in (extra or {}).items():
        fields[str(key)] = str(value)
    return fields


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def header_pairs(headers: Headers, drop: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Scrapy headers as ordered (name, value) pairs, one pair per repeated value."""
    pairs: list[tuple[str, str]] = []
    for raw_name, values in headers.items():
        name = _decode(raw_name)
        if name.lower() in drop:
            continue
        pairs.extend((name, _decode(v)) for v in values)
    return pairs


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WarcCaptureMiddleware:
    """Writes a request and a response record for every response the downloader returns."""

    def __init__(self, crawler: Crawler, writer: RotatingWarcWriter) -> None:
        self.crawler = crawler
        self.writer = writer
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_WARC_ENABLED", True):
            raise NotConfigured("WARC capture disabled (WARTA_WARC_ENABLED is false)")
        output_dir = settings.get("WARTA_OUTPUT_DIR") or ""
        if not str(output_dir).strip():
            raise WarcConfigError(
                "WARTA_OUTPUT_DIR must be set when WARTA_WARC_ENABLED is true "
                "(set it with -s WARTA_OUTPUT_DIR=... or disable WARC capture)"
            )
        max_bytes = settings.getint("WARTA_WARC_MAX_BYTES", 1_000_000_000)
        if max_bytes <= 0:
            raise WarcConfigError(f"WARTA_WARC_MAX_BYTES must be positive, got {max_bytes}")
        extra = settings.getdict("WARTA_WARCINFO")
        directory = Path(output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        for report in recover_open_files(directory):
            logger.warning(
                "Recovered WARC left by an earlier crawl: %s (%s, %d records)",
                report.result,
                report.status,
                report.records,
            )
        host = safe_hostname()
        writer = RotatingWarcWriter(
            directory,
            prefix=settings.get("WARTA_WARC_PREFIX") or "warta",
            host=host,
            max_bytes=max_bytes,
            warcinfo=warcinfo_fields(extra, socket.gethostname()),
        )
        return cls(crawler, writer)

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:  # served by HttpCacheMiddleware, not fetched now
            return response
        received = self.writer.now()
        latency = request.meta.get("download_latency")
        sent = received - timedelta(seconds=latency) if latency else received
        captured_request = CapturedRequest(
            method=request.method,
            url=request.url,
            headers=header_pairs(request.headers, DROPPED_REQUEST_HEADERS),
            timestamp=sent,
            body=request.body,
        )
        captured_response = CapturedResponse(
            url=response.url,
            protocol=response.protocol or "HTTP/1.1",
            status=response.status,
            reason=reason_phrase(response.status),
            headers=header_pairs(response.headers),
            body=response.body,
            timestamp=received,
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        try:
            location = self.writer.write_exchange(captured_request, captured_response)
        except (OSError, ValueError):
            # An archive crawl that cannot archive must stop, not carry on silently.
            logger.exception(
                "Could not write WARC records for %s; closing the spider", response.url
            )
            if self.crawler.engine is not None:
                deferred_from_coro(
                    self.crawler.engine.close_spider_async(reason="warc_write_error")
                )
            raise
        request.meta[META_KEY] = location.as_meta()
        return response

    def spider_closed(self) -> None:
        self.writer.close()
        for path in self.writer.files_written:
            logger.info("WARC file written: %s", path)


def get_warc_writer(crawler: Crawler) -> RotatingWarcWriter | None:
    """The running crawl's writer, or None if WARC capture is off.

    Call it once the engine exists (``open_spider`` of a pipeline, or later).
    """
    middleware = crawler.get_downloader_middleware(WarcCaptureMiddleware)
    return middleware.writer if middleware is not None else None


__all__ = ["META_KEY", "WarcCaptureMiddleware", "WarcConfigError", "get_warc_writer"]
