"""What a page needs to look as it did: its stylesheets, scripts, icons, fonts and images.

wget's ``--page-requisites`` and Browsertrix archive these beside the page, so replay shows
the page styled instead of bare text. Pure functions on a parsed tree or a stylesheet's
text; which of the URLs are fetched (hosts, once per crawl, budgets) is the spider's call.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

from crawler.canonical import join_url

# <link rel=...> values whose href the page loads by itself
_LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload",
                        "modulepreload", "manifest"})  # fmt: skip
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.I)
MAX_REQUISITES = 200  # a page listing more is not a template; keep the first ones


def _absolute(base_url: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if not value or value.startswith(("data:", "javascript:", "#", "about:", "blob:")):
        return None
    url = join_url(base_url, value)
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def _first_srcset(value: str | None) -> str | None:
    """The first candidate of a ``srcset`` (what a browser without hints would pick).

    A candidate's URL runs to the next whitespace, commas included (image CDNs put them in
    paths: ``/upload/w_400,h_300/a.jpg``); only commas at its ends separate candidates.
    """
    words = (value or "").lstrip(" \t\n\r\f,").split(None, 1)
    return words[0].rstrip(",") if words else None


def page_requisites(tree: lxml_html.HtmlElement, base_url: str) -> list[str]:
    """Absolute http(s) URLs the page loads on its own, in document order, each once.

    ``<base href>`` is honoured. Links the reader follows (``<a>``) are not requisites.
    """
    base = base_url
    for element in tree.iter("base"):
        base = _absolute(base_url, element.get("href")) or base_url
        break
    found: list[str | None] = []
    for element in tree.iter("link", "script", "img", "source", "video", "input"):
        tag = element.tag
        if tag == "link":
            rels = set((element.get("rel") or "").lower().split())
            if rels & _LINK_RELS:
                found.append(_absolute(base, element.get("href")))
        elif tag == "script":
            found.append(_absolute(base, element.get("src")))
        elif tag in ("img", "source") or (element.get("type") or "").lower() == "image":
            found.append(_absolute(base, element.get("src")))
            found.append(_absolute(base, _first_srcset(element.get("srcset"))))
        elif tag == "video":
            found.append(_absolute(base, element.get("poster")))
    for element in tree.iter("style"):
        found.extend(stylesheet_requisites(element.text or "", base))
    return _unique(found)


def stylesheet_requisites(css: str, base_url: str) -> list[str]:
    """Fonts, images and imported sheets a stylesheet loads, relative to the sheet."""
    urls = [_absolute(base_url, m.group(2) or m.group(4)) for m in _CSS_URL.finditer(css)]
    return _unique(urls)


def _unique(urls: list[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for url in urls:
        if url and url not in seen:
            seen[url] = None
            if len(seen) >= MAX_REQUISITES:
                break
    return list(seen)
