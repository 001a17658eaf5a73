"""Caption markup beyond ``<figure>``: the caption boxes of older Indonesian templates, the
lead image's own sentence, and what only looks like a caption.

Templates of every era put a caption in a box beside the image, not in a ``<figcaption>``:
an id that says caption (``id="caption_x"``), a class in Indonesian ("keterangan",
"ket-foto", "deskripsi"). Such a name is believed only beside an image: the image's parent
or grandparent holds the box. A lead image without any caption may say it in its ``alt`` or
``title`` when that is a sentence and not the headline. Teaser cards ("caption" classes
around a linked headline and a read counter) and staff credit lists (names beside avatars) use the
same words and are no photo captions.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.extraction.non_body_lines import clean

BOX_WORDS = ("caption", "keterangan", "ket-foto", "ket_foto", "ketfoto", "deskripsi")
BOX_XPATH = ".//*[" + " or ".join(
    f"contains(@id,'{w}') or contains(@class,'{w}')" for w in BOX_WORDS
) + "]"  # fmt: skip
BOX_TAGS = {"div", "p", "span", "small", "em", "i", "td", "figcaption", "strong", "b", "font"}
STAFF = re.compile(r"author|avatar|byline|profile|penulis|redaktur|editor|reporter|role", re.I)
MAX_BOX_CHARS = 600
LEAD_WORDS = 6  # an alt or title this long, and not the headline, is the image's caption
NEAR = 2  # ancestors searched for the image beside a caption box


def _images_near(element: HtmlElement) -> list[HtmlElement]:
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= NEAR or ancestor.tag in ("article", "main", "body"):
            return []
        imgs = ancestor.xpath(".//img")
        if imgs:
            return list(imgs)
    return []


def is_avatar(img: HtmlElement) -> bool:
    """A person's picture beside a name: no photo to caption."""
    return any("avatar" in (img.get(a) or "").lower() for a in ("class", "alt", "src"))


def is_teaser_or_staff(element: HtmlElement) -> bool:
    """A caption-named element that is a teaser card's headline or a staff credit. A
    ``<figcaption>`` is always a caption, linked or not (roundups link every caption)."""
    if element.tag == "figcaption":
        return False
    if element.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"):
        return True  # a caption holds no headline; a teaser card's text part does
    for depth, node in enumerate([element, *element.iterancestors()]):
        if depth > NEAR:
            break
        if STAFF.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    imgs = _images_near(element)
    return bool(imgs) and all(is_avatar(img) for img in imgs)


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)|^#|^javascript:", re.I)


def _teaser_image(img: HtmlElement) -> bool:
    """An avatar, or a thumbnail linking to another page (a teaser card's picture); a link
    to the full-size picture or to nothing keeps a photo a photo."""
    if is_avatar(img):
        return True
    links = img.xpath("ancestor::a[@href]")
    return bool(links) and not _IMAGE_FILE.search((links[-1].get("href") or "").strip())


def caption_boxes(scope: HtmlElement) -> list[HtmlElement]:
    """Elements named for a caption by id or by an Indonesian or generic class word, beside
    an image that is neither an avatar nor a teaser's thumbnail, holding caption-sized
    text."""
    found = []
    for element in scope.xpath(BOX_XPATH):
        if element.tag not in BOX_TAGS or element.xpath(".//img"):
            continue
        if not 3 <= len(clean(element.text_content())) <= MAX_BOX_CHARS:
            continue
        imgs = _images_near(element)
        if imgs and not all(_teaser_image(img) for img in imgs):
            found.append(element)
    return found


def lead_image_sentence(scope: HtmlElement, title: str | None) -> tuple[str, HtmlElement] | None:
    """The first image's ``alt`` or ``title`` when it is a sentence and not the headline."""
    img = next(iter(scope.iter("img")), None)
    if img is None or _teaser_image(img):
        return None
    headline = clean(title or "").casefold()
    for name in ("alt", "title"):
        text = clean(img.get(name) or "")
        key = text.casefold()
        if len(text.split()) < LEAD_WORDS or (headline and (key in headline or headline in key)):
            continue
        return text, img
    return None
