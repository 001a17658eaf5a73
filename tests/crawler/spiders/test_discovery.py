import gzip
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.config.sites import load_site
from crawler.extraction.article import parse_html
from crawler.extraction.page import has_article_marker
from crawler.spiders.discovery import (
    DiscoveryError,
    SitemapEntry,
    UrlRules,
    Window,
    decompress_if_gzip_file,
    feed_items,
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


def test_feed_items_carry_their_dates_and_resolve_relative_links() -> None:
    rss = b"""<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<item><title>no link</title></item>
<item><link>/s/</link><pubDate>Fri, 03 Mar 2023 14:05:00 +0800</pubDate></item>
<item><link>/u/</link><dc:date>2023-03-03T06:05:00Z</dc:date></item>
<item><link>/v/</link><pubDate>   </pubDate></item>
</channel></rss>"""
    wita = timezone(timedelta(hours=8))
    assert feed_items(rss, BASE + "/feed/") == [
        SitemapEntry(f"{BASE}/s/", False, datetime(2023, 3, 3, 14, 5, tzinfo=wita)),
        SitemapEntry(f"{BASE}/u/", False, datetime(2023, 3, 3, 6, 5, tzinfo=UTC)),
        SitemapEntry(f"{BASE}/v/", False, None),
    ]
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>no link</title><link rel="self" href="/self/"/></entry>
<entry><link href="/t/"/><updated>2023-03-03T07:20:00+08:00</updated></entry>
</feed>"""
    assert feed_items(atom, BASE + "/feed/") == [
        SitemapEntry(f"{BASE}/t/", False, datetime(2023, 3, 3, 7, 20, tzinfo=wita))
    ]
    with pytest.raises(DiscoveryError, match=r"^feed is over 50 MB"):
        feed_items(b" " * (50 * 1024 * 1024 + 1), BASE)


def test_sitemap_dates_in_zulu_time_and_an_exact_size_limit() -> None:
    zulu = NEWS.replace(b"2023-03-03T14:05:00+08:00", b"2023-03-03T06:05:00Z")
    [story] = parse_sitemap(zulu, BASE)
    assert story.lastmod == datetime(2023, 3, 3, 6, 5, tzinfo=UTC)
    packed = gzip.compress(NEWS)
    assert len(parse_sitemap(packed, BASE, max_size=len(NEWS))) == 1  # at the limit: read
    with pytest.raises(DiscoveryError, match="inflates"):
        parse_sitemap(packed, BASE, max_size=len(NEWS) - 1)


def test_a_bomb_is_refused_without_being_inflated_whole() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 12_000_000 + b"</urlset>", compresslevel=1)
    tracemalloc.start()
    try:
        with pytest.raises(DiscoveryError, match="inflates"):
            parse_sitemap(bomb, BASE, max_size=1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak  # about the limit, never the 12 MB the bomb holds


def test_a_window_compares_instants_across_zones() -> None:
    window = Window(since=datetime(2023, 3, 1, tzinfo=UTC))
    wita = timezone(timedelta(hours=8))
    assert not window.admits(datetime(2023, 3, 1, 7, 0, tzinfo=wita))  # 23:00 UTC the day before
    assert window.admits(datetime(2023, 3, 1, 8, 0, tzinfo=wita))
    assert window.before(datetime(2023, 3, 1, 7, 0, tzinfo=wita))


def test_links_that_lead_nowhere_are_not_handed_out() -> None:
    html = (
        '<head><link rel="stylesheet" href="/style.css"></head><body>'
        '<a href="javascript:void(0)">x</a><a href="tel:+62541123">t</a><a href="#top">^</a>'
        '<a href=" /berita-satu/ ">b</a><area href="/peta/"></body>'
    )
    assert list(page_links(html, BASE + "/")) == [f"{BASE}/berita-satu/"]


def test_hosts_are_matched_whatever_their_case_on_http_and_https() -> None:
    rules = UrlRules(load_site("niaga"))
    assert rules.on_site("https://WWW.Niaga.Asia/pemilu-2024-kian-dekat/")
    assert rules.is_article_candidate("https://niaga.asia/pemilu-2024-kian-dekat/")
    assert not rules.on_site("ftp://niaga.asia/x/") and not rules.on_site("http://[oops/")
    assert not rules.is_pagination("https://niaga.asia/pemilu-2024-kian-dekat/")
    assert not rules.is_pagination("https://elsewhere.example/page/2/")


def test_an_image_sitemap_gives_the_article_and_its_date_not_the_image() -> None:
    images = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
 <url><loc>/banjir-<!-- a comment a plugin left -->samarinda/</loc>
  <image:image><image:loc>/wp-content/uploads/banjir.jpg</image:loc>
   <image:caption>Banjir &amp; longsor</image:caption></image:image>
  <lastmod>2023-03-03T07:20:00+00:00</lastmod></url>
 <url><loc>/harga-<?php echo 1 ?>cabai/?a=1&b=2</loc></url>
</urlset>"""
    entries = parse_sitemap(images, BASE + "/post-sitemap.xml")
    assert entries[0] == SitemapEntry(
        f"{BASE}/banjir-samarinda/", False, datetime(2023, 3, 3, 7, 20, tzinfo=UTC)
    )
    assert len(entries) == 2 and entries[1].url.startswith(f"{BASE}/harga-cabai/?a=1")  # a
    # bare & breaks the XML; the entry is recovered, not the whole sitemap lost


def test_a_sitemap_index_gives_its_dates_and_the_limit_is_inclusive() -> None:
    [entry] = parse_sitemap(INDEX, BASE, max_size=len(INDEX))
    assert entry.lastmod == datetime(2023, 3, 3, 7, 20, tzinfo=UTC)
    with pytest.raises(DiscoveryError, match="over the"):
        parse_sitemap(INDEX, BASE, max_size=len(INDEX) - 1)
    with pytest.raises(DiscoveryError, match="root element is <html>"):
        parse_sitemap(b"<html><body>hi</body></html>", BASE)


def test_an_empty_answer_is_told_to_be_no_xml_sitemap() -> None:
    with pytest.raises(DiscoveryError, match=r"^not an XML sitemap: Document is empty"):
        parse_sitemap(b"", BASE)


def test_a_gzip_file_is_unpacked_before_the_sitemap_is_read() -> None:
    assert decompress_if_gzip_file(gzip.compress(b"<urlset/>"), BASE, 100) == b"<urlset/>"
    assert decompress_if_gzip_file(b"<urlset/>", BASE, 100) == b"<urlset/>"
