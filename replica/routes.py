"""URL routing of the replica: a request target maps to a ``Resource``, purely.

The server adds transport concerns (compression, validators, delays, faults); everything a
crawler sees in a body is decided here from the site, the base URL and the options.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from replica import images, render_xml, template_assets
from replica.fault_modes import FAULT_SITEMAPS, fault_links_html, fault_paths
from replica.render_article import render_amp, render_article
from replica.render_listing import (
    page_count,
    render_404,
    render_editorial,
    render_listing,
    render_search,
)
from replica.responses import HTML, JPEG, RSS, TEXT, XML, Options, Resource
from replica.site_model import PER_PAGE, Article, ReplicaSite

_PAGED = re.compile(
    r"^(?P<prefix>/(?:(?:category|tag|author)/[a-z0-9-]+/)?)"
    r"(?:page/(?P<n>\d+)/)?(?P<feed>feed/)?$"
)
_POST_SITEMAP = re.compile(r"^/post-sitemap(?P<n>\d*)\.xml$")
_UPLOAD = re.compile(r"^/wp-content/uploads/\d{4}/\d{2}/[A-Za-z0-9_.-]+\.jpg$")


def _html(
    text: str,
    last_modified: datetime | None,
    status: int = 200,
    headers: tuple[tuple[str, str], ...] = (),
) -> Resource:
    return Resource(status, text.encode("utf-8"), HTML, last_modified, headers)


def not_found(site: ReplicaSite, base: str) -> Resource:
    return _html(render_404(site, base), None, status=404)


def resolve(site: ReplicaSite, base: str, target: str, options: Options | None = None) -> Resource:
    """The resource at request ``target`` (path and query) for a client reaching ``base``."""
    options = options or Options()
    parts = urlsplit(target)
    path, query = parts.path or "/", parse_qs(parts.query)
    found = _resolve(site, base, path, query, options)
    if found is not None:
        return found
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        slashed = _resolve(site, base, path + "/", query, options)
        if slashed is not None and slashed.status == 200:
            suffix = f"?{parts.query}" if parts.query else ""
            return Resource.redirect(f"{base}{path}/{suffix}")
    return not_found(site, base)


def _newest(articles: tuple[Article, ...] | list[Article]) -> datetime | None:
    return max((a.modified for a in articles), default=None)


def _resolve(
    site: ReplicaSite, base: str, path: str, query: dict[str, list[str]], options: Options
) -> Resource | None:
    if path == "/" and "p" in query:
        wanted = query["p"][0]
        article = site.article_by_id(int(wanted)) if wanted.isdigit() else None
        return Resource.redirect(f"{base}{article.path}") if article else None
    if path == "/robots.txt":
        return Resource(
            200,
            render_xml.robots_txt(base, options.crawl_delay).encode(),
            TEXT,
            site.newest.modified,
        )
    if path.endswith(".xml") or path == render_xml.XSL:
        return _sitemaps(site, base, path, options)
    if (asset := template_assets.assets().get(path)) is not None:
        body, content_type = asset
        return Resource(
            200,
            body,
            content_type,
            None,
            (("Cache-Control", "public, max-age=31536000"),),
            compressible=content_type.startswith(("text/", "application/")),
        )
    if path.startswith("/wp-content/uploads/"):
        ref = site.image(path) if _UPLOAD.match(path) else None
        if ref is None:
            return None
        return Resource(
            200,
            images.jpeg_for(path),
            JPEG,
            ref.article.published,
            (("Cache-Control", "public, max-age=31536000"),),
            compressible=False,
        )
    if (match := _PAGED.match(path)) is not None:
        return _listing(site, base, match, query, options)
    article = site.article_by_path(path)
    if article is not None:
        return _html(
            render_article(site, article, base),
            article.modified,
            headers=(("Link", f"<{base}/?p={article.post_id}>; rel=shortlink"),),
        )
    if path.endswith("/amp/"):
        article = site.article_by_path(path[: -len("amp/")])
        if article is not None:
            return _html(render_amp(site, article, base), article.modified)
    page = site.page(path.strip("/")) if path.count("/") == 2 else None
    if page is not None:
        return _html(render_editorial(site, page, base), None)
    return None


def _listing(
    site: ReplicaSite,
    base: str,
    match: re.Match[str],
    query: dict[str, list[str]],
    options: Options,
) -> Resource | None:
    prefix, number, feed = match["prefix"], match["n"], match["feed"]
    page = int(number) if number else 1
    if number is not None and page == 1:
        return Resource.redirect(f"{base}{prefix}")
    if prefix == "/" and "s" in query:
        if feed:
            return None
        term = query["s"][0].strip()
        return _html(
            render_search(site, base, term, page), None, headers=(("X-Robots-Tag", "noindex"),)
        )
    kind, slug, heading = "home", "", None
    if prefix != "/":
        kind, slug = prefix.strip("/").split("/")
        found = {"category": site.category, "tag": site.tag, "author": site.author}[kind](slug)
        if found is None:
            return None
        heading = found.name
    articles = site.listing(kind, slug)
    if not articles:
        return None
    if feed:
        if number:
            return None
        title = f"{heading} - Niaga.Asia" if heading else "Niaga.Asia"
        return Resource(
            200,
            render_xml.rss(site, base, articles, f"{prefix}feed/", title).encode(),
            RSS,
            _newest(articles[:20]),
        )
    if page > page_count(len(articles)):
        return None
    extra = ""
    if options.faults and kind == "home" and page == 1:
        extra = fault_links_html(base)
    body_class = "home blog" if kind == "home" else f"archive {kind} {kind}-{slug}"
    if page > 1:
        body_class += " paged"
    return _html(
        render_listing(
            site,
            base,
            heading=heading,
            prefix=prefix,
            articles=articles,
            page=page,
            body_class=body_class,
            footer_extra=extra,
        ),
        _newest(articles[(page - 1) * PER_PAGE : page * PER_PAGE]),
    )


def _sitemaps(site: ReplicaSite, base: str, path: str, options: Options) -> Resource | None:
    newest = site.newest.modified
    text: str | None = None
    if path == "/sitemap_index.xml":
        text = render_xml.sitemap_index(site, base, FAULT_SITEMAPS if options.faults else ())
    elif (match := _POST_SITEMAP.match(path)) is not None:
        n = int(match["n"] or 1)
        if match["n"] == "1":
            return None
        extra = fault_paths() if options.faults and n == 1 else ()
        text = render_xml.post_sitemap(site, base, n, extra)
        chunk = site.articles[(n - 1) * render_xml.SITEMAP_SIZE : n * render_xml.SITEMAP_SIZE]
        newest = _newest(chunk) or newest
    elif path == "/page-sitemap.xml":
        text = render_xml.page_sitemap(site, base)
    elif path == "/category-sitemap.xml":
        text = render_xml.category_sitemap(site, base)
    elif path == "/news-sitemap.xml":
        text = render_xml.news_sitemap(site, base)
    elif path == render_xml.XSL:
        return Resource(200, render_xml.SITEMAP_XSL.encode(), "text/xsl; charset=UTF-8")
    if text is None:
        return None
    return Resource(200, text.encode("utf-8"), XML, newest, (("X-Robots-Tag", "noindex, follow"),))
