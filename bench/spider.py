"""Benchmark-only Scrapy components: a spider loader that can turn off image archiving (so
every run fetches the same pages: images need extraction to be found, and the fetch-ceiling
run has none) and can fetch a list of page requisites without extraction (so the fetch
ceiling fetches what the full crawl's requisites fetch), and an extension that dumps the
crawl's stats with its wall and CPU time.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.spiders.loader import SiteSpiderLoader
from crawler.spiders.news import NewsSpider

FETCH_LIST_SETTING = "BENCH_FETCH_LIST"  # a file of URLs, one a line

logger = logging.getLogger(__name__)


class BenchSpiderLoader(SiteSpiderLoader):
    """Site spiders for the benchmark: unless WARTA_BENCH_IMAGES, no image fetching."""

    def load(self, spider_name: str) -> type[Spider]:
        spider = super().load(spider_name)
        site = spider.site_config  # type: ignore[attr-defined]
        if not self.settings.getbool("WARTA_BENCH_IMAGES", False):
            site = site.model_copy(update={"archive_images": False})
        fetch_list = self.settings.get(FETCH_LIST_SETTING)
        base = FetchListSpider if fetch_list else NewsSpider
        return type(spider.__name__, (base,), {"name": spider_name, "site_config": site})


class FetchListSpider(NewsSpider):
    """The site spider, also fetching every URL of ``BENCH_FETCH_LIST`` as a page
    requisite: the requisites a full crawl finds by extraction, for a crawl without it."""

    async def start(self) -> AsyncIterator[Any]:
        async for request in super().start():
            yield request
        listed = Path(self.crawler.settings[FETCH_LIST_SETTING]).read_text().split()
        for request in self.requisites.requests(listed, self.ignore):
            yield request


class StatsDump:
    """Writes the crawl's Scrapy stats to ``bench-stats.json`` when the spider closes, with
    the wall and CPU time between spider open and close (process start-up left out)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.opened = (0.0, 0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @staticmethod
    def _clock() -> tuple[float, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return time.monotonic(), own.ru_utime + own.ru_stime

    def spider_opened(self) -> None:
        self.opened = self._clock()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        out = self.crawler.settings.get("WARTA_OUTPUT_DIR")
        stats = self.crawler.stats
        if not out or stats is None:
            return
        wall, cpu = self._clock()
        data = {k: v for k, v in stats.get_stats().items() if isinstance(v, (int, float, str))}
        data["finish_reason"] = reason
        data["bench/crawl_seconds"] = wall - self.opened[0]
        data["bench/reactor_cpu_seconds"] = cpu - self.opened[1]
        Path(out, "bench-stats.json").write_text(json.dumps(data, indent=1, sort_keys=True))
