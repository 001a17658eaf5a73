"""Benchmark-only Scrapy components: a spider loader that can turn off image archiving (so
every run fetches the same pages: images need extraction to be found, and the fetch-ceiling
run has none), and an extension that dumps the crawl's stats with its wall and CPU time.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from pathlib import Path
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.spiders.loader import SiteSpiderLoader
from crawler.spiders.news import NewsSpider

logger = logging.getLogger(__name__)


class BenchSpiderLoader(SiteSpiderLoader):
    """Site spiders for the benchmark: unless WARTA_BENCH_IMAGES, no image fetching."""

    def load(self, spider_name: str) -> type[Spider]:
        spider = super().load(spider_name)
        site = spider.site_config  # type: ignore[attr-defined]
        if not self.settings.getbool("WARTA_BENCH_IMAGES", False):
            site = site.model_copy(update={"archive_images": False})
        return type(spider.__name__, (NewsSpider,), {"name": spider_name, "site_config": site})


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
