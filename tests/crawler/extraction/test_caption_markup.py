"""Caption markup beyond <figure>: caption boxes beside an image, the lead image's own
sentence, and the teaser cards and staff credits that only look like captions."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, document_fromstring, fragment_fromstring

from crawler.extraction.caption_markup import (
    caption_boxes,
    is_avatar,
    is_teaser_or_staff,
    lead_image_sentence,
)

BOX = '<span class="keterangan">Warga antre air bersih di Samarinda</span>'


def _boxes(body: str) -> list[str]:
    tree = document_fromstring(f"<html><body>{body}</body></html>")
    return [e.text_content() for e in caption_boxes(tree)]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        # the image in the box's parent or grandparent: the box is its caption
        (f'<div class="foto"><img src="/a.jpg">{BOX}</div>', True),
        (f'<div class="foto"><img src="/a.jpg"><div>{BOX}</div></div>', True),
        # the image three levels up belongs to something else
        (f'<div class="foto"><img src="/a.jpg"><div><div>{BOX}</div></div></div>', False),
        # the article, main or body holding an image somewhere is no photo box
        (f'<article><img src="/a.jpg"><p>Isi berita.</p>{BOX}</article>', False),
        (f'<main><img src="/a.jpg"><p>Isi berita.</p>{BOX}</main>', False),
        (f'<img src="/a.jpg"><p>Isi berita.</p>{BOX}', False),
        (f"<div>{BOX}</div>", False),
    ],
)  # fmt: skip
def test_a_caption_box_is_one_only_beside_an_image(body: str, found: bool) -> None:
    assert bool(_boxes(body)) is found


@pytest.mark.parametrize(("length", "found"), [(2, False), (3, True), (600, True), (601, False)])
def test_a_caption_box_holds_3_to_600_characters(length: int, found: bool) -> None:
    box = f'<span class="keterangan">{"a" * length}</span>'
    assert bool(_boxes(f'<div class="foto"><img src="/a.jpg">{box}</div>')) is found


def test_a_box_holding_an_image_or_of_a_heading_tag_is_no_caption_box() -> None:
    # A heading named "caption-title" comes first: it is passed over, and so is a box that
    # holds an image of its own; the plain box beside them is still the image's caption.
    body = (
        '<div class="foto"><h3 class="caption-title">Galeri foto hari ini</h3>'
        '<img src="/a.jpg"><span class="keterangan"><img src="/b.jpg">Foto kedua</span>'
        f"{BOX}</div>"
    )
    assert _boxes(body) == ["Warga antre air bersih di Samarinda"]


@pytest.mark.parametrize(
    ("image", "found"),
    [
        ('<img src="/a.jpg">', True),
        # a link to the full-size picture (or to nothing) keeps a photo a photo
        ('<a href="/uploads/a.jpg"><img src="/a-300x200.jpg"></a>', True),
        ('<a href=" /uploads/a.JPEG?w=1200 "><img src="/a.jpg"></a>', True),
        ('<a href="#"><img src="/a.jpg"></a>', True),
        # a thumbnail linking to another page is a teaser card's picture
        ('<a href="/berita/lain"><img src="/a.jpg"></a>', False),
        ('<a href="/berita/lain"><span><img src="/a.jpg"></span></a>', False),
        # an avatar is no photo to caption
        ('<img src="/a.jpg" class="author-avatar">', False),
    ],
)  # fmt: skip
def test_a_teaser_thumbnail_or_an_avatar_has_no_caption_box(image: str, found: bool) -> None:
    assert bool(_boxes(f'<div class="foto">{image}{BOX}</div>')) is found


@pytest.mark.parametrize(
    "img",
    [
        '<img class="Avatar photo" src="/u/1.jpg">',
        '<img alt="avatar Budi" src="/u/1.jpg">',
        '<img src="/wp-content/avatars/BUDI-AVATAR-96.jpg">',
    ],
)
def test_an_avatar_is_named_by_its_class_alt_or_address(img: str) -> None:
    assert is_avatar(fragment_fromstring(img))


def test_a_plain_photo_is_no_avatar() -> None:
    assert not is_avatar(fragment_fromstring('<img class="photo" alt="Banjir" src="/a.jpg">'))


def _element(body: str) -> HtmlElement:
    tree = document_fromstring(f"<html><body>{body}</body></html>")
    return tree.xpath("//*[@id='x']")[0]


@pytest.mark.parametrize(
    ("body", "teaser"),
    [
        # a plain caption beside its photo
        ('<div class="foto"><img src="/a.jpg"><div id="x" class="caption">Banjir</div></div>',
         False),
        # a caption holds no headline; a teaser card's text part does
        ('<div class="card"><img src="/a.jpg"><div id="x" class="caption"><h3><a href="/b">'
         "Judul berita lain</a></h3></div></div>", True),
        ('<div class="card"><img src="/a.jpg"><div id="x" class="caption"><h1>Judul</h1>'
         "</div></div>", True),
        ('<div class="card"><img src="/a.jpg"><div id="x" class="caption"><h6>Judul</h6>'
         "</div></div>", True),
        # staff words in the class or id of the element, its parent or its grandparent
        ('<div><img src="/a.jpg"><div id="x" class="caption author-name">Budi</div></div>', True),
        ('<div id="author-box"><img src="/a.jpg"><div id="x" class="caption">Budi</div></div>',
         True),
        ('<div class="profile"><div><img src="/a.jpg"><div id="x" class="caption">Budi</div>'
         "</div></div>", True),
        # three levels up, a staff word names something else
        ('<div class="profile"><div><div><img src="/a.jpg"><div id="x" class="caption">Budi</div>'
         "</div></div></div>", False),
        # a caption beside avatars only is a staff credit
        ('<div><img class="avatar" src="/a.jpg"><div id="x" class="caption">Budi</div></div>',
         True),
    ],
)  # fmt: skip
def test_teaser_cards_and_staff_credits_are_no_captions(body: str, teaser: bool) -> None:
    assert is_teaser_or_staff(_element(body)) is teaser


@pytest.mark.parametrize(
    "body",
    [
        # a figcaption is always a caption: roundups link every caption, even in a headline
        '<figure><img src="/a.jpg"><figcaption id="x"><h3><a href="/b">Satu</a></h3>'
        "</figcaption></figure>",
        '<div class="author"><figure><img class="avatar" src="/a.jpg">'
        '<figcaption id="x">Budi</figcaption></figure></div>',
    ],
)
def test_a_figcaption_is_always_a_caption(body: str) -> None:
    assert not is_teaser_or_staff(_element(body))


HEADLINE = "Banjir besar melanda Samarinda sejak Senin pagi, ribuan warga mengungsi"


def _lead(img: str, title: str | None = HEADLINE) -> str | None:
    tree = document_fromstring(f"<html><body><article>{img}<p>Isi.</p></article></body></html>")
    found = lead_image_sentence(tree, title)
    return found[0] if found is not None else None


@pytest.mark.parametrize(
    ("img", "expected"),
    [
        # six words and more, not the headline: the image's caption
        ('<img src="/a.jpg" alt="Petugas mengevakuasi warga di Sempaja Utara">',
         "Petugas mengevakuasi warga di Sempaja Utara"),
        # a shorter alt is a label, not a sentence
        ('<img src="/a.jpg" alt="Petugas mengevakuasi warga di Sempaja">', None),
        # the headline, whole or in part, is no caption
        (f'<img src="/a.jpg" alt="{HEADLINE}">', None),
        ('<img src="/a.jpg" alt="Banjir besar melanda Samarinda sejak Senin pagi">', None),
        (f'<img src="/a.jpg" alt="Foto: {HEADLINE} (ANTARA)">', None),
        # the title attribute speaks when the alt does not
        ('<img src="/a.jpg" alt="Banjir" title="Petugas mengevakuasi warga di Sempaja Utara">',
         "Petugas mengevakuasi warga di Sempaja Utara"),
        (f'<img src="/a.jpg" alt="{HEADLINE}" '
         'title="Petugas mengevakuasi warga di Sempaja Utara">',
         "Petugas mengevakuasi warga di Sempaja Utara"),
        # a teaser's thumbnail or an avatar has no caption of its own
        ('<a href="/berita/lain"><img src="/a.jpg" '
         'alt="Petugas mengevakuasi warga di Sempaja Utara"></a>', None),
        ('<img src="/a.jpg" class="avatar" alt="Petugas mengevakuasi warga di Sempaja Utara">',
         None),
    ],
)  # fmt: skip
def test_the_lead_images_own_sentence(img: str, expected: str | None) -> None:
    assert _lead(img) == expected


def test_without_a_headline_any_sentence_long_alt_is_the_caption() -> None:
    alt = "Tersangka berinisial XXXX diperiksa penyidik di Polresta Samarinda"
    assert _lead(f'<img src="/a.jpg" alt="{alt}">', None) == alt
    assert _lead(f'<img src="/a.jpg" alt="{HEADLINE}">', None) == HEADLINE
