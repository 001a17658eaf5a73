"""Progress while a crawl runs, and a summary file (``layout.SUMMARY_FILE``) when it ends.

The summary is what ``make demo``, the Prefect flow and its artifact report: pages,
articles, WARC bytes, errors by kind. Written atomically, so readers never see half of it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.failures import failure_counts
from crawler.layout import SUMMARY_FILE
from crawler.secrets import install_log_redaction, redact_url
from crawler.units import format_bytes

logger = logging.getLogger(__name__)


def _warc_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.warc.gz*") if p.is_file())


class CrawlProgress:
    def __init__(self, crawler: Crawler, output_dir: Path, interval: float) -> None:
        self.crawler = crawler
        self.output_dir = output_dir
        self.interval = interval
        self.started = datetime.now(UTC)
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = crawler.settings.get("WARTA_OUTPUT_DIR")
        if not out:
            raise NotConfigured("no WARTA_OUTPUT_DIR")
        ext = cls(crawler, Path(out), crawler.settings.getfloat("WARTA_PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        install_log_redaction()
        if self.interval > 0:
            self._loop = task.LoopingCall(self.log_progress)
            self._loop.start(self.interval, now=False)

    def counts(self) -> dict[str, Any]:
        stats = self.crawler.stats
        assert stats is not None
        get = stats.get_value
        errors = {
            key.rsplit("/", 1)[-1]: value
            for key, value in stats.get_stats().items()
            if key.startswith("downloader/response_status_count/") and not key.endswith("/200")
        }
        exceptions = get("downloader/exception_count", 0)
        return {
            "pages": get("downloader/response_count", 0),
            "articles": get("item_scraped_count", 0),
            "warc_bytes": _warc_bytes(self.output_dir),
            "statuses_other_than_200": errors,
            "network_errors": exceptions,
            "not_articles": get("warta/not_article", 0),
            "extraction_failed": get("warta/extraction_failed", 0),
            "robots_forbidden": get("robotstxt/forbidden", 0),
            "failures": failure_counts(stats.get_stats()),
        }

    def _drop_finished_job(self, reason: str) -> None:
        """A finished crawl has nothing to resume: its JOBDIR (written by the scheduler,
        which closes before this signal) only kept the pending-request queue."""
        job = self.crawler.settings.get("JOBDIR")
        if reason != "finished" or not job:
            return
        job_path = Path(job)
        if job_path.parent == self.output_dir and job_path.is_dir():
            shutil.rmtree(job_path, ignore_errors=True)

    def log_progress(self) -> None:
        counts = self.counts()
        elapsed = (datetime.now(UTC) - self.started).total_seconds()
        logger.info(
            "progress: %d pages, %d articles, %s of WARC in %.0f s",
            counts["pages"],
            counts["articles"],
            format_bytes(counts["warc_bytes"]),
            elapsed,
        )

    def spider_closed(self, reason: str) -> None:
        if self._loop and self._loop.running:
            self._loop.stop()
        self._drop_finished_job(reason)
        spider = self.crawler.spider
        summary = {
            "site": getattr(spider, "name", None),
            "base_url": redact_url(str(getattr(getattr(spider, "site", None), "base_url", ""))),
            "crawl_id": self.crawler.settings.get("WARTA_CRAWL_ID"),
            "started": self.started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "finish_reason": reason,
            **self.counts(),
        }
        self.output_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.output_dir / f".{SUMMARY_FILE}.tmp"
        tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.output_dir / SUMMARY_FILE)
        self.log_progress()
