"""Photo captions, read from the DOM before any text extraction runs.

trafilatura drops ``<figcaption>`` and everything whose class says "caption", and the classic
WordPress ``wp-caption-text`` can leak into its text. So captions are collected here with
their credit and image, and then every caption and figure is cut from the tree, which keeps
caption sentences out of the body whichever extractor reads it next.
"""

from __future__ import annotations

import logging
import re

from lxml.cssselect import SelectorError
from lxml.html import HtmlElement

from crawler.canonical import join_url
from crawler.extraction.article_record import Caption
from crawler.extraction.caption_credit import (
    CREDIT_HINT,
    CREDIT_PREFIX,
    MAX_CAPTION_CHARS,
    split_credit,
)
from crawler.extraction.caption_markup import (
    caption_boxes,
    is_teaser_or_staff,
    lead_image_sentence,
)
from crawler.extraction.non_body_lines import CREDIT_LABELS, clean, is_dropped_line

LOG = logging.getLogger(__name__)

CAPTION_XPATH = ".//figcaption | .//*[contains(@class,'caption')] | .//*[@itemprop='caption']"
# A credit class ("credit", "photo-credit", "image_credits") names a caption only beside an
# image: "credits" at the foot of an article are the staff, not a photographer.
CREDIT_XPATH = ".//*[contains(@class,'credit') or contains(@class,'Credit')]"
# Captions kept in attributes of the image or its wrapper (msn, WordPress attachments).
CAPTION_ATTRS = ("data-caption", "data-image-caption", "data-description")
CREDIT_ATTRS = ("data-attrib", "data-credit", "data-photo-credit", "data-image-credit")
INLINE_TAGS = {"a", "b", "i", "em", "strong", "u", "sup", "sub", "abbr", "font", "code", "mark"}
_TAG = re.compile(r"<[^>]{0,300}>")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[,.;:!?)\]])")
CONTAINER_CLASSES = (
    "caption", "wp-block-image", "wp-caption", "image", "photo", "foto", "media",
)  # fmt: skip
MIN_CAPTION_CHARS = 3
MAX_FIGURE_WORDS = 25  # more words than this beside its caption: a figure holds body text

MAX_LOOSE_CAPTION_CHARS = 400
# "site.example Copyright © 2016" after the footer logo is the site's notice, not a credit.
COPYRIGHT_NOTICE = re.compile(r"\b(?:copyright|hak\s+cipta)\b\W{0,5}(?:19|20)\d\d", re.I)
_STAFF_CREDIT = re.compile(
    r"\b(?:" + "|".join(k for k in CREDIT_LABELS if k != "sumber") + r")\s{0,3}:", re.I
)
LOOSE_TAGS = {"p", "div", "span", "small", "em", "i", "figcaption", "td", "strong", "b", "font"}


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
        if _text_besides(parent, holder):
            return holder
        holder = parent


def _text_besides(parent: HtmlElement, holder: HtmlElement) -> bool:
    """Whether ``parent`` holds text outside ``holder`` (which holds none): its own text,
    its children's tails, or a sibling's text. Stops at the first text found."""
    if parent.text and parent.text.strip():
        return True
    for child in parent:
        if child.tail and child.tail.strip():
            return True
        if child is not holder and isinstance(child.tag, str) and child.text_content().strip():
            return True
    return False


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
                and not COPYRIGHT_NOTICE.search(text)
            ):
                found.append(sibling)
            break
    return found


def _beside_image(element: HtmlElement) -> bool:
    """An image shares one of the element's three nearest ancestors (figure, photo box)."""
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= 3 or ancestor.tag in ("article", "main", "body"):
            return False
        if ancestor.tag == "img" or ancestor.xpath(".//img"):
            return True
    return False


def _is_credit(element: HtmlElement) -> bool:
    classes = (element.get("class") or "").lower()
    return "credit" in classes and "caption" not in classes


def _credit_elements(scope: HtmlElement) -> list[HtmlElement]:
    """Photo-credit elements beside an image; bylines and staff credits are not photos'."""
    found = []
    for element in scope.xpath(CREDIT_XPATH):
        classes = (element.get("class") or "").lower()
        if "author" in classes or "byline" in classes or not _beside_image(element):
            continue
        if _STAFF_CREDIT.search(element.text_content()):
            continue  # "Penulis : X  Editor : Y" is the article's credit block, not a photo's
        if len(clean(element.text_content())) <= MAX_LOOSE_CAPTION_CHARS:
            found.append(element)
    return found


def _caption_elements(scope: HtmlElement, css: str | None) -> list[HtmlElement]:
    """Caption elements, outermost first-found; containers holding the image are skipped."""
    found: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    site = _select(scope, css)
    generic = list(scope.xpath(CAPTION_XPATH)) + caption_boxes(scope) + _credit_elements(scope)
    for element in site + generic + credited_captions(scope):
        if element in seen or not isinstance(element.tag, str):
            continue
        seen.add(element)
        if element.tag in ("script", "style", "img", "body", "html", "article", "main"):
            continue
        if _has_image(element):
            continue
        if element not in site and is_teaser_or_staff(element):
            continue
        found.append(element)
    keep = set(found)
    return [e for e in found if not any(a in keep for a in e.iterancestors())]


def caption_text(element: HtmlElement) -> str:
    """The element's text with a space where block or styled elements meet, so a caption
    and its credit in sibling spans ("...Airport<span>Name / Agency</span>") stay apart."""
    out: list[str] = []
    _pieces(element, out)
    # An empty replacement, not the template r"\1": a template is expanded for every match.
    return _SPACE_BEFORE_PUNCT.sub("", clean("".join(out)))


