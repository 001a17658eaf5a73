"""How much one page may add to a crawl, and requests that a bad URL cannot break.

A hostile page can hold a million links: taking them all cost 800 MB at once and ~230 bytes
per queued request, fetched nothing else for eight minutes and went on queueing after the
crawl's own time limit had closed it. :class:`LinkBudget` stands between a parsed page and
the scheduler: at most ``WARTA_MAX_LINKS_PER_PAGE`` links from one listing or feed (a
sitemap: the 50,000 of its protocol), nothing once
``WARTA_MAX_PENDING_REQUESTS`` requests wait, nothing after ``WARTA_EXTRACT_TIMEOUT`` seconds
on one page, and nothing once the crawl is closing. Each limit hit is one line in
failures.jsonl naming the page.

:func:`request_or_failure` builds a ``Request`` and lists a URL that Scrapy refuses (a port
out of range, say) as ``bad-url`` instead of letting the ValueError end the callback, which
once lost the article whose image it was. :class:`DiscoveryRequests` gives the spider its
first and discovery requests made that way, and the budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler
from scrapy.http import Request

from crawler import keys
from crawler.fetch.failures import FailureLog

if TYPE_CHECKING:
    from crawler.config.sites import SiteConfig

BAD_URL = "bad-url"
TOO_MANY_LINKS = "too-many-links"
QUEUE_FULL = "queue-full"
PARSE_DEADLINE = "parse-deadline"


def request_or_failure(crawler: Crawler, url: str, stage: str, **kwargs: Any) -> Request | None:
    """``Request(url, **kwargs)``, or None with the URL listed as ``bad-url``."""
    try:
        return Request(url, **kwargs)
    except ValueError as exc:
        log = FailureLog.of(crawler)
        if log is not None:  # counted in the stats as failures/bad-url
            log.record_url(url, stage, BAD_URL, detail=str(exc))
        return None


def crawl_closing(crawler: Crawler) -> bool:
    """True once the engine stops taking work (a time limit, a budget, Ctrl-C)."""
    engine = crawler.engine
    if engine is None or not engine.running:
        return True
    slot = getattr(engine, "_slot", None)
    return slot is not None and slot.closing is not None


class LinkBudget:
    """The per-page and per-crawl limits on links, read once from the settings."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_links = settings.getint("WARTA_MAX_LINKS_PER_PAGE")
        self.max_pending = settings.getint("WARTA_MAX_PENDING_REQUESTS")
        self.page_seconds = settings.getfloat("WARTA_EXTRACT_TIMEOUT")

    def pending(self) -> int:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine is not None else None
        return len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0

    def take(
        self, links: Iterable[str], page_url: str, stage: str, most: int | None = None
    ) -> Iterator[str]:
        """The links of one page as long as the limits allow; a limit hit is listed once.

        ``most`` replaces ``WARTA_MAX_LINKS_PER_PAGE`` for pages with a limit of their own
        (a sitemap may list 50,000 URLs by its protocol)."""
        started = time.monotonic()
        most = self.max_links if most is None else most
        for taken, link in enumerate(links):
            reason = self._stop_reason(taken, started, most)
            if reason is not None:
                if reason != "closing":
                    self._record(page_url, stage, reason, taken)
                return
            yield link

    def _stop_reason(self, taken: int, started: float, most: int) -> str | None:
        if most and taken >= most:
            return TOO_MANY_LINKS
        if taken % 100 == 0:  # the costlier checks, every hundred links
            if crawl_closing(self.crawler):
                return "closing"
            if self.max_pending and self.pending() >= self.max_pending:
                return QUEUE_FULL
            if self.page_seconds and time.monotonic() - started > self.page_seconds:
                return PARSE_DEADLINE
        return None

    def _record(self, page_url: str, stage: str, reason: str, taken: int) -> None:
        details = {
            TOO_MANY_LINKS: f"took the first {taken:,} links",
            QUEUE_FULL: f"{self.max_pending:,} requests waiting (WARTA_MAX_PENDING_REQUESTS); "
            f"took {taken:,} links",
            PARSE_DEADLINE: f"took {taken:,} links in {self.page_seconds:g} s "
            "(WARTA_EXTRACT_TIMEOUT)",
        }
        log = FailureLog.of(self.crawler)
        if log is not None:  # counted in the stats as failures/<reason>
            log.record_url(page_url, stage, reason, detail=details[reason])


class DiscoveryRequests:
    """The spider's own requests (the first ones, discovery, following a page), each made
    with :func:`request_or_failure`, and the :class:`LinkBudget` its parsers take links by."""

    crawler: Crawler
    site: SiteConfig
    extra_urls: list[str]
    parse_article: Callable[..., Any]
    parse_sitemap: Callable[..., Any]
    parse_feed: Callable[..., Any]
    parse_listing: Callable[..., Any]

    @cached_property
    def link_budget(self) -> LinkBudget:
        return LinkBudget(self.crawler)

    def first_requests(self) -> Iterator[Request]:
        """The URLs asked for by name (fetched even if no pattern fits), then the site's
        sitemaps, feeds and listings."""
        for url in self.extra_urls:
            found_in = {"found_in": "argument"}
            if request := request_or_failure(
                self.crawler, url, "argument", callback=self.parse_article, cb_kwargs=found_in
            ):
                yield request
        discovery = self.site.discovery
        starts: list[tuple[str, Any, dict[str, int]]]
        starts = [(p, self.parse_sitemap, {"priority": 30}) for p in discovery.sitemaps]
        starts += [(p, self.parse_feed, {"priority": 20}) for p in discovery.feeds]
        starts += [(p, self.parse_listing, {"depth": 0}) for p in discovery.listings]
        for path, callback, options in starts:
            if request := self._discovery(self.site.absolute(path), callback, **options):
                yield request

    def _discovery(self, url: str, callback: Any, priority: int = 0, **cb: Any) -> Request | None:
        request = request_or_failure(self.crawler, url, callback.__name__, callback=callback,
                                     priority=priority, cb_kwargs=cb,
                                     meta={keys.KIND: "discovery"})  # fmt: skip
        if request is not None:
            self.crawler.stats.inc_value(keys.DISCOVERY_REQUESTS)
        return request


__all__ = [
    "BAD_URL",
    "PARSE_DEADLINE",
    "QUEUE_FULL",
    "TOO_MANY_LINKS",
    "DiscoveryRequests",
    "LinkBudget",
    "crawl_closing",
    "request_or_failure",
]
