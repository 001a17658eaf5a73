"""Progress while a crawl runs, and a summary file (``layout.SUMMARY_FILE``) when it ends.

Every second the extension rewrites ``layout.PROGRESS_FILE`` in the crawl folder (pages,
articles, bytes, rates, queue and failures) and removes it once the summary is written.
``warta demo`` and ``warta archive`` run the crawl in a child process and follow that file
(:mod:`crawler.process.progress_display`); on a terminal ``scrapy crawl`` shows the same display
itself. Every ``WARTA_PROGRESS_INTERVAL`` seconds a plain progress line also goes to the
log. The summary is what ``make demo``, the Prefect flow and its artifact report. Both
files are written atomically, so readers never see half of one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler import keys
from crawler import settings as defaults
from crawler.fetch.failures import failure_counts
from crawler.fetch.redaction import install_log_redaction, redact_url
from crawler.fetch.stopping import DROPPED_STAT, STOPPING_STAT
from crawler.layout import FAILURES_FILE, PROGRESS_FILE, SUMMARY_FILE, warc_files
from crawler.process.progress_display import ProgressView, progress_line

logger = logging.getLogger(__name__)

RATE_WINDOW = 10  # seconds of history behind the "now" rates


def _warc_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in warc_files(folder, include_open=True))


def unreachable_message(stats: dict[str, Any]) -> str | None:
    """Why the site counts as unreachable, or None: every discovery fetch (sitemaps, feeds,
    listings) failed, so the crawl saw nothing of the site. An incremental crawl that finds
    nothing new still gets answers (304s), so it is not caught here."""
    tried = stats.get(keys.DISCOVERY_REQUESTS, 0)
    if tried and not stats.get(keys.DISCOVERY_ANSWERS, 0):
        reasons = failure_counts(stats)
        why = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) or "no answer"
        return (
            f"site unreachable: none of its {tried} discovery fetches got an answer ({why}); "
            f"see {FAILURES_FILE} in the crawl folder"
        )
    return None


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name.lstrip('.')}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _show_display(setting: str) -> bool:
    """``auto`` (default): a live display when stderr is a terminal; ``on``/``off`` force it."""
    choice = setting.strip().lower()
    if choice in ("on", "true", "1"):
        return True
    if choice in ("off", "false", "0"):
        return False
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


class CrawlProgress:
    def __init__(self, crawler: Crawler, output_dir: Path, interval: float) -> None:
        self.crawler = crawler
        self.output_dir = output_dir
        self.interval = interval
        self.started = datetime.now(UTC)
        self._clock = time.monotonic()
        self._history: deque[tuple[float, int, int, int]] = deque(maxlen=RATE_WINDOW + 1)
        self._loop: task.LoopingCall | None = None
        self._tick: task.LoopingCall | None = None
        self._view: ProgressView | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        out = crawler.settings.get("WARTA_OUTPUT_DIR")
        if not out:
            raise NotConfigured("no WARTA_OUTPUT_DIR")
        ext = cls(crawler, Path(out), crawler.settings.getfloat("WARTA_PROGRESS_INTERVAL"))
        if _show_display(
            str(crawler.settings.get("WARTA_PROGRESS_DISPLAY", defaults.WARTA_PROGRESS_DISPLAY))
        ):
            ext._view = ProgressView(live=True)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        install_log_redaction()
        self.output_dir.mkdir(parents=True, exist_ok=True)
        if self._view is not None:
            self._view.start()
        self._tick = task.LoopingCall(self.write_progress)
        self._tick.start(1.0, now=True)
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
            "not_articles": get(keys.NOT_ARTICLE, 0),
            "extraction_failed": get(keys.EXTRACTION_FAILED, 0),
            "robots_forbidden": get("robotstxt/forbidden", 0),
            "failures": failure_counts(stats.get_stats()),
        }

    def snapshot(self, state: str = "running") -> dict[str, Any]:
        """What the progress file and the display show: totals, rates now and overall."""
        stats = self.crawler.stats
        assert stats is not None
        counts = self.counts()
        now = time.monotonic()
        elapsed = max(now - self._clock, 1e-6)
        received = int(stats.get_value("downloader/response_bytes", 0))
        self._history.append((now, counts["pages"], counts["articles"], received))
        then = self._history[0]
        span = max(now - then[0], 1e-6)
        queue = int(stats.get_value("scheduler/enqueued", 0)) - int(
            stats.get_value("scheduler/dequeued", 0)
        )
        if state == "running" and stats.get_value(STOPPING_STAT):
            dropped = stats.get_value(DROPPED_STAT, 0)
            state = f"stopping ({dropped} waiting dropped)"
        return {
            "site": getattr(self.crawler.spider, "name", None),
            "crawl_id": self.crawler.settings.get("WARTA_CRAWL_ID"),
            "state": state,
            "elapsed": round(elapsed, 1),
            "pages": counts["pages"],
            "articles": counts["articles"],
            "warc_bytes": counts["warc_bytes"],
            "received_bytes": received,
            "pages_per_s": round((counts["pages"] - then[1]) / span, 2) if span > 1 else 0.0,
            "articles_per_s": round((counts["articles"] - then[2]) / span, 2) if span > 1 else 0.0,
            "bytes_per_s": round((received - then[3]) / span) if span > 1 else 0,
            "average_pages_per_s": round(counts["pages"] / elapsed, 2),
            "queue": max(queue, 0),
            "failures": sum(counts["failures"].values()),
            "failures_by_reason": counts["failures"],
            "updated": datetime.now(UTC).isoformat(),
        }

    def write_progress(self, state: str = "running") -> dict[str, Any]:
        progress = self.snapshot(state)
        try:
            _atomic_json(self.output_dir / PROGRESS_FILE, progress)
        except OSError as exc:  # a full disk must not stop the crawl over a progress file
            logger.warning("could not write %s: %s", PROGRESS_FILE, exc)
        if self._view is not None:
            self._view.update(progress)
        return progress

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
        logger.info("progress: %s", progress_line(self.snapshot()))

    def spider_closed(self, reason: str) -> None:
        for loop in (self._loop, self._tick):
            if loop and loop.running:
                loop.stop()
        self._drop_finished_job(reason)
        stats = self.crawler.stats
        assert stats is not None
        unreachable = unreachable_message(stats.get_stats())
        final = self.write_progress(state=reason)
        if self._view is not None:
            self._view.stop()
        spider = self.crawler.spider
        summary = {
            "site": getattr(spider, "name", None),
            "base_url": redact_url(str(getattr(getattr(spider, "site", None), "base_url", ""))),
            "crawl_id": self.crawler.settings.get("WARTA_CRAWL_ID"),
            "started": self.started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "finish_reason": reason,
            "unreachable": bool(unreachable),
            **self.counts(),
        }
        _atomic_json(self.output_dir / SUMMARY_FILE, summary)
        # The summary now holds the final counts; a finished crawl folder holds no live file.
        (self.output_dir / PROGRESS_FILE).unlink(missing_ok=True)
        if unreachable:
            logger.error(unreachable)
        logger.info("progress: %s", progress_line(final))
