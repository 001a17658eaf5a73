"""The crawl's disk queue of pending requests: Scrapy's own, without walking the spider for
every request it writes.

Scrapy writes a request to disk as ``request.to_dict(spider=...)``, which names the
callback by walking every attribute of the spider with ``inspect.getmembers`` (properties
included) until one is the same function: for every request. A profile of a 1,000-article
crawl put 1-1.5 % of the crawl process there (docs/performance.md, issue 30). This queue
walks the spider once and hands ``to_dict`` a stand-in that holds only the spider's methods
under their names, so the names found, and the bytes written, are the ones Scrapy's walk
finds; a callback the stand-in lacks (a method set on the spider later) falls back to the
walk over the spider itself.

An emptied queue is also kept open for its next push. Scrapy closes a priority's queue as
soon as it is empty (its file removed, then its slot's folder) and makes both again at the
next push of that priority: in a crawl whose downloader keeps up, that is every few
requests (0.2-0.4 ms of CPU per article in a profile, issue 30). A queue closed empty is
parked instead, and the next queue asked for under its path is that one; the parked queues
are closed for good when the spider closes, after the scheduler, so the folder holds what
Scrapy's would (a killed crawl may leave a parked queue's empty file: it reads as empty).
"""

from __future__ import annotations

import inspect
from contextlib import suppress
from pathlib import Path
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.squeues import PickleLifoDiskQueue

_STAND_IN = "_warta_queue_methods"  # where the spider keeps its stand-in
_PARKING = "_warta_parked_queues"  # where the crawler keeps its emptied queues


class _Methods:
    """A spider's bound methods as the attributes of a plain object."""

    def __init__(self, spider: Spider) -> None:
        for name, method in inspect.getmembers(spider, inspect.ismethod):
            setattr(self, name, method)


def _stand_in(spider: Spider) -> Any:
    found = getattr(spider, _STAND_IN, None)
    if found is None:
        found = _Methods(spider)
        setattr(spider, _STAND_IN, found)
    return found


class _Parking:
    """A crawl's emptied disk queues by path, open, until their next push or the end."""

    def __init__(self) -> None:
        self.queues: dict[str, CrawlDiskQueue] = {}
        self.closed = False

    def close(self, **_signal: object) -> None:
        """At spider_closed. It takes the signal's arguments and ignores them: Scrapy's
        dispatcher passes only the ones a handler names, but a wrapped handler (mutmut's
        trampoline) names none and so is given them all."""
        self.closed = True
        queues, self.queues = self.queues, {}
        for queue in queues.values():
            # A finished crawl's JOBDIR may be gone already (crawler.process.progress).
            with suppress(OSError):
                queue.close()
            with suppress(OSError):  # the slot's folder, as Scrapy reclaims it
                Path(queue.path).parent.rmdir()


def _parking(crawler: Crawler) -> _Parking:
    found = getattr(crawler, _PARKING, None)
    if found is None:
        found = _Parking()
        setattr(crawler, _PARKING, found)
        crawler.signals.connect(found.close, signal=signals.spider_closed)
    return found


class CrawlDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """``SCHEDULER_DISK_QUEUE`` of every crawl: Scrapy's LIFO pickle queue."""

    _parked_in: _Parking | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str, *args: Any, **kwargs: Any) -> Self:
        parking = _parking(crawler)
        queue = parking.queues.pop(key, None)
        if queue is None:
            queue = super().from_crawler(crawler, key, *args, **kwargs)
            queue._parked_in = parking
        return queue

    def close(self) -> None:
        """Closed empty while the crawl goes on: parked for the next push of its priority."""
        parking = self._parked_in
        if parking is not None and not parking.closed and not len(self):
            parking.queues[self.path] = self
            return
        super().close()

    def push(self, request: Request) -> None:
        try:
            data = request.to_dict(spider=_stand_in(self.spider))
        except ValueError:  # not among the methods seen: Scrapy's own walk decides
            data = request.to_dict(spider=self.spider)
        super(PickleLifoDiskQueue, self).push(data)  # type: ignore[misc]  # past to_dict
