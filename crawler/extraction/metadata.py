"""Article metadata from the page head: metas, Yoast-style JSON-LD graphs and site selectors.

Read from the untouched tree, before anything is cut, so that an element removed as
boilerplate (a tag list in the footer, a byline in the header) can still name tags and
authors.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml.cssselect import SelectorError
from lxml.html import HtmlElement

from crawler.extraction.non_body_lines import clean
from crawler.extraction.titles import headline

LOG = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "BlogPosting",
    "LiveBlogPosting", "Report", "SatiricalArticle", "TechArticle", "ScholarlyArticle",
}  # fmt: skip
PAGE_TYPES = {"WebPage", "ItemPage", "AboutPage", "ContactPage"}
LISTING_TYPES = {"CollectionPage", "ProfilePage", "SearchResultsPage", "FAQPage", "QAPage"}
AUTHOR_METAS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
BYLINE_PREFIX = re.compile(r"^(?:Oleh|By|Penulis|Reporter|Pewarta)\s*:?\s+", re.IGNORECASE)
NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\bdan\b|\band\b)\s*")
TITLE_SEPARATORS = r"\s+[-|–—:·»]\s+"
MAX_H1S = 12  # logo, menu and article headings; past a dozen they are a listing's
# rel="tag" links, else /tag/ links in a tag box; never a sidebar tag cloud.
TAG_LINKS_XPATH = (
    "//a[@rel='tag'][not(ancestor::*[self::aside or contains(@class,'widget')])]"
    " | //*[contains(@class,'tag')][not(ancestor-or-self::*[self::aside or"
    " contains(@class,'widget') or contains(@class,'cloud') or contains(@class,'sidebar')])]"
    "//a[contains(@href,'/tag/') or contains(@href,'/tags/') or contains(@href,'/topik/')]"
)


@dataclass
class PageMeta:
    """The structured metadata of one page."""

    metas: dict[str, list[str]] = field(default_factory=dict)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    article: dict[str, Any] | None = None
    pages: list[dict[str, Any]] = field(default_factory=list)

    def first(self, *names: str) -> str | None:
        for name in names:
            for value in self.metas.get(name, []):
                if value:
                    return value
        return None

    def node_types(self) -> set[str]:
        return {t for node in self.nodes for t in _types(node)}


def read_page_meta(tree: HtmlElement) -> PageMeta:
    meta = PageMeta(metas=read_metas(tree), nodes=read_jsonld(tree))
    by_id = {n["@id"]: n for n in meta.nodes if isinstance(n.get("@id"), str)}
    for node in meta.nodes:
        types = _types(node)
        if meta.article is None and types & ARTICLE_TYPES:
            meta.article = _resolve(node, by_id)
        elif types & PAGE_TYPES:
            meta.pages.append(node)
    return meta


def read_metas(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased property, name or itemprop, in page order."""
    metas: dict[str, list[str]] = {}
    for element in tree.xpath("//meta[@content]"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        if key:
            value = clean(element.get("content") or "")
            metas.setdefault(key.strip().lower(), []).append(value)
    return metas


def read_jsonld(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, with ``@graph`` members flattened in."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(@type,'ld+json')]"):
        raw = (script.text or "").strip()
        raw = re.sub(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$", "", raw).strip().rstrip(";")
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            LOG.debug("unreadable JSON-LD block skipped")
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                nodes.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack[:0] = graph
    return nodes


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _resolve(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The node with author/publisher ``{"@id": ...}`` references replaced by their targets."""
    resolved = dict(node)
    for key in ("author", "creator"):
        value = resolved.get(key)
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, dict) and "name" not in item and item.get("@id") in by_id:
                item = by_id[item["@id"]]
            out.append(item)
        resolved[key] = out
    return resolved


def _strings(value: Any) -> list[str]:
    """A JSON-LD value as a list of clean strings (names of objects, items of lists)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [clean(html.unescape(value))] if value.strip() else []
    if isinstance(value, dict):
        return _strings(value.get("name"))
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def select_texts(tree: HtmlElement, css: str | None) -> list[str]:
    """Texts of a site selector's matches; a ``<meta>`` match gives its content."""
    if not css:
        return []
    try:
        elements = tree.cssselect(css)
    except (SelectorError, ValueError) as exc:
        LOG.warning("invalid selector %r: %s", css, exc)
        return []
    texts = []
    for element in elements:
        raw = element.get("content") if element.tag == "meta" else element.text_content()
        value = clean(raw or "")
        if value:
            texts.append(value)
    return texts


def site_names(meta: PageMeta, url: str, site_title: str | None) -> list[str]:
    names = [
        site_title or "",
        meta.first("og:site_name") or "",
        meta.first("application-name") or "",
    ]
    for node in meta.nodes:
        if _types(node) & {"WebSite", "Organization", "NewsMediaOrganization"}:
            names.extend(_strings(node.get("name")))
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:  # an address without a host ("", a file name) names no site: no bare "www."
        names.extend([host, "www." + host])
    return [n for n in dict.fromkeys(names) if n]


@functools.lru_cache(maxsize=512)
def _suffix(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{TITLE_SEPARATORS}){re.escape(name)}\s*$", re.IGNORECASE)


def strip_site_suffix(title: str, names: list[str]) -> str:
    """ "Title - Niaga.Asia" -> "Title", for the site's own names only."""
    for name in names:
        stripped = _suffix(name).sub("", title)
        if stripped != title and stripped.strip():
            return stripped.strip()
    return title


def heading_text(element: HtmlElement) -> str:
    """An element's text with a space for each ``<br>`` ("WEEKEND<br>CODING" is two words)."""
    if element.find(".//br") is None:
        return clean(element.text_content())
    nodes = element.xpath(".//text()[not(ancestor::script or ancestor::style)] | .//br")
    return clean("".join(n if isinstance(n, str) else " " for n in nodes))


def find_title(
    tree: HtmlElement, meta: PageMeta, names: list[str], css: str | None, url: str = ""
) -> str | None:
    """The site's title element when it has one, else the headline the page's titles agree on."""
    for candidate in select_texts(tree, css)[:1]:
        title = strip_site_suffix(clean(html.unescape(candidate)), names)
        if title:
            return title
    metadata = [meta.first("og:title", "twitter:title") or ""]
    metadata += _strings(meta.article.get("headline")) if meta.article else []
    page_title: str | None = None
    h1s: list[str] = []
    for element in tree.xpath("//title | //h1"):  # one walk; iter("h1") misses some trees
        if element.tag == "h1" and len(h1s) < MAX_H1S:
            h1s.append(heading_text(element))
        elif element.tag == "title" and page_title is None:
            page_title = clean(element.text_content())
    metadata += [page_title] if page_title else []
    return headline([m for m in metadata if m], h1s, names, url)


def _split_names(raw: str) -> list[str]:
    text = BYLINE_PREFIX.sub("", clean(raw))
    if not text or text.startswith(("http://", "https://")) or len(text) > 120:
        return []
    return [n.strip(" .,") for n in NAME_SPLIT.split(text) if n.strip(" .,")]


def find_authors(tree: HtmlElement, meta: PageMeta, css: str | None) -> list[str]:
    """Authors from JSON-LD, author metas and the site's byline selector, in that order."""
    raw: list[str] = []
    if meta.article:
        raw += _strings(meta.article.get("author")) or _strings(meta.article.get("creator"))
    for name in AUTHOR_METAS:
        raw += meta.metas.get(name, [])
    raw += select_texts(tree, css)
    if not raw:
        raw += [
            clean(a.text_content())
            for a in tree.xpath(
                "(//article | //body)[1]//*[contains(@class,'byline') or contains(@class,'author')]"
                "//a[contains(@href,'/author/') or @rel='author'] | //a[@rel='author']"
            )[:3]
        ]
    return dedupe(name for item in raw for name in _split_names(item))


def dedupe(values: Any) -> list[str]:
    out: dict[str, str] = {}
    for value in values:
        key = value.casefold()
        if value and key not in out:
            out[key] = value
    return list(out.values())


def find_tags(tree: HtmlElement, meta: PageMeta, css: str | None) -> list[str]:
    """The first source that names tags: article:tag, JSON-LD keywords, selector, rel=tag."""
    tags = meta.metas.get("article:tag", [])
    if not tags and meta.article:
        keywords = meta.article.get("keywords")
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        tags = _strings(keywords)
    if not tags:
        tags = select_texts(tree, css)
    if not tags:
        tags = [clean(a.text_content()) for a in tree.xpath(TAG_LINKS_XPATH)]
    return dedupe(clean(html.unescape(t)) for t in tags)


def find_section(tree: HtmlElement, meta: PageMeta, css: str | None) -> str | None:
    candidates = select_texts(tree, css)[:1] + meta.metas.get("article:section", [])[:1]
    if meta.article:
        candidates += _strings(meta.article.get("articleSection"))[:1]
    for value in candidates:
        value = clean(html.unescape(value))
        if value:
            return value
    return None


def find_language(tree: HtmlElement, meta: PageMeta, default: str | None) -> str | None:
    """The primary language subtag ("id" from "id-ID" or "id_ID")."""
    candidates = [tree.get("lang"), tree.get("xml:lang"), meta.first("content-language")]
    candidates += [meta.first("og:locale")]
    if meta.article:
        candidates += _strings(meta.article.get("inLanguage"))
    candidates.append(default)
    for value in candidates:
        if value and re.match(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$", value.strip()):
            return re.split(r"[-_]", value.strip())[0].lower()
    return None


def is_article_page(meta: PageMeta) -> bool | None:
    """True or False when the page says what it is; None when it does not say."""
    if meta.article is not None:
        return True
    og_type = (meta.first("og:type") or "").lower()
    if og_type:
        return og_type == "article" or og_type.startswith("article")
    if meta.node_types() & LISTING_TYPES:
        return False
    return None
