"""Bodies of the hostile replica: niaga pages bent out of shape, sitemaps, binaries.

Pure functions of the site and the base URL. Article-shaped cases are a normal niaga
article re-rendered at the case's path, so the niaga site file extracts them like any other
article; only the part under attack (the canonical link, a paragraph, the charset) differs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from html import escape

from replica import images, render_xml
from replica.faults import HOSTILE_SITEMAP
from replica.hostile.cases import CREDENTIALS, LINKED_PATHS, NEST_DEPTH
from replica.render_article import render_article
from replica.render_listing import render_listing
from replica.site_model import ReplicaSite

_CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*">')
_OG_URL = re.compile(r'<meta property="og:url" content="[^"]*">')
_ENTRY = '<div class="entry-content">\n'
DOTS_BYTES = 64 * 1024


def article_at(
    site: ReplicaSite,
    base: str,
    path: str,
    index: int,
    *,
    canonical: str | None = None,
    extra_paragraph: str = "",
    image: str | None = None,
) -> str:
    """Article ``index`` of the site rendered as if it lived at ``path``.

    ``canonical`` replaces the page's rel=canonical (and og:url) with a claim; the default
    is the page's own URL, as an honest theme would write it.
    """
    article = site.articles[index % len(site.articles)]
    html = render_article(site, article, base).replace(f"/{article.slug}/", path)
    if canonical is not None:
        html = _CANONICAL.sub(f'<link rel="canonical" href="{canonical}">', html, count=1)
        html = _OG_URL.sub(f'<meta property="og:url" content="{canonical}">', html, count=1)
    if extra_paragraph:
        html = html.replace(_ENTRY, _ENTRY + f"<p>{extra_paragraph}</p>\n", 1)
    if image is not None:
        for caption in article.captions:
            html = html.replace(f"{base}{caption.image_path}", image)
            html = html.replace(caption.image_path, image)
    return html


def dots_paragraph() -> str:
    """``. . . `` repeated to 64 KB: the input that made a caption regex backtrack."""
    return (". " * (DOTS_BYTES // 2)).strip()


def home(
    site: ReplicaSite, base: str, page: int, trap_url: str, linked: Sequence[str] = LINKED_PATHS
) -> str:
    """The home listing; page 1 links every case, each page links the next, forever."""
    extra = [f'<li><a href="{base}{path}">{escape(path)}</a></li>' for path in linked]
    host = base.split("://", 1)[1]
    extra += [
        f'<li><a href="{trap_url}">metadata</a></li>',
        '<li><a href="http://169.254.169.254/latest/meta-data/">cloud</a></li>',
        f'<li><a href="http://{CREDENTIALS}@{host}/h-credentials/">masuk</a></li>',
    ]
    links = "".join(extra) if page == 1 else ""
    footer = (
        f'<ul class="hostile-cases">{links}</ul>'
        f'<nav class="pagination"><a class="next page-numbers" href="{base}/page/{page + 1}/">'
        "Berikutnya</a></nav>"
    )
    return render_listing(
        site,
        base,
        heading=None if page == 1 else "Arsip",
        prefix="/",
        articles=site.articles,
        page=1,
        body_class="home blog" + (" paged" if page > 1 else ""),
        footer_extra=footer,
    )


def post_sitemap(
    site: ReplicaSite, base: str, trap_url: str, linked: Sequence[str] = LINKED_PATHS
) -> str:
    extra = list(linked)
    text = render_xml.post_sitemap(site, base, 1, extra) or ""
    trap = f"<url><loc>{trap_url}</loc></url>\n"
    return text.replace("</urlset>", trap + "</urlset>", 1)


def sitemap_index(site: ReplicaSite, base: str) -> str:
    return render_xml.sitemap_index(site, base, ("/h-nest-1.xml", "/h-laughs.xml"))


def nested_sitemap(base: str, level: int) -> str | None:
    """Level ``level`` of the nest: an index naming the next level, the last a urlset."""
    if not 1 <= level <= NEST_DEPTH:
        return None
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if level == NEST_DEPTH:
        deepest = f"<url><loc>{base}/h-too-deep/</loc></url>"
        return f'<?xml version="1.0"?><urlset {ns}>{deepest}</urlset>'
    return (
        f'<?xml version="1.0"?><sitemapindex {ns}><sitemap>'
        f"<loc>{base}/h-nest-{level + 1}.xml</loc></sitemap></sitemapindex>"
    )


def laughs_sitemap() -> bytes:
    """Billion laughs plus an external entity naming /etc/passwd."""
    return HOSTILE_SITEMAP


def robots(base: str, trap_url: str) -> str:
    text = render_xml.robots_txt(base)
    return text + f"Sitemap: {trap_url.rsplit('/', 1)[0]}/sitemap.xml\n"


def png_bytes() -> bytes:
    """A real image (the replica's JPEG) wrapped in a PNG signature: binary, not text."""
    return b"\x89PNG\r\n\x1a\n" + images.jpeg_for("/wp-content/uploads/2023/03/hostile.jpg")


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("berita.html", "<p>" + "isi " * 5000 + "</p>")
    return buffer.getvalue()


def header_bomb(count: int = 5000) -> Sequence[tuple[str, str]]:
    return [(f"X-Bomb-{n}", "b" * 16) for n in range(count)]


def cookie_flood(count: int = 200, size: int = 4000) -> Sequence[tuple[str, str]]:
    return [("Set-Cookie", f"flood{n}={'c' * size}; Path=/") for n in range(count)]
