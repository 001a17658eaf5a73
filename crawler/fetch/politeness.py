"""Politeness Scrapy leaves to us: robots.txt ``Crawl-delay`` and ``Retry-After``.

Scrapy parses robots.txt (Protego exposes ``crawl_delay``) but never applies the delay, and
its RetryMiddleware retries a 429 or 503 at once, whatever ``Retry-After`` says.

* **Crawl-delay** becomes a floor under the download slot's delay for that host. AutoThrottle
  may raise the delay above it but never lower it below: the floor is re-applied after every
  response (this middleware connects to ``response_downloaded`` after AutoThrottle does) and
  whenever a request enters the downloader. Random jitter is switched off for such a slot,
  since ±50 % would break the promise half the time.
* **Retry-After** on a 429 or 503 pauses the host: every request for it (the retry included)
  waits in ``process_request`` until the pause ends, up to ``WARTA_RETRY_AFTER_MAX``. A
  longer demand gives up *that URL* for this crawl (no retry, reason
  ``retry-after-too-long`` in the failures file) rather than stalling the whole host: a
  server answering ``Retry-After: 86400`` on N URLs must not cost N pauses.
* **Backoff:** a 5xx or 429 without Retry-After, or a network error, pauses the host for
  ``WARTA_BACKOFF_BASE * 2**(n-1)`` seconds (n = consecutive failures on that host, capped
  at ``WARTA_BACKOFF_MAX``), with ±50 % jitter so that many crawlers do not return in step.
* **Error budget:** after ``WARTA_HOST_ERROR_BUDGET`` consecutive failures a host is given
  up for the rest of the crawl; its remaining requests are refused (reason
  ``host-error-budget``) instead of hammering a server that keeps failing.

Placed after RobotsTxtMiddleware (100) so the robots.txt is known before a request is
queued, and before RetryMiddleware (550) on the way back so the pause is set before the
retry is scheduled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawler import keys
from crawler import settings as defaults
from crawler.fetch.stopping import DROPPED_STAT, DroppedAtStop, stop_requested

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


class HostGivenUp(IgnoreRequest):
    """The host used up its error budget; the crawl no longer asks it for anything."""


def is_server_failure(status: int) -> bool:
    """A status that says the server is struggling (worth backing off), not "no such page"."""
    return status >= 500 or status == 429


def backoff_seconds(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with ±50 % jitter after ``failures`` consecutive failures."""
    if failures <= 0 or base <= 0:
        return 0.0
    return min(cap, base * 2 ** (failures - 1)) * rng.uniform(0.5, 1.5)


# The slot measures its delay from when it dispatches a request; the request leaves a
# moment later, after the rest of the middleware chain, and on a busy machine that moment
# varies by tens of milliseconds. A 100 ms margin keeps the gaps on the wire at or above the
# site's Crawl-delay (10 ms was seen to give 1.99 s gaps for a 2 s delay under load).
CRAWL_DELAY_MARGIN = 0.1


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
        self.retry_after_max = settings.getfloat(
            "WARTA_RETRY_AFTER_MAX", defaults.WARTA_RETRY_AFTER_MAX
        )
        self.crawl_delay_max = settings.getfloat(
            "WARTA_CRAWL_DELAY_MAX", defaults.WARTA_CRAWL_DELAY_MAX
        )
        self.obey_crawl_delay = settings.getbool(
            "WARTA_OBEY_CRAWL_DELAY", defaults.WARTA_OBEY_CRAWL_DELAY
        )
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.backoff_base = settings.getfloat("WARTA_BACKOFF_BASE", defaults.WARTA_BACKOFF_BASE)
        self.backoff_max = settings.getfloat("WARTA_BACKOFF_MAX", defaults.WARTA_BACKOFF_MAX)
        self.error_budget = settings.getint(
            "WARTA_HOST_ERROR_BUDGET", defaults.WARTA_HOST_ERROR_BUDGET
        )
        self.floors: dict[str, float] = {}
        self.paused_until: dict[str, float] = {}
        self.failures: dict[str, int] = {}  # consecutive failures per slot
        self.given_up: set[str] = set()
        self.rng = random.Random()
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.stop_holding, signal=stop_requested)
        self._stop: asyncio.Event | None = None  # set when the crawl stops (stop_holding)

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
        self.crawler.stats.set_value(keys.CRAWL_DELAY_PREFIX + host, delay)
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
        if key in self.given_up:
            request.meta[keys.FAILURE_REASON] = "host-error-budget"
            raise HostGivenUp(f"{key} failed {self.error_budget} times in a row; given up")
        self._apply_floor(key)
        wait = self.paused_until.get(key, 0.0) - time.monotonic()
        if wait > 0:
            logger.debug("Holding %s for %.1f s (Retry-After)", request.url, wait)
            if self._stop is None:
                self._stop = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), wait)
            if self._stop.is_set():
                self.crawler.stats.inc_value(DROPPED_STAT)
                raise DroppedAtStop(f"crawl stopping: held {request.url} dropped")
        return None

    def stop_holding(self) -> None:
        """The crawl is stopping (crawler.fetch.stopping): release every held request."""
        if self._stop is None:
            self._stop = asyncio.Event()
        self._stop.set()

    def process_response(self, request: Request, response: Response) -> Response:
        key = self._slot_key(request)
        if not is_server_failure(response.status):
            self.failures.pop(key, None)
            return response
        wait = None
        if response.status in RETRY_AFTER_STATUSES:
            wait = parse_retry_after(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            logger.warning(
                "%s asks Retry-After %.0f s, over WARTA_RETRY_AFTER_MAX (%.0f s): "
                "giving up this URL for this crawl",
                request.url,
                wait,
                self.retry_after_max,
            )
            request.meta["dont_retry"] = True
            request.meta[keys.FAILURE_REASON] = "retry-after-too-long"
            self._count_failure(key)
            return response
        if wait is None:
            wait = backoff_seconds(
                self._count_failure(key), self.backoff_base, self.backoff_max, self.rng
            )
        else:
            self._count_failure(key)
        self._pause(key, wait, f"{request.url} answered {response.status}")
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # refused before any connection: not the server's fault
        key = self._slot_key(request)
        wait = backoff_seconds(
            self._count_failure(key), self.backoff_base, self.backoff_max, self.rng
        )
        self._pause(key, wait, f"{request.url} failed ({type(exception).__name__})")
        return None

    def _count_failure(self, key: str) -> int:
        count = self.failures.get(key, 0) + 1
        self.failures[key] = count
        if count >= self.error_budget > 0 and key not in self.given_up:
            self.given_up.add(key)
            logger.error(
                "%s failed %d times in a row: giving it up for this crawl "
                "(WARTA_HOST_ERROR_BUDGET)",
                key,
                count,
            )
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(keys.HOSTS_GIVEN_UP)
        return count

    def _pause(self, key: str, wait: float, why: str) -> None:
        if wait <= 0:
            return
        until = time.monotonic() + wait
        self.paused_until[key] = max(self.paused_until.get(key, 0.0), until)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(keys.RETRY_AFTER_PAUSES)
        logger.info("%s; pausing %s for %.1f s", why, key, wait)
