"""The article body: paragraphs from the site's body element or from trafilatura, cleaned.

Both paths end in :func:`refine`, which takes out what is not body text (credit lines, tag
lines, "Baca Juga" links, ads, caption sentences) and splits the dateline off the first
paragraph. What it takes out is returned too, because the credit lines name the source,
the editor and sometimes the author.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError
from lxml.html import HtmlElement, document_fromstring

from crawler.config.sites import TextRules
from crawler.extraction.article_record import Caption
from crawler.extraction.caption_credit import MAX_CAPTION_CHARS, split_credit
from crawler.extraction.dates import is_date_line
from crawler.extraction.non_body_lines import (
    CREDIT_LABELS,
    MAX_DROPPED_LINE,
    Credits,
    clean,
    is_dropped_line,
    parse_credit_line,
    parse_tag_line,
    split_dateline,
)

LOG = logging.getLogger(__name__)

# Never body text, on any site: code, embeds, forms, ads, sharing, related posts, comments.
BOILERPLATE_CSS = [
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "form", "button", "select", "textarea", "ins", ".adsbygoogle", ".code-block",
    ".sharedaddy", ".share-buttons", ".social-share", ".jp-relatedposts", ".related-posts",
    ".yarpp-related", "#comments", ".comments-area", ".comment-respond", ".post-navigation",
    ".author-box", "#secondary", ".widget-area", ".komentar", "#komentar", ".detail__komentar",
]  # fmt: skip
BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2",
    "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table",
    "thead", "tbody", "tr", "td", "th", "figure", "figcaption", "hr", "br", "address",
}  # fmt: skip
SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title"}
MAX_ELEMENTS = 20_000
CONTAINER_XPATHS = (
    "//*[@itemprop='articleBody']",
    "//*[contains(@class,'entry-content') or contains(@class,'post-content')"
    " or contains(@class,'article-content') or contains(@class,'article-body')]",
    "//article",
    "//main",
)
# Body containers of common Indonesian CMSs (WordPress and the large portals' own):
# itemprop=articleBody, the class token "entry-content", or a class containing one of these.
BODY_CLASS_PARTS = (
    "post-content", "article-content", "article-body", "detail-text", "detail__body-text",
    "txt-article", "read__content",
)  # fmt: skip
_BODY_CLASS = re.compile(
    r"(?:^|\s)entry-content(?:\s|$)|" + "|".join(re.escape(part) for part in BODY_CLASS_PARTS)
)
SWALLOWED = 2.0  # trafilatura text this many times the container's: it took the whole page


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    dateline: str | None = None
    credits: Credits = field(default_factory=Credits)
    tags: list[str] | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@functools.lru_cache(maxsize=256)
def compiled(css: str) -> CSSSelector | None:
    try:
        return CSSSelector(css)
    except (SelectorError, ValueError) as exc:
        LOG.warning("invalid CSS selector %r: %s", css, exc)
        return None


WRAPPER_TAGS = {"form", "button", "object", "canvas"}
_SIMPLE_SELECTOR = re.compile(r"^([.#]?)([A-Za-z][\w-]*)$")


def remove_selectors(tree: HtmlElement, selectors: list[str]) -> list[HtmlElement]:
    """Cut every match of the CSS selectors from the tree, keeping the text after each.

    Plain tag, ``.class`` and ``#id`` selectors are matched in one walk over the tree (a
    union CSS query of forty class tests cost ~100 ms on a big page); others in one query.
    The same walk notes the page's body containers (see :func:`body_container`), so finding
    them later costs no second walk; those inside cut elements are left out.
    """
    tags: set[str] = set()
    classes: set[str] = set()
    ids: set[str] = set()
    complex_css: list[str] = []
    for css in dict.fromkeys(selectors):
        simple = _SIMPLE_SELECTOR.match(css.strip())
        if simple is None:
            complex_css.append(css)
            continue
        kind, name = simple.groups()
        (classes if kind == "." else ids if kind == "#" else tags).add(name)
    doomed: list[HtmlElement] = []
    containers: list[HtmlElement] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        names = element.get("class")
        if (
            element.tag in tags
            or (ids and element.get("id") in ids)
            or (classes and names and not classes.isdisjoint(names.split()))
        ):
            doomed.append(element)
        elif (names and _BODY_CLASS.search(names)) or element.get("itemprop") == "articleBody":
            containers.append(element)
    valid = [css for css in complex_css if compiled(css) is not None]
    union = compiled(", ".join(valid)) if valid else None
    if union is not None:
        doomed.extend(union(tree))
    for element in doomed:
        if element.tag in WRAPPER_TAGS and element.find(".//p") is not None:
            continue  # ASP.NET pages wrap the page in a form, some sites the body in a button
        if element.getparent() is not None:
            element.drop_tree()
    return [e for e in containers if in_tree(e, tree)]


def in_tree(element: HtmlElement, tree: HtmlElement) -> bool:
    """Whether ``element`` is still part of ``tree`` (not inside a cut-out subtree)."""
    top = element
    while (parent := top.getparent()) is not None:
        top = parent
    return top is tree or top is tree.getroottree().getroot()


def block_paragraphs(root: HtmlElement) -> list[str]:
    """The element's text split at block elements and ``<br>``, whitespace collapsed."""
    parts: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = clean("".join(buffer))
        if text:
            parts.append(text)
        buffer.clear()

    skipping = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or not tag:
                skipping += 1
                continue
            if skipping:
                continue
            if tag in BLOCK_TAGS:
                flush()
            if element.text:
                buffer.append(element.text)
            continue
        if tag in SKIP_TAGS or not tag:
            skipping -= 1
        elif not skipping and tag in BLOCK_TAGS:
            flush()
        if not skipping and element is not root and element.tail:
            buffer.append(element.tail)
    flush()
    return parts


