"""What a site's crawl sets up before its first request, as Scrapy components.

:class:`CrawlSetup` is an add-on (``ADDONS`` in crawler/settings.py). From the spider's site
file and config/settings.yaml it fills in the settings the other components read (politeness,
User-Agent, WARC prefix, crawl id, output folder, JOBDIR, state path, warcinfo) at spider
priority, so ``-s NAME=VALUE`` still wins; it makes a crawl started by crawler.process.runner
die with its parent; and it enables the two extensions below, which Scrapy builds before
anything else of the crawl. :class:`CrawlLockHolder` holds the crawl lock until the engine has
stopped; :class:`PageExtraction` owns the extraction workers, and the spider reaches it with
``crawler.get_extension``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings

from crawler import __version__, keys
from crawler.config.operator import load_operator_settings
from crawler.config.sites import SiteConfig
from crawler.extraction.page import PageResult
from crawler.extraction.workers import ExtractionPool, PageDeadlineExceeded
from crawler.fetch.failures import FailureLog
from crawler.incremental.interrupted import set_aside_damaged_queue
from crawler.layout import JOB_DIR, crawl_folder, new_crawl_id, state_path
from crawler.process.crawl_lock import CrawlLock, folder_lock_path, lock_path_for
from crawler.process.lifetime import DIE_WITH_PARENT_ENV, die_with_parent
from crawler.process.ownership import claim_folder, owner_of_run

logger = logging.getLogger(__name__)


def _site_of(crawler: Crawler) -> SiteConfig:
    site = getattr(crawler.spider, "site", None)
    if not isinstance(site, SiteConfig):
        raise NotConfigured()  # not a site spider: nothing of a site to set up
    return site


class CrawlSetup:
    """Scrapy add-on: the settings of one site's crawl, derived once before it starts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.site = _site_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        if os.environ.get(DIE_WITH_PARENT_ENV) == "1":  # started by crawler.process.runner
            die_with_parent()
        for overrides in (self._site_settings(), self._crawl_folder(settings)):
            for key, value in overrides.items():
                settings.set(key, value, priority="spider")
        info = self._warcinfo(settings["WARTA_CRAWL_ID"])
        info.update(settings.getdict("WARTA_WARCINFO"))
        settings.set("WARTA_WARCINFO", info, priority="spider")
        for order, component in ((-20, CrawlLockHolder), (-10, PageExtraction)):
            settings.setdefault_in_component_priority_dict("EXTENSIONS", component, order)

    def _site_settings(self) -> dict[str, Any]:
        """Per-site politeness and the operator's name for the crawler and its WARC files."""
        app = load_operator_settings()
        polite = self.site.politeness
        return {
            "ROBOTSTXT_OBEY": polite.obey_robots_txt,
            "DOWNLOAD_DELAY": polite.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency_per_domain,
            "AUTOTHROTTLE_ENABLED": polite.autothrottle,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": polite.autothrottle_target_concurrency,
            "USER_AGENT": app.user_agent.format(version=__version__, contact=app.operator_contact),
            "WARTA_WARC_PREFIX": f"{app.warc_prefix}-{self.site.name}",
            "WARTA_WARC_MAX_BYTES": app.warc_max_bytes,
        }

    def _crawl_folder(self, settings: BaseSettings) -> dict[str, Any]:
        """Crawl id, output folder, pending-request queue and crawl state, unless given."""
        app = load_operator_settings()
        name = self.site.name
        crawl_id = settings.get("WARTA_CRAWL_ID") or new_crawl_id(
            taken=lambda cid: crawl_folder(app.data_dir, name, cid).exists()
        )
        data_dir = Path(settings.get("WARTA_DATA_DIR") or app.data_dir)
        out = settings.get("WARTA_OUTPUT_DIR") or str(crawl_folder(data_dir, name, crawl_id))
        found: dict[str, Any] = {"WARTA_CRAWL_ID": crawl_id, "WARTA_OUTPUT_DIR": out}
        if not settings.get("JOBDIR") and settings.getbool("WARTA_DISK_QUEUE"):
            # Pending requests wait on disk, not in memory: a 10,000-article sitemap then
            # costs no more RAM than a 1,000-article one, and a crawl restarted into the same
            # folder picks up its queue. The dot keeps it out of uploads.
            job = Path(out) / JOB_DIR
            set_aside_damaged_queue(job)
            found["JOBDIR"] = str(job)
        if not settings.get("WARTA_STATE_PATH"):
            # named by the site file's own base URL and this crawl's (-a base_url=...)
            site_file = getattr(type(self.crawler.spider), "site_config", self.site)
            state_name = site_file.state_name(self.site.base_url)
            found["WARTA_STATE_PATH"] = str(state_path(data_dir, state_name))
        return found

    def _warcinfo(self, crawl_id: str) -> dict[str, str]:
        app = load_operator_settings()
        return {
            "operator": f"{app.operator} ({app.operator_contact})",
            "isPartOf": f"{self.site.name}-{crawl_id}",
            "description": f"warta crawl of {self.site.base_url}",
            "robots": "obey" if self.site.politeness.obey_robots_txt else "ignore",
        }


