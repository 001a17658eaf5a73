"""Politeness Scrapy leaves to us: robots.txt ``Crawl-delay`` and ``Retry-After``.

Scrapy parses robots.txt (Protego exposes ``crawl_delay``) but never applies the delay, and
its RetryMiddleware retries a 429 or 503 at once, whatever ``Retry-After`` says.

* **Crawl-delay** becomes a floor under the download slot's delay for that host. AutoThrottle
  may raise the delay above it but never lower it below: the floor is re-applied after every
  response (this middleware connects to ``response_downloaded`` after AutoThrottle does) and
  whenever a request enters the downloader. Random jitter is switched off for such a slot,
  since ±50 % would break the promise half the time.
* **Retry-After** on a 429 or 503 pauses the host: every request for it (the retry included)
  waits in ``process_request`` until the pause ends. The wait is capped by
  ``WARTA_RETRY_AFTER_MAX``; a longer demand is logged and capped, not obeyed for hours.

Placed after RobotsTxtMiddleware (100) so the robots.txt is known before a request is
queued, and before RetryMiddleware (550) on the way back so the pause is set before the
retry is scheduled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})
# The slot measures its delay from when it dispatches a request; the request leaves a
# moment later, and that moment varies by a few hundred microseconds. A 10 ms margin keeps
# the gaps on the wire at or above the site's Crawl-delay.
CRAWL_DELAY_MARGIN = 0.01


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def crawl_delay_for(parser: RobotParser, user_agent: str) -> float | None:
    """The robots.txt Crawl-delay for our agent, if the parser knows one."""
    try:
        delay = parser.crawl_delay(user_agent)
    except (AttributeError, NotImplementedError):
        return None
    return float(delay) if delay else None


class PolitenessMiddleware:
    """Downloader middleware applying Crawl-delay floors and Retry-After pauses per host."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.retry_after_max = settings.getfloat("WARTA_RETRY_AFTER_MAX", 120.0)
        self.crawl_delay_max = settings.getfloat("WARTA_CRAWL_DELAY_MAX", 60.0)
        self.obey_crawl_delay = settings.getbool("WARTA_OBEY_CRAWL_DELAY", True)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.floors: dict[str, float] = {}
        self.paused_until: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    # -- Crawl-delay ------------------------------------------------------------------------
    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        if not self.obey_crawl_delay:
            return
        delay = crawl_delay_for(robotparser, self.user_agent)
        if delay is None:
            return
        host = urlparse_cached(request).hostname or ""
        if delay > self.crawl_delay_max:
            logger.warning(
                "robots.txt of %s asks Crawl-delay %.1f s; capping at %.1f s "
                "(WARTA_CRAWL_DELAY_MAX)",
                host,
                delay,
                self.crawl_delay_max,
            )
            delay = self.crawl_delay_max
        self.floors[host] = delay + CRAWL_DELAY_MARGIN
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(f"warta/crawl_delay/{host}", delay)
        logger.info("Applying robots.txt Crawl-delay of %.1f s to %s", delay, host)

    def _slot_key(self, request: Request) -> str:
        return request.meta.get("download_slot") or urlparse_cached(request).hostname or ""

    def _apply_floor(self, key: str) -> None:
        floor = self.floors.get(key)
        engine = self.crawler.engine
        if floor is None or engine is None:
            return
        slot = engine.downloader.slots.get(key)
        if slot is None:
            # Make new slots start at the floor rather than the default delay.
            settings = engine.downloader.per_slot_settings.setdefault(key, {})
            settings["delay"] = max(settings.get("delay", 0.0), floor)
            settings["jitter"] = 0.0
            return
        slot.jitter = 0.0
        if slot.delay < floor:
            slot.delay = floor

    def response_downloaded(self, response: Response, request: Request) -> None:
        self._apply_floor(self._slot_key(request))

    # -- Retry-After ------------------------------------------------------------------------
    async def process_request(self, request: Request) -> None:
        key = self._slot_key(request)
        self._apply_floor(key)
        wait = self.paused_until.get(key, 0.0) - time.monotonic()
        if wait > 0:
            logger.debug("Holding %s for %.1f s (Retry-After)", request.url, wait)
            await asyncio.sleep(wait)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in RETRY_AFTER_STATUSES:
            return response
        wait = parse_retry_after(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        if wait > self.retry_after_max:
            logger.warning(
                "%s asks Retry-After %.0f s; capping at %.0f s (WARTA_RETRY_AFTER_MAX)",
                request.url,
                wait,
                self.retry_after_max,
            )
            wait = self.retry_after_max
        key = self._slot_key(request)
        until = time.monotonic() + wait
        self.paused_until[key] = max(self.paused_until.get(key, 0.0), until)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("warta/retry_after_pauses")
        logger.info(
            "%s answered %d; pausing %s for %.1f s", request.url, response.status, key, wait
        )
        return response


def slot_delays(crawler: Crawler) -> dict[str, Any]:
    """Current delay of each download slot (for logs and tests)."""
    engine = crawler.engine
    if engine is None:
        return {}
    return {key: slot.delay for key, slot in engine.downloader.slots.items()}
