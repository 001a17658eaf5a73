"""A multi-page article whose next page cannot be read keeps the pages already read.

The spider's own request for page 2 is taken and answered as a real crawl would answer it:
with a download failure (its errback) or with an error page (its callback). Either way the
article must come out once, merged from the pages read, and be recorded in the crawl state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure

from crawler import keys
from crawler.extraction.multipage import MAX_PAGES
from crawler.extraction.workers import ExtractionPool
from crawler.incremental.store import CrawlState
from crawler.spiders.crawl_setup import PageExtraction
from crawler.spiders.loader import SiteSpiderLoader

BASE = "http://127.0.0.1:8123"
FIRST = f"{BASE}/2023/03/03/banjir-samarinda/"
KEY = "127.0.0.1:8123/2023/03/03/banjir-samarinda"
PAGE_ONE = {"url": FIRST, "title": "Banjir di Samarinda", "text": "Paragraf satu.",
            "published": "2023-03-03T14:05:00+08:00", "fetched_url": FIRST,
            "warc": {"file": "a.warc.gz", "offset": 10, "record_id": "<urn:uuid:1>"}}  # fmt: skip


@pytest.fixture
def spider(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    cls = SiteSpiderLoader(Settings()).load("niaga")
    crawler = get_crawler(cls, settings_dict={"WARTA_OUTPUT_DIR": str(tmp_path)})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    spider = cls(base_url=BASE, **getattr(request, "param", {}))
    spider.crawler = crawler
    state = CrawlState(tmp_path / "state.sqlite")
    state.start_run("c1", tmp_path)
    spider.crawl_state = state  # what a running crawl looks up once its engine runs
    spider.extraction = None  # no page of the chain is readable here
    yield spider
    state.close()


def _page_two(spider: Any) -> Request:
    [request] = list(spider._next_page_or_emit(f"{FIRST}?page=2", [dict(PAGE_ONE)], KEY))
    assert isinstance(request, Request) and request.errback is not None
    return request


def _collect(outputs: Any) -> list[Any]:
    if hasattr(outputs, "__aiter__"):

        async def drain() -> list[Any]:
            return [item async for item in outputs]

        return asyncio.run(drain())
    return list(outputs or [])


def _assert_kept(spider: Any, outputs: list[Any]) -> None:
    articles = [o for o in outputs if isinstance(o, dict)]
    assert len(articles) == 1, outputs
    assert articles[0]["url"] == FIRST and articles[0]["text"] == "Paragraf satu."
    assert articles[0]["warc"] == PAGE_ONE["warc"]
    entry = spider.crawl_state.article(KEY)
    assert entry is not None and entry.record_id == "<urn:uuid:1>"


def test_a_next_page_that_fails_to_download_keeps_the_first_page(spider: Any) -> None:
    request = _page_two(spider)
    failure = Failure(ConnectionLost("reset by peer"))
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy hands it over
    _assert_kept(spider, _collect(request.errback(failure)))


@pytest.mark.parametrize("status", [404, 500])
def test_a_next_page_that_answers_an_error_keeps_the_first_page(spider: Any, status: int) -> None:
    request = _page_two(spider)
    response = HtmlResponse(request.url, status=status, body=b"<html>galat</html>",
                            request=request)  # fmt: skip
    _assert_kept(spider, _collect(request.callback(response, **request.cb_kwargs)))


PAGE_TWO = (
    b'<html><head><meta property="og:type" content="article"></head><body><article>'
    b'<h1 class="entry-title">Banjir di Samarinda</h1><div class="entry-content">'
    b"<p>Paragraf dua tentang banjir yang melanda kota Samarinda sejak pagi hari ini.</p>"
    b"<p>Warga mengungsi ke tempat yang lebih tinggi sambil menunggu air surut kembali.</p>"
    b"</div></article></body></html>"
)


@pytest.mark.parametrize("status", [200, 404])
def test_a_readable_next_page_is_merged_and_an_error_page_never_is(
    spider: Any, status: int
) -> None:
    spider.extraction = PageExtraction(spider.crawler, ExtractionPool(spider.site, workers=0))
    request = _page_two(spider)
    response = HtmlResponse(request.url, status=status, body=PAGE_TWO, request=request)
    [record] = [o for o in _collect(request.callback(response, **request.cb_kwargs))
                if isinstance(o, dict)]  # fmt: skip
    if status == 200:
        assert record["text"].startswith("Paragraf satu.") and "Paragraf dua" in record["text"]
    else:  # a soft error page that reads like an article is not page 2
        assert record["text"] == "Paragraf satu."
    assert spider.crawl_state.article(KEY) is not None  # filed in the state under its key


def test_a_chain_follows_on_site_next_pages_up_to_the_limit(spider: Any) -> None:
    stats = spider.crawler.stats
    assert stats.get_value(keys.NEXT_PAGE) is None
    request = _page_two(spider)
    assert stats.get_value(keys.NEXT_PAGE) == 1  # counted in the crawl summary
    assert request.priority > 0  # ahead of the links waiting in the queue
    assert request.cb_kwargs["key"] == KEY
    almost = [dict(PAGE_ONE)] * (MAX_PAGES - 1)
    assert isinstance(next(spider._next_page_or_emit(f"{FIRST}?page=20", almost, KEY)), Request)
    for following, pages in [
        (f"{FIRST}?page=21", [dict(PAGE_ONE)] * MAX_PAGES),  # a longer chain is a trap
        ("https://elsewhere.example/berita/?page=2", [dict(PAGE_ONE)]),  # off the site
        (None, [dict(PAGE_ONE)]),  # the last page
    ]:
        outputs = list(spider._next_page_or_emit(following, pages, KEY))
        assert len(outputs) == 1 and isinstance(outputs[0], dict), following
    assert stats.get_value(keys.NEXT_PAGE) == 2


@pytest.mark.parametrize("spider", [{"max_articles": "2", "since": "2023-03-01"}], indirect=True)
def test_a_crawl_asked_for_two_articles_closes_once_both_records_are_out(spider: Any) -> None:
    stats = spider.crawler.stats
    pages = {f"{BASE}/berita-{n}/": f"127.0.0.1:8123/berita-{n}" for n in "abc"}

    def kept(url: str, published: str) -> bool:
        return bool(spider._keep_article(HtmlResponse(url, request=Request(url)), published))

    old = HtmlResponse(f"{BASE}/lama/", request=Request(f"{BASE}/lama/"))
    assert not spider._keep_article(old, "2023-02-27T10:00:00+08:00")  # before the window
    assert stats.get_value(keys.OUT_OF_WINDOW) == 1  # fetched to learn its date, not kept
    assert old.meta[keys.PUBLISHED] == datetime(2023, 2, 27, 2, tzinfo=UTC)  # for its listing
    # A sitemap or feed date outside the window: not fetched, and remembered for listings.
    feb = datetime(2023, 2, 1, tzinfo=UTC)
    assert not spider._dated(f"{BASE}/lama-sekali/#komentar", feb)
    assert spider._dated(f"{BASE}/baru/", datetime(2023, 3, 2, tzinfo=UTC))
    assert stats.get_value(keys.OUT_OF_WINDOW) == 2
    assert spider._known_date(f"{BASE}/lama-sekali/") == feb
    assert spider._known_date(f"{BASE}/baru/") is None and spider._known_date("mailto:x") is None
    assert [kept(url, "2023-03-03T14:05:00+08:00") for url in pages] == [True, True, False]
    [first, second, _] = [[{**PAGE_ONE, "url": url}] for url in pages]
    a_key, b_key, _ = pages.values()
    assert len(list(spider._next_page_or_emit(None, first, a_key))) == 1  # one still to come
    assert stats.get_value(keys.MAX_ARTICLES_REACHED) is None
    with pytest.raises(CloseSpider) as closed:
        list(spider._next_page_or_emit(None, second, b_key))
    assert closed.value.reason == "max_articles"  # the crawl summary's finish reason
    assert stats.get_value(keys.MAX_ARTICLES_REACHED) == 2


def test_a_path_style_chain_is_numbered_from_the_page_first_fetched(spider: Any) -> None:
    spider.extraction = PageExtraction(spider.crawler, ExtractionPool(spider.site, workers=0))
    # filed under another address than it was fetched from: pages count from the fetched one
    first = {**PAGE_ONE, "url": "https://www.niaga.asia/banjir-samarinda/"}
    [request] = list(spider._next_page_or_emit(f"{FIRST}2/", [first], KEY))
    body = PAGE_TWO.replace(b"</article>", f'<a href="{FIRST}3/">3</a></article>'.encode())
    response = HtmlResponse(request.url, body=body, request=request)
    outputs = _collect(request.callback(response, **request.cb_kwargs))
    assert [o.url for o in outputs if isinstance(o, Request)] == [f"{FIRST}3/"]
    assert not [o for o in outputs if isinstance(o, dict)]  # the record waits for page 3
