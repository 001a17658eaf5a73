"""Parsing Retry-After, reading Crawl-delay through Scrapy's robots parser, and backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from scrapy.robotstxt import ProtegoRobotParser

from crawler.fetch.politeness import backoff_seconds, crawl_delay_for, parse_retry_after

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(b" 3 ") == 3.0
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", now=NOW) == 30.0
    assert parse_retry_after("Fri, 27 Nov 2026 11:00:00 GMT", now=NOW) == 0.0  # past: no wait


def test_bad_retry_after_is_ignored() -> None:
    for value in (None, "", "soon", "-5", "1.5e9x"):
        assert parse_retry_after(value) is None


def test_crawl_delay_from_robots_txt() -> None:
    body = b"User-agent: *\nDisallow: /wp-admin/\nCrawl-delay: 2\n"
    parser = ProtegoRobotParser(body, spider=None)
    assert crawl_delay_for(parser, "warta/0.1 (+https://example.org)") == 2.0
    none = ProtegoRobotParser(b"User-agent: *\nDisallow:\n", spider=None)
    assert crawl_delay_for(none, "warta") is None


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    waits = [backoff_seconds(n, 1.0, 8.0, rng) for n in range(1, 7)]
    for n, wait in enumerate(waits, start=1):
        nominal = min(8.0, 2 ** (n - 1))
        assert 0.5 * nominal <= wait <= 1.5 * nominal
    assert backoff_seconds(0, 1.0, 8.0, rng) == 0.0
    assert backoff_seconds(3, 0.0, 8.0, rng) == 0.0


def test_backoff_is_spread_so_crawlers_do_not_return_in_step() -> None:
    """Many crawlers failing at once must come back at different times: the third pause of
    a 1 s base (nominal 4 s) spreads over 2..6 s, on both sides of the nominal value."""
    waits = [backoff_seconds(3, 1.0, 60.0, random.Random(seed)) for seed in range(200)]
    assert len({round(w, 6) for w in waits}) > 150
    assert min(waits) < 2.5 and max(waits) > 5.5
    assert 3.5 < sum(waits) / len(waits) < 4.5
    capped = [backoff_seconds(20, 1.0, 8.0, random.Random(seed)) for seed in range(200)]
    assert min(capped) < 5.0 and max(capped) > 11.0 and max(capped) <= 12.0


def test_retry_after_dates_in_bytes_without_zone_and_against_the_clock() -> None:
    assert parse_retry_after(b"Fri, 27 Nov 2026 12:00:30 GMT", now=NOW) == 30.0
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:30 -0000", now=NOW) == 30.0  # naive: UTC
    soon = datetime.now(UTC) + timedelta(seconds=90)
    wait = parse_retry_after(soon.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert wait is not None and 80 <= wait <= 90
