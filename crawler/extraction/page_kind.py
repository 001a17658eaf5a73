"""What an article page is: a text article, a photo, a gallery or a video, from generic signals.

A photo story's text is its captions: the reading that suits a text article keeps the page
furniture around a photo (dates of related links, "Fotografer:" lines, contact lines) or
nothing at all when the photos sit in <figure> elements, which are cut as captions. So the
page says what it is, through the declared type (og:type "video", JSON-LD ImageGallery or
VideoObject), words in its address outside the slug ("foto", "photo", "galeri", "gallery",
"picture", "video", also inside a longer word such as "readfoto"), or its shape: several
captioned images and less text than captions. A hint alone is not enough: a text article of
some length on a "foto" path stays an article.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.extraction.article_record import Caption
from crawler.extraction.metadata import PageMeta

ARTICLE, PHOTO, GALLERY, VIDEO = "article", "photo", "gallery", "video"
PHOTO_WORDS = re.compile(r"foto|photo|picture|galer[iy]|gallery|gambar|slide", re.I)
VIDEO_WORDS = re.compile(r"video|vidio", re.I)
GALLERY_TYPES = {"ImageGallery", "MediaGallery", "ImageObject", "Photograph"}
VIDEO_TYPES = {"VideoObject", "VideoGallery", "Movie", "Clip"}
MEDIA_BODY_WORDS = 150  # a hinted page with more text of its own than this is a text article
SHAPE_CAPTIONS = 3  # this many captioned images with more caption words than text: a gallery
PROSE_WORDS = 8  # a line this long is the page's own text on a photo page; shorter: furniture
_SLUG_START = re.compile(r"^(?:foto|photo|galeri|gallery|video)s?(?:[-_]|$)", re.I)


def _address_hint(url: str) -> str | None:
    """PHOTO or VIDEO when the host or a folder names the medium (the slug only by its first
    word: "foto-banjir-..." is a photo story, "...-lewat-foto" an article about one)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").split(".")[:-2]
    segments = [s for s in parts.path.split("/") if s]
    places = host + segments[:-1]
    slug = segments[-1] if segments else ""
    for place in places:
        if VIDEO_WORDS.search(place):
            return VIDEO
        if PHOTO_WORDS.search(place):
            return PHOTO
    start = _SLUG_START.match(slug)
    if start:
        return VIDEO if VIDEO_WORDS.match(start.group(0)) else PHOTO
    return None


def _declared(meta: PageMeta) -> str | None:
    og_type = (meta.first("og:type") or "").lower()
    if og_type.startswith("video"):
        return VIDEO
    main = set()
    if meta.article is None:
        main = meta.node_types()
    if main & VIDEO_TYPES:
        return VIDEO
    if main & GALLERY_TYPES:
        return PHOTO
    return None


def page_kind(meta: PageMeta, url: str, body_words: int, captions: list[Caption]) -> str:
    """ARTICLE, PHOTO, GALLERY or VIDEO (see the module docstring for the evidence)."""
    caption_words = sum(len(c.text.split()) for c in captions)
    hint = _declared(meta) or _address_hint(url)
    if hint is not None and body_words <= MEDIA_BODY_WORDS:
        if hint == VIDEO:
            return VIDEO
        return GALLERY if len(captions) > 1 else PHOTO
    if len(captions) >= SHAPE_CAPTIONS and caption_words > max(body_words, MEDIA_BODY_WORDS // 3):
        return GALLERY
    return ARTICLE


def media_paragraphs(paragraphs: list[str], captions: list[Caption]) -> tuple[list[str], bool]:
    """The body of a photo, gallery or video page, and whether it is its captions: the page's
    own prose when it has some (lines of a sentence's length), else every caption's text."""
    prose = [p for p in paragraphs if len(p.split()) >= PROSE_WORDS]
    if prose:
        return prose, False
    texts: list[str] = []
    for caption in captions:
        if caption.text not in texts:
            texts.append(caption.text)
    return texts, True
