"""Photo captions, read from the DOM before any text extraction runs.

trafilatura drops ``<figcaption>`` and everything whose class says "caption", and the classic
WordPress ``wp-caption-text`` can leak into its text. So captions are collected here with
their credit and image, and then every caption and figure is cut from the tree, which keeps
caption sentences out of the body whichever extractor reads it next.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from lxml.cssselect import SelectorError
from lxml.html import HtmlElement

from crawler.extraction.article_record import Caption
from crawler.extraction.non_body_lines import clean, is_dropped_line
from crawler.patterns import PatternError, site_pattern

LOG = logging.getLogger(__name__)

CAPTION_XPATH = ".//figcaption | .//*[contains(@class,'caption')] | .//*[@itemprop='caption']"
CONTAINER_CLASSES = (
    "caption", "wp-block-image", "wp-caption", "image", "photo", "foto", "media",
)  # fmt: skip
MAX_CAPTION_CHARS = 1000
MAX_FIGURE_WORDS = 25  # more words than this beside its caption: a figure holds body text

# Searched, not matched from the start: the text before the label is whatever precedes it,
# so no lazy prefix has to be tried against every position (that backtracked quadratically).
TRAILING_CREDIT = re.compile(
    r"\b(?:Foto|Photo|Fotografer|Dok(?:umentasi)?)\s{0,3}[:.]\s{0,3}"
    r"(?P<credit>[^()]{2,120}?)\s?\.?$",
    re.IGNORECASE,
)
# A credit in brackets closing the caption: "(Foto: X)", "(ANTARA/X)".
BRACKET_CREDIT = re.compile(r"\((?P<credit>[^()]{2,120})\)\s?\.?$")
# The credit first: "KOMPAS.COM/NAMA LENGKAP — text", "ANTARA FOTO/Nama - text".
LEADING_CREDIT = re.compile(
    r"(?P<credit>[A-Z][A-Z0-9.]{1,30}(?: FOTO)?\s?/\s?[A-Z][\w.' -]{1,60}?)\s[—–-]{1,2}\s"
)
CREDIT_PREFIX = re.compile(r"^(?:Foto|Photo|Fotografer|Sumber\s+foto|Kredit)\s*:\s*", re.I)
# "(kiri)", "(tengah)", "(kedua dari kanan)" say who is where in the photo; they are no credit.
# A caption without a caption class is recognised by its credit: "Foto: X", "Dok. X",
# "(ANTARA/Foto: X)", "(TRIBUNKALTIM.CO/NAMA)" or "(Istimewa)" next to an image.
CREDIT_HINT = re.compile(
    r"\b(?:Foto|Photo|Fotografer|Dok(?:umentasi)?)\s*[:.]\s*\S"
    r"|\((?=[^()/]{0,120}[A-Za-z][^()/]{0,120}/\s?[A-Za-z])[^()]{3,120}\)\s?\.?\s?$"
    r"|\((?:Istimewa|Ist|Dok(?:umentasi)?|Handout)[^()]{0,60}\)\s?\.?\s?$",
    re.IGNORECASE,
)
MAX_LOOSE_CAPTION_CHARS = 400
LOOSE_TAGS = {"p", "div", "span", "small", "em", "i", "figcaption", "td", "strong", "b", "font"}
POSITION = re.compile(
    r"^(?:ke-?\w+\s+|kedua\s+|ketiga\s+|paling\s+)?(?:dari\s+)?"
    r"(?:kiri|kanan|tengah|depan|belakang|atas|bawah|left|right|center|centre)\b",
    re.IGNORECASE,
)


def split_credit(caption: str, site_regex: str | None = None) -> tuple[str, str | None]:
    """(text, credit) for "text (credit)", "text (Foto: X)", "text Foto: X" and the credit
    first, "KOMPAS.COM/NAMA — text". Text longer than a caption is returned whole, so no
    pattern, built-in or the site's, ever runs on a body-sized paragraph."""
    caption = clean(caption)
    if len(caption) > MAX_CAPTION_CHARS:
        return caption, None
    if site_regex:
        found = _site_split(caption, site_regex)
        if found is not None:
            return found
    text, credit = caption, None
    match = BRACKET_CREDIT.search(caption)
    trailing = None if match else TRAILING_CREDIT.search(caption)
    if match is not None:
        text, credit = caption[: match.start()], match["credit"]
    elif trailing is not None:
        text, credit = caption[: trailing.start()].rstrip(" .,;:|–—-"), trailing["credit"]
    else:
        match = LEADING_CREDIT.match(caption)
        if match is None:
            return caption, None
        text, credit = caption[match.end() :], match["credit"]
    return _tidy(caption, text, credit)


