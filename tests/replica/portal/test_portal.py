"""The portal replica: deterministic content, its routes, and the niaga transport it reuses."""

from __future__ import annotations

import gzip
import re

from crawler.spiders.discovery import parse_feed, parse_sitemap
from replica.portal.content import LISTING_SIZE, PortalSite, build_portal
from replica.portal.render import render_article


def test_content_is_deterministic_and_grows_by_appending(portal: PortalSite) -> None:
    again = build_portal(len(portal))
    assert [a.ground_truth() for a in again] == [a.ground_truth() for a in portal]
    bigger = build_portal(len(portal) + 5)
    assert bigger.articles[: len(portal)] == portal.articles
    assert render_article(bigger, bigger.articles[3], 1, "http://x") == render_article(
        portal, portal.articles[3], 1, "http://x"
    )


def test_ground_truth_has_multipage_articles_and_credited_photos(portal: PortalSite) -> None:
    pages = [len(a.pages) for a in portal]
    assert max(pages) >= 3 and min(pages) == 1
    for article in portal:
        truth = article.ground_truth()
        assert truth["published"].endswith("+08:00")
        assert len(truth["pages"]) == len(article.pages)
        assert all(c["credit"] and not c["credit"].startswith("Foto") for c in truth["captions"])
        assert truth["dateline"].isupper()


def test_article_pages_split_the_body_and_link_onwards(client_factory, multipage_article) -> None:
    client, base = client_factory()
    a = multipage_article
    texts = []
    for n, path in enumerate(a.page_paths, start=1):
        reply = client.get(path)
        assert reply.status == 200
        html = reply.body.decode()
        assert '<meta name="pagetype" content="artikel">' in html
        assert 'property="og:type"' not in html  # a different article marker than niaga's
        assert f"Penulis: {a.author} | Editor: {a.editor}" in html
        assert re.search(r"\w+, \d{1,2} \w+ 20\d\d \d\d:\d\d WITA", html)
        if n < len(a.page_paths):
            assert f'class="paging__next" href="{base}{a.page_path(n + 1)}"' in html
        else:
            assert "paging__next" not in html and f"({a.initials})" in html
        texts.append(html)
    assert "KABARBENUA.TEST, " + a.dateline in texts[0]
    assert all(p.shown.replace('"', "&quot;") in "".join(texts) for p in a.photos)
    assert any("Foto: " in t for t in texts)


def test_routes_redirect_short_links_and_refuse_missing_pages(client_factory, portal) -> None:
    client, base = client_factory()
    a = portal.articles[5]
    short = client.get(f"/read/{a.article_id}")
    assert short.status == 301 and short.header("Location") == base + a.path
    assert client.get(a.path + "?page=1").status == 301
    assert client.get(a.path + f"?page={len(a.pages) + 1}").status == 404
    assert client.get(a.path + "?page=all").status == 404
    assert client.get("/tidak-ada").status == 404
    assert client.get("/indeks/1").status == 301
    image = client.get(a.photos[0].image_path)
    assert image.status == 200 and image.body[:2] == b"\xff\xd8"


def test_sitemaps_feed_and_listings_cover_every_article(client_factory, portal) -> None:
    client, base = client_factory()
    assert "Sitemap: " + base + "/sitemap.xml" in client.get("/robots.txt").body.decode()
    index = parse_sitemap(client.get("/sitemap.xml").body, base)
    assert next(e.url for e in index if e.is_sitemap) == base + "/sitemap-artikel-1.xml"
    urls = {e.url for e in parse_sitemap(client.get("/sitemap-artikel-1.xml").body, base)}
    expected = {base + a.path for a in portal}
    assert expected <= urls
    assert len(parse_feed(client.get("/rss").body, base)) == 20
    listed: set[str] = set()
    page, path = 1, "/indeks"
    while path:
        html = client.get(path).body.decode()
        listed |= set(re.findall(rf'href="({re.escape(base)}/read/\d+/[a-z0-9-]+)"', html))
        page += 1
        nxt = f"/indeks/{page}"
        path = nxt if f'href="{base}{nxt}"' in html else ""
    assert expected <= listed and page - 1 == -(-len(portal) // LISTING_SIZE)


def test_transport_is_the_niaga_replicas(client_factory, dechunk, portal) -> None:
    client, _ = client_factory()
    a = portal.articles[1]
    plain = client.get(a.path)
    zipped = client.get(a.path, {"Accept-Encoding": "gzip"})
    assert zipped.header("Content-Encoding") == "gzip"
    assert zipped.header("Transfer-Encoding") == "chunked"  # http.client de-chunks for us
    assert gzip.decompress(zipped.body) == plain.body
    assert plain.header("Server") == "cloudflare" and plain.header("ETag")
    again = client.get(a.path, {"If-None-Match": plain.header("ETag") or ""})
    assert again.status == 304 and again.body == b""
    assert client.get("/__fault__/500").status == 500
    assert "/__fault__/reset" in client.get("/").body.decode()  # faults linked when enabled
