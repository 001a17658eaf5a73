"""The crawl's garbage-collector settings and stats collector (issue 30's CPU savings)."""

from __future__ import annotations

import gc
import logging

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings
from crawler.process.collector import CollectorSettings
from crawler.process.stats import CrawlStats


def test_start_up_is_frozen_and_collections_rarer_while_the_spider_runs() -> None:
    before = gc.get_threshold()
    default = {"WARTA_GC_THRESHOLD": settings.WARTA_GC_THRESHOLD}
    ext = CollectorSettings.from_crawler(get_crawler(settings_dict=default))
    ext.spider_opened()
    try:
        assert gc.get_threshold() == tuple(settings.WARTA_GC_THRESHOLD)
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0
    finally:
        ext.spider_closed()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("value", ["[20000, 5, 5]", "20000,5,5", [20000, 5, 5]])
def test_thresholds_from_the_command_line_or_a_list(value: object) -> None:
    ext = CollectorSettings.from_crawler(get_crawler(settings_dict={"WARTA_GC_THRESHOLD": value}))
    assert ext.threshold == (20000, 5, 5)


@pytest.mark.parametrize("value", ["[]", "", []])
def test_empty_leaves_python_alone(value: object) -> None:
    with pytest.raises(NotConfigured):
        CollectorSettings.from_crawler(get_crawler(settings_dict={"WARTA_GC_THRESHOLD": value}))


def test_scrapys_log_says_why_the_collector_is_left_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="scrapy.middleware")
    name = "crawler.process.collector.CollectorSettings"
    only_it = {"EXTENSIONS_BASE": {}, "EXTENSIONS": {name: settings.EXTENSIONS[name]}}
    crawler = get_crawler(settings_dict={"WARTA_GC_THRESHOLD": [], **only_it})
    assert crawler.extensions.middlewares == ()
    assert f"Disabled {name}: Python's own collector thresholds" in caplog.messages


def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="three positive"):
        CollectorSettings.from_crawler(get_crawler(settings_dict={"WARTA_GC_THRESHOLD": "0,1,1"}))
    smallest = get_crawler(settings_dict={"WARTA_GC_THRESHOLD": "1,1,1"})
    assert CollectorSettings.from_crawler(smallest).threshold == (1, 1, 1)  # 1 is positive


def test_crawl_stats_are_scrapys_without_the_check() -> None:
    crawler = get_crawler(settings_dict={"STATS_CLASS": "crawler.process.stats.CrawlStats"})
    stats = crawler.stats
    assert isinstance(stats, CrawlStats)
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("peak", 3)
    stats.max_value("peak", 1)
    stats.set_value("reason", "finished")
    assert stats.get_stats() == {"pages": 3, "peak": 3, "reason": "finished"}
    assert "_cached_inc_value" not in vars(stats)  # no wrapper was made
