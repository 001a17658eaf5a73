"""Captions and their images in the layouts templates use: the wrapper a caption belongs to,
the image before a loose caption, split caption and credit elements, what a figure cut
takes with it, and the lead image's own sentence."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, document_fromstring, fragment_fromstring

from crawler.extraction.article_record import Caption
from crawler.extraction.captions import caption_text, collect_captions, cut_figures, lead_caption

PAGE = "https://www.niaga.asia/a/b/"
IMG = "https://www.niaga.asia/a.jpg"
TEXT = "Warga antre air bersih di Samarinda"


def _found(body: str) -> list[tuple[str, str | None, str | None]]:
    tree = document_fromstring(f"<html><body>{body}</body></html>")
    captions, _ = collect_captions(tree, PAGE)
    return [(c.text, c.credit, c.image) for c in captions]


@pytest.mark.parametrize(
    ("body", "image"),
    [
        # a figure's image is its caption's, before or after it
        (f'<figure><figcaption>{TEXT}</figcaption><img src="/a.jpg"></figure>', IMG),
        # the wrapper is looked for up to three levels up, not further
        (f'<figure><img src="/a.jpg"><div><div><span class="caption">{TEXT}</span></div></div>'
         "</figure>", IMG),
        (f'<figure><img src="/a.jpg"><div><div><div><span class="caption">{TEXT}</span></div>'
         "</div></div></figure>", None),
        # an image right before a loose caption is its image
        (f'<p>Isi berita.</p><img src="/a.jpg"><p class="caption">{TEXT}</p>', IMG),
        (f'<p>Isi berita.</p><p><img src="/a.jpg"></p><p class="caption">{TEXT}</p>', IMG),
        # ... but not a figure's, which is the figure's own
        (f'<p>Isi.</p><figure><img src="/a.jpg"></figure><p class="caption">{TEXT}</p>', None),
        # a loose caption with nothing before it has no image
        (f'<div><p class="caption">{TEXT}</p></div><img src="/a.jpg">', None),
    ],
)  # fmt: skip
def test_the_image_a_caption_belongs_to(body: str, image: str | None) -> None:
    assert _found(f"<article>{body}</article>") == [(TEXT, None, image)]


@pytest.mark.parametrize("tag", ["article", "main", "body"])
def test_an_article_main_or_body_is_never_a_captions_wrapper(tag: str) -> None:
    inner = f'<img src="/a.jpg"><p>Isi berita.</p><p class="caption">{TEXT}</p>'
    html = f'<{tag} class="photo-story">{inner}</{tag}>'
    tree = document_fromstring(
        f"<html>{html}</html>" if tag == "body" else f"<html><body>{html}</body></html>"
    )
    captions, to_cut = collect_captions(tree, PAGE)
    assert [(c.text, c.image) for c in captions] == [(TEXT, None)]
    cut_figures(tree, to_cut)
    assert "Isi berita." in tree.text_content() and TEXT not in tree.text_content()


@pytest.mark.parametrize(
    "body",
    [
        f'<figure><img src="/a.jpg"><figcaption>{TEXT}</figcaption>'
        '<span class="photo-credit">Foto: ANTARA/Nama</span></figure>',
        # a caption box whose class names both words is the caption, not the credit
        f'<div class="photo"><img src="/a.jpg"><div class="caption-credit">{TEXT}</div>'
        '<div class="image-credit">Foto: ANTARA/Nama</div></div>',
    ],
)
def test_a_caption_and_its_credit_element_make_one_caption(body: str) -> None:
    assert _found(f"<article>{body}<p>Isi.</p></article>") == [(TEXT, "ANTARA/Nama", IMG)]


@pytest.mark.parametrize(
    "img",
    [
        '<img src="data:image/gif;base64,R0l" data-lazy-src="/a.jpg">',
        '<img src="data:image/gif;base64,R0l" data-original="/a.jpg">',
        '<img data-src="data:image/gif;base64,R0l" src="/a.jpg">',
    ],
)
def test_a_lazy_images_real_address_is_the_captions_image(img: str) -> None:
    assert _found(f"<article><figure>{img}<figcaption>{TEXT}</figcaption></figure></article>") == [
        (TEXT, None, IMG)
    ]


def test_inline_markup_joins_words_and_punctuation_stays_put() -> None:
    caption = "<figcaption>H<sub>2</sub>O di <b>Sungai</b> <span>Mahakam</span>.</figcaption>"
    assert caption_text(fragment_fromstring(caption)) == "H2O di Sungai Mahakam."


def _words(n: int) -> str:
    return " ".join(f"kata{i}" for i in range(n))


@pytest.mark.parametrize(
    ("caption", "words", "kept"),
    [
        # up to 25 words beside its caption belong to the figure, more are body text
        ("Banjir di Sempaja", 25, False),
        ("Banjir di Sempaja", 26, True),
        # the caption's own words are not counted as the figure's
        (_words(40), 3, False),
    ],
)
def test_a_figure_keeps_body_text_beside_its_caption(caption: str, words: int, kept: bool) -> None:
    text = f"teks{words} " + _words(words - 1)
    tree = document_fromstring(
        f'<html><body><article><figure><img src="/a.jpg"><figcaption>{caption}</figcaption>'
        f"\n<p>{text}</p></figure><p>Isi.</p></article></body></html>"
    )
    cut_figures(tree, [])
    assert (text in tree.text_content()) is kept
    assert caption not in tree.text_content() and "Isi." in tree.text_content()


CREDIT_LINE = "<p>Foto: Dok. Pemkot Samarinda</p>"


@pytest.mark.parametrize(
    ("body", "found"),
    [
        # a wrapper holding only the image (an empty element, a comment) is the image's
        (f'<div><img src="/a.jpg"><span></span></div>{CREDIT_LINE}', True),
        (f'<div><!-- foto utama --><p><img src="/a.jpg"></p></div>{CREDIT_LINE}', True),
        # a wrapper with text of its own is not
        (f'<div><img src="/a.jpg"><span>Iklan</span></div>{CREDIT_LINE}', False),
    ],
)  # fmt: skip
def test_a_credit_line_after_the_images_wrapper_is_its_caption(body: str, found: bool) -> None:
    got = _found(f"<article><p>Isi berita pertama.</p>{body}<p>Isi berita kedua.</p></article>")
    assert [c for _, c, _ in got] == (["Dok. Pemkot Samarinda"] if found else [])


def test_a_credit_line_outside_the_scope_or_the_article_is_not_its_images() -> None:
    tree = document_fromstring(
        f'<html><body><div class="post"><div id="s"><p><img src="/a.jpg"></p></div>{CREDIT_LINE}'
        "</div></body></html>"
    )
    assert collect_captions(tree.xpath("//*[@id='s']")[0], PAGE)[0] == []
    tree = document_fromstring(
        f'<html><body><article><p><img src="/b.jpg"></p></article>{CREDIT_LINE}'
        f'<main><p><img src="/c.jpg"></p></main>{CREDIT_LINE}</body></html>'
    )
    assert collect_captions(tree, PAGE)[0] == []
    # lxml keeps what a broken page puts after </body> as the body's sibling
    tree = document_fromstring(f'<html><body><p><img src="/a.jpg"></p></body>{CREDIT_LINE}</html>')
    assert collect_captions(tree, PAGE)[0] == []


HEADLINE = "Banjir besar melanda Samarinda sejak Senin pagi"


def _lead_tree(alt: str) -> HtmlElement:
    return document_fromstring(
        f'<html><head><base href="https://cdn.niaga.asia/"></head><body><article>'
        f'<img src="img/a.jpg" alt="{alt}"><p>Isi.</p></article></body></html>'
    )


def test_the_lead_caption_has_its_credit_and_absolute_image() -> None:
    tree = _lead_tree(f"{TEXT} | HUMAS PEMKOT")
    site_regex = r"^(?P<text>.*?)\s*\|\s*(?P<credit>.+)$"
    assert lead_caption(tree, HEADLINE, PAGE, site_regex) == Caption(
        text=TEXT, credit="HUMAS PEMKOT", image="https://cdn.niaga.asia/img/a.jpg"
    )
    no_base = document_fromstring(f'<html><body><img src="/a.jpg" alt="{TEXT}"></body></html>')
    assert lead_caption(no_base, None, PAGE) == Caption(text=TEXT, image=IMG)


def test_the_headline_as_alt_is_no_lead_caption() -> None:
    assert lead_caption(_lead_tree(HEADLINE), HEADLINE, PAGE) is None
