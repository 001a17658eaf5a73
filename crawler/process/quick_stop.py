"""Extension: on the first SIGINT or SIGTERM, drop the requests that only wait their turn.

Scrapy installs its own shutdown handlers once the reactor runs; this extension wraps them
then (a call scheduled from ``engine_started``), so the first signal still starts Scrapy's
graceful stop (spider closed, WARC closed, state committed) and also empties the
downloader's per-host queues and tells the politeness middleware to release what it holds
(:mod:`crawler.fetch.stopping`). The second signal is Scrapy's own: stop at once.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import reactor as _reactor

from crawler.fetch.stopping import DROPPED_STAT, STOPPING_STAT, DroppedAtStop, stop_requested

logger = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
reactor: Any = _reactor  # the installed reactor (Twisted's module attribute is untyped)


class QuickStop:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopping = False
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def engine_started(self) -> None:
        reactor.callLater(0, self._wrap_handlers)

    def _wrap_handlers(self) -> None:
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue  # not Scrapy's (ignored, or the default): leave it alone

            def handler(num: int, frame: FrameType | None, previous: Any = previous) -> None:
                if not self.stopping:
                    reactor.callFromThread(self.drop_waiting)
                previous(num, frame)

            signal.signal(signum, handler)

    def drop_waiting(self) -> int:
        """Fail every request still queued for a download slot; tell holders to let go."""
        if self.stopping:
            return 0
        self.stopping = True
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value(STOPPING_STAT, True)
        dropped = 0
        engine = self.crawler.engine
        if engine is not None:
            for slot in list(engine.downloader.slots.values()):
                while slot.queue:
                    request, waiting = slot.queue.popleft()
                    waiting.errback(DroppedAtStop(f"crawl stopping: {request.url} not fetched"))
                    dropped += 1
        stats.inc_value(DROPPED_STAT, dropped)
        self.crawler.signals.send_catch_log(stop_requested)
        logger.info(
            "Stopping: %d request(s) waiting for their turn dropped; the pending queue "
            "stays in the crawl folder",
            stats.get_value(DROPPED_STAT, 0),
        )
        return dropped


__all__ = ["QuickStop"]
