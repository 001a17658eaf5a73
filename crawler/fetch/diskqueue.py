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
"""

from __future__ import annotations

import inspect
from typing import Any

from scrapy import Request, Spider
from scrapy.squeues import PickleLifoDiskQueue

_STAND_IN = "_warta_queue_methods"  # where the spider keeps its stand-in


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


class CrawlDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """``SCHEDULER_DISK_QUEUE`` of every crawl: Scrapy's LIFO pickle queue."""

    def push(self, request: Request) -> None:
        try:
            data = request.to_dict(spider=_stand_in(self.spider))
        except ValueError:  # not among the methods seen: Scrapy's own walk decides
            data = request.to_dict(spider=self.spider)
        super(PickleLifoDiskQueue, self).push(data)  # type: ignore[misc]  # past to_dict
