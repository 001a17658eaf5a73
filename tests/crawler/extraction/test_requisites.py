"""Page requisites: what a page loads by itself, as wget's --page-requisites finds it."""

from __future__ import annotations

from lxml import html

from crawler.extraction.requisites import page_requisites, stylesheet_requisites

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
