import gzip

import pytest

from crawler.config.sites import load_site
from crawler.extraction.article import parse_html
from crawler.extraction.page import has_article_marker
from crawler.spiders.discovery import (
    DiscoveryError,
    UrlRules,
    page_links,
    parse_feed,
    parse_sitemap,
)

BASE = "http://127.0.0.1:8765"
SITE = load_site("niaga").with_base_url(BASE)

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>http://127.0.0.1:8765/post-sitemap.xml</loc>
  <lastmod>2023-03-03T07:20:00+00:00</lastmod></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>http://127.0.0.1:8765/a-story/</loc>
  <news:news><news:publication_date>2023-03-03T14:05:00+08:00</news:publication_date>
  <news:title>A story</news:title></news:news></url>
</urlset>"""


def test_sitemap_index_and_news_dates() -> None:
    [entry] = parse_sitemap(INDEX, BASE)
    assert entry.is_sitemap and entry.url.endswith("/post-sitemap.xml")
    [story] = parse_sitemap(NEWS, BASE)
    assert not story.is_sitemap
    assert story.lastmod is not None and story.lastmod.isoformat() == "2023-03-03T14:05:00+08:00"


def test_gzipped_sitemap_and_bomb() -> None:
    assert parse_sitemap(gzip.compress(NEWS), BASE)[0].url.endswith("/a-story/")
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(DiscoveryError, match="inflates"):
        parse_sitemap(bomb, BASE, max_size=1_000_000)


def test_hostile_sitemap_entities_are_not_expanded() -> None:
    hostile = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://127.0.0.1:8765/x-&lol2;/</loc></url><url><loc>&xxe;</loc></url></urlset>"""
    urls = [e.url for e in parse_sitemap(hostile, BASE)]
    # The entity-laden entry survives as its literal prefix; nothing was expanded or read.
    assert urls == [f"{BASE}/x-"]


def test_not_a_sitemap() -> None:
    with pytest.raises(DiscoveryError):
        parse_sitemap(b"<html><body>hi</body></html>", BASE)


def test_feed_rss_and_atom() -> None:
    rss = b"<rss><channel><item><link>http://127.0.0.1:8765/s/</link></item></channel></rss>"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b'<link rel="alternate" href="/t/"/></entry></feed>'
    )
    assert parse_feed(rss, BASE) == [f"{BASE}/s/"]
    assert parse_feed(atom, BASE) == [f"{BASE}/t/"]


def test_url_rules_tell_articles_from_other_pages() -> None:
    rules = UrlRules(SITE)
    assert rules.is_article_candidate(f"{BASE}/pemilu-2024-kian-dekat/")
    for other in (
        "/category/ekonomi/",
        "/tag/pemilu/",
        "/page/2/",
        "/redaksi/",
        "/pedoman-media-siber/",
        "/wp-content/uploads/2023/03/a.jpg",
        "/?s=x",
        "/feed/",
    ):
        assert not rules.is_article_candidate(BASE + other), other
    assert not rules.is_article_candidate("https://example.org/some-story/")
    assert rules.is_pagination(f"{BASE}/page/3/")
    assert rules.is_pagination(f"{BASE}/category/ekonomi/page/2/")


def test_article_marker_and_links() -> None:
    article = '<html><head><meta property="og:type" content="article"></head></html>'
    assert has_article_marker(parse_html(article), SITE)
    assert not has_article_marker(parse_html('<meta property="og:type" content="website">'), SITE)
    html = '<a href="/x/#c">x</a><a href="mailto:a@b">m</a><a href="https://o.org/y">y</a>'
    assert list(page_links(html, BASE + "/")) == [f"{BASE}/x/", "https://o.org/y"]