class CrawlLockHolder:
    """Extension: fails the crawl at once if another crawl of this site (same state) or of
    this folder runs; then records whose the folder is (crawler.process.ownership)."""

    def __init__(self, locks: tuple[CrawlLock, ...]) -> None:
        self.locks = locks

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        state = settings.get("WARTA_STATE_PATH") if settings.getbool("WARTA_STATE_ENABLED") else ""
        out = settings.get("WARTA_OUTPUT_DIR")
        site = _site_of(crawler)
        holder = {"site": site.name, "crawl_id": settings.get("WARTA_CRAWL_ID")}
        locks: list[CrawlLock] = []
        try:
            for path in dict.fromkeys([lock_path_for(state, out), folder_lock_path(out)]):
                locks.append(CrawlLock(path).acquire(output_dir=out, **holder))
        except BaseException:
            for lock in locks:
                lock.release()
            raise
        extension = cls(tuple(locks))
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        claim_folder(out, owner_of_run(site.name, state, None, site.base_url))
        return extension

    def engine_stopped(self) -> None:
        """After the engine stopped: the WARC, the summary and the state are closed by then."""
        for lock in reversed(self.locks):
            lock.release()
        self.locks = ()


def handover(response: Response) -> tuple[str | bytes, str | None]:
    """What goes to a worker for a page: its body and the encoding it declares, which the
    worker decodes exactly as ``response.text`` would (:func:`crawler.extraction.page.page_text`);
    the text itself when the encoding had to be guessed (Scrapy then decoded the whole body
    to guess it, and its guess takes a path of its own, so the text it made is sent)."""
    if isinstance(response, TextResponse):
        declared = getattr(response, "_declared_encoding", None)  # Scrapy's own, since 0.x
        encoding = declared() if declared is not None else None
        if encoding:
            return response.body, encoding
    return response.text, None


class PageExtraction:
    """Extension: the crawl's extraction workers (NotConfigured with WARTA_EXTRACT_ENABLED
    off: the crawl then archives pages without reading them)."""

    def __init__(self, crawler: Crawler, pool: ExtractionPool) -> None:
        self.crawler = crawler
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("WARTA_EXTRACT_ENABLED"):
            raise NotConfigured()
        raw = settings.get("WARTA_EXTRACT_WORKERS")
        workers = None if raw in (None, "") else int(raw)
        deadline = settings.getfloat("WARTA_EXTRACT_TIMEOUT")
        extraction = cls(
            crawler, ExtractionPool(_site_of(crawler), workers=workers, page_deadline=deadline)
        )
        crawler.signals.connect(extraction.spider_closed, signal=signals.spider_closed)
        return extraction

    def spider_closed(self) -> None:
        self.pool.close()

    async def classify(self, response: Response, first_url: str | None = None) -> PageResult | None:
        """The page read in a worker; None when it outlived its deadline (then it is
        archived, not extracted, and listed in the failures file)."""
        try:
            html, encoding = handover(response)
            return await self.pool.classify(html, response.url, first_url, encoding)
        except PageDeadlineExceeded as exc:
            logger.error("%s", exc)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(keys.EXTRACTION_DEADLINE)
            failures = FailureLog.of(self.crawler)
            if failures is not None:
                failures.record(
                    response.request or Request(response.url), "extraction-deadline",
                    response.status, len(response.body), detail=str(exc),
                )  # fmt: skip
            return None
