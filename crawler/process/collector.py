"""Python's garbage collector set for a crawl: what the interpreter, Scrapy, Twisted and
the spider built before the first request is frozen, and collections are rarer.

A profile of a 1,000-article crawl (docs/performance.md, issue 30) found 6 % of the crawl
process's CPU in the cyclic collector: 535 young collections and four full ones, each full
one walking every object the process had made at start-up (modules, the site config,
Scrapy's components), none of which ever becomes garbage. ``gc.freeze()`` at spider open
moves them out of the collector's sight; a larger first threshold makes the young
collections fewer, so fewer live requests and responses are moved to the older
generations and walked again there. Reference counting still frees almost everything at
once; only cycles wait longer, a bounded few MB.
"""

from __future__ import annotations

import gc
import json
import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

LOG = logging.getLogger(__name__)


class CollectorSettings:
    """``WARTA_GC_THRESHOLD`` (Python's three thresholds; empty: Python's own) at spider
    open, after ``gc.freeze()``; both undone at spider close."""

    def __init__(self, threshold: tuple[int, ...]) -> None:
        self.threshold = threshold
        self._before: tuple[int, ...] = gc.get_threshold()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        raw = crawler.settings.get("WARTA_GC_THRESHOLD") or []
        if isinstance(raw, str):  # from the command line: a JSON list, or "a,b,c"
            raw = json.loads(raw) if raw.strip().startswith("[") else raw.split(",")
        if not raw:
            raise NotConfigured("Python's own collector thresholds")
        threshold = tuple(int(v) for v in raw)
        if len(threshold) != 3 or min(threshold) < 1:
            raise ValueError(f"WARTA_GC_THRESHOLD needs three positive counts, not {raw!r}")
        ext = cls(threshold)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self._before = gc.get_threshold()
        gc.collect()  # start-up's garbage goes now, not into the frozen generation
        gc.freeze()
        gc.set_threshold(*self.threshold)
        LOG.debug("GC: %d objects frozen, thresholds %s", gc.get_freeze_count(), self.threshold)

    def spider_closed(self) -> None:
        gc.set_threshold(*self._before)
        gc.unfreeze()
