"""URL routing of the portal replica: request target in, ``Resource`` out, purely.

The ``Resource`` type, content types and fault paths are shared with the niaga replica
(``responses``, ``fault_modes``), so the same transport (compression, validators, faults)
serves both sites.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from replica import images
from replica.fault_modes import FAULT_SITEMAPS, fault_links_html, fault_paths
from replica.portal import feeds
from replica.portal.content import LISTING_SIZE, SECTIONS, PortalArticle, PortalSite
from replica.portal.render import (
    EDITORIAL,
    render_404,
    render_article,
    render_editorial,
    render_home,
    render_listing,
)
from replica.responses import HTML, JPEG, RSS, TEXT, XML, Options, Resource

_ARTICLE = re.compile(r"^/read/(?P<id>\d+)(?:/(?P<slug>[a-z0-9-]*))?(?P<slash>/?)$")
_LISTING = re.compile(r"^/(?P<prefix>indeks|kanal/[a-z0-9-]+|tag/[a-z0-9-]+)(?:/(?P<n>\d+))?$")
_SITEMAP = re.compile(r"^/sitemap-artikel-(?P<n>\d+)\.xml$")
_FOTO = re.compile(r"^/foto/\d{4}/\d{2}/\d{2}/[0-9]+-\d\.jpg$")


def _html(text: str, last_modified: datetime | None, status: int = 200) -> Resource:
    return Resource(status, text.encode("utf-8"), HTML, last_modified)


def redirect(location: str) -> Resource:
    return Resource(301, b"", headers=(("Location", location),))


def not_found(site: PortalSite, base: str) -> Resource:
    return _html(render_404(site, base), None, status=404)


def resolve(site: PortalSite, base: str, target: str, options: Options | None = None) -> Resource:
    options = options or Options()
    parts = urlsplit(target)
    path, query = parts.path or "/", parse_qs(parts.query)
    if path != "/" and path.endswith("/") and not path.startswith("/read/"):
        return redirect(base + path.rstrip("/") + (f"?{parts.query}" if parts.query else ""))
    found = _resolve(site, base, path, query, options)
    return found if found is not None else not_found(site, base)


def _resolve(
    site: PortalSite, base: str, path: str, query: dict[str, list[str]], options: Options
) -> Resource | None:
    newest = site.newest.modified
    if path == "/robots.txt":
        return Resource(200, feeds.robots_txt(base, options.crawl_delay).encode(), TEXT, newest)
    if path == "/sitemap.xml":
        hostile = FAULT_SITEMAPS if options.faults else ()
        return Resource(200, feeds.sitemap_index(site, base, hostile).encode(), XML, newest)
    if (match := _SITEMAP.match(path)) is not None:
        linked = fault_paths() if options.faults and match["n"] == "1" else ()
        text = feeds.article_sitemap(site, base, int(match["n"]), linked)
        return Resource(200, text.encode(), XML, newest) if text else None
    if path == "/sitemap-news.xml":
        return Resource(200, feeds.news_sitemap(site, base).encode(), XML, newest)
    if path == "/rss":
        return Resource(200, feeds.rss(site, base).encode(), RSS, newest)
    if path == "/":
        extra = fault_links_html(base) if options.faults else ""
        return _html(render_home(site, base, extra), newest)
    if _FOTO.match(path):
        owner = site.image_owner(path)
        if owner is None:
            return None
        return Resource(
            200,
            images.jpeg_for(path),
            JPEG,
            owner.published,
            (("Cache-Control", "public, max-age=31536000"),),
            compressible=False,
        )
    if (match := _ARTICLE.match(path)) is not None:
        article = site.article_by_id(int(match["id"]))
        if article is None:
            return None
        return _article(site, base, article, match["slug"], match["slash"], query)
    if (match := _LISTING.match(path)) is not None:
        return _listing(site, base, match["prefix"], match["n"])
    if path.strip("/") in EDITORIAL:
        return _html(render_editorial(site, path.strip("/"), base), None)
    return None


def _article(
    site: PortalSite,
    base: str,
    article: PortalArticle,
    slug: str | None,
    slash: str,
    query: dict[str, list[str]],
) -> Resource | None:
    wanted = query.get("page", ["1"])[0]
    if not wanted.isdigit() or not 1 <= int(wanted) <= len(article.pages):
        return None
    page = int(wanted)
    if slug != article.slug or slash or (page == 1 and "page" in query):
        return redirect(base + article.page_path(page))  # short, stale or slashed links
    return _html(render_article(site, article, page, base), article.modified)


def _listing(site: PortalSite, base: str, prefix: str, number: str | None) -> Resource | None:
    kind, _, slug = prefix.partition("/")
    if kind == "indeks":
        heading = "Indeks Berita"
    elif kind == "kanal":
        names = dict((s, n) for n, s in SECTIONS)
        if slug not in names:
            return None
        heading = names[slug]
    else:
        if slug not in site.tags:
            return None
        heading = f"Tag: {site.tags[slug]}"
    articles = site.listing(kind, slug)
    page = int(number) if number else 1
    if number is not None and page == 1:
        return redirect(f"{base}/{prefix}")
    if not articles or not 1 <= page <= -(-len(articles) // LISTING_SIZE):
        return None
    shown = articles[(page - 1) * LISTING_SIZE : page * LISTING_SIZE]
    return _html(
        render_listing(
            site, base, heading=heading, prefix=f"/{prefix}", articles=articles, page=page
        ),
        max(a.modified for a in shown),
    )