def _site_split(caption: str, site_regex: str) -> tuple[str, str | None] | None:
    try:
        match = site_pattern(site_regex, dotall=True).match(caption)
    except PatternError as exc:
        LOG.warning("invalid caption_credit regex %r: %s", site_regex, exc)
        return None
    if match is None or not {"text", "credit"} <= set(match.groupdict()):
        return None
    if not (match["credit"] or "").strip():
        return None
    return _tidy(caption, match["text"] or "", match["credit"])


def _tidy(caption: str, text: str, credit: str | None) -> tuple[str, str | None]:
    credit = CREDIT_PREFIX.sub("", clean(credit or "")).strip(" .,;")
    if not credit or POSITION.match(credit):
        return caption, None
    text = clean(text).strip(" ,;:|–—-")
    return (text, credit) if text else (caption, credit)


def _select(scope: HtmlElement, css: str | None) -> list[HtmlElement]:
    if not css:
        return []
    try:
        return list(scope.cssselect(css))
    except (SelectorError, ValueError) as exc:
        LOG.warning("invalid caption selector %r: %s", css, exc)
        return []


def _has_image(element: HtmlElement) -> bool:
    return element.tag == "img" or bool(element.xpath(".//img"))


def _textless_wrapper(img: HtmlElement, scope: HtmlElement) -> HtmlElement:
    """The outermost ancestor of the image that holds no text of its own (a, picture, p)."""
    holder = img
    while True:
        parent = holder.getparent()
        if parent is None or parent is scope or parent.tag in ("article", "main", "body"):
            return holder
        if clean(parent.text_content()):
            return holder
        holder = parent


def credited_captions(scope: HtmlElement) -> list[HtmlElement]:
    """Captions that have no caption markup: short credited text right after an image.

    The element must follow the image's wrapper and carry a credit ("Foto: X", "(X/Y)"),
    so a body paragraph that merely follows a photo is never taken for its caption.
    """
    found: list[HtmlElement] = []
    for img in scope.iter("img"):
        holder = _textless_wrapper(img, scope)
        sibling = holder.getnext()
        hops = 0
        while sibling is not None and hops < 2:
            if not isinstance(sibling.tag, str) or sibling.tag in ("br", "script", "style"):
                sibling, hops = sibling.getnext(), hops + (0 if sibling.tag == "br" else 1)
                continue
            if sibling.tag == "img" or sibling.xpath(".//img"):
                break
            text = clean(sibling.text_content())
            if (
                sibling.tag in LOOSE_TAGS
                and 8 <= len(text) <= MAX_LOOSE_CAPTION_CHARS
                and CREDIT_HINT.search(text)
            ):
                found.append(sibling)
            break
    return found


def _caption_elements(scope: HtmlElement, css: str | None) -> list[HtmlElement]:
    """Caption elements, outermost first-found; containers holding the image are skipped."""
    found: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    candidates = _select(scope, css) + list(scope.xpath(CAPTION_XPATH))
    for element in candidates + credited_captions(scope):
        if element in seen or not isinstance(element.tag, str):
            continue
        seen.add(element)
        if element.tag in ("script", "style", "img", "body", "html", "article", "main"):
            continue
        if _has_image(element):
            continue
        found.append(element)
    keep = set(found)
    return [e for e in found if not any(a in keep for a in e.iterancestors())]


