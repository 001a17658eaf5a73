"""An article page answered to the spider (crawler.spiders.news.parse_article): the URL it
is filed under (rel=canonical trusted only for the page itself or where it was redirected
from), its WARC place, one record per article, its next page, a window's and a budget's say,
and what its end releases in a bounded crawl."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler import keys
from crawler.canonical import dedup_key
from crawler.spiders import news
from tests.crawler.spiders.conftest import BASE, collect

URL = f"{BASE}/banjir-samarinda/"
TEXT = (
    "<p>Paragraf dua tentang banjir yang melanda kota Samarinda sejak pagi hari ini.</p>"
    "<p>Warga mengungsi ke tempat yang lebih tinggi sambil menunggu air surut kembali.</p>"
)


def page(canonical: str | None = None, published: str | None = None, more: str = "") -> bytes:
    head = '<meta property="og:type" content="article">'
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    return (f'<html><head>{head}</head><body><article><h1 class="entry-title">Banjir di '
            f'Samarinda</h1><div class="entry-content">{TEXT}{more}</div></article>'
            "</body></html>").encode()  # fmt: skip


def answer(request: Request, body: bytes, url: str | None = None, **meta: Any) -> list[Any]:
    """What the spider makes of ``body`` answering ``request`` (at ``url`` if redirected)."""
    request.meta.update(meta)
    response = HtmlResponse(url or request.url, body=body, request=request)
    return collect(request.callback(response, **request.cb_kwargs))


def by_name(spider: Any, url: str) -> Request:
    """A URL asked for by name (``-a urls=``): fetched as an article, outside any budget."""
    return Request(url, callback=spider.parse_article, cb_kwargs={"found_in": "argument"})


def records(outputs: list[Any]) -> list[dict[str, Any]]:
    return [o for o in outputs if isinstance(o, dict)]


def test_an_article_redirected_to_keeps_the_canonical_it_was_asked_for_by(spider: Any) -> None:
    request = spider._article_request(URL, "listing")
    moved = f"{BASE}/berita-123/"
    where = {"file": "a.warc.gz", "offset": 10, "length": 900, "record_id": "<urn:uuid:1>"}
    [record] = records(answer(request, page(canonical=URL), moved, redirect_urls=[URL],
                              **{keys.WARC_RECORD: where}))  # fmt: skip
    assert (record["url"], record["fetched_url"]) == (URL, moved)
    assert "canonical_claimed" not in record
    assert record["warc"] == where
    assert spider.crawl_state.article(dedup_key(URL)) is not None  # filed under its key


def test_a_canonical_naming_another_page_is_refused_and_kept_as_a_claim(spider: Any) -> None:
    request = spider._article_request(URL, "listing")
    [record] = records(answer(request, page(canonical=f"{BASE}/")))
    assert (record["url"], record["canonical_claimed"]) == (URL, f"{BASE}/")
    assert spider.crawler.stats.get_value(keys.CANONICAL_REFUSED) == 1


def test_an_article_is_recorded_once_however_often_it_is_answered(spider: Any) -> None:
    request = spider._article_request(URL, "listing")
    assert len(records(answer(request, page()))) == 1
    assert (
        records(answer(by_name(spider, f"{URL}?amp"), page(canonical=URL))) == []
    )  # the same article
    assert spider.crawler.stats.get_value(keys.DUPLICATE_ARTICLE) == 1


def test_a_crawl_without_a_state_records_an_article_once(spider: Any) -> None:
    spider.crawl_state = None  # WARTA_STATE_ENABLED off
    assert len(records(answer(spider._article_request(URL, "listing"), page()))) == 1
    assert records(answer(by_name(spider, f"{URL}?amp"), page(canonical=URL))) == []


def test_an_article_filed_by_an_earlier_run_is_not_recorded_again(spider: Any) -> None:
    spider.crawl_state.record_article(dedup_key(URL), URL, URL, None, "<urn:uuid:1>", "a", 0)
    assert records(answer(by_name(spider, URL), page())) == []
    assert spider.crawler.stats.get_value(keys.DUPLICATE_ARTICLE) == 1


def test_an_error_page_is_no_article(spider: Any) -> None:
    request = spider._article_request(URL, "listing")
    response = HtmlResponse(URL, status=404, body=page(), request=request)
    assert collect(request.callback(response, **request.cb_kwargs)) == []


def test_an_article_s_next_page_is_asked_for_before_its_record(spider: Any) -> None:
    request = spider._article_request(URL, "listing")
    more = f'<a class="next page-numbers" rel="next" href="{URL}2/">2</a>'
    outputs = answer(request, page(more=more))
    assert [o.url for o in outputs if isinstance(o, Request)] == [f"{URL}2/"]
    assert records(outputs) == []  # merged with page 2 first


WINDOW = {"since": "2023-03-01"}


@pytest.mark.parametrize("spider", [WINDOW], indirect=True)
@pytest.mark.parametrize(("published", "kept"), [("2023-03-02", True), ("2023-02-01", False)])
def test_a_listing_pages_on_only_past_articles_inside_the_window(
    spider: Any, published: str, kept: bool
) -> None:
    listing = HtmlResponse(
        f"{BASE}/", body=f'<a href="{URL}">x</a><a href="/page/2/">2</a>'.encode()
    )
    [request] = list(spider.parse_listing(listing, 0))
    found = records(answer(request, page(published=f"{published}T10:00:00+08:00")))
    assert len(found) == int(kept)
    crawled = [r.url for r in spider.crawler.engine.crawled]
    assert crawled == ([f"{BASE}/page/2/"] if kept else [])


BUDGET = {"max_articles": 2}
NO_ARTICLE = b"<html><body><p>Bukan berita</p></body></html>"
LINKS = [f"{BASE}/{slug}/" for slug in ("satu", "dua", "tiga", "empat")]


@pytest.mark.parametrize("spider", [BUDGET], indirect=True)
def test_an_article_s_end_frees_one_place_in_the_budget_once(spider: Any) -> None:
    first, second, *held = [spider._article_request(url, "listing") for url in LINKS]
    assert held == [None, None]
    first.errback(SimpleNamespace(request=first))
    first.errback(SimpleNamespace(request=first))  # its end counted once
    assert [r.url for r in spider.crawler.engine.crawled] == [LINKS[2]]
    asked = Request(
        f"{BASE}/lain/", callback=spider.parse_article, cb_kwargs={"found_in": "argument"}
    )
    answer(asked, b"<html><body>Bukan berita</body></html>")  # asked for by name: not counted
    assert [r.url for r in spider.crawler.engine.crawled] == [LINKS[2]]
    answer(second, NO_ARTICLE)  # no article: its place is free
    assert [r.url for r in spider.crawler.engine.crawled] == LINKS[2:]


def test_a_page_without_an_article_is_counted_and_noted_in_the_crawl_state(
    spider: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    noted: list[tuple[Any, str]] = []
    monkeypatch.setattr(news, "mark_not_article", lambda state, url: noted.append((state, url)))
    contact = b"<html><head><title>Kontak</title></head><body><p>Hubungi kami.</p></body></html>"
    assert records(answer(by_name(spider, f"{BASE}/kontak/"), contact)) == []
    assert spider.crawler.stats.get_value(keys.NOT_ARTICLE) == 1
    assert noted == [(spider.crawl_state, f"{BASE}/kontak/")]
