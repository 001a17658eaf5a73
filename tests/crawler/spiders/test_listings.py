"""A listing page read by the spider (crawler.spiders.bounded.parse_listing): its article
links and next pages, how deep it pages, where it stops (articles all archived by an earlier
run, an article dated before the window) and the limit on its links."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, XmlResponse

from crawler import keys
from crawler.canonical import dedup_key
from tests.crawler.spiders.conftest import BASE, Listed

HOME = f"{BASE}/"
NEXT = f"{BASE}/page/2/"


def _listing(*paths: str, url: str = HOME) -> HtmlResponse:
    body = "".join(f'<a href="{path}">{path}</a>' for path in paths)
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode())


def _read(spider: Any, response: HtmlResponse, depth: int = 0) -> list[tuple[str, Any, Any]]:
    """(url, callback, cb_kwargs) of each request the listing gives, in order."""
    return [(r.url, r.callback, r.cb_kwargs) for r in spider.parse_listing(response, depth)]


def test_a_listing_gives_its_article_links_and_then_its_next_page(spider: Any) -> None:
    response = _listing("/page/2/", "/tag/banjir/", "/banjir-samarinda/", "/harga-sawit/")
    assert _read(spider, response) == [
        (f"{BASE}/banjir-samarinda/", spider.parse_article, {"found_in": "listing"}),
        (f"{BASE}/harga-sawit/", spider.parse_article, {"found_in": "listing"}),
        (NEXT, spider.parse_listing, {"depth": 1}),
    ]


def test_a_listing_pages_on_to_its_site_s_last_listing_page(spider: Any) -> None:
    last = spider.site.discovery.max_listing_pages - 1  # depth counts from 0
    assert _read(spider, _listing("/page/2/"), depth=last - 1) == [
        (NEXT, spider.parse_listing, {"depth": last})
    ]
    assert _read(spider, _listing("/page/2/"), depth=last) == []


def _archived_by_an_earlier_run(spider: Any, *paths: str) -> None:
    state = spider.crawl_state
    for path in paths:
        url = BASE + path
        state.record_article(dedup_key(url), url, url, "2020-01-01T08:00:00+08:00",
                             "<urn:uuid:1>", "a.warc.gz", 0)  # fmt: skip
    state.start_run("c2", spider.crawler.settings["WARTA_OUTPUT_DIR"])


def test_a_listing_of_articles_all_archived_before_pages_no_further(spider: Any) -> None:
    _archived_by_an_earlier_run(spider, "/banjir-samarinda/", "/harga-sawit/")
    stats = spider.crawler.stats
    response = _listing("/banjir-samarinda/", "/harga-sawit/", "/page/2/")
    assert _read(spider, response) == []
    assert stats.get_value(keys.LISTING_PAGING_STOPPED) == 1
    assert stats.get_value(keys.ALREADY_ARCHIVED) == 2


def test_a_listing_with_one_new_article_or_none_at_all_pages_on(spider: Any) -> None:
    _archived_by_an_earlier_run(spider, "/banjir-samarinda/", "/harga-sawit/")
    response = _listing("/banjir-samarinda/", "/harga-sawit/", "/pelabuhan-baru/", "/page/2/")
    assert [url for url, _, _ in _read(spider, response)] == [f"{BASE}/pelabuhan-baru/", NEXT]
    assert [url for url, _, _ in _read(spider, _listing("/page/2/"))] == [NEXT]
    assert spider.crawler.stats.get_value(keys.LISTING_PAGING_STOPPED) is None


MANY = {"settings": {"WARTA_MAX_LINKS_PER_PAGE": 2}}


@pytest.mark.parametrize("spider", [MANY], indirect=True)
def test_a_listing_gives_no_more_links_than_a_page_may(spider: Any, listed: Listed) -> None:
    response = _listing("/banjir-samarinda/", "/harga-sawit/", "/pelabuhan-baru/")
    assert len(_read(spider, response)) == 2
    assert listed.urls == [(HOME, "parse_listing", "too-many-links")]


BAD = "http://127.0.0.1:99999/banjir/"  # on the site's host, but Scrapy refuses the port
BOUNDED = {"max_articles": 5}


@pytest.mark.parametrize("spider", [BOUNDED], indirect=True)
def test_an_article_link_scrapy_refuses_is_listed_and_costs_no_budget(
    spider: Any, listed: Listed
) -> None:
    response = _listing(BAD, "/banjir-samarinda/")
    assert [url for url, _, _ in _read(spider, response)] == [f"{BASE}/banjir-samarinda/"]
    assert listed.urls == [(BAD, "listing", "bad-url")]
    assert spider.budget.outstanding == 1


WINDOW = {"since": "2023-03-01", "settings": {"DOWNLOAD_MAXSIZE_SITEMAP": 10_000_000}}
SITEMAP = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>{0}/lama/</loc><lastmod>2023-02-01T00:00:00Z</lastmod></url></urlset>"
)


@pytest.mark.parametrize("spider", [WINDOW], indirect=True)
def test_a_listing_showing_an_article_a_sitemap_dated_too_old_ends_there(spider: Any) -> None:
    url = f"{BASE}/news-sitemap.xml"
    sitemap = XmlResponse(url, body=SITEMAP.format(BASE).encode(), request=Request(url))
    assert list(spider.parse_sitemap(sitemap)) == []  # before the window
    assert _read(spider, _listing("/lama/", "/page/2/")) == []  # neither fetched nor paged on
    assert spider.crawler.stats.get_value(keys.LISTING_PAST_WINDOW) == 1
    [newer] = _read(spider, _listing("/lama/", "/baru/", "/page/2/"))  # a newer one still is
    assert newer[0] == f"{BASE}/baru/"


@pytest.mark.parametrize("spider", [WINDOW], indirect=True)
def test_a_listing_pages_on_once_its_article_failed(spider: Any) -> None:
    """An article whose fetch failed tells nothing of the listing's age: paging goes on."""
    [article] = list(spider.parse_listing(_listing("/banjir-samarinda/", "/page/2/"), 0))
    assert spider.crawler.engine.crawled == []  # the next page waits for the article
    article.errback(SimpleNamespace(request=article))  # a download failure
    [listing] = spider.crawler.engine.crawled
    assert (listing.url, listing.callback, listing.cb_kwargs) == (
        NEXT, spider.parse_listing, {"depth": 1}
    )  # fmt: skip
