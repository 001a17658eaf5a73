"""One spider for every news site; what differs between sites comes from its config file.

Discovery goes sitemaps → feeds → listings, all deduplicated by Scrapy's scheduler, and a
page becomes an article only if its URL fits the site's patterns *and* the page carries an
article marker. The spider yields article records; WARC writing happens in a downloader
middleware, so every exchange is archived whether or not the spider keeps the page. What the
crawl sets up before it starts is :mod:`crawler.spiders.crawl_setup`; what follows from an
article page (its later pages, images, requisites) is :mod:`crawler.spiders.pages`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse

from crawler import keys
from crawler.canonical import ArticleKeys
from crawler.config.arguments import parse_spider_args
from crawler.config.sites import SiteConfig
from crawler.extraction.article_record import crawl_record
from crawler.extraction.page import PageResult
from crawler.incremental.known import decide, filed_before, mark_not_article
from crawler.incremental.revisits import UNCHANGED_FLAG
from crawler.spiders.bounded import BoundedCrawl
from crawler.spiders.discovery import (
    SITEMAP_MAX_URLS,
    DiscoveryError,
    UrlRules,
    Window,
    decompress_if_gzip_file,
    feed_items,
    parse_sitemap,
)
from crawler.spiders.link_budget import DiscoveryRequests, request_or_failure
from crawler.spiders.pages import ArticlePages
from crawler.spiders.requisites import Requisites

logger = logging.getLogger(__name__)


class NewsSpider(BoundedCrawl, ArticlePages, DiscoveryRequests, scrapy.Spider):
    """Config-driven news spider; ``SiteSpiderLoader`` makes one subclass per site file."""

    name = "news"
    site_config: ClassVar[SiteConfig]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        options = parse_spider_args(kwargs)  # ConfigError: an unknown name or a bad value
        super().__init__(*args)
        site = type(self).site_config
        self.site: SiteConfig = site.with_base_url(options.base_url) if options.base_url else site
        self.rules = UrlRules(self.site)
        self.allowed_domains = self.site.fetch_hosts  # asset hosts too (host_guard)
        self.requisites = Requisites(self.site.fetch_hosts, self.site.page_requisites)
        self.started = datetime.now(UTC)
        self.window = Window.of(options.since, options.until, options.lookback, self.started)
        self.recheck_hours = (
            options.recheck_hours if options.recheck_hours is not None else self.site.recheck_hours
        )
        self.article_keys = ArticleKeys(self.rules.hosts)
        self._init_bounds(options.max_articles)
        self.extra_urls = [self.site.absolute(u) for u in options.urls]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not crawler.settings.getbool("WARTA_PAGE_REQUISITES"):
            spider.requisites.enabled = False
        spider.requisites.crawler = crawler  # lists a requisite URL Scrapy refuses
        crawler.signals.connect(spider._count_discovery_answer, signal=signals.response_received)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for request in self.first_requests():
            yield request

    def _count_discovery_answer(self, response: Response, request: Request) -> None:
        """A site that answers no discovery fetch (or only with 5xx) is unreachable: the
        crawl then fails (crawler.commands.crawl) instead of "finishing" with nothing."""
        if request.meta.get(keys.KIND) == "discovery" and response.status < 500:
            self.crawler.stats.inc_value(keys.DISCOVERY_ANSWERS)

    # Discovery -----------------------------------------------------------------------------

    def _article_request(self, url: str, source: str) -> Request | None:
        """A request for an article link, or None if it is not one or is archived already.

        Links are canonicalised first (trackers, fragments, AMP), so every spelling of one
        article leads to one request; what the crawl state knows of it decides the rest
        (:func:`crawler.incremental.known.decide`).
        """
        found = self.article_keys.request(url, self.rules.is_article_candidate)
        if found is None:
            return None
        url, key = found
        decision = decide(self.crawl_state, key, self.started, self.recheck_hours)
        if decision.stat:
            self.crawler.stats.inc_value(decision.stat)
        if not decision.fetch:
            return None
        meta = {keys.KIND: "article", **decision.meta}
        found_in = {"found_in": source}
        request = request_or_failure(self.crawler, decision.url or url, source,
                                     callback=self.parse_article, cb_kwargs=found_in,
                                     meta=meta)  # fmt: skip
        return None if request is None else self._bounded(request)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE_SITEMAP")
        try:
            body = decompress_if_gzip_file(response.body, response.url, max_size)
            entries = parse_sitemap(body, response.url, max_size)
        except DiscoveryError as exc:
            logger.warning("Skipping sitemap %s: %s", response.url, exc)
            self.crawler.stats.inc_value(keys.SITEMAP_REJECTED)
            return
        depth = response.meta.get(keys.SITEMAP_DEPTH, 0)
        max_depth = self.crawler.settings.getint("WARTA_SITEMAP_MAX_DEPTH")
        by_url = {entry.url: entry for entry in entries}
        for url in self.link_budget.take(by_url, response.url, "parse_sitemap", SITEMAP_MAX_URLS):
            entry = by_url[url]
            if entry.is_sitemap:
                if not self.rules.on_site(entry.url) or self.window.before(entry.lastmod):
                    continue
                if depth >= max_depth:
                    logger.warning(
                        "Not following %s: sitemaps nested deeper than %d "
                        "(WARTA_SITEMAP_MAX_DEPTH)", entry.url, max_depth,
                    )  # fmt: skip
                    self.crawler.stats.inc_value(keys.SITEMAP_TOO_DEEP)
                    continue
                nested = self._discovery(entry.url, self.parse_sitemap, priority=30)
                if nested is not None:
                    nested.meta[keys.SITEMAP_DEPTH] = depth + 1
                    yield nested
            elif self._dated(entry.url, entry.lastmod) and (
                request := self._article_request(entry.url, "sitemap")
            ):
                yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            items = feed_items(response.body, response.url)
        except DiscoveryError as exc:
            logger.warning("Skipping feed %s: %s", response.url, exc)
            return
        dates = {item.url: item.lastmod for item in items}
        for link in self.link_budget.take(dates, response.url, "parse_feed"):
            if self._dated(link, dates[link]) and (request := self._article_request(link, "feed")):
                yield request

    # Articles ------------------------------------------------------------------------------

    async def parse_article(self, response: Response, found_in: str) -> AsyncIterator[Any]:
        """Extraction runs in worker processes (crawler.extraction.workers), never on the
        reactor thread, so fetching and WARC writing go on while pages are parsed."""
        try:
            found = await self._article(response)
            if found is not None:
                result, record, key = found
                assert result.article is not None
                for output in self._follow(result.article, result.requisites):
                    yield output
                for output in self._next_page_or_emit(result.next_page, [record], key):
                    yield output
        finally:  # a bounded crawl's budget and listing paging count every article's end
            self._article_done(response.request)

    async def _article(self, response: Response) -> tuple[PageResult, dict[str, Any], str] | None:
        """The page's article record and de-duplication key; None when there is none to file."""
        if response.status != 200 or not isinstance(response, TextResponse):
            return None
        stats = self.crawler.stats
        assert stats is not None
        if UNCHANGED_FLAG in response.flags:  # archived before and the same now: no new record
            stats.inc_value(keys.ARTICLE_UNCHANGED)
            return None
        if self.extraction is None:  # WARTA_EXTRACT_ENABLED=False: archive only
            stats.inc_value(keys.ARTICLE_PAGES)
            return None
        result = await self.extraction.classify(response)
        if result is None:
            return None
        if not result.is_article:
            stats.inc_value(keys.NOT_ARTICLE)
            mark_not_article(self.crawl_state, response.url)
            return None
        # rel=canonical only counts when it names this very page (issue 12): a theme that
        # points every page at the home page must not file articles under it.
        redirects = response.meta.get("redirect_urls", ())
        canonical, key, claimed = self.article_keys.of_page(
            result.canonical, response.url, redirects
        )
        rechecking = bool(response.meta.get(keys.RECHECK))
        if self.article_keys.filed(key) or filed_before(self.crawl_state, key, rechecking):
            stats.inc_value(keys.DUPLICATE_ARTICLE)
            return None
        if result.article is None:
            logger.warning("No article text could be extracted from %s", response.url)
            stats.inc_value(keys.EXTRACTION_FAILED)
            mark_not_article(self.crawl_state, response.url)
            return None
        if not self._keep_article(response, result.article.published):
            return None
        self.article_keys.file(key)
        location = response.meta.get(keys.WARC_RECORD)
        record = crawl_record(result.article, canonical, response.url, location, claimed)
        if claimed:
            stats.inc_value(keys.CANONICAL_REFUSED)
        return result, record, key
