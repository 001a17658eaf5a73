"""One spider for every news site; what differs between sites comes from its config file.

Discovery goes sitemaps → feeds → listings, all deduplicated by Scrapy's scheduler, and a
page becomes an article only if its URL fits the site's patterns *and* the page carries an
article marker. The spider yields article records; WARC writing happens in a downloader
middleware, so every exchange is archived whether or not the spider keeps the page.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse

from crawler import __version__
from crawler.canonical import CanonicalError, canonical_url, dedup_key, trusted_canonical
from crawler.config.arguments import parse_spider_args
from crawler.config.operator import load_settings
from crawler.config.sites import SiteConfig
from crawler.extraction.article_record import crawl_record
from crawler.extraction.multipage import MAX_PAGES, merge_records
from crawler.extraction.page import PageResult
from crawler.extraction.workers import ExtractionPool, PageDeadlineExceeded
from crawler.fetch.failures import FailureLog
from crawler.incremental.interrupted import set_aside_damaged_queue
from crawler.incremental.revisits import (
    FROM_ARCHIVE_KEY,
    KIND_KEY,
    UNCHANGED_FLAG,
    get_crawl_state,
)
from crawler.incremental.store import CrawlState
from crawler.layout import JOB_DIR, crawl_folder, new_crawl_id, state_path
from crawler.process.crawl_lock import CrawlLock, folder_lock_path, lock_path_for
from crawler.process.lifetime import DIE_WITH_PARENT_ENV, die_with_parent
from crawler.process.ownership import claim_folder, owner_of_run
from crawler.process.progress import DISCOVERY_ANSWERS_STAT, DISCOVERY_REQUESTS_STAT
from crawler.spiders.discovery import (
    SITEMAP_MAX_URLS,
    DiscoveryError,
    UrlRules,
    decompress_if_gzip_file,
    page_links,
    parse_feed,
    parse_sitemap,
)
from crawler.spiders.link_budget import LinkBudget, request_or_failure
from crawler.spiders.requisites import Requisites
from crawler.warc.capture import META_KEY

logger = logging.getLogger(__name__)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


SITEMAP_DEPTH_KEY = "warta_sitemap_depth"  # 0 for a configured sitemap, +1 per index level


class NewsSpider(scrapy.Spider):
    """Config-driven news spider; ``SiteSpiderLoader`` makes one subclass per site file."""

    name = "news"
    site_config: ClassVar[SiteConfig]
    pool: ExtractionPool | None = None
    _locks: tuple[CrawlLock, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        options = parse_spider_args(kwargs)  # ConfigError: an unknown name or a bad value
        super().__init__(*args)
        site = type(self).site_config
        self.site: SiteConfig = site.with_base_url(options.base_url) if options.base_url else site
        self.rules = UrlRules(self.site)
        self.allowed_domains = self.site.fetch_hosts  # asset hosts too (host_guard)
        self.requisites = Requisites(self.site.fetch_hosts, self.site.page_requisites)
        self._link_budget: LinkBudget | None = None
        self.since = options.since
        self.until = options.until
        self.started = datetime.now(UTC)
        if options.lookback is not None:  # the later of since and now - lookback
            start = self.started - options.lookback
            self.since = max(self.since, start) if self.since else start
        self.recheck_hours = (
            options.recheck_hours if options.recheck_hours is not None else self.site.recheck_hours
        )
        self._requested_keys: set[str] = set()
        self._claimed_keys: set[str] = set()
        self._state: CrawlState | None = None
        self._state_looked_up = False
        self.max_articles = options.max_articles
        self.articles_seen = 0
        self.extra_urls = [self.site.absolute(u) for u in options.urls]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if os.environ.get(DIE_WITH_PARENT_ENV) == "1":  # started by crawler.process.runner
            die_with_parent()
        spider._apply_site_settings(crawler)
        if not crawler.settings.getbool("WARTA_PAGE_REQUISITES", True):
            spider.requisites.enabled = False
        crawler.signals.connect(spider._count_discovery_answer, signal=signals.response_received)
        spider._take_crawl_lock(crawler)
        if crawler.settings.getbool("WARTA_EXTRACT_ENABLED", True):
            raw = crawler.settings.get("WARTA_EXTRACT_WORKERS")
            workers = None if raw in (None, "") else int(raw)
            deadline = crawler.settings.getfloat("WARTA_EXTRACT_TIMEOUT", 30.0)
            spider.pool = ExtractionPool(spider.site, workers=workers, page_deadline=deadline)
        return spider

    def closed(self, reason: str) -> None:
        if self.pool is not None:
            self.pool.close()

    def _release_locks(self) -> None:
        """After the engine stopped: the WARC, the summary and the state are closed by then."""
        for lock in reversed(self._locks):
            lock.release()
        self._locks = ()

    def _extraction_gave_up(self, response: Response, exc: Exception) -> None:
        """A page whose extraction hit the deadline: archived, not extracted, and listed."""
        logger.error("%s", exc)
        self.crawler.stats.inc_value("warta/extraction_deadline")
        failures = FailureLog.of(self.crawler)
        if failures is not None:
            failures.record(
                response.request or Request(response.url), "extraction-deadline",
                response.status, len(response.body), detail=str(exc),
            )  # fmt: skip

    def _take_crawl_lock(self, crawler: Crawler) -> None:
        """Fail at once if another crawl of this site (same state) or of this folder is
        running; then say whose the folder is (crawler.process.ownership)."""
        settings = crawler.settings
        state = settings.get("WARTA_STATE_PATH") if settings.getbool("WARTA_STATE_ENABLED") else ""
        out = settings.get("WARTA_OUTPUT_DIR")
        holder = {"site": self.site.name, "crawl_id": settings.get("WARTA_CRAWL_ID")}
        paths = dict.fromkeys([lock_path_for(state, out), folder_lock_path(out)])
        locks: list[CrawlLock] = []
        try:
            for path in paths:
                locks.append(CrawlLock(path).acquire(output_dir=out, **holder))
        except BaseException:
            for lock in locks:
                lock.release()
            raise
        self._locks = tuple(locks)
        crawler.signals.connect(self._release_locks, signal=signals.engine_stopped)
        claim_folder(out, owner_of_run(self.site.name, state, None, self.site.base_url))

    def _apply_site_settings(self, crawler: Crawler) -> None:
        """Per-site politeness and archive metadata, at spider priority."""
        settings = crawler.settings
        app = load_settings()
        polite = self.site.politeness
        contact = app.operator_contact
        overrides: dict[str, Any] = {
            "ROBOTSTXT_OBEY": polite.obey_robots_txt,
            "DOWNLOAD_DELAY": polite.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency_per_domain,
            "AUTOTHROTTLE_ENABLED": polite.autothrottle,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": polite.autothrottle_target_concurrency,
            "USER_AGENT": app.user_agent.format(version=__version__, contact=contact),
            "WARTA_WARC_PREFIX": f"{app.warc_prefix}-{self.site.name}",
            "WARTA_WARC_MAX_BYTES": app.warc_max_bytes,
        }
        for key, value in overrides.items():
            settings.set(key, value, priority="spider")
        crawl_id = settings.get("WARTA_CRAWL_ID") or new_crawl_id(
            taken=lambda cid: crawl_folder(app.data_dir, self.site.name, cid).exists()
        )
        settings.set("WARTA_CRAWL_ID", crawl_id, priority="spider")
        data_dir = Path(settings.get("WARTA_DATA_DIR") or app.data_dir)
        if not settings.get("WARTA_OUTPUT_DIR"):
            out = crawl_folder(data_dir, self.site.name, crawl_id)
            settings.set("WARTA_OUTPUT_DIR", str(out), priority="spider")
        if not settings.get("JOBDIR") and settings.getbool("WARTA_DISK_QUEUE", True):
            # Pending requests wait on disk, not in memory: a 10,000-article sitemap then
            # costs no more RAM than a 1,000-article one, and a crawl restarted into the same
            # folder picks up its queue. The dot keeps it out of uploads.
            job = Path(settings["WARTA_OUTPUT_DIR"]) / JOB_DIR
            set_aside_damaged_queue(job)
            settings.set("JOBDIR", str(job), priority="spider")
        if not settings.get("WARTA_STATE_PATH"):
            state_name = type(self).site_config.state_name(self.site.base_url)
            settings.set(
                "WARTA_STATE_PATH", str(state_path(data_dir, state_name)), priority="spider"
            )
        warcinfo = {
            "operator": f"{app.operator} ({contact})",
            "isPartOf": f"{self.site.name}-{crawl_id}",
            "description": f"warta crawl of {self.site.base_url}",
            "robots": "obey" if polite.obey_robots_txt else "ignore",
        }
        warcinfo.update(settings.getdict("WARTA_WARCINFO"))
        settings.set("WARTA_WARCINFO", warcinfo, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        discovery = self.site.discovery
        self.requisites.crawler = self.crawler  # lists a requisite URL Scrapy refuses
        for url in self.extra_urls:  # asked for by name: fetched even if no pattern fits
            request = request_or_failure(self.crawler, url, "argument",
                                         callback=self.parse_article,
                                         cb_kwargs={"found_in": "argument"})  # fmt: skip
            if request:
                yield request
        starts: list[tuple[str, Any, dict[str, int]]]
        starts = [(p, self.parse_sitemap, {"priority": 30}) for p in discovery.sitemaps]
        starts += [(p, self.parse_feed, {"priority": 20}) for p in discovery.feeds]
        starts += [(p, self.parse_listing, {"depth": 0}) for p in discovery.listings]
        for path, callback, options in starts:
            request = self._discovery(self.site.absolute(path), callback, **options)
            if request:
                yield request

    @property
    def link_budget(self) -> LinkBudget:
        """What one page may add to the crawl (crawler/spiders/link_budget.py)."""
        if self._link_budget is None:
            self._link_budget = LinkBudget(self.crawler)
        return self._link_budget

    @property
    def crawl_state(self) -> CrawlState | None:
        """The crawl state (None when it is switched off); looked up once the engine runs."""
        if not self._state_looked_up:
            self._state = get_crawl_state(self.crawler)
            self._state_looked_up = True
        return self._state

    def _count_discovery_answer(self, response: Response, request: Request) -> None:
        """A site that answers no discovery fetch (or only with 5xx) is unreachable: the
        crawl then fails (crawler.commands.crawl) instead of "finishing" with nothing."""
        if request.meta.get(KIND_KEY) == "discovery" and response.status < 500:
            self.crawler.stats.inc_value(DISCOVERY_ANSWERS_STAT)

    def _discovery(self, url: str, callback: Any, priority: int = 0, **cb: Any) -> Request | None:
        request = request_or_failure(self.crawler, url, callback.__name__, callback=callback,
                                     priority=priority, cb_kwargs=cb,
                                     meta={KIND_KEY: "discovery"})  # fmt: skip
        if request is not None:
            self.crawler.stats.inc_value(DISCOVERY_REQUESTS_STAT)
        return request

    # Discovery -----------------------------------------------------------------------------

    def _in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True
        when = _aware(when)
        if self.since and when < self.since:
            return False
        return not (self.until and when > self.until)

    def _recheck_due(self, published: str | None) -> bool:
        if self.recheck_hours <= 0 or not published:
            return False
        try:
            when = datetime.fromisoformat(published)
        except ValueError:
            return False
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return self.started - when < timedelta(hours=self.recheck_hours)

    def _article_request(self, url: str, source: str) -> Request | None:
        """A request for an article link, or None if it is not one or is archived already.

        Links are canonicalised first (trackers, fragments, AMP), so every spelling of one
        article leads to one request. Archived articles are fetched again only inside the
        recheck window, and then conditionally (the WARC middleware adds the validators).
        """
        if not self.rules.is_article_candidate(url):
            return None
        try:
            url = canonical_url(url)
            key = dedup_key(url)
        except CanonicalError:
            return None
        if not self.rules.is_article_candidate(url) or key in self._requested_keys:
            return None
        self._requested_keys.add(key)
        meta: dict[str, Any] = {KIND_KEY: "article"}
        state = self.crawl_state
        if state is not None:
            entry = state.article(key)
            if entry is not None and self._recheck_due(entry.published):
                meta["warta_recheck"] = True
                self.crawler.stats.inc_value("warta/article_rechecks")
            elif entry is not None:
                self.crawler.stats.inc_value("warta/already_archived")
                return None
            elif (capture := state.archived_capture(key)) is not None:
                if capture.kind not in ("article", "page") or capture.local_warc() is None:
                    self.crawler.stats.inc_value("warta/already_archived")
                    return None
                # Archived by a run that stopped before making its article record:
                # read it back from the WARC instead of fetching it again.
                meta[FROM_ARCHIVE_KEY] = True
                url = capture.url
                self.crawler.stats.inc_value("warta/reread_from_archive")
        return request_or_failure(self.crawler, url, source, callback=self.parse_article,
                                  cb_kwargs={"found_in": source}, meta=meta)  # fmt: skip

    def _archived_before(self, url: str) -> bool:
        state = self.crawl_state
        if state is None:
            return False
        try:
            return state.archived_before_run(dedup_key(url))
        except CanonicalError:
            return False

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE_SITEMAP")
        try:
            body = decompress_if_gzip_file(response.body, response.url, max_size)
            entries = parse_sitemap(body, response.url, max_size)
        except DiscoveryError as exc:
            logger.warning("Skipping sitemap %s: %s", response.url, exc)
            self.crawler.stats.inc_value("warta/sitemap_rejected")
            return
        depth = response.meta.get(SITEMAP_DEPTH_KEY, 0)
        max_depth = self.crawler.settings.getint("WARTA_SITEMAP_MAX_DEPTH", 3)
        by_url = {entry.url: entry for entry in entries}
        for url in self.link_budget.take(by_url, response.url, "parse_sitemap", SITEMAP_MAX_URLS):
            entry = by_url[url]
            if entry.is_sitemap:
                # A sitemap last changed before the window cannot list anything in it.
                too_old = bool(self.since and entry.lastmod and _aware(entry.lastmod) < self.since)
                if not self.rules.on_site(entry.url) or too_old:
                    continue
                if depth >= max_depth:
                    logger.warning(
                        "Not following %s: sitemaps nested deeper than %d "
                        "(WARTA_SITEMAP_MAX_DEPTH)", entry.url, max_depth,
                    )  # fmt: skip
                    self.crawler.stats.inc_value("warta/sitemap_too_deep")
                    continue
                nested = self._discovery(entry.url, self.parse_sitemap, priority=30)
                if nested is not None:
                    nested.meta[SITEMAP_DEPTH_KEY] = depth + 1
                    yield nested
            elif self._in_window(entry.lastmod):
                request = self._article_request(entry.url, "sitemap")
                if request:
                    yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            links = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            logger.warning("Skipping feed %s: %s", response.url, exc)
            return
        for link in self.link_budget.take(links, response.url, "parse_feed"):
            request = self._article_request(link, "feed")
            if request:
                yield request

    def parse_listing(self, response: Response, depth: int) -> Iterator[Request]:
        """Article links of a listing page, and its next pages while they can hold news.

        Paging stops at a page whose article links were all archived by earlier runs: a
        listing is newest first, so nothing new lies further back.
        """
        if not isinstance(response, TextResponse):
            return
        limit = self.site.discovery.max_listing_pages
        next_pages: list[str] = []
        candidates = 0
        old = 0
        links = page_links(response.text, response.url)  # parsed as they are taken
        for link in self.link_budget.take(links, response.url, "parse_listing"):
            if self.rules.is_pagination(link):
                if depth + 1 < limit:
                    next_pages.append(link)
                continue
            if self.rules.is_article_candidate(link):
                candidates += 1
                old += self._archived_before(link)
            request = self._article_request(link, "listing")
            if request:
                yield request
        if candidates and old == candidates:
            self.crawler.stats.inc_value("warta/listing_paging_stopped")
            logger.info("Listing %s holds only archived articles; not paging on", response.url)
            return
        for link in next_pages:
            request = self._discovery(link, self.parse_listing, depth=depth + 1)
            if request:
                yield request

    # Articles ------------------------------------------------------------------------------

    async def parse_article(self, response: Response, found_in: str) -> AsyncIterator[Any]:
        """Extraction runs in worker processes (crawler.extraction.workers), never on the
        reactor thread, so fetching and WARC writing go on while pages are parsed."""
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        stats = self.crawler.stats
        assert stats is not None
        if UNCHANGED_FLAG in response.flags:  # archived before and the same now: no new record
            stats.inc_value("warta/article_unchanged")
            return
        if self.pool is None:  # WARTA_EXTRACT_ENABLED=False: archive only
            stats.inc_value("warta/article_pages")
            return
        try:
            result = await self.pool.classify(response.text, response.url)
        except PageDeadlineExceeded as exc:
            self._extraction_gave_up(response, exc)
            return
        state = self.crawl_state
        if not result.is_article:
            stats.inc_value("warta/not_article")
            if state is not None:
                state.set_kind(response.url, "not-article")
            return
        # rel=canonical only counts when it names this very page (issue 12): a theme that
        # points every page at the home page must not file articles under it.
        canonical, claimed = trusted_canonical(
            result.canonical, response.url, self.rules.hosts, response.meta.get("redirect_urls", ())
        )
        key = dedup_key(canonical)
        if key in self._claimed_keys or (
            state is not None
            and not response.meta.get("warta_recheck")
            and state.article(key) is not None
        ):
            stats.inc_value("warta/duplicate_article")
            return
        if self.max_articles and self.articles_seen >= self.max_articles:
            return
        article = result.article
        if article is None:
            logger.warning("No article text could be extracted from %s", response.url)
            stats.inc_value("warta/extraction_failed")
            if state is not None:
                state.set_kind(response.url, "not-article")
            return
        self.articles_seen += 1
        self._claimed_keys.add(key)
        record = crawl_record(article, canonical, response.url, response.meta.get(META_KEY))
        if claimed:
            record["canonical_claimed"] = claimed
            stats.inc_value("warta/canonical_refused")
        for output in self._images(article):
            yield output
        for output in self.requisites.requests(result.requisites, self.parse_requisite):
            yield output
        for output in self._next_page_or_emit(result.next_page, [record], key):
            yield output

    # Multi-page articles: follow "halaman 2" links, then emit one merged record -----------

    async def parse_next_page(
        self, response: Response, pages: list[dict[str, Any]], key: str
    ) -> AsyncIterator[Any]:
        if response.status == 200 and isinstance(response, TextResponse) and self.pool:
            first = pages[0].get("fetched_url") or pages[0]["url"]
            try:
                result = await self.pool.classify(response.text, response.url, first_url=first)
            except PageDeadlineExceeded as exc:
                self._extraction_gave_up(response, exc)
                result = PageResult(True, None)
            if result.article is not None:
                record = result.article.model_dump(mode="json")
                record["warc"] = response.meta.get(META_KEY)
                for output in self._images(result.article):
                    yield output
                for output in self._next_page_or_emit(result.next_page, [*pages, record], key):
                    yield output
                return
        logger.warning("Next page unreadable, keeping earlier pages: %s", response.url)
        for output in self._emit(merge_records(pages), key):
            yield output

    def _next_page_failed(self, failure: Any) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        logger.warning("Next page failed, keeping earlier pages: %s", failure.request.url)
        yield from self._emit(merge_records(kwargs["pages"]), kwargs["key"])

    def _next_page_or_emit(
        self, following: str | None, pages: list[dict[str, Any]], key: str
    ) -> Iterator[Any]:
        if following and len(pages) < MAX_PAGES and self.rules.on_site(following):
            request = request_or_failure(
                self.crawler,
                following,
                "parse_next_page",
                callback=self.parse_next_page,
                errback=self._next_page_failed,
                cb_kwargs={"pages": pages, "key": key},
                priority=10,
            )
            if request is not None:
                self.crawler.stats.inc_value("warta/next_page")
                yield request
                return
        yield from self._emit(merge_records(pages), key)

    def _emit(self, record: dict[str, Any], key: str) -> Iterator[Any]:
        location = record.get("warc")
        if self.crawl_state is not None:
            self.crawl_state.record_article(
                key,
                record["url"],
                record.get("fetched_url") or record["url"],
                record.get("published"),
                location.get("record_id") if location else None,
                location.get("file") if location else None,
                location.get("offset") if location else None,
            )
        yield record

    def _images(self, article: Any) -> Iterator[Request]:
        if self.site.archive_images:
            for caption in article.captions:
                if caption.image and self.rules.on_site(caption.image):
                    request = request_or_failure(self.crawler, caption.image, "image",
                                                 callback=self.ignore, priority=-10)  # fmt: skip
                    if request:  # a bad image URL is listed, and the article still recorded
                        yield request

    def parse_requisite(self, response: Response) -> Iterator[Request]:
        """Archived for replay; a stylesheet's fonts and images are fetched in turn."""
        return self.requisites.from_stylesheet(response, self.parse_requisite)

    def ignore(self, response: Response) -> None:
        """Fetched only so the WARC holds it (images that articles show)."""
        return None
