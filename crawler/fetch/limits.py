"""Hard limits that keep one crawl bounded, whatever the server sends.

Scrapy's CloseSpider extension already ends a crawl after a number of pages or seconds
(``CLOSESPIDER_PAGECOUNT``, ``CLOSESPIDER_TIMEOUT``); this module adds the two limits it
lacks:

- :class:`CrawlBytesBudget` ends the crawl once ``WARTA_MAX_CRAWL_BYTES`` of responses were
  received (finish reason ``closespider_bytes``), so a site that serves endless large pages
  cannot fill the disk.
- :class:`RequestHeaderLimit` keeps what *we* send small. A server can set hundreds of large
  cookies, and Scrapy would return them all on every later request (800 KB a request was
  seen), each one archived in a request record. A ``Cookie`` header over
  ``WARTA_MAX_COOKIE_BYTES`` is dropped; a request whose headers still exceed
  ``WARTA_MAX_REQUEST_HEADER_BYTES`` is refused.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached

from crawler import keys

LOG = logging.getLogger(__name__)


class CrawlBytesBudget:
    """Extension: close the spider once the responses received pass the byte budget."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.received = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint("WARTA_MAX_CRAWL_BYTES")
        if limit <= 0:
            raise NotConfigured("no byte budget")
        budget = cls(crawler, limit)
        crawler.signals.connect(budget.response_received, signal=signals.response_received)
        return budget

    def response_received(self, response: Response) -> None:
        self.received += len(response.body)
        if self.received > self.limit and not self.closing and self.crawler.engine:
            self.closing = True
            LOG.warning(
                "Received %d bytes, over WARTA_MAX_CRAWL_BYTES (%d): closing the crawl",
                self.received,
                self.limit,
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="closespider_bytes"))


def header_bytes(request: Request) -> int:
    """Bytes the request's header block takes on the wire (names, values, separators)."""
    return sum(
        (len(name) + len(value) + 4) for name, values in request.headers.items() for value in values
    )


class RequestHeaderLimit:
    """Downloader middleware placed after CookiesMiddleware (700): bounds what we send."""

    def __init__(self, crawler: Crawler, max_cookie: int, max_headers: int) -> None:
        self.crawler = crawler
        self.max_cookie = max_cookie
        self.max_headers = max_headers
        self.warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getint("WARTA_MAX_COOKIE_BYTES"),
            settings.getint("WARTA_MAX_REQUEST_HEADER_BYTES"),
        )

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        cookie = sum(len(v) for v in request.headers.getlist(b"Cookie"))
        if self.max_cookie and cookie > self.max_cookie:
            del request.headers[b"Cookie"]
            self._count(keys.COOKIES_DROPPED)
            if host not in self.warned:
                self.warned.add(host)
                LOG.warning(
                    "%s sets %d bytes of cookies, over WARTA_MAX_COOKIE_BYTES (%d): "
                    "requests to it go without cookies",
                    host,
                    cookie,
                    self.max_cookie,
                )
        if self.max_headers and header_bytes(request) > self.max_headers:
            request.meta[keys.FAILURE_REASON] = "request-headers-too-large"
            raise IgnoreRequest(f"request headers over {self.max_headers} bytes")
        return None

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