def _pieces(element: HtmlElement, out: list[str]) -> None:
    if element.text:
        out.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            gap = "" if child.tag in INLINE_TAGS else " "
            out.append(gap)
            _pieces(child, out)
            out.append(gap)
        if child.tail:
            out.append(child.tail)


def _attribute_captions(scope: HtmlElement) -> list[tuple[str, str | None, HtmlElement]]:
    """Captions written into attributes of an image or its wrapper: (text, credit, image)."""
    found = []
    xpath = ".//*[" + " or ".join(f"@{name}" for name in CAPTION_ATTRS) + "]"
    for element in scope.xpath(xpath):
        imgs = [element] if element.tag == "img" else element.xpath(".//img")[:2]
        if len(imgs) != 1:
            continue
        text = next((v for v in map(element.get, CAPTION_ATTRS) if v and v.strip()), "")
        text = clean(_TAG.sub(" ", text))
        if not 3 <= len(text) <= MAX_LOOSE_CAPTION_CHARS:
            continue
        credit = next((v for v in map(element.get, CREDIT_ATTRS) if v and v.strip()), None)
        if credit is None:
            credit = next((v for v in map(imgs[0].get, CREDIT_ATTRS) if v and v.strip()), None)
        found.append((text, clean(credit) if credit and clean(credit) != text else None, imgs[0]))
    return found


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
    return _src(imgs[0], base) if imgs else None


def _src(img: HtmlElement, base: str) -> str | None:
    for attr in ("data-src", "data-lazy-src", "data-original", "src"):
        src = (img.get(attr) or "").strip()
        if src and not src.startswith("data:"):
            return join_url(base, src)
    return None


def base_url(tree: HtmlElement, page_url: str) -> str:
    """The page URL, or the ``<base href>`` it declares, for making image URLs absolute."""
    for href in tree.xpath("//base/@href")[:1]:
        return join_url(page_url, str(href)) or page_url
    return page_url


def collect_captions(
    scope: HtmlElement,
    page_url: str,
    selector: str | None = None,
    credit_regex: str | None = None,
) -> tuple[list[Caption], list[HtmlElement]]:
    """The captions under ``scope`` and the elements to cut so they stay out of the body.

    A caption and a credit element in the same figure make one caption, so a credit set
    apart from its text ("image-caption" + "image-credit") is not lost.
    """
    base = base_url(scope.getroottree().getroot(), page_url)
    captions: list[Caption] = []
    to_cut: list[HtmlElement] = []
    seen: set[tuple[str, str | None]] = set()
    for element, container, credit_el in _grouped(_caption_elements(scope, selector)):
        to_cut.append(container if container is not None else element)
        if credit_el is not None:
            to_cut.append(credit_el)
        raw = caption_text(element)
        if not raw or len(raw) > MAX_CAPTION_CHARS:
            continue
        if is_dropped_line(raw) and not CREDIT_HINT.search(raw):
            continue  # cut all the same: "SCROLL TO CONTINUE" labels wear caption classes too
        text, credit = split_credit(raw, credit_regex)
        if len(text) < MIN_CAPTION_CHARS:
            continue  # "In", a label's remnant: no caption says so little
        if credit_el is not None and credit is None:
            credit = CREDIT_PREFIX.sub("", caption_text(credit_el)).strip(" .,;()") or None
        if (text, credit) in seen:
            continue
        seen.add((text, credit))
        captions.append(
            Caption(text=text, credit=credit, image=_image_url(element, container, base))
        )
    # One caption per image: an attribute saying what a caption element says (its credit
    # split off the same way), or naming an image already captioned, adds nothing.
    known = {c.text.casefold() for c in captions}
    images = {c.image for c in captions if c.image}
    for raw, attr_credit, img in _attribute_captions(scope):
        text, credit = split_credit(raw, credit_regex)
        key, src = text.casefold(), _src(img, base)
        if key in known or any(key in k or k in key for k in known) or src in images:
            continue
        known.add(key)
        if src:
            images.add(src)
        captions.append(Caption(text=text, credit=attr_credit or credit, image=src))
    return captions, to_cut


def lead_caption(
    scope: HtmlElement, title: str | None, page_url: str, credit_regex: str | None = None
) -> Caption | None:
    """The lead image's caption from its ``alt`` or ``title`` (see caption_markup)."""
    found = lead_image_sentence(scope, title)
    if found is None:
        return None
    text, credit = split_credit(found[0], credit_regex)
    base = base_url(scope.getroottree().getroot(), page_url)
    return Caption(text=text, credit=credit, image=_src(found[1], base))


def _grouped(
    elements: list[HtmlElement],
) -> list[tuple[HtmlElement, HtmlElement | None, HtmlElement | None]]:
    """(caption, container, credit element): a lone caption and a lone credit element under
    one figure or parent are paired; everything else stands alone."""
    keys = {e: (_container(e) if _container(e) is not None else e.getparent()) for e in elements}
    groups: dict[HtmlElement | None, list[HtmlElement]] = {}
    for element in elements:
        groups.setdefault(keys[element], []).append(element)
    out = []
    paired: set[HtmlElement] = set()
    for members in groups.values():
        credits = [e for e in members if _is_credit(e)]
        texts = [e for e in members if not _is_credit(e)]
        if len(texts) == 1 and len(credits) == 1:
            paired.add(credits[0])
            out.append((texts[0], _container(texts[0]), credits[0]))
    for element in elements:
        if element not in paired and not any(element is o[0] for o in out):
            out.append((element, _container(element), None))
    order = {e: i for i, e in enumerate(elements)}
    return sorted(out, key=lambda item: order[item[0]])


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
