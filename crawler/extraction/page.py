"""One page, one parse: everything the spider needs from an HTML page, in one call.

A fetched page used to be parsed four times: for the site's article marker, for the
article, for its rel=canonical link and for the next page of a multi-page article (five,
with the page requisites to archive). Here it is parsed once. The links are read from the
untouched tree first, because extraction cuts boilerplate out of the tree as it goes.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from cssselect import SelectorError
from lxml.html import HtmlElement
from w3lib.encoding import html_to_unicode

from crawler.canonical import rel_canonical
from crawler.config.sites import SiteConfig
from crawler.extraction.article import extract_article, parse_html
from crawler.extraction.article_record import Article
from crawler.extraction.multipage import next_page_url
from crawler.extraction.requisites import page_requisites

LOG = logging.getLogger(__name__)


class PageResult(NamedTuple):
    """What a page holds for the crawl: whether it carries the site's article marker, the
    article (None when it is not one or no text could be extracted), the page's
    rel=canonical (absolute) and the same article's next page ("halaman 2")."""

    is_article: bool
    article: Article | None
    canonical: str | None = None
    next_page: str | None = None
    requisites: tuple[str, ...] = ()  # stylesheets, scripts, images the page loads


def has_article_marker(tree: HtmlElement, site: SiteConfig) -> bool:
    """True if the page matches one of the site's ``articles.require_any`` selectors."""
    for rule in site.articles.require_any:
        try:
            if tree.cssselect(rule):
                return True
        except (SelectorError, ValueError):
            LOG.warning("invalid articles.require_any selector %r", rule)
    return False


def page_text(body: bytes, encoding: str) -> str:
    """The text of a page whose encoding the crawl found declared (an explicit encoding, a
    BOM, the Content-Type header or the page's own meta tag): the very call with which
    Scrapy's ``TextResponse.text`` decodes such a page, so the text is the same. The crawl
    hands such pages over as bytes and they are decoded here, in the worker: a pickled
    ``bytes`` is a copy, a pickled ``str`` an encoding to UTF-8 on the crawl's threads."""
    return html_to_unicode(f"charset={encoding}", body)[1]


def read_page(
    html: str | bytes,
    url: str,
    site: SiteConfig | None,
    check_marker: bool = False,
    first_url: str | None = None,
) -> PageResult:
    """Parse ``html`` once and read the marker, links and article from that one tree."""
    tree = parse_html(html)
    if tree is None:
        return PageResult(not check_marker, None)
    if check_marker and site is not None and not has_article_marker(tree, site):
        return PageResult(False, None)
    canonical = rel_canonical(tree, url)
    selector = site.selectors.next_page if site is not None else None
    next_page = next_page_url(tree, url, selector, first_url=first_url)
    requisites = tuple(page_requisites(tree, url))
    article = extract_article(tree, url, site)  # last: it cuts the tree as it reads
    if article is None:
        return PageResult(True, None)
    return PageResult(True, article, canonical, next_page, requisites)
