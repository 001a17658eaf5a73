"""Page chrome shared by every replica page: ``<head>``, header, menu, sidebar, footer.

Real WordPress news pages carry tens of kilobytes of inline CSS, scripts and widgets around
a few kilobytes of article; the replica reproduces that bulk so that extraction, compression
and WARC sizes behave as they would on the real site.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from replica.dates import indonesian_date
from replica.site_model import SITE_NAME, Article


def _global_styles() -> str:
    """The ``global-styles-inline-css`` block WordPress 6 prints on every page (~10 KB)."""
    colors = (
        "black",
        "cyan-bluish-gray",
        "white",
        "pale-pink",
        "vivid-red",
        "luminous-vivid-orange",
        "luminous-vivid-amber",
        "light-green-cyan",
        "vivid-green-cyan",
        "pale-cyan-blue",
        "vivid-cyan-blue",
        "vivid-purple",
    )
    hexes = (
        "#000000",
        "#abb8c3",
        "#ffffff",
        "#f78da7",
        "#cf2e2e",
        "#ff6900",
        "#fcb900",
        "#7bdcb5",
        "#00d084",
        "#8ed1fc",
        "#0693e3",
        "#9b51e0",
    )
    parts = ["body{"]
    parts += [f"--wp--preset--color--{c}: {h};" for c, h in zip(colors, hexes, strict=True)]
    for i, (a, b) in enumerate(zip(hexes, reversed(hexes), strict=True)):
        parts.append(f"--wp--preset--gradient--g{i}: linear-gradient(135deg,{a} 0%,{b} 100%);")
    for name, size in (("small", 13), ("medium", 20), ("large", 36), ("x-large", 42)):
        parts.append(f"--wp--preset--font-size--{name}: {size}px;")
    for n in range(20, 90, 10):
        parts.append(f"--wp--preset--spacing--{n}: {n / 40:.2f}rem;")
    parts.append("}")
    for c, h in zip(colors, hexes, strict=True):
        parts.append(f".has-{c}-color{{color: var(--wp--preset--color--{c}) !important;}}")
        parts.append(f".has-{c}-background-color{{background-color: {h} !important;}}")
        parts.append(f".has-{c}-border-color{{border-color: {h} !important;}}")
    for block in (
        "paragraph",
        "image",
        "gallery",
        "quote",
        "embed",
        "columns",
        "group",
        "heading",
        "list",
        "table",
        "separator",
        "buttons",
        "cover",
        "pullquote",
    ):
        parts.append(
            f".wp-block-{block}{{margin-top:0;margin-bottom:1.5em;box-sizing:border-box}}"
            f".wp-block-{block}.alignwide{{max-width:1200px}}"
            f".wp-block-{block}.alignfull{{max-width:none;margin-left:0;margin-right:0}}"
            f".wp-block-{block} figcaption{{font-size:13px;color:#555;text-align:center}}"
        )
    for sel in (
        "site-header",
        "main-navigation",
        "breaking-news",
        "entry-header",
        "entry-meta",
        "entry-content",
        "entry-footer",
        "post-navigation",
        "author-box",
        "comments-area",
        "widget-area",
        "site-footer",
        "jp-relatedposts",
        "sharedaddy",
        "code-block",
    ):
        parts.append(
            f".{sel}{{position:relative;display:block;padding:10px 0;margin:0 auto;"
            f"font-family:'Roboto',Arial,sans-serif;line-height:1.6}}"
            f"@media (max-width:768px){{.{sel}{{padding:6px 0;font-size:15px}}}}"
        )
    return "\n".join(parts)


def _svg_sprite() -> str:
    """The theme's inline icon sprite: long, fixed path data like real icon fonts (~12 KB)."""
    rng = random.Random("warta-replica-sprite")
    symbols = []
    for name in (
        "facebook",
        "x",
        "whatsapp",
        "instagram",
        "youtube",
        "search",
        "menu",
        "close",
        "clock",
        "user",
        "comment",
        "arrow-up",
    ):
        points = " ".join(
            f"{rng.randrange(512)}.{rng.randrange(100):02d},"
            f"{rng.randrange(512)}.{rng.randrange(100):02d}"
            for _ in range(70)
        )
        symbols.append(
            f'<symbol id="icon-{name}" viewBox="0 0 512 512"><path d="M{points}Z"/></symbol>'
        )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">'
        + "".join(symbols)
        + "</svg>\n"
    )


