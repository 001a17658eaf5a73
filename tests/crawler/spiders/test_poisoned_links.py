"""One malformed link never costs an article (issue 27, finding 2).

The niaga replica, served over HTTP with poison added the way a comment or an ad slot
would add it: ``http://[oops/`` (urljoin raises ValueError) and a port out of range in the
home page, in every sitemap and in the feed, and an on-site image with a port out of range
in one article (Scrapy's ``Request()`` raises ValueError). Before the fix the sitemap gave
0 of its entries, the feed 0, the home page lost its later links and its pagination, and the
article with the bad image was fetched but never recorded.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.process.runner import run_crawl
from crawler.spiders.discovery import page_links, parse_feed, parse_sitemap
from replica.cache import Prepared
from replica.content import build_site
from replica.server import ReplicaHandler, ReplicaHTTPServer, ReplicaServer
from tests.conftest import PolitenessOff

BAD_LINKS = '<a href="http://[oops/">iklan</a> <a href="http://127.0.0.1:99999/x/">x</a>'
BAD_ENTRY = b"<url><loc>http://[oops/</loc></url><url><loc>http://127.0.0.1:99999/y/</loc></url>"
BAD_ITEM = b"<item><link>http://[oops/</link></item>"


class PoisonedHandler(ReplicaHandler):
    server: PoisonedHTTPServer

    def _send(self, entry: Prepared, head: bool, cached: bool = False) -> None:
        body = poison(self.path.partition("?")[0], entry.resource.body, self._base(),
                      self.server.image_article)  # fmt: skip
        if body != entry.resource.body:
            entry, cached = Prepared.of(replace(entry.resource, body=body)), False
        super()._send(entry, head, cached)


class PoisonedHTTPServer(ReplicaHTTPServer):
    image_article = ""


PoisonedHTTPServer.handler_class = PoisonedHandler


class PoisonedServer(ReplicaServer):
    http_server_class = PoisonedHTTPServer
    httpd: PoisonedHTTPServer


def poison(path: str, body: bytes, base: str, image_article: str) -> bytes:
    if path == "/" or path.startswith("/page/"):
        return re.sub(rb"(<body[^>]*>)", rb"\1" + BAD_LINKS.encode(), body, count=1)
    if b"<urlset" in body[:2000]:
        return body.replace(b"<url>", BAD_ENTRY + b"<url>", 1)
    if b"<sitemapindex" in body[:2000]:
        return body.replace(
            b"<sitemap>", b"<sitemap><loc>http://[oops/</loc></sitemap><sitemap>", 1
        )
    if b"<rss" in body[:2000]:
        return body.replace(b"<item>", BAD_ITEM + b"<item>", 1)
    if path == image_article:
        host = urlsplit(base).hostname
        figure = (f'<figure><img src="http://{host}:99999/foto-banjir.jpg"><figcaption>Banjir di '
                  "Samarinda. Foto: Warga</figcaption></figure>").encode()  # fmt: skip
        return re.sub(rb"(<article[^>]*>)", rb"\1" + figure, body, count=1)
    return body


@pytest.fixture(scope="module")
def poisoned() -> Iterator[PoisonedServer]:
    site = build_site(12)
    with PoisonedServer(site) as server:
        server.httpd.image_article = site.articles[0].path
        yield server


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return bytes(answer.read())


def test_every_good_link_survives_a_bad_one(poisoned: PoisonedServer) -> None:
    base = poisoned.base_url
    home = _get(base + "/").decode()
    assert "http://[oops/" in home
    links = list(page_links(home, base + "/"))
    assert "http://127.0.0.1:99999/x/" in links  # parses; the spider lists it as bad-url
    clean = _get(base + "/").decode().replace(BAD_LINKS, "")
    assert [u for u in links if ":99999" not in u] == list(page_links(clean, base + "/"))
    for path in ("/sitemap_index.xml", "/news-sitemap.xml"):
        body = _get(base + path)
        assert b"http://[oops/" in body
        entries = parse_sitemap(body, base + path)
        assert entries and all("[oops" not in e.url for e in entries)
    items = parse_feed(_get(base + "/feed/"), base + "/feed/")
    assert len(items) >= 6, items


@pytest.mark.slow
def test_a_poisoned_site_loses_no_article(
    poisoned: PoisonedServer,
    tmp_path_factory: pytest.TempPathFactory,
    politeness_off: PolitenessOff,
) -> None:
    out = tmp_path_factory.mktemp("poisoned")
    result = run_crawl("niaga", out / "crawl", "20260101T000000Z", base_url=poisoned.base_url,
                       settings=politeness_off(WARTA_EXTRACT_WORKERS=0,
                                               WARTA_STATE_PATH=str(out / "state.sqlite")),
                       timeout=300)  # fmt: skip
    records = [json.loads(line) for line in result.articles_file.read_text().splitlines()]
    recorded = {urlsplit(r["url"]).path for r in records}
    assert {a.path for a in poisoned.site.articles} <= recorded  # the image article too
    failures: list[dict[str, Any]] = [
        json.loads(line) for line in (result.output_dir / "failures.jsonl").read_text().splitlines()
    ]
    bad = {f["url"] for f in failures if f["reason"] == "bad-url"}
    assert any(u.endswith(":99999/foto-banjir.jpg") for u in bad), failures
    assert not [f for f in failures if f["reason"] == "ValueError"]
