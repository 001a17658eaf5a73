"""Which page requisites a crawl fetches: each URL once, only from hosts it may use.

The extraction worker lists what a page loads (:mod:`crawler.extraction.requisites`); this
turns the list into requests, like wget's ``--page-requisites``: every stylesheet, script,
font and template image once per crawl, on the site's hosts and its ``asset_hosts``, at a
low priority so articles come first, and counted in the crawl's page and byte budgets like
any other fetch. Stylesheets are read for the fonts and images they load in turn.

Across crawls the crawl state de-duplicates: a requisite is asked for without validators,
so an unchanged one comes back as a 200 and is archived as an identical-payload revisit,
which replays (a bare 304 revisit would not; docs/warc-format.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse

from crawler import keys
from crawler.extraction.requisites import stylesheet_requisites
from crawler.fetch.host_guard import host_allowed
from crawler.spiders.link_budget import request_or_failure

REQUISITE_KIND = "requisite"
REQUISITE_PRIORITY = -20  # below article images (-10): pages and articles first
MAX_STYLESHEET_BYTES = 2 * 1024 * 1024


class Requisites:
    """Per-crawl bookkeeping of requisite URLs already asked for."""

    def __init__(self, hosts: Iterable[str], enabled: bool = True) -> None:
        self.hosts = list(hosts)
        self.enabled = enabled
        self.seen: set[str] = set()
        self.crawler: Crawler | None = None  # set by the spider: bad URLs are listed there

    def requests(self, urls: Iterable[str], callback: Any) -> Iterator[Request]:
        """Requests for the URLs not asked for yet in this crawl, on allowed hosts."""
        if not self.enabled:
            return
        for url in urls:
            try:
                host = urlsplit(url).hostname or ""
            except ValueError:
                continue  # not a URL at all
            if url in self.seen or not host_allowed(host, self.hosts):
                continue
            self.seen.add(url)
            options = {"callback": callback, "priority": REQUISITE_PRIORITY,
                       "meta": {keys.KIND: REQUISITE_KIND, keys.NO_CONDITIONAL: True}}  # fmt: skip
            if self.crawler is not None:
                request = request_or_failure(self.crawler, url, "requisite", **options)
                if request is not None:
                    yield request
            else:
                yield Request(url, **options)

    def from_stylesheet(self, response: Response, callback: Any) -> Iterator[Request]:
        """Fonts, images and imported sheets of a stylesheet response."""
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        if b"css" not in content_type and not response.url.split("?")[0].endswith(".css"):
            return
        if len(response.body) > MAX_STYLESHEET_BYTES:
            return
        yield from self.requests(stylesheet_requisites(response.text, response.url), callback)