GLOBAL_STYLES = _global_styles()
SVG_SPRITE = _svg_sprite()
EMOJI_SCRIPT = (
    'window._wpemojiSettings = {"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/'
    '14.0.0\\/72x72\\/","ext":".png","svgUrl":"https:\\/\\/s.w.org\\/images\\/core\\/'
    'emoji\\/14.0.0\\/svg\\/","svgExt":".svg","source":{"concatemoji":"\\/wp-includes'
    '\\/js\\/wp-emoji-release.min.js?ver=6.2"}};\n'
    '!function(e,a,t){var n,r,o,i=a.createElement("canvas"),p=i.getContext&&i.getContext("2d");'
    "function s(e,t){p.clearRect(0,0,i.width,i.height),p.fillText(e,0,0);e=i.toDataURL();"
    "return p.clearRect(0,0,i.width,i.height),p.fillText(t,0,0),e===i.toDataURL()}"
    'function c(e){var t=a.createElement("script");t.src=e,t.defer=t.type="text/javascript",'
    'a.getElementsByTagName("head")[0].appendChild(t)}}(window,document,window._wpemojiSettings);'
)


def head(
    base: str,
    *,
    title: str,
    canonical: str | None,
    meta: Sequence[tuple[str, str, str]] = (),
    jsonld: str | None = None,
    body_class: str = "home blog",
    robots: str = "index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1",
    extra_links: str = "",
) -> str:
    """``<!DOCTYPE>`` through ``<body>``; ``meta`` holds (attribute, key, content) triples."""
    out = [
        '<!DOCTYPE html>\n<html lang="id-ID" prefix="og: https://ogp.me/ns#">\n<head>\n',
        '<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<link rel="profile" href="https://gmpg.org/xfn/11">\n<title>{escape(title)}</title>\n',
        f'<meta name="robots" content="{robots}">\n',
    ]
    if canonical:
        out.append(f'<link rel="canonical" href="{canonical}">\n')
    out.append(extra_links)
    out.append('<meta property="og:locale" content="id_ID">\n')
    out.extend(f'<meta {attr}="{key}" content="{escape(value)}">\n' for attr, key, value in meta)
    out.append(f'<meta property="og:site_name" content="{SITE_NAME}">\n')
    out.append('<meta name="twitter:card" content="summary_large_image">\n')
    if jsonld:
        out.append(
            f'<script type="application/ld+json" class="yoast-schema-graph">{jsonld}</script>\n'
        )
    out.append(
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" '
        f'href="{base}/feed/">\n'
        f'<link rel="https://api.w.org/" href="{base}/wp-json/">\n'
        '<link rel="EditURI" type="application/rsd+xml" title="RSD" '
        f'href="{base}/xmlrpc.php?rsd">\n'
        '<meta name="generator" content="WordPress 6.2.2">\n'
        f'<script type="text/javascript">{EMOJI_SCRIPT}</script>\n'
        f'<style id="global-styles-inline-css" type="text/css">\n{GLOBAL_STYLES}\n</style>\n'
        f"<link rel='stylesheet' id='newsup-style-css' href='{base}/wp-content/themes/newsup/"
        "style.css?ver=6.2.2' type='text/css' media='all'>\n"
        f"<link rel='stylesheet' id='jetpack_css-css' href='{base}/wp-content/plugins/jetpack/"
        "css/jetpack.css?ver=12.1' type='text/css' media='all'>\n"
        f"<script src='{base}/wp-includes/js/jquery/jquery.min.js?ver=3.6.4' id='jquery-core-js'>"
        "</script>\n"
        '<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?'
        'client=ca-pub-0000000000000000" crossorigin="anonymous"></script>\n'
        f'<link rel="icon" href="{base}/wp-content/uploads/2020/01/cropped-favicon-32x32.png" '
        'sizes="32x32">\n</head>\n'
        f'<body class="{body_class} wp-embed-responsive">\n<div id="page" class="site">\n'
        '<a class="skip-link screen-reader-text" href="#content">Langsung ke konten</a>\n'
    )
    return "".join(out)


