"""robots.txt, the sitemap index, monthly-free article sitemaps, a news sitemap and RSS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from replica.portal.content import SITE_NAME, PortalArticle, PortalSite

SITEMAP_SIZE = 500
FEED_SIZE = 20
NEWS_WINDOW = timedelta(hours=48)
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def robots_txt(base: str, crawl_delay: float | None = None) -> str:
    lines = ["User-agent: *", "Disallow: /cari", "Disallow: /api/"]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines += ["", f"Sitemap: {base}/sitemap.xml", ""]
    return "\n".join(lines)


def sitemap_count(site: PortalSite) -> int:
    return max(1, -(-len(site.articles) // SITEMAP_SIZE))


def sitemap_index(site: PortalSite, base: str, extra: Sequence[str] = ()) -> str:
    rows = []
    for n in range(1, sitemap_count(site) + 1):
        chunk = site.articles[(n - 1) * SITEMAP_SIZE : n * SITEMAP_SIZE]
        newest = max(a.modified for a in chunk).isoformat()
        rows.append(
            f"<sitemap><loc>{base}/sitemap-artikel-{n}.xml</loc><lastmod>{newest}</lastmod>"
            "</sitemap>"
        )
    rows.append(f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>")
    rows += [f"<sitemap><loc>{base}{path}</loc></sitemap>" for path in extra]
    return f"{_XML}<sitemapindex {_NS}>{''.join(rows)}</sitemapindex>\n"


def article_sitemap(site: PortalSite, base: str, n: int, extra: Sequence[str] = ()) -> str | None:
    if not 1 <= n <= sitemap_count(site):
        return None
    rows = [
        f"<url><loc>{base}{a.path}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>\n"
        for a in site.articles[(n - 1) * SITEMAP_SIZE : n * SITEMAP_SIZE]
    ]
    rows += [f"<url><loc>{base}{path}</loc></url>\n" for path in extra]
    return f"{_XML}<urlset {_NS}>\n{''.join(rows)}</urlset>\n"


def news_sitemap(site: PortalSite, base: str) -> str:
    since = site.newest.published - NEWS_WINDOW
    rows = "".join(
        f"<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>{SITE_NAME}"
        "</news:name><news:language>id</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{escape(a.title)}</news:title></news:news></url>\n"
        for a in site.newest_first
        if a.published >= since
    )
    return (
        f'{_XML}<urlset {_NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{rows}</urlset>\n"
    )


def _item(a: PortalArticle, base: str) -> str:
    return (
        f"<item><title>{escape(a.title)}</title><link>{base}{a.path}</link>"
        f"<guid>{base}{a.path}</guid><pubDate>{format_datetime(a.published)}</pubDate>"
        f"<category>{escape(a.section[0])}</category>"
        f"<description><![CDATA[{a.paragraphs[0][:200]}]]></description></item>\n"
    )


def rss(site: PortalSite, base: str) -> str:
    items = site.newest_first[:FEED_SIZE]
    return (
        f'{_XML}<rss version="2.0"><channel><title>{SITE_NAME}</title><link>{base}/</link>'
        "<description>Berita terkini Kalimantan Timur</description><language>id</language>"
        f"<lastBuildDate>{format_datetime(items[0].modified)}</lastBuildDate>\n"
        + "".join(_item(a, base) for a in items)
        + "</channel></rss>\n"
    )
