"""HTML of the portal replica: a custom CMS, nothing like WordPress.

Article pages carry no ``og:type`` and no NewsArticle JSON-LD; the CMS marks them with
``<meta name="pagetype" content="artikel">``. Dates are printed in Indonesian with WITA and as
a naive ``publishdate`` meta, the byline reads "Penulis: X | Editor: Y", captions end in
"Foto: ...", long articles continue at ``?page=N`` behind a "Halaman 1 2 3" pager, and each
article ends with the desk's initials, e.g. "(nvr/ams)".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from replica.dates import indonesian_date
from replica.portal.content import (
    BRAND,
    LISTING_SIZE,
    SECTIONS,
    SITE_NAME,
    Photo,
    PortalArticle,
    PortalSite,
)
from replica.textgen import slugify

STYLE = (
    "body{margin:0;font-family:Helvetica,Arial,sans-serif;color:#222}"
    ".header{background:#0b3d91;color:#fff}.nav a{color:#fff;padding:8px}"
    ".container{max-width:1100px;margin:auto;display:flex}.detail{flex:1}"
    ".detail-title{font-size:30px}.detail-byline,.detail-date{color:#666;font-size:13px}"
    ".photo-lead img,.sisip-foto img{width:100%}.photo-lead__ket,.sisip-foto__ket{font-size:12px}"
    ".paging a{padding:4px 8px;border:1px solid #ccc}.sidebar{width:300px}"
)
TRACKING = (
    "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
    "gtag('js',new Date());gtag('config','G-0000000000');"
)


def _head(base: str, title: str, canonical: str, metas: Sequence[tuple[str, str, str]]) -> str:
    meta = "".join(f'<meta {a}="{k}" content="{escape(v)}">\n' for a, k, v in metas)
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{meta}"
        f'<meta property="og:site_name" content="{SITE_NAME}">\n'
        f'<link rel="canonical" href="{canonical}">\n'
        f'<link rel="alternate" type="application/rss+xml" href="{base}/rss">\n'
        f"<style>{STYLE}</style>\n<script>{TRACKING}</script>\n</head>\n"
    )


def _header(base: str, ticker: Sequence[PortalArticle]) -> str:
    nav = "".join(f'<a href="{base}/kanal/{slug}">{escape(name)}</a>' for name, slug in SECTIONS)
    hot = "".join(f'<li><a href="{base}{a.path}">{escape(a.title)}</a></li>' for a in ticker)
    return (
        f'<div class="header"><div class="logo"><a href="{base}/">{SITE_NAME}</a></div>\n'
        f'<nav class="nav"><a href="{base}/">Home</a>{nav}<a href="{base}/indeks">Indeks</a>'
        "</nav>\n"
        + (f'<div class="hot-news"><b>Terpopuler</b><ul>{hot}</ul></div>\n' if hot else "")
        + "</div>\n"
    )


def _footer(base: str, extra: str = "") -> str:
    return (
        f'<footer class="footer"><a href="{base}/redaksi">Redaksi</a> | '
        f'<a href="{base}/pedoman-media-siber">Pedoman Media Siber</a> | '
        f'<a href="{base}/rss">RSS</a>{extra}<p>Copyright &copy; 2026 {SITE_NAME}. '
        "All rights reserved.</p></footer>\n</body>\n</html>\n"
    )


def _sidebar(base: str, articles: Sequence[PortalArticle]) -> str:
    rows = "".join(
        f'<li><a href="{base}{a.path}">{escape(a.title)}</a>'
        f'<span class="date">{indonesian_date(a.published, with_time=False)}</span></li>'
        for a in articles
    )
    return f'<aside class="sidebar"><h3>Berita Terkini</h3><ol>{rows}</ol></aside>\n'


def _photo(photo: Photo, base: str) -> str:
    src = f"{base}{photo.image_path}"
    if photo.style == "lead":
        return (
            f'<div class="photo-lead"><img src="{src}" alt="{escape(photo.text)}" width="700" '
            f'height="393">\n<p class="photo-lead__ket">{escape(photo.shown)}</p></div>\n'
        )
    return (
        f'<div class="sisip-foto"><img src="{src}" alt="" width="640" height="360">'
        f'<span class="sisip-foto__ket">{escape(photo.shown)}</span></div>\n'
    )


def _pager(base: str, a: PortalArticle, page: int) -> str:
    total = len(a.pages)
    if total == 1:
        return ""
    links = []
    for n in range(1, total + 1):
        if n == page:
            links.append(f'<span class="paging__link paging__link--active">{n}</span>')
        else:
            links.append(f'<a class="paging__link" href="{base}{a.page_path(n)}">{n}</a>')
    if page < total:
        links.append(
            f'<a class="paging__next" href="{base}{a.page_path(page + 1)}">Selanjutnya</a>'
        )
    return (
        f'<div class="paging"><span class="paging__label">Halaman</span> {" ".join(links)}</div>\n'
    )


def _older(site: PortalSite, a: PortalArticle, count: int) -> list[PortalArticle]:
    return list(reversed(site.articles[max(0, a.index - count) : a.index]))


def article_body(site: PortalSite, a: PortalArticle, page: int, base: str) -> str:
    """The inside of ``div.detail-text`` for one page of the article."""
    start, end = a.pages[page - 1]
    related = site.articles[a.related_index] if a.related_index is not None else None
    out: list[str] = []
    for i in range(start, end):
        for photo in a.photos:
            if photo.position == i and photo.style == "inline":
                out.append(_photo(photo, base))
        if i == 0:
            out.append(
                f"<p><strong>{BRAND}, {a.dateline}</strong> - {escape(a.paragraphs[0])}</p>\n"
            )
        else:
            out.append(f"<p>{escape(a.paragraphs[i])}</p>\n")
        if i == start + 1:
            out.append(
                '<div class="ads-inline"><span>ADVERTISEMENT</span>'
                "<p>SCROLL TO CONTINUE WITH CONTENT</p></div>\n"
            )
        if related is not None and i == start + 2 and page == 1:
            out.append(
                f'<p class="baca-juga">Baca juga: <a href="{base}{related.path}">'
                f"{escape(related.title)}</a></p>\n"
            )
    if page == len(a.pages):
        if a.source:
            out.append(f"<p>Sumber: {escape(a.source)}</p>\n")
        out.append(f"<p>({a.initials})</p>\n")
    out.append(_pager(base, a, page))
    return "".join(out)


def _data_layer(a: PortalArticle, page: int) -> str:
    data = {
        "articleId": a.article_id,
        "kanal": a.section[1],
        "penulis": a.author,
        "halaman": page,
        "jumlahHalaman": len(a.pages),
    }
    return f"<script>dataLayer.push({json.dumps(data, ensure_ascii=False)});</script>\n"


def render_article(site: PortalSite, a: PortalArticle, page: int, base: str) -> str:
    total = len(a.pages)
    url = f"{base}{a.page_path(page)}"
    metas = [
        ("name", "description", a.paragraphs[0][:150]),
        ("name", "keywords", ", ".join(a.tags)),
        ("name", "author", a.author),
        ("name", "publishdate", f"{a.published:%Y/%m/%d %H:%M:%S}"),
        ("name", "pagetype", "artikel"),
        ("name", "articleid", str(a.article_id)),
        ("property", "og:title", a.title),
        ("property", "og:url", url),
        ("property", "og:image", f"{base}{a.photos[0].image_path}"),
    ]
    head = _head(
        base, f"{a.title}{f' - Halaman {page}' if page > 1 else ''} - {SITE_NAME}", url, metas
    )
    links = ""
    if page > 1:
        links += f'<link rel="prev" href="{base}{a.page_path(page - 1)}">\n'
    if page < total:
        links += f'<link rel="next" href="{base}{a.page_path(page + 1)}">\n'
    head = head.replace("</head>", links + "</head>")
    tags = " ".join(
        f'<a href="{base}/tag/{slugify(t)}" class="detail-tags__item">{escape(t)}</a>'
        for t in a.tags
    )
    lead = "".join(_photo(p, base) for p in a.photos_on(page) if p.style == "lead")
    terkait = "".join(
        f'<li><a href="{base}{o.path}">{escape(o.title)}</a></li>' for o in _older(site, a, 4)
    )
    return "".join(
        (
            head,
            '<body class="page-detail">\n',
            _header(base, _older(site, a, 5)),
            '<div class="container">\n<article class="detail">\n',
            f'<div class="breadcrumb"><a href="{base}/">Home</a> &raquo; '
            f'<a href="{base}/kanal/{a.section[1]}">{escape(a.section[0])}</a></div>\n',
            f'<h1 class="detail-title">{escape(a.title)}</h1>\n',
            f'<div class="detail-byline">Penulis: {escape(a.author)} | '
            f"Editor: {escape(a.editor)}</div>\n",
            f'<div class="detail-date">{indonesian_date(a.published)}</div>\n',
            lead,
            f'<div class="detail-text">\n{article_body(site, a, page, base)}</div>\n',
            f'<div class="detail-tags"><span>Tag:</span> {tags}</div>\n',
            '<div class="share-box">Bagikan: <a href="#">Facebook</a> <a href="#">X</a> '
            '<a href="#">WhatsApp</a></div>\n',
            f'<div class="berita-terkait"><h3>Berita Terkait</h3><ul>{terkait}</ul></div>\n'
            if terkait
            else "",
            "</article>\n",
            _sidebar(base, _older(site, a, 6)),
            "</div>\n",
            _data_layer(a, page),
            _footer(base),
        )
    )


def render_listing(
    site: PortalSite,
    base: str,
    *,
    heading: str,
    prefix: str,
    articles: Sequence[PortalArticle],
    page: int,
    footer_extra: str = "",
) -> str:
    """A list page: ``prefix`` is ``/indeks``, ``/kanal/x`` or ``/tag/x``; pages at ``/N``."""
    chunk = articles[(page - 1) * LISTING_SIZE : page * LISTING_SIZE]
    pages = max(1, -(-len(articles) // LISTING_SIZE))
    rows = "".join(
        f'<div class="list-item"><a href="{base}{a.path}"><h3>{escape(a.title)}</h3></a>'
        f'<span class="date">{indonesian_date(a.published)}</span>'
        f"<p>{escape(a.paragraphs[0][:140])}…</p></div>\n"
        for a in chunk
    )
    nav = []
    for n in range(1, pages + 1):
        href = f"{base}{prefix}" if n == 1 else f"{base}{prefix}/{n}"
        nav.append(f"<b>{n}</b>" if n == page else f'<a href="{href}">{n}</a>')
    if page < pages:
        nav.append(f'<a rel="next" href="{base}{prefix}/{page + 1}">Berikutnya</a>')
    url = f"{base}{prefix}" + (f"/{page}" if page > 1 else "")
    return "".join(
        (
            _head(base, f"{heading} - {SITE_NAME}", url, [("name", "pagetype", "indeks")]),
            '<body class="page-index">\n',
            _header(base, site.newest_first[:5]),
            f'<div class="container"><div class="list-berita"><h1>{escape(heading)}</h1>\n{rows}',
            f'<div class="pagination">{" ".join(nav)}</div></div>\n',
            _sidebar(base, site.newest_first[:6]),
            "</div>\n",
            _footer(base, footer_extra),
        )
    )


def render_home(site: PortalSite, base: str, footer_extra: str = "") -> str:
    return render_listing(
        site,
        base,
        heading="Berita Terbaru",
        prefix="/indeks",
        articles=site.newest_first[:LISTING_SIZE],
        page=1,
        footer_extra=footer_extra,
    ).replace(
        f'<link rel="canonical" href="{base}/indeks">', f'<link rel="canonical" href="{base}/">'
    )


EDITORIAL = {
    "redaksi": (
        "Redaksi",
        "Kabar Benua Kaltim adalah biro daerah portal berita nasional Kabar Benua. "
        "Pemimpin Redaksi: Sumarsono. Redaktur: Amalia Husnul, Budi Susilo, Mathias Masan.",
    ),
    "pedoman-media-siber": (
        "Pedoman Media Siber",
        "Kemerdekaan berpendapat, kemerdekaan berekspresi, dan kemerdekaan pers adalah hak "
        "asasi manusia yang dilindungi Pancasila dan Undang-Undang Dasar 1945.",
    ),
}


def render_editorial(site: PortalSite, slug: str, base: str) -> str:
    title, text = EDITORIAL[slug]
    return "".join(
        (
            _head(
                base, f"{title} - {SITE_NAME}", f"{base}/{slug}", [("name", "pagetype", "statis")]
            ),
            '<body class="page-static">\n',
            _header(base, ()),
            f'<div class="container"><div class="static"><h1>{title}</h1><p>{escape(text)}</p>'
            "</div></div>\n",
            _footer(base),
        )
    )


def render_404(site: PortalSite, base: str) -> str:
    return "".join(
        (
            _head(base, f"Halaman tidak ditemukan - {SITE_NAME}", f"{base}/", []),
            '<body class="page-404">\n',
            _header(base, ()),
            '<div class="container"><h1>404</h1><p>Halaman yang Anda cari tidak ditemukan.</p>'
            "</div>\n",
            _footer(base),
        )
    )