def site_header(
    base: str,
    categories: Iterable[tuple[str, str]],
    ticker: Sequence[Article],
    day: datetime | None,
) -> str:
    menu = "".join(
        f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
        f'<a href="{base}/category/{slug}/">{escape(name)}</a></li>'
        for name, slug in categories
    )
    items = "".join(f'<li><a href="{base}/{a.slug}/">{escape(a.title)}</a></li>' for a in ticker)
    when = (
        f'<span class="header-date">{indonesian_date(day, with_time=False)}</span>' if day else ""
    )
    return (
        '<header id="masthead" class="site-header" role="banner">\n<div class="top-bar">'
        f'{when}<ul class="social"><li><a href="https://www.facebook.com/niagaasia">Facebook</a>'
        '</li><li><a href="https://twitter.com/niagaasia">X</a></li><li>'
        '<a href="https://www.instagram.com/niaga.asia">Instagram</a></li></ul></div>\n'
        f'<div class="site-branding"><a href="{base}/" rel="home" class="custom-logo-link">'
        f'<img src="{base}/wp-content/uploads/2020/01/logo-niaga.png" alt="{SITE_NAME}" '
        'width="300" height="80" class="custom-logo"></a>'
        f'<p class="site-title"><a href="{base}/" rel="home">{SITE_NAME}</a></p>'
        '<p class="site-description">Berita Bisnis dan Ekonomi Kalimantan Timur</p></div>\n'
        '<nav id="site-navigation" class="main-navigation" aria-label="Menu Utama">'
        '<ul id="primary-menu" class="menu">'
        f'<li class="menu-item menu-item-home"><a href="{base}/">Beranda</a></li>{menu}'
        f'<li class="menu-item"><a href="{base}/redaksi/">Redaksi</a></li></ul>'
        f'<form role="search" method="get" class="search-form" action="{base}/">'
        '<label><span class="screen-reader-text">Cari untuk:</span>'
        '<input type="search" class="search-field" placeholder="Cari &hellip;" name="s"></label>'
        '<input type="submit" class="search-submit" value="Cari"></form></nav>\n'
        + (
            '<div class="breaking-news"><span class="bn-title">Berita Terkini</span>'
            f'<ul class="bn-ticker">{items}</ul></div>\n'
            if items
            else ""
        )
        + '</header>\n<div id="content" class="site-content">\n'
    )


def _widget(title: str, base: str, articles: Sequence[Article], with_date: bool) -> str:
    if not articles:
        return ""
    rows = []
    for a in articles:
        date = (
            f'<span class="post-date">{indonesian_date(a.published, with_time=False)}</span>'
            if with_date
            else ""
        )
        rows.append(f'<li><a href="{base}/{a.slug}/">{escape(a.title)}</a>{date}</li>')
    return (
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">{title}</h2>'
        f"<ul>{''.join(rows)}</ul></section>\n"
    )


def sidebar(base: str, popular: Sequence[Article], latest: Sequence[Article]) -> str:
    ad = (
        '<section class="widget widget_custom_html"><div class="textwidget custom-html-widget">'
        '<span>ADVERTISEMENT</span><ins class="adsbygoogle" style="display:block" '
        'data-ad-client="ca-pub-0000000000000000" data-ad-slot="1234567890" '
        'data-ad-format="auto"></ins><script>(adsbygoogle = window.adsbygoogle || []).push({});'
        "</script></div></section>\n"
    )
    return (
        '<aside id="secondary" class="widget-area" role="complementary">\n'
        + _widget("Terpopuler", base, popular, False)
        + ad
        + _widget("Berita Terkini", base, latest, True)
        + ad
        + "</aside>\n"
    )


def site_footer(base: str, extra: str = "") -> str:
    return (
        '</div><!-- #content -->\n<footer id="colophon" class="site-footer" role="contentinfo">'
        '<div class="footer-widgets"><ul class="footer-menu">'
        f'<li><a href="{base}/redaksi/">Redaksi</a></li>'
        f'<li><a href="{base}/pedoman-media-siber/">Pedoman Media Siber</a></li>'
        f'<li><a href="{base}/feed/">RSS</a></li></ul>{extra}</div>'
        f'<div class="site-info">&copy; 2016-2026 {SITE_NAME}. Seluruh hak cipta dilindungi.'
        f"</div></footer>\n</div><!-- #page -->\n{SVG_SPRITE}"
        f"<script src='{base}/wp-content/themes/newsup/js/custom.js?ver=6.2.2' "
        "id='newsup-custom-js'></script>\n"
        f"<script src='{base}/wp-includes/js/comment-reply.min.js?ver=6.2.2' "
        "id='comment-reply-js'></script>\n"
        "<script>document.querySelectorAll('.bn-ticker li').forEach(function(e,i){"
        "e.style.animationDelay=(i*4)+'s'});</script>\n</body>\n</html>\n"
    )
