"""The spider's smaller decisions, taken one by one on requests and responses built here:
where a bad URL is listed, what a next page or requisite is handed to, what a crawl with a
date window remembers, and what a site file switches off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from crawler import keys
from crawler.extraction.workers import PageDeadlineExceeded
from crawler.spiders.crawl_setup import PageExtraction
from crawler.spiders.loader import SiteSpiderLoader
from tests.crawler.spiders.conftest import BASE, Listed, collect
from tests.crawler.spiders.test_next_pages import PAGE_TWO

FIRST = f"{BASE}/2023/03/03/banjir-samarinda/"
KEY = "127.0.0.1:8123/2023/03/03/banjir-samarinda"
BAD = "http://127.0.0.1:99999/banjir/"  # on the site's host, but Scrapy refuses the port
PAGE_ONE = {"url": FIRST, "title": "Banjir di Samarinda", "text": "Paragraf satu.",
            "published": "2023-03-03T14:05:00+08:00", "fetched_url": None,
            "warc": {"file": "a.warc.gz", "offset": 10, "record_id": "<urn:uuid:1>"}}  # fmt: skip


def test_a_requisite_scrapy_refuses_is_listed_and_the_others_still_asked_for(
    spider: Any, listed: Listed
) -> None:
    css = "http://127.0.0.1:8123/wp-content/style.css"
    requests = list(spider.requisites.requests([BAD, css], spider.parse_requisite))
    assert [r.url for r in requests] == [css]
    assert listed.urls == [(BAD, "requisite", "bad-url")]


def test_a_page_s_requisites_are_read_as_requisites(spider: Any) -> None:
    css = "http://127.0.0.1:8123/wp-content/style.css"
    [request] = list(spider._follow(SimpleNamespace(captions=[]), [css]))
    assert request.callback == spider.parse_requisite  # a stylesheet's fonts follow


def test_a_next_page_scrapy_refuses_is_listed_and_the_article_kept(
    spider: Any, listed: Listed
) -> None:
    [record] = list(spider._next_page_or_emit(BAD, [dict(PAGE_ONE)], KEY))
    assert record["url"] == FIRST and record["text"] == "Paragraf satu."
    assert listed.urls == [(BAD, "parse_next_page", "bad-url")]


def test_a_chain_first_fetched_at_its_own_address_reads_page_two(spider: Any) -> None:
    [request] = list(spider._next_page_or_emit(f"{FIRST}?page=2", [dict(PAGE_ONE)], KEY))
    response = HtmlResponse(request.url, body=PAGE_TWO, request=request)
    [record] = [o for o in collect(request.callback(response, **request.cb_kwargs))
                if isinstance(o, dict)]  # fmt: skip
    assert "Paragraf dua" in record["text"]


def test_a_next_page_that_is_no_article_keeps_the_first_page(spider: Any) -> None:
    [request] = list(spider._next_page_or_emit(f"{FIRST}?page=2", [dict(PAGE_ONE)], KEY))
    body = b"<html><body><p>Halaman tidak ditemukan</p></body></html>"
    response = HtmlResponse(request.url, body=body, request=request)
    outputs = collect(request.callback(response, **request.cb_kwargs))
    assert [o["text"] for o in outputs if isinstance(o, dict)] == ["Paragraf satu."]


def test_a_page_past_the_extraction_deadline_is_counted_and_listed(
    spider: Any, listed: Listed
) -> None:
    class Slow:
        async def classify(self, *args: Any, **kwargs: Any) -> Any:
            raise PageDeadlineExceeded("took too long")

    extraction = PageExtraction(spider.crawler, Slow())  # type: ignore[arg-type]
    request = Request(FIRST, callback=spider.parse_article)
    response = HtmlResponse(FIRST, status=200, body=PAGE_TWO, request=request)
    assert asyncio.run(extraction.classify(response)) is None
    assert spider.crawler.stats.get_value(keys.EXTRACTION_DEADLINE) == 1
    assert listed.entries == [{"url": FIRST, "stage": "parse_article", "status": 200,
                               "reason": "extraction-deadline", "bytes": len(PAGE_TWO),
                               "detail": "took too long"}]  # fmt: skip
    alone = HtmlResponse(f"{BASE}/lain/", body=PAGE_TWO)  # a response of no request
    assert asyncio.run(extraction.classify(alone)) is None
    assert listed.urls[-1] == (f"{BASE}/lain/", "parse", "extraction-deadline")


WINDOW = {"since": "2023-03-01"}


@pytest.mark.parametrize("spider", [WINDOW], indirect=True)
def test_a_dated_link_that_is_no_url_is_only_counted(spider: Any) -> None:
    assert not spider._dated("mailto:redaksi@niaga.asia", datetime(2023, 2, 1, tzinfo=UTC))
    assert spider.crawler.stats.get_value(keys.OUT_OF_WINDOW) == 1


@pytest.mark.parametrize("spider", [WINDOW], indirect=True)
def test_an_article_out_of_the_window_is_marked_so_in_the_state(spider: Any) -> None:
    url = f"{BASE}/lama/"
    spider.crawl_state.record_response(
        url, kind="page", status=200, etag=None, last_modified=None, payload_digest=None,
        warc_path=Path("a.warc.gz"), offset=0, length=1, record_id="<urn:uuid:2>",
        warc_date=datetime(2023, 3, 3, tzinfo=UTC),
    )  # fmt: skip
    response = HtmlResponse(url, request=Request(url))
    assert not spider._keep_article(response, "2023-02-27T10:00:00+08:00")
    capture = spider.crawl_state.capture(url)
    assert capture is not None and capture.kind == "out-of-window"  # never re-read as news


@pytest.mark.parametrize("spider", [WINDOW], indirect=True)
@pytest.mark.parametrize(
    ("published", "next_pages"),
    [(datetime(2023, 3, 2, tzinfo=UTC), 1), (datetime(2023, 2, 1, tzinfo=UTC), 0)],
)
def test_a_listing_pages_on_only_while_its_articles_are_in_the_window(
    spider: Any, published: datetime, next_pages: int
) -> None:
    body = f'<a href="{BASE}/banjir-samarinda/">x</a><a href="{BASE}/page/2/">2</a>'.encode()
    response = HtmlResponse(f"{BASE}/", body=body, request=Request(f"{BASE}/"))
    [article] = list(spider.parse_listing(response, depth=0))  # the next page waits
    assert article.url == f"{BASE}/banjir-samarinda/"
    due = spider.pager.resolved(article.meta[keys.LISTING_PAGE], published)
    assert [url for url, _ in due] == [f"{BASE}/page/2/"] * next_pages


def test_listing_pages_wait_in_line_with_the_articles(spider: Any) -> None:
    listing = spider._discovery(f"{BASE}/page/2/", spider.parse_listing, depth=1)
    article = spider._article_request(f"{BASE}/banjir-samarinda/", "listing")
    assert listing.priority == article.priority == 0


def test_a_site_without_page_requisites_asks_for_none(tmp_path: Path) -> None:
    cls = SiteSpiderLoader(Settings()).load("niaga")
    site = cls.site_config.model_copy(update={"page_requisites": False})  # type: ignore[attr-defined]
    spider = type("NoRequisites", (cls,), {"site_config": site})(base_url=BASE)
    assert not spider.requisites.enabled
    assert list(spider.requisites.requests([f"{BASE}/style.css"], None)) == []
