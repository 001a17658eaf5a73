"""Parsing Retry-After and reading Crawl-delay through Scrapy's robots parser."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.robotstxt import ProtegoRobotParser

from crawler.fetch.politeness import crawl_delay_for, parse_retry_after

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
