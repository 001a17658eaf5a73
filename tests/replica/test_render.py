"""Rendered pages, feeds and sitemaps against the markup contract (no server needed)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import lxml.html

from replica.content import build_site
from replica.images import jpeg_for
from replica.render_xml import robots_txt
from replica.responses import Options
from replica.routes import resolve
from replica.site_model import ReplicaSite

BASE = "http://127.0.0.1:8000"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def page(site: ReplicaSite, path: str) -> str:
    resource = resolve(site, BASE, path)
    assert resource.status == 200, path
    return resource.body.decode("utf-8")


def test_seed_article_page_follows_the_contract(site: ReplicaSite) -> None:
    seed = site.seed_article
    html = page(site, seed.path)
    assert 40_000 <= len(html.encode()) <= 80_000
    assert f"<title>{seed.title} - Niaga.Asia</title>" in html
    assert f'<link rel="canonical" href="{BASE}{seed.path}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'content="2023-03-03T14:05:00+08:00"' in html
    assert '<meta property="article:modified_time" content="2023-03-03T15:20:00+08:00">' in html
    assert '<meta property="article:section" content="Hukum &amp; Kriminal">' in html
    assert '<meta name="author" content="Redaksi Niaga.Asia">' in html
    assert "<p><strong>SAMARINDA.NIAGA.ASIA</strong> — Pemilihan Umum (Pemilu)" in html
    assert "<p>Sumber : Polresta Samarinda | Editor : Saud Rosadi</p>" in html
    assert "Jumat, 3 Maret 2023 14:05 WITA" in html
    for tag in ("pemilu-2024", "polda-kaltim", "tiga-pilar"):
        assert f'<a href="{BASE}/tag/{tag}/" rel="tag">' in html
    for caption in seed.captions:
        assert f"{caption.text} (handout/Polresta Samarinda)" in html

    tree = lxml.html.fromstring(html)
    content = tree.xpath('//div[@class="entry-content"]')[0]
    children = [el for el in content if el.tag in ("p", "div", "figure")]
    kinds = [
        "caption-classic"
        if "wp-caption" in (el.get("class") or "")
        else "caption-block"
        if el.tag == "figure"
        else "p"
        if el.tag == "p"
        else "other"
        for el in children
    ]
    # classic caption, 4 paragraphs, block caption, 3 paragraphs, credit line
    assert kinds[0] == "caption-classic"
    paragraphs_before_block = kinds[: kinds.index("caption-block")].count("p")
    assert paragraphs_before_block == 4
    assert tree.xpath('//h1[@class="entry-title"]/text()') == [seed.title]
    assert tree.xpath('//time[contains(@class,"published")]/@datetime') == [
        "2023-03-03T14:05:00+08:00"
    ]
    assert tree.xpath('//*[@id="comments"]') and tree.xpath('//aside[@id="secondary"]')
    graph = json.loads(tree.xpath('//script[@type="application/ld+json"]/text()')[0])["@graph"]
    types = {node["@type"] for node in graph}
    assert {"NewsArticle", "WebPage", "Organization", "BreadcrumbList"} <= types
    news = next(node for node in graph if node["@type"] == "NewsArticle")
    assert news["headline"] == seed.title
    assert news["datePublished"] == "2023-03-03T14:05:00+08:00"
    assert news["author"] == {
        "@type": "Person",
        "name": "Redaksi Niaga.Asia",
        "@id": f"{BASE}/#/schema/person/redaksi-niagaasia",
    }
    assert news["articleSection"] == ["Hukum & Kriminal"]
    assert news["keywords"] == ["Pemilu 2024", "Polda Kaltim", "Tiga Pilar"]


def test_generated_article_pages_carry_their_ground_truth(site: ReplicaSite) -> None:
    for article in site.articles[1:]:
        html = page(site, article.path)
        assert 40_000 <= len(html.encode()) <= 80_000
        assert f"<p>{article.credit_line}</p>" in html.replace("&amp;", "&")
        tree = lxml.html.fromstring(html)
        body = tree.xpath('//div[@class="entry-content"]')[0]
        captions = body.xpath('.//p[@class="wp-caption-text"]|.//figcaption')
        assert [c.text_content() for c in captions] == [c.full_text for c in article.captions]
        if article.dateline:
            assert f"<strong>{article.dateline}.NIAGA.ASIA</strong> — " in html
        tags = tree.xpath('//span[@class="tags-links"]/a[@rel="tag"]/text()')
        assert tags == [t.name for t in article.tags]
        assert "ADVERTISEMENT" in body.text_content()
        if article.related_index is not None:
            assert "<strong>Baca Juga:</strong>" in html


def test_listing_pages_are_not_articles(site: ReplicaSite) -> None:
    for path in ("/", "/page/2/", "/category/ekonomi/", "/redaksi/", "/pedoman-media-siber/"):
        html = page(site, path)
        assert '<meta property="og:type" content="website">' in html
        assert "NewsArticle" not in html
    assert 'class="next page-numbers" href="http://127.0.0.1:8000/page/2/">Berikutnya »' in page(
        site, "/"
    )
    missing = resolve(site, BASE, "/no-such-article/")
    assert missing.status == 404 and b"error404" in missing.body


def test_amp_variant_points_to_the_canonical_page(site: ReplicaSite) -> None:
    article = site.articles[3]
    html = page(site, f"{article.path}amp/")
    assert "<html amp" in html
    assert f'<link rel="canonical" href="{BASE}{article.path}">' in html


def test_feed_has_the_latest_twenty_items(site: ReplicaSite) -> None:
    root = ET.fromstring(resolve(site, BASE, "/feed/").body)
    items = root.findall("./channel/item")
    assert len(items) == 20
    assert [i.findtext("link") for i in items] == [
        f"{BASE}{a.path}" for a in site.newest_first[:20]
    ]
    for item in items:
        assert item.findtext("pubDate", "").endswith("+0800")
        assert item.findall("category")
        assert "<p>" in (item.findtext("content:encoded", namespaces=NS) or "")
    category = site.newest.category
    cat_root = ET.fromstring(resolve(site, BASE, f"{category.path}feed/").body)
    links = [i.findtext("link") for i in cat_root.findall("./channel/item")]
    assert f"{BASE}{site.newest.path}" in links
    assert all(site.article_by_path(link[len(BASE) :]).category == category for link in links)


def test_sitemaps_list_every_article_exactly_once() -> None:
    big = build_site(1005)
    index = ET.fromstring(resolve(big, BASE, "/sitemap_index.xml").body)
    locs = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert f"{BASE}/post-sitemap.xml" in locs and f"{BASE}/post-sitemap2.xml" in locs
    seen: list[str] = []
    for loc in locs:
        root = ET.fromstring(resolve(big, BASE, loc[len(BASE) :]).body)
        urls = root.findall("sm:url", NS)
        assert len(urls) <= 1000
        for url in urls:
            address = url.findtext("sm:loc", namespaces=NS) or ""
            if big.article_by_path(address[len(BASE) :]) is not None:
                seen.append(address)
                assert url.findtext("sm:lastmod", namespaces=NS)
                assert url.findall("image:image/image:loc", NS)
    assert sorted(seen) == sorted(f"{BASE}{a.path}" for a in big)
    assert resolve(big, BASE, "/post-sitemap3.xml").status == 404


def test_news_sitemap_holds_the_last_48_hours() -> None:
    big = build_site(80)
    root = ET.fromstring(resolve(big, BASE, "/news-sitemap.xml").body)
    listed = {u.findtext("sm:loc", namespaces=NS) for u in root.findall("sm:url", NS)}
    since = big.newest.published - timedelta(hours=48)
    expected = {f"{BASE}{a.path}" for a in big if a.published >= since}
    assert listed == expected and 5 < len(listed) < 80
    first = root.find("sm:url/news:news", NS)
    assert first is not None
    assert (
        first.findtext("news:publication_date", namespaces=NS) == big.newest.published.isoformat()
    )
    assert first.findtext("news:title", namespaces=NS) == big.newest.title


def test_robots_txt() -> None:
    assert robots_txt(BASE) == (
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\nDisallow: /?s=\n"
        f"\nSitemap: {BASE}/sitemap_index.xml\n"
    )
    assert "\nCrawl-delay: 3\n" in robots_txt(BASE, 3)
    site = build_site(3)
    body = resolve(site, BASE, "/robots.txt", Options(crawl_delay=1.5)).body.decode()
    assert "Crawl-delay: 1.5" in body


def test_images_are_small_deterministic_jpegs(site: ReplicaSite) -> None:
    paths = site.image_paths
    assert len(paths) >= len(site)
    first = resolve(site, BASE, paths[0])
    assert first.content_type == "image/jpeg" and not first.compressible
    data = first.body
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    sof = data.index(b"\xff\xc0")
    height, width = int.from_bytes(data[sof + 5 : sof + 7]), int.from_bytes(data[sof + 7 : sof + 9])
    assert (width, height) == (800, 533)
    assert len(data) < 20_000
    assert jpeg_for(paths[0]) == data
    assert jpeg_for(paths[1]) != data
    assert resolve(site, BASE, "/wp-content/uploads/2023/03/none.jpg").status == 404
