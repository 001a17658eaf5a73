"""A page that outlives the extraction deadline costs its worker, not the crawl."""

from __future__ import annotations

import asyncio
import time

import pytest

from crawler.extraction.workers import ExtractionPool, PageDeadlineExceeded

# Worker processes (a fork server, pool start-ups) and a page that takes seconds: slow, and
# kept out of make mutate, whose forked test runs must not share a fork server.
pytestmark = pytest.mark.slow

SMALL = (
    "<html><body><article><p>"
    + "Warga Samarinda menanam pohon. " * 20
    + "</p></article></body></html>"
)
# Three thousand sibling paragraphs: reading them takes seconds (~3 s here), far beyond the
# half-second deadline below.
# (Nesting would not do: the parser stops at depth 256, so a nested page is read quickly.)
HUGE = "<html><body>" + "<div><p>kata lain di sini</p></div>" * 3_000 + "</body></html>"


def test_a_slow_page_is_given_up_and_the_pool_carries_on() -> None:
    async def run() -> tuple[float, bool]:
        with ExtractionPool(None, workers=1, page_deadline=0.5) as pool:
            await pool.classify(SMALL, "http://x.example/warm")  # start the worker
            started = time.monotonic()
            with pytest.raises(PageDeadlineExceeded, match="deadline"):
                await pool.classify(HUGE, "http://x.example/huge")
            elapsed = time.monotonic() - started
            after = await pool.classify(SMALL, "http://x.example/after")
            return elapsed, after.article is not None

    elapsed, extracted_after = asyncio.run(run())
    assert elapsed < 20, elapsed  # two attempts of 0.5 s plus two pool start-ups
    assert extracted_after


def test_without_a_deadline_the_same_page_is_read() -> None:
    async def run() -> bool:
        with ExtractionPool(None, workers=1, page_deadline=0) as pool:
            result = await pool.classify(HUGE, "http://x.example/huge")
            return result.is_article

    assert asyncio.run(run())
