"""Page requisites: what a page loads by itself, as wget's --page-requisites finds it."""

from __future__ import annotations

from lxml import html

from crawler.extraction.requisites import MAX_REQUISITES, page_requisites, stylesheet_requisites

PAGE = """<html><head><base href="https://niaga.asia/2026/">
<link rel='stylesheet' href='/wp-content/themes/newsup/style.css?ver=6.2.2'>
<link rel="icon" href="favicon.png" sizes="32x32"><link rel="canonical" href="/x/">
<link rel="preload" as="font" href="https://cdn.example.net/f.woff2">
<script src="https://niaga.asia/js/app.js"></script><script>inline()</script>
<style>body{background:url("img/bg.png")}</style></head>
<body><img src="logo.png" srcset="logo-2x.png 2x, logo-3x.png 3x"><a href="/next/">next</a>
<img src="data:image/gif;base64,R0lGOD"><img src="logo.png#top">
<picture><source srcset="hero.webp 1x"></picture><video poster="/poster.jpg"></video>
</body></html>"""


def test_page_requisites_in_document_order_each_once() -> None:
    found = page_requisites(html.fromstring(PAGE), "https://niaga.asia/2026/x/")
    assert found == [
        "https://niaga.asia/wp-content/themes/newsup/style.css?ver=6.2.2",
        "https://niaga.asia/2026/favicon.png",
        "https://cdn.example.net/f.woff2",
        "https://niaga.asia/js/app.js",
        "https://niaga.asia/2026/logo.png",
        "https://niaga.asia/2026/logo-2x.png",
        "https://niaga.asia/2026/hero.webp",
        "https://niaga.asia/poster.jpg",
        "https://niaga.asia/2026/img/bg.png",
    ]


def test_stylesheet_requisites_resolve_against_the_sheet() -> None:
    css = """@import "print.css"; @font-face{src:url('fonts/a.woff2') format('woff2'),
    url(fonts/a.woff)} .x{background:url(data:image/png;base64,AAA)}"""
    assert stylesheet_requisites(css, "https://h/theme/style.css") == [
        "https://h/theme/print.css",
        "https://h/theme/fonts/a.woff2",
        "https://h/theme/fonts/a.woff",
    ]


def test_without_base_relative_sources_resolve_against_the_page() -> None:
    """No ``<base>``: the page's URL is the base; a relative ``<base href>`` is resolved
    against the page first. Only http(s) URLs count, and an in-page anchor is none."""
    page = """<html><head><script src="js/a.js"></script></head><body>
    <img src="#top"><img src="ftp://files.example/x.png"><img src="mailto:redaksi@h.example">
    <img src="http://old.example/a.png"><input type="IMAGE" src="kirim.png">
    <input type="text" src="not-an-image.png"><audio src="suara.mp3"></audio>
    <code>.x{background:url(contoh.png)}</code><style></style></body></html>"""
    assert page_requisites(html.fromstring(page), "https://h.example/berita/a.html") == [
        "https://h.example/berita/js/a.js",
        "http://old.example/a.png",
        "https://h.example/berita/kirim.png",
    ]
    based = '<html><head><base href="/aset/"></head><body><img src="b.png"></body></html>'
    assert page_requisites(html.fromstring(based), "https://h.example/berita/a.html") == [
        "https://h.example/aset/b.png"
    ]


def test_srcset_first_candidate_keeps_commas_inside_its_url() -> None:
    cdn = "https://res.example/image/upload/w_400,h_300,c_fill/a.jpg"
    page = f"""<html><body><img srcset="{cdn} 400w, https://res.example/b.jpg 800w">
    <img srcset=" ,c.jpg, d.jpg 2x"><img srcset="e.jpg 1x, f.jpg 2x, g.jpg 3x">
    <img srcset="X.jpg?v=X 1x"></body></html>"""
    assert page_requisites(html.fromstring(page), "https://h.example/") == [
        cdn,
        "https://h.example/c.jpg",
        "https://h.example/e.jpg",
        "https://h.example/X.jpg?v=X",
    ]


def test_a_page_listing_too_many_keeps_the_first_max_requisites() -> None:
    images = "".join(f'<img src="/i/{n}.png">' for n in range(MAX_REQUISITES + 5))
    found = page_requisites(html.fromstring(f"<html><body>{images}</body></html>"), "https://h/")
    assert len(found) == MAX_REQUISITES
    assert found[-1] == f"https://h/i/{MAX_REQUISITES - 1}.png"
