"""The extraction pool run inline (no worker processes): what its defaults mean.

Worker processes are exercised by the slow tests of test_workers_deadline.py."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crawler.config.sites import SiteConfig
from crawler.extraction.workers import ExtractionPool
from tests.crawler.extraction.test_page import UNMARKED, URL


def test_inline_pool_reads_pages_without_the_marker_check_by_default(niaga: SiteConfig) -> None:
    with ExtractionPool(niaga, workers=0) as pool:
        assert pool.submit(UNMARKED, URL).result().article is not None
        assert [r.article is not None for r in pool.map([(UNMARKED, URL)] * 2)] == [True, True]
        assert [r.is_article for r in pool.map([(UNMARKED, URL)], check_marker=True)] == [False]


def test_inline_pool_leaves_the_crawls_priority_alone() -> None:
    before = os.nice(0)
    ExtractionPool(None, workers=0).close()
    assert os.nice(0) == before


class _Executor:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def shutdown(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def test_close_waits_for_queued_pages_unless_cancelled() -> None:
    pool = ExtractionPool(None, workers=0)
    pool._executor = executor = _Executor()  # type: ignore[assignment]
    pool.close()
    pool.close()  # idempotent
    assert executor.calls == [{"wait": True, "cancel_futures": False}]
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit("<p>x</p>", URL)
    pool = ExtractionPool(None, workers=0)
    pool._executor = executor = _Executor()  # type: ignore[assignment]
    with pytest.raises(ValueError), pool:
        raise ValueError("the crawl stopped")
    assert executor.calls == [{"wait": True, "cancel_futures": True}]