def _container(element: HtmlElement) -> HtmlElement | None:
    """The figure or caption wrapper the caption belongs to, at most three levels up."""
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= 3 or ancestor.tag in ("article", "main", "body"):
            break
        classes = (ancestor.get("class") or "").lower()
        if ancestor.tag == "figure":
            return ancestor
        if any(c in classes for c in CONTAINER_CLASSES) and _has_image(ancestor):
            return ancestor
    return None


def _image_url(element: HtmlElement, container: HtmlElement | None, base: str) -> str | None:
    imgs: list[HtmlElement] = container.xpath(".//img") if container is not None else []
    if not imgs:
        previous = element.getprevious()
        # An image just before a loose caption is its image, unless it has a caption of its own.
        if previous is not None and previous.tag != "figure" and not previous.xpath(CAPTION_XPATH):
            imgs = [previous] if previous.tag == "img" else previous.xpath(".//img")
    for img in imgs[:1]:
        for attr in ("data-src", "data-lazy-src", "data-original", "src"):
            src = (img.get(attr) or "").strip()
            if src and not src.startswith("data:"):
                return urljoin(base, src)
    return None


def base_url(tree: HtmlElement, page_url: str) -> str:
    """The page URL, or the ``<base href>`` it declares, for making image URLs absolute."""
    for href in tree.xpath("//base/@href")[:1]:
        return urljoin(page_url, str(href).strip())
    return page_url


def collect_captions(
    scope: HtmlElement,
    page_url: str,
    selector: str | None = None,
    credit_regex: str | None = None,
) -> tuple[list[Caption], list[HtmlElement]]:
    """The captions under ``scope`` and the elements to cut so they stay out of the body."""
    base = base_url(scope.getroottree().getroot(), page_url)
    captions: list[Caption] = []
    to_cut: list[HtmlElement] = []
    seen: set[tuple[str, str | None]] = set()
    for element in _caption_elements(scope, selector):
        container = _container(element)
        to_cut.append(container if container is not None else element)
        raw = clean(element.text_content())
        if not raw or len(raw) > MAX_CAPTION_CHARS or is_dropped_line(raw):
            continue  # cut all the same: "SCROLL TO CONTINUE" labels wear caption classes too
        text, credit = split_credit(raw, credit_regex)
        if (text, credit) in seen:
            continue
        seen.add((text, credit))
        captions.append(
            Caption(text=text, credit=credit, image=_image_url(element, container, base))
        )
    return captions, to_cut


def _words_outside_captions(element: HtmlElement) -> int:
    words = len(element.text_content().split())
    for caption in element.xpath(CAPTION_XPATH):
        words -= len(caption.text_content().split())
    return words


def _holds_body(element: HtmlElement) -> bool:
    """A figure or caption wrapper that also holds a table or paragraphs of its own: the
    wrapper stays, only its caption goes (sites wrap data tables and whole sections so)."""
    if element.xpath(".//table"):
        return True
    return _words_outside_captions(element) > MAX_FIGURE_WORDS


def cut_figures(tree: HtmlElement, extra: list[HtmlElement]) -> None:
    """Remove captions, figures and caption wrappers, keeping the text that follows them.

    A wrapper that holds body text besides its caption loses only the caption.
    """
    targets = list(extra) + list(tree.xpath("//figure | //*[contains(@class,'wp-caption')]"))
    for element in targets:
        if element.getparent() is None:
            continue
        if element.tag != "figcaption" and _holds_body(element):
            inner = [c for c in element.xpath(CAPTION_XPATH) if not _holds_body(c)]
            for caption in inner:
                if caption.getparent() is not None:
                    caption.drop_tree()
            continue
        try:
            element.drop_tree()
        except (AssertionError, ValueError):  # already detached with an ancestor
            continue
