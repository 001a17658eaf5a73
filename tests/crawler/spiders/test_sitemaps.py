"""A sitemap answered to the spider (crawler.spiders.news.parse_sitemap): nested sitemaps
followed to WARTA_SITEMAP_MAX_DEPTH, ``.xml.gz`` files unpacked within
DOWNLOAD_MAXSIZE_SITEMAP, and the protocol's own cap on the URLs of one file."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response, XmlResponse

from crawler import keys
from crawler.spiders import news
from tests.crawler.spiders.conftest import BASE, Listed

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
SETTINGS = {"WARTA_SITEMAP_MAX_DEPTH": 2, "DOWNLOAD_MAXSIZE_SITEMAP": 2000}
SITEMAPS = {"settings": SETTINGS}


def urlset_relative(*paths: str) -> bytes:
    found = "".join(f"<url><loc>{p}</loc></url>" for p in paths)
    return f"<urlset {NS}>{found}</urlset>".encode()


def index(*paths: str) -> bytes:
    found = "".join(f"<sitemap><loc>{BASE}{p}</loc></sitemap>" for p in paths)
    return f"<sitemapindex {NS}>{found}</sitemapindex>".encode()


def urlset(*paths: str) -> bytes:
    found = "".join(f"<url><loc>{BASE}{p}</loc></url>" for p in paths)
    return f"<urlset {NS}>{found}</urlset>".encode()


def read(spider: Any, path: str, body: bytes, **meta: Any) -> list[Any]:
    url = BASE + path
    response = XmlResponse(url, body=body, request=Request(url, meta=meta))
    return list(spider.parse_sitemap(response))


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_nested_sitemaps_are_followed_to_the_depth_allowed(spider: Any) -> None:
    [nested] = read(spider, "/sitemap_index.xml", index("/post-sitemap.xml"))
    assert (nested.url, nested.callback, nested.priority) == (
        f"{BASE}/post-sitemap.xml", spider.parse_sitemap, 30
    )  # fmt: skip
    [deeper] = read(spider, nested.url.removeprefix(BASE), index("/2023.xml"), **nested.meta)
    stats = spider.crawler.stats
    assert stats.get_value(keys.SITEMAP_TOO_DEEP) is None
    assert read(spider, "/2023.xml", index("/2023-03.xml"), **deeper.meta) == []  # a third
    assert stats.get_value(keys.SITEMAP_TOO_DEEP) == 1


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_a_sitemap_s_relative_locations_are_on_its_site(spider: Any) -> None:
    [article] = read(spider, "/news-sitemap.xml", urlset_relative("banjir-samarinda/"))
    assert article.url == f"{BASE}/banjir-samarinda/"


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_a_gzip_file_sitemap_is_unpacked_within_the_size_allowed(spider: Any) -> None:
    small = urlset("/banjir-samarinda/")
    [article] = read(spider, "/sitemap.xml.gz", gzip.compress(small))
    assert article.url == f"{BASE}/banjir-samarinda/"
    assert [r.url for r in read(spider, "/lain.xml.gz", urlset("/harga-sawit/"))] == [
        f"{BASE}/harga-sawit/"  # named .gz, but sent plain (or unpacked on the way)
    ]
    packed = gzip.compress(urlset("/pelabuhan-baru/"))  # packed, under another name
    assert [r.url for r in read(spider, "/sitemap.xml", packed)] == [f"{BASE}/pelabuhan-baru/"]
    assert read(spider, "/rusak.xml", packed[:20]) == []  # broken: rejected, not a crash
    big = urlset(*(f"/berita-{n}/" for n in range(100)))
    assert len(big) > SETTINGS["DOWNLOAD_MAXSIZE_SITEMAP"]
    assert read(spider, "/besar.xml.gz", gzip.compress(big)) == []
    assert read(spider, "/besar.xml", big) == []
    assert spider.crawler.stats.get_value(keys.SITEMAP_REJECTED) == 3  # broken, too big twice


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_a_sitemap_gives_at_most_the_protocol_s_urls_however_many_a_page_may(
    spider: Any, listed: Listed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(news, "SITEMAP_MAX_URLS", 2)  # 50,000 in the protocol
    spider.link_budget.max_links = 1  # a listing's cap: not a sitemap's
    found = read(spider, "/news-sitemap.xml", urlset("/satu/", "/dua/", "/tiga/"))
    assert [r.url for r in found] == [f"{BASE}/satu/", f"{BASE}/dua/"]
    assert listed.urls == [(f"{BASE}/news-sitemap.xml", "parse_sitemap", "too-many-links")]


def test_only_a_discovery_answer_below_500_tells_that_the_site_is_reachable(spider: Any) -> None:
    [sitemap, *_] = list(spider.first_requests())
    for status in (500, 503, 404, 200):
        spider._count_discovery_answer(Response(sitemap.url, status=status), sitemap)
    assert spider.crawler.stats.get_value(keys.DISCOVERY_ANSWERS) == 2


WINDOWED = {"settings": SETTINGS, "since": "2023-03-01"}


def dated_index(*entries: tuple[str, str]) -> bytes:
    found = "".join(
        f"<sitemap><loc>{BASE}{p}</loc><lastmod>{when}</lastmod></sitemap>" for p, when in entries
    )
    return f"<sitemapindex {NS}>{found}</sitemapindex>".encode()


@pytest.mark.parametrize("spider", [WINDOWED], indirect=True)
def test_a_nested_sitemap_changed_before_the_window_is_not_followed(spider: Any) -> None:
    body = dated_index(("/2022.xml", "2022-12-31"), ("/2023.xml", "2023-04-01"))
    assert [r.url for r in read(spider, "/sitemap_index.xml", body)] == [f"{BASE}/2023.xml"]


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_every_sitemap_too_deep_is_counted_not_only_the_first(spider: Any) -> None:
    deep = {keys.SITEMAP_DEPTH: SETTINGS["WARTA_SITEMAP_MAX_DEPTH"]}
    assert read(spider, "/2023.xml", index("/2023-03.xml", "/2023-04.xml"), **deep) == []
    assert spider.crawler.stats.get_value(keys.SITEMAP_TOO_DEEP) == 2


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_an_article_from_a_sitemap_is_marked_as_found_in_one(spider: Any) -> None:
    [article] = read(spider, "/news-sitemap.xml", urlset("/banjir-samarinda/"))
    assert article.cb_kwargs == {"found_in": "sitemap"}


@pytest.mark.parametrize("spider", [SITEMAPS], indirect=True)
def test_a_broken_gzip_sitemap_is_logged_by_its_url(
    spider: Any, caplog: pytest.LogCaptureFixture
) -> None:
    packed = gzip.compress(urlset("/pelabuhan-baru/"))
    assert read(spider, "/rusak.xml", packed[:-8] + bytes(8)) == []  # a wrong checksum
    assert f"broken gzip file {BASE}/rusak.xml" in caplog.text
