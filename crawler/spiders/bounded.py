"""The spider's side of ``since``/``until``/``lookback`` and ``max_articles`` (a mixin).

The decisions are :mod:`crawler.spiders.bounds` (pure); this mixin wires them to requests:
links dated outside the window are not requested (and remembered, so that a listing showing
one later knows its date), article requests of a bounded crawl carry an errback and are
admitted by the budget, a listing's next page waits for the dates of its articles, an
article found outside the window once fetched is not kept, and the crawl closes once it
has kept ``max_articles``. Without a window or a limit nothing here changes a request.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response, TextResponse

from crawler import keys
from crawler.canonical import CanonicalError, link_canonical, link_key
from crawler.incremental.known import archived_before, mark_kind
from crawler.spiders.bounds import ArticleBudget, ListingPager, parse_published
from crawler.spiders.discovery import page_links

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.config.sites import SiteConfig
    from crawler.incremental.store import CrawlState
    from crawler.spiders.discovery import UrlRules, Window

logger = logging.getLogger(__name__)


class BoundedCrawl:
    """Mixin of :class:`crawler.spiders.news.NewsSpider`: the window and the budget."""

    crawler: Crawler
    site: SiteConfig
    rules: UrlRules
    window: Window
    crawl_state: CrawlState | None
    _article_request: Any  # the spider's: a Request for an article link, or None
    _discovery: Any  # the spider's: a discovery Request (or None)
    link_budget: Any  # the spider's: how many links a page may hand out

    def _init_bounds(self, max_articles: int | None) -> None:
        self.budget: ArticleBudget[Request] = ArticleBudget(max_articles)
        self.pager = ListingPager(self.window)
        self._known_dates: dict[str, datetime] = {}  # dates sitemaps and feeds gave links
        self._unemitted = 0  # articles kept whose record waits for their next pages

    @property
    def articles_seen(self) -> int:
        return self.budget.kept

    def _dated(self, url: str, when: datetime | None) -> bool:
        """In the window? A link dated outside it is remembered, so that a listing showing
        it later neither fetches it nor pages on past it."""
        if self.window.admits(when):
            return True
        with contextlib.suppress(CanonicalError):
            self._known_dates[link_key(link_canonical(url))] = when  # type: ignore[assignment]
        self.crawler.stats.inc_value(keys.OUT_OF_WINDOW)
        return False

    def _known_date(self, link: str) -> datetime | None:
        try:
            return self._known_dates.get(link_key(link_canonical(link)))
        except CanonicalError:
            return None

    def _bounded(self, request: Request) -> Request | None:
        """An article request, counted when the crawl is bounded; None while it must wait."""
        if self.budget.limit is None and self.window.since is None:
            return request
        request.meta[keys.BOUNDED] = True
        request.errback = self._article_failed
        if not self.budget.admit(request):
            self.crawler.stats.inc_value(keys.ARTICLE_HELD_BACK)
            return None
        return request

    def parse_listing(self, response: Response, depth: int) -> Iterator[Request]:
        """Article links of a listing page, and its next pages while they can hold news.

        Paging stops at a page whose article links were all archived by earlier runs: a
        listing is newest first, so nothing new lies further back. With a ``since`` it also
        stops at a page holding an article older than the window: a link dated by a sitemap
        or feed is judged at once, any other once its article is fetched and dated
        (:class:`crawler.spiders.bounds.ListingPager` holds the next page until then).
        """
        if not isinstance(response, TextResponse):
            return
        limit = self.site.discovery.max_listing_pages
        next_pages: list[str] = []
        candidates = old = 0
        past = False
        requests: list[Request] = []
        links = page_links(response.text, response.url)  # parsed as they are taken
        for link in self.link_budget.take(links, response.url, "parse_listing"):
            if self.rules.is_pagination(link):
                if depth + 1 < limit:
                    next_pages.append(link)
                continue
            if self.rules.is_article_candidate(link):
                candidates += 1
                old += archived_before(self.crawl_state, link)
                known = self._known_date(link)
                if not self.window.admits(known):
                    past = past or self.window.before(known)
                    continue
            if request := self._article_request(link, "listing"):
                requests.append(request)
        if candidates and old == candidates:
            yield from requests
            self.crawler.stats.inc_value(keys.LISTING_PAGING_STOPPED)
            logger.info("Listing %s holds only archived articles; not paging on", response.url)
            return
        if self.window.since is None:
            yield from requests
            for link in next_pages:
                if request := self._discovery(link, self.parse_listing, depth=depth + 1):
                    yield request
            return
        page_id, due = self.pager.open(depth, next_pages, len(requests), past)
        for request in requests:
            request.meta[keys.LISTING_PAGE] = page_id
            yield request
        yield from self._next_listing_pages(due)

    def _next_listing_pages(self, due: list[tuple[str, int]]) -> Iterator[Request]:
        if self.pager.stopped:
            self.crawler.stats.set_value(keys.LISTING_PAST_WINDOW, self.pager.stopped)
        for link, depth in due:
            if request := self._discovery(link, self.parse_listing, depth=depth):
                yield request

    def _article_done(self, request: Request | None) -> None:
        """An article request of a bounded crawl ended: release what waited on it."""
        if request is None or not request.meta.get(keys.BOUNDED):
            return
        if request.meta.get(keys.BOUND_DONE):
            return
        request.meta[keys.BOUND_DONE] = True
        engine = self.crawler.engine
        assert engine is not None
        for waiting in self.budget.done():
            engine.crawl(waiting)
        page = request.meta.get(keys.LISTING_PAGE)
        for listing in self._next_listing_pages(
            self.pager.resolved(page, request.meta.get(keys.PUBLISHED))
        ):
            engine.crawl(listing)

    def _article_failed(self, failure: Any) -> None:
        self._article_done(failure.request)

    def _keep_article(self, response: Response, published: str | None) -> bool:
        """May this article be kept: inside the window, and within ``max_articles``?"""
        when = parse_published(published)
        response.meta[keys.PUBLISHED] = when
        if not self.window.admits(when):  # fetched to learn its date: not kept
            self.crawler.stats.inc_value(keys.OUT_OF_WINDOW)
            mark_kind(self.crawl_state, response.url, "out-of-window")
            return False
        if not self.budget.keep():
            return False
        self._unemitted += 1
        return True

    def _record_emitted(self) -> None:
        """After an article record went out: close the crawl once all it may keep are out."""
        self._unemitted -= 1
        if self.budget.reached and self._unemitted <= 0:
            self.crawler.stats.set_value(keys.MAX_ARTICLES_REACHED, self.budget.kept)
            raise CloseSpider("max_articles")


__all__ = ["BoundedCrawl"]
