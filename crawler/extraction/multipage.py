"""Articles split over several pages: find the next page, then merge the pages' records.

Large portals cut long articles into "Halaman 1 2 3" pages
(``?page=2``, ``/2``, ``?halaman=2``). A page's link counts as its continuation only when it
is the *same* article's URL with the page number one higher than the current page, so a
"next article" link, a ``?page=all`` view or a listing's pager is never followed by mistake.
Pure functions, free of Scrapy: the spider calls them and keeps the chain in ``cb_kwargs``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from lxml.cssselect import SelectorError
from lxml.html import HtmlElement

from crawler.canonical import join_url
from crawler.extraction.article import parse_html
from crawler.extraction.article_record import CRAWL_FIELDS, Article, Caption, record_json

LOG = logging.getLogger(__name__)

MAX_PAGES = 20  # no real article has more; a longer chain is a loop or a trap
PAGE_KEYS = ("page", "halaman", "hal", "pg", "paged")
_PATH_PAGE = re.compile(r"^(?P<base>.*?)/(?P<n>\d{1,2})/?$")


def _strip_page(url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(host, path without trailing slash, query without page keys) of an article URL."""
    parts = urlsplit(urldefrag(url)[0])
    query = tuple(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in PAGE_KEYS
    )
    return (parts.hostname or "").lower(), parts.path.rstrip("/") or "/", query


def page_number(url: str, first_url: str | None = None) -> int | None:
    """The page number of ``url`` within the article that starts at ``first_url``.

    1 for the first page itself, N for ``?page=N`` / ``?halaman=N`` or ``<first path>/N``,
    None when ``url`` is not a page of that article.
    """
    first = first_url or url
    host, path, query = _strip_page(url)
    host1, path1, query1 = _strip_page(first)
    if host != host1 or query != query1:
        return None
    params = dict(parse_qsl(urlsplit(url).query))
    keyed = [params[k] for k in PAGE_KEYS if k in params]
    if path == path1:
        if not keyed:
            return 1
        return int(keyed[0]) if keyed[0].isdigit() and 0 < int(keyed[0]) <= 99 else None
    match = _PATH_PAGE.match(path)
    if match and match["base"].rstrip("/") == path1 and not keyed:
        return int(match["n"]) if 0 < int(match["n"]) <= 99 else None
    return None


def _candidates(tree: HtmlElement, selector: str | None) -> Iterable[str]:
    if selector:
        try:
            for element in tree.cssselect(selector):
                href = element.get("href") or element.get("content")
                if href:
                    yield href.strip()
        except (SelectorError, ValueError) as exc:
            LOG.warning("invalid next_page selector %r: %s", selector, exc)
    for href in tree.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href"):
        yield str(href).strip()
    for href in tree.xpath("//a/@href"):
        yield str(href).strip()


def next_page_url(
    html: str | bytes | HtmlElement,
    url: str,
    selector: str | None = None,
    first_url: str | None = None,
) -> str | None:
    """The absolute URL of the article's next page, or None on its last (or only) page.

    ``url`` is the page just read and ``first_url`` the article's first page (default:
    ``url``, i.e. we are on page 1). The site's ``selectors.next_page`` is tried first,
    then ``rel=next``, then every link: the first that is this article's page N+1 wins.
    """
    tree = html if isinstance(html, HtmlElement) else parse_html(html)
    if tree is None:
        return None
    first = first_url or url
    current = page_number(url, first)
    if current is None or current >= MAX_PAGES:
        return None
    base = next((str(h) for h in tree.xpath("//base/@href")[:1]), url)
    for href in _candidates(tree, selector):
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        candidate = join_url(base, href)
        if candidate and page_number(candidate, first) == current + 1:
            return candidate
    return None


def page_url(first_url: str, n: int, key: str = "page") -> str:
    """``first_url`` with ``?key=n`` (page 1 is the first URL itself), for tests and tools."""
    if n == 1:
        return first_url
    parts = urlsplit(first_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in PAGE_KEYS] + [(key, str(n))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return list(seen.values())


def merge_articles(pages: Sequence[Article]) -> Article:
    """One record for the whole article: page 1's identity, every page's text and photos.

    Paragraphs repeated on later pages (a recap, a repeated lead) are kept once; captions
    are kept once per (text, credit, image); tags and authors are unions in page order.
    Scalar fields come from the first page that has them, ``modified`` is the latest seen.
    """
    if not pages:
        raise ValueError("merge_articles needs at least one page")
    first = pages[0]
    if len(pages) == 1:
        return first
    paragraphs: list[str] = []
    seen_paras: set[str] = set()
    for page in pages:
        for para in page.text.split("\n\n"):
            key = " ".join(para.split()).casefold()
            if key and key not in seen_paras:
                seen_paras.add(key)
                paragraphs.append(para)
    captions: list[Caption] = []
    seen_caps: set[tuple[str, str | None, str | None]] = set()
    for page in pages:
        for caption in page.captions:
            cap_key = (caption.text.casefold(), caption.credit, caption.image)
            if cap_key not in seen_caps:
                seen_caps.add(cap_key)
                captions.append(caption)

    def first_of(name: str) -> Any:
        return next((getattr(p, name) for p in pages if getattr(p, name)), None)

    modified = [p.modified for p in pages if p.modified]
    return first.model_copy(
        update={
            "title": first_of("title"),
            "published": first_of("published"),
            "modified": max(modified, key=datetime.fromisoformat) if modified else None,
            "authors": _dedupe(a for p in pages for a in p.authors),
            "editor": first_of("editor"),
            "source": first_of("source"),
            "dateline": first_of("dateline"),
            "section": first_of("section"),
            "language": first_of("language"),
            "tags": _dedupe(t for p in pages for t in p.tags),
            "text": "\n\n".join(paragraphs),
            "captions": captions,
        }
    )


def merge_records(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """:func:`merge_articles` for JSON-ready dicts as the spider yields them.

    The fields the crawler fills in (``warc``, ``fetched_url``, ...) are taken from page 1,
    the article's address.
    """
    if not records:
        raise ValueError("merge_records needs at least one record")
    fields = set(Article.model_fields) - set(CRAWL_FIELDS)
    articles = [
        Article.model_validate({k: v for k, v in r.items() if k in fields}) for r in records
    ]
    merged = record_json(merge_articles(articles))
    extras = {k: v for k, v in records[0].items() if k not in fields}
    return {**merged, **extras}
