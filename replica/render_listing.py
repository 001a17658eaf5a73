"""Non-article pages: home and archive listings, search, editorial pages and the 404 page.

None of them is an article: ``og:type`` is ``website`` (or absent) and there is no
NewsArticle JSON-LD, which is how a spider is meant to tell them apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from urllib.parse import quote_plus

from replica import page_chrome
from replica.dates import indonesian_date
from replica.site_model import PER_PAGE, SITE_NAME, Article, EditorialPage, ReplicaSite


def page_count(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def page_url(base: str, prefix: str, n: int, query: str = "") -> str:
    """``{base}{prefix}`` for page 1, ``{base}{prefix}page/N/`` after it (prefix ends in /)."""
    path = prefix if n == 1 else f"{prefix}page/{n}/"
    return f"{base}{path}{query}"


def pagination(base: str, prefix: str, page: int, pages: int, query: str = "") -> str:
    if pages <= 1:
        return ""
    links = []
    if page > 1:
        links.append(
            f'<a class="prev page-numbers" href="{page_url(base, prefix, page - 1, query)}">'
            "« Sebelumnya</a>"
        )
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    last = 0
    for n in shown:
        if n - last > 1:
            links.append('<span class="page-numbers dots">&hellip;</span>')
        if n == page:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            links.append(
                f'<a class="page-numbers" href="{page_url(base, prefix, n, query)}">{n}</a>'
            )
        last = n
    if page < pages:
        links.append(
            f'<a class="next page-numbers" href="{page_url(base, prefix, page + 1, query)}">'
            "Berikutnya »</a>"
        )
    return (
        '<nav class="navigation pagination" aria-label="Pos"><h2 class="screen-reader-text">'
        f'Navigasi pos</h2><div class="nav-links">{"".join(links)}</div></nav>\n'
    )


def _card(a: Article, base: str) -> str:
    thumb = (
        f'<div class="post-thumbnail"><a href="{base}/{a.slug}/"><img width="300" height="200" '
        f'src="{base}{a.captions[0].image_path}" class="wp-post-image" alt="" loading="lazy">'
        "</a></div>"
        if a.captions
        else ""
    )
    return (
        f'<article id="post-{a.post_id}" class="post-{a.post_id} post type-post status-publish '
        f'category-{a.category.slug}">{thumb}<header class="entry-header">'
        f'<div class="cat-links"><a href="{base}{a.category.path}">'
        f"{escape(a.category.name)}</a></div>"
        f'<h2 class="entry-title"><a href="{base}/{a.slug}/" rel="bookmark">'
        f"{escape(a.title)}</a></h2>"
        f'<div class="entry-meta"><a href="{base}{a.author.path}">{escape(a.author.name)}</a> '
        f'<time class="entry-date published" datetime="{a.published.isoformat()}">'
        f"{indonesian_date(a.published)}</time></div></header>"
        f'<div class="entry-summary"><p>{escape(a.excerpt).replace("[&amp;hellip;]", "[&hellip;]")}'
        "</p></div></article>\n"
    )


def _website_jsonld(base: str, url: str, name: str) -> str:
    graph = [
        {
            "@type": "CollectionPage",
            "@id": url,
            "url": url,
            "name": name,
            "isPartOf": {"@id": f"{base}/#website"},
            "inLanguage": "id",
        },
        {
            "@type": "WebSite",
            "@id": f"{base}/#website",
            "url": f"{base}/",
            "name": SITE_NAME,
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": f"{base}/?s={{search_term_string}}",
                    "query-input": "required name=search_term_string",
                }
            ],
        },
        {
            "@type": "Organization",
            "@id": f"{base}/#organization",
            "name": SITE_NAME,
            "url": f"{base}/",
        },
    ]
    return json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)


def _page(
    site: ReplicaSite,
    base: str,
    *,
    title: str,
    canonical: str | None,
    body_class: str,
    main: str,
    robots: str | None = None,
    og: bool = True,
    footer_extra: str = "",
) -> str:
    newest = site.newest_first[:6]
    meta = (
        [
            ("property", "og:type", "website"),
            ("property", "og:title", title),
            ("property", "og:url", canonical or f"{base}/"),
        ]
        if og
        else []
    )
    kwargs = {"robots": robots} if robots else {}
    return "".join(
        (
            page_chrome.head(
                base,
                title=title,
                canonical=canonical,
                meta=meta,
                body_class=body_class,
                jsonld=_website_jsonld(base, canonical, title) if og and canonical else None,
                **kwargs,
            ),
            page_chrome.site_header(
                base, ((c.name, c.slug) for c in site.categories), newest[:5], site.newest.published
            ),
            f'<div id="primary" class="content-area"><main id="main" class="site-main">\n{main}'
            "</main></div>\n",
            page_chrome.sidebar(base, site.newest_first[10:15], newest),
            page_chrome.site_footer(base, footer_extra),
        )
    )


def render_listing(
    site: ReplicaSite,
    base: str,
    *,
    heading: str | None,
    prefix: str,
    articles: Sequence[Article],
    page: int,
    body_class: str,
    footer_extra: str = "",
    query: str = "",
) -> str:
    """One page of a newest-first listing (home, category, tag, author or search)."""
    pages = page_count(len(articles))
    chunk = articles[(page - 1) * PER_PAGE : page * PER_PAGE]
    head = (
        f'<header class="page-header"><h1 class="page-title">{escape(heading)}</h1></header>\n'
        if heading
        else ""
    )
    main = (
        head + "".join(_card(a, base) for a in chunk) + pagination(base, prefix, page, pages, query)
    )
    name = heading or f"{SITE_NAME} - Berita Bisnis dan Ekonomi Kalimantan Timur"
    title = f"{name} - {SITE_NAME}" if heading else name
    if page > 1:
        title = f"{name} - Halaman {page} dari {pages} - {SITE_NAME}"
    canonical = None if query else page_url(base, prefix, page)
    return _page(
        site,
        base,
        title=title,
        canonical=canonical,
        body_class=body_class,
        main=main,
        footer_extra=footer_extra,
    )


def render_search(site: ReplicaSite, base: str, term: str, page: int) -> str:
    results = site.search(term)
    q = f"?s={quote_plus(term)}"
    if not results:
        main = (
            '<header class="page-header"><h1 class="page-title">Tidak Ditemukan</h1></header>'
            "<p>Maaf, tidak ada yang cocok dengan kata kunci pencarian Anda.</p>\n"
        )
        return _page(
            site,
            base,
            title=f"Anda mencari {term} - {SITE_NAME}",
            canonical=None,
            body_class="search search-no-results",
            main=main,
            robots="noindex, follow",
            og=False,
        )
    return render_listing(
        site,
        base,
        heading=f"Hasil Pencarian untuk: {term}",
        prefix="/",
        articles=results,
        page=page,
        body_class="search search-results",
        query=q,
    )


def render_editorial(site: ReplicaSite, page: EditorialPage, base: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in page.paragraphs)
    main = (
        f'<article class="page type-page status-publish hentry"><header class="entry-header">'
        f'<h1 class="entry-title">{escape(page.title)}</h1></header>'
        f'<div class="entry-content">\n{body}</div></article>\n'
    )
    return _page(
        site,
        base,
        title=f"{page.title} - {SITE_NAME}",
        canonical=f"{base}{page.path}",
        body_class=f"page-template-default page page-{page.slug}",
        main=main,
    )


def render_404(site: ReplicaSite, base: str) -> str:
    main = (
        '<section class="error-404 not-found"><header class="page-header">'
        '<h1 class="page-title">Oops! Halaman itu tidak dapat ditemukan.</h1></header>'
        '<div class="page-content"><p>Sepertinya tidak ada yang ditemukan di lokasi ini. '
        f'Mungkin coba cari?</p><form role="search" method="get" action="{base}/">'
        '<input type="search" name="s"><input type="submit" value="Cari"></form></div>'
        "</section>\n"
    )
    return _page(
        site,
        base,
        title=f"Halaman tidak ditemukan - {SITE_NAME}",
        canonical=None,
        body_class="error404",
        main=main,
        robots="noindex, follow",
        og=False,
    )
