"""The request for an article link (crawler.spiders.news._article_request): what the crawl
state knows of the article decides whether it is asked for and how (not again, rechecked,
reread from the archive), its answer is read as an article, and a crawl asked for
``max_articles`` holds back what it could not keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from crawler import keys
from crawler.canonical import dedup_key
from crawler.incremental.revisits import Revisits
from crawler.warc.writer import RecordLocation
from tests.crawler.spiders.conftest import BASE, collect
from tests.crawler.spiders.test_next_pages import PAGE_TWO

URL = f"{BASE}/banjir-samarinda/"


def _records(request: Any) -> list[dict[str, Any]]:
    """The article records its callback makes of the article page answering ``request``."""
    response = HtmlResponse(request.url, body=PAGE_TWO, request=request)
    outputs = collect(request.callback(response, **request.cb_kwargs))
    return [o for o in outputs if isinstance(o, dict)]


def test_an_article_link_s_answer_is_read_as_an_article(spider: Any) -> None:
    request = spider._article_request(f"{URL}#komentar", "feed")
    assert request.url == URL
    [record] = _records(request)
    assert record["url"] == URL and "Paragraf dua" in record["text"]
    assert spider._article_request(URL, "sitemap") is None  # asked for once


def _filed(spider: Any, published: datetime) -> None:
    """An article record filed by an earlier run."""
    spider.crawl_state.record_article(dedup_key(URL), URL, URL, published.isoformat(),
                                      "<urn:uuid:1>", "a.warc.gz", 0)  # fmt: skip


def test_an_article_filed_long_ago_is_not_asked_for_again(spider: Any) -> None:
    _filed(spider, spider.started - timedelta(days=30))
    assert spider._article_request(URL, "listing") is None
    assert spider.crawler.stats.get_value(keys.ALREADY_ARCHIVED) == 1


def test_an_article_filed_within_the_recheck_hours_is_read_and_filed_again(spider: Any) -> None:
    _filed(spider, spider.started - timedelta(hours=spider.recheck_hours - 1))
    request = spider._article_request(URL, "listing")
    assert spider.crawler.stats.get_value(keys.ARTICLE_RECHECKS) == 1
    [record] = _records(request)  # a recheck may file it again: no duplicate
    assert "Paragraf dua" in record["text"]


def test_an_article_fetched_but_never_filed_is_reread_from_the_archive(
    spider: Any, tmp_path: Path
) -> None:
    """A run that ended between an article's fetch and its record leaves it archived as
    an article: the next run reads it from the WARC instead of fetching it again."""
    request = spider._article_request(URL, "listing")
    warc = tmp_path / "a.warc.gz"
    warc.write_bytes(b"")
    response = HtmlResponse(URL, body=PAGE_TWO, request=request)
    where = RecordLocation("a.warc.gz", 0, 10, "<urn:uuid:1>")
    Revisits(spider.crawl_state).archived(request, response, warc, where, datetime.now(UTC))
    later = type(spider)(base_url=BASE)  # the next run, on the same state
    later.crawler, later.crawl_state = spider.crawler, spider.crawl_state
    again = later._article_request(URL, "listing")
    assert again is not None and again.meta.get(keys.FROM_ARCHIVE)


@pytest.mark.parametrize("spider", [{"max_articles": 1}], indirect=True)
def test_a_crawl_asked_for_one_article_sends_the_next_link_once_the_first_failed(
    spider: Any,
) -> None:
    first = spider._article_request(URL, "listing")
    assert spider._article_request(f"{BASE}/harga-sawit/", "listing") is None  # held back
    assert spider.crawler.stats.get_value(keys.ARTICLE_HELD_BACK) == 1
    assert spider.crawler.engine.crawled == []
    first.errback(SimpleNamespace(request=first))  # a download failure: nothing kept
    [second] = spider.crawler.engine.crawled
    assert second.url == f"{BASE}/harga-sawit/"
