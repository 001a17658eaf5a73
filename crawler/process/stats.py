"""Scrapy's in-memory crawl stats without a check on every call.

Scrapy 2.13 and later route every attribute of its stats collector through a
``__getattribute__`` that wraps the stat methods in a warning about their old ``spider``
argument: an f-string, a failed attribute look-up and a wrapper call for each of the dozen
stats Scrapy's middlewares bump per request. A profile of a 1,000-article crawl put 2-3 %
of the crawl process there (docs/performance.md, issue 30). This collector is Scrapy's
``MemoryStatsCollector`` with plain attribute access: the same stats, the same methods,
without the warning, which warta's code never triggers.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class CrawlStats(MemoryStatsCollector):
    """``STATS_CLASS`` of every crawl."""

    __getattribute__ = object.__getattribute__
