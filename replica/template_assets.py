"""The theme's own files: stylesheets, script, font, logo and icon that every page loads.

A WordPress page is unreadable in replay without them, so the replica serves small stand-ins
at the paths its page chrome links to (page_chrome.py), and an archive of it can show that
they were captured. Content is fixed, so their digests are stable across runs.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

CSS = "text/css; charset=UTF-8"
JS = "application/javascript; charset=UTF-8"
PNG = "image/png"
WOFF2 = "font/woff2"

THEME = "/wp-content/themes/newsup"
STYLE_CSS = (
    "@font-face{font-family:'Newsup Sans';font-display:swap;"
    "src:url('fonts/newsup-sans.woff2') format('woff2')}\n"
    "body{font-family:'Newsup Sans',Arial,sans-serif;color:#222;background:#f4f4f4;margin:0}\n"
    ".site-branding{padding:12px 24px;background:#fff url('images/header-bg.png') repeat-x}\n"
    ".entry-title{font-size:2rem;line-height:1.2;color:#0b3d91}\n"
    ".entry-content p{font-size:1.05rem;line-height:1.7;max-width:46rem}\n"
    "figure.wp-caption{margin:1rem 0}figcaption{font-size:.85rem;color:#555}\n"
)
JETPACK_CSS = ".sharedaddy{margin:1rem 0}.sd-title{font-weight:700}\n"
JQUERY_JS = (
    "/*! stand-in for jQuery v3.6.4 | the replica's pages need no script to read */\n"
    "window.jQuery=window.$=function(f){if(typeof f==='function'){"
    "document.addEventListener('DOMContentLoaded',f)}return{}};\n"
)


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid one-colour PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@lru_cache(maxsize=1)
def assets() -> dict[str, tuple[bytes, str]]:
    """Path -> (body, content type) of every template file the replica serves."""
    return {
        f"{THEME}/style.css": (STYLE_CSS.encode(), CSS),
        f"{THEME}/fonts/newsup-sans.woff2": (b"wOF2" + bytes(range(256)) * 8, WOFF2),
        f"{THEME}/images/header-bg.png": (_png(4, 80, (250, 250, 250)), PNG),
        "/wp-content/plugins/jetpack/css/jetpack.css": (JETPACK_CSS.encode(), CSS),
        "/wp-includes/js/jquery/jquery.min.js": (JQUERY_JS.encode(), JS),
        "/wp-includes/js/comment-reply.min.js": (b"/* comment replies: none here */\n", JS),
        f"{THEME}/js/custom.js": (b"/* newsup theme: menu toggle */\n", JS),
        "/wp-content/uploads/2020/01/logo-niaga.png": (_png(300, 80, (11, 61, 145)), PNG),
        "/wp-content/uploads/2020/01/cropped-favicon-32x32.png": (_png(32, 32, (11, 61, 145)), PNG),
    }