def site_paragraphs(tree: HtmlElement, css: str) -> list[str] | None:
    """Paragraphs of the first element the site's body selector matches, or None."""
    try:
        matches = tree.cssselect(css)
    except (SelectorError, ValueError) as exc:
        LOG.warning("invalid body selector %r: %s", css, exc)
        return None
    if not matches:
        return None
    return block_paragraphs(matches[0])


def bounded(tree: HtmlElement, limit: int = MAX_ELEMENTS) -> HtmlElement:
    """A tree trafilatura can finish quickly: its time grows steeply past ~20,000 elements.

    An oversized page is narrowed to its article container when that is small enough, and
    otherwise cut after the first ``limit`` elements (news pages put the body early).
    """
    if int(tree.xpath("count(descendant-or-self::*)")) <= limit:
        return tree
    for xpath in CONTAINER_XPATHS:
        for candidate in tree.xpath(xpath)[:3]:
            size = int(candidate.xpath("count(descendant-or-self::*)"))
            if size <= limit and len(candidate.text_content()) > 200:
                LOG.warning("oversized page: extracting from its %s only", candidate.tag)
                page = document_fromstring("<html><head></head><body></body></html>")
                page.body.append(copy.deepcopy(candidate))
                return page
    LOG.warning("oversized page: keeping its first %d elements", limit)
    trimmed = copy.deepcopy(tree)
    extra = [e for i, e in enumerate(trimmed.iter()) if i >= limit]
    for element in reversed(extra):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return trimmed


def body_container(tree: HtmlElement, found: list[HtmlElement]) -> HtmlElement | None:
    """The page's one recognisable body container among ``found`` (what
    :func:`remove_selectors` met) still in the tree, or None if there is not exactly one."""
    alive = [e for e in found if in_tree(e, tree)]
    alive_set = set(alive)
    outer = [e for e in alive if not any(a in alive_set for a in e.iterancestors())]
    return outer[0] if len(outer) == 1 else None


def _caption_keys(captions: list[Caption]) -> set[str]:
    keys: set[str] = set()
    for caption in captions:
        keys.add(caption.text.casefold())
        if caption.credit:
            keys.add(f"{caption.text} ({caption.credit})".casefold())
    return keys


def _repeats_caption(para: str, caption_keys: set[str]) -> bool:
    if para.casefold() in caption_keys:
        return True
    return len(para) <= MAX_CAPTION_CHARS and split_credit(para)[0].casefold() in caption_keys


def _is_non_body_line(para: str, rules: TextRules | None, body: Body) -> bool:
    """A credit, tag, share-prompt or date line; credits and tags are kept in ``body``."""
    credits = parse_credit_line(para, rules)
    if credits is not None:
        body.credits.merge(credits)
        return True
    tags = parse_tag_line(para)
    if tags is not None:
        body.tags = body.tags or tags
        return True
    return is_dropped_line(para, rules) or is_date_line(para)


def refine(
    paragraphs: list[str],
    rules: TextRules | None,
    captions: list[Caption],
    title: str | None = None,
) -> Body:
    """Keep body paragraphs only; collect dateline, credits and tag line on the way.

    A leading paragraph that repeats the title (trafilatura keeps some headlines) is
    dropped, so the dateline is still looked for in the first real paragraph.
    """
    body = Body()
    caption_keys = _caption_keys(captions)
    title_key = clean(title or "").casefold()
    for raw in paragraphs:
        para = clean(raw)
        if not para:
            continue
        if not body.paragraphs and title_key and para.casefold() == title_key:
            continue
        if caption_keys and _repeats_caption(para, caption_keys):
            continue
        if len(para) <= MAX_DROPPED_LINE and _is_non_body_line(para, rules, body):
            continue  # a longer paragraph is body text, whatever its first words say
        if not body.paragraphs:
            place, rest = split_dateline(para, rules)
            if place:
                body.dateline, para = place, rest
        body.paragraphs.append(para)
    return body


# A loose first check on the lower-cased text (no case folding or word boundaries in the
# regex: twice as fast on a whole page); parse_credit_line decides on each line after it.
_CREDIT_LABEL = re.compile(r"(?:" + "|".join(CREDIT_LABELS) + r")\s{0,3}:")


def scan_credits(scope: HtmlElement, rules: TextRules | None) -> Credits:
    """Credit lines anywhere in the article, for pages whose credits sit outside the body.

    The paragraphs are only split when the text names a credit label at all.
    """
    credits = Credits()
    site_regex = rules is not None and bool(rules.source_editor)
    if not site_regex and not _CREDIT_LABEL.search(scope.text_content().lower()):
        return credits
    for para in block_paragraphs(scope):
        found = parse_credit_line(para, rules)
        if found is not None:
            credits.merge(found)
    return credits
