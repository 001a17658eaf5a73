"""Where captions come from and which are kept: a site's selector, caption attributes, credit
elements, credited lines after an image; their length bounds, pairing, dedup and the cut."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.captions import collect_captions, cut_figures

PAGE = "https://www.niaga.asia/a/b/"
TEXT = "Warga antre air bersih di Samarinda"
BRIDGE = "Jembatan Mahakam malam hari"


def _words(n: int) -> str:
    """Text of exactly ``n`` characters: short words, single spaces, no credit."""
    return ("abcd " * n)[: n - 1] + "z"


def _found(body: str, **kwargs: str) -> list[tuple[str, str | None, str | None]]:
    tree = document_fromstring(f"<html><body>{body}</body></html>")
    captions, _ = collect_captions(tree, PAGE, **kwargs)
    return [(c.text, c.credit, c.image) for c in captions]


def _img(name: str) -> str:
    return f"https://www.niaga.asia/{name}"


def test_a_sites_selector_finds_a_caption_no_generic_rule_knows() -> None:
    body = (
        '<article><div class="pic"><img src="/a.jpg"><div class="pic-desc">Pasar Segiri pagi'
        "</div></div><p>Isi berita.</p></article>"
    )
    assert _found(body) == []
    assert _found(body, selector="div.pic-desc") == [("Pasar Segiri pagi", None, _img("a.jpg"))]


@pytest.mark.parametrize("selector", ["html", "body", "main", "article"])
def test_a_selector_matching_the_page_itself_takes_no_page_for_a_caption(selector: str) -> None:
    html = (
        '<html><body><main><article><p>Isi berita.</p><p class="caption">Keterangan lepas</p>'
        "</article></main></body></html>"
    )
    tree = document_fromstring(html)
    captions, to_cut = collect_captions(tree, PAGE, selector=selector)
    assert [c.text for c in captions] == ["Keterangan lepas"]
    cut_figures(tree, to_cut)
    assert "Isi berita." in tree.text_content()


def test_script_and_style_named_for_captions_are_no_captions() -> None:
    body = (
        '<article><script class="caption-data">var x = 1;</script>'
        '<style class="caption-style">p { color: red; }</style>'
        f'<p>Isi.</p><figure><img src="/a.jpg"><figcaption>{TEXT}</figcaption></figure></article>'
    )
    assert _found(body) == [(TEXT, None, _img("a.jpg"))]


@pytest.mark.parametrize(
    ("text", "kept"),
    [("Ibu", True), ("Ib", False), (_words(400), True), (_words(401), False)],
)
def test_an_attribute_caption_is_3_to_400_characters(text: str, kept: bool) -> None:
    body = f'<article><p>Isi.</p><img src="/a.jpg" data-caption="{text}"></article>'
    assert _found(body) == ([(text, None, _img("a.jpg"))] if kept else [])


def test_attribute_captions_one_per_image_and_none_repeating_a_caption() -> None:
    body = (
        # a blank attribute caption first: skipped, the others are still read
        '<article><img src="/z.jpg" data-caption=" ">'
        # the figure's image already has a caption: its attribute adds nothing
        f'<figure><img src="/a.jpg" data-caption="Lain sama sekali"><figcaption>{BRIDGE}'
        "</figcaption></figure>"
        # part of a caption already found, on another image: nothing new
        '<p>Isi.</p><img src="/b.jpg" data-caption="Jembatan Mahakam">'
        # two attribute captions for one image: the outer one wins; the credit is the image's
        '<span data-caption="Pasar Segiri pagi hari"><img src="/c.jpg"'
        ' data-description="Pedagang menata sayur" data-credit="Humas Pemkot"></span></article>'
    )
    assert _found(body) == [
        (BRIDGE, None, _img("a.jpg")),
        ("Pasar Segiri pagi hari", "Humas Pemkot", _img("c.jpg")),
    ]


CREDIT_FIRST = r"^(?P<credit>[A-Z]+):\s*(?P<text>.+)$"


def test_a_sites_credit_pattern_splits_element_and_attribute_captions() -> None:
    body = (
        '<article><figure><img src="/a.jpg"><figcaption>HUMAS: Wali kota meninjau banjir'
        f'</figcaption></figure><p>Isi.</p><img src="/b.jpg" data-caption="ANTARA: {BRIDGE}">'
        "</article>"
    )
    assert _found(body, credit_regex=CREDIT_FIRST) == [
        ("Wali kota meninjau banjir", "HUMAS", _img("a.jpg")),
        (BRIDGE, "ANTARA", _img("b.jpg")),
    ]


def test_credit_elements_not_beside_an_image_or_of_staff_do_not_stop_the_search() -> None:
    body = (
        '<article><p>Isi.</p><div class="credits">Tim redaksi kami</div>'
        '<div class="photo"><img src="/a.jpg"><div class="read__credit">Penulis : Zakarias</div>'
        '</div><p>Isi lagi.</p><div class="photo"><span class="photo-credit">Nama Fotografer'
        '</span><img src="/b.jpg"></div></article>'
    )
    assert [text for text, _, _ in _found(body)] == ["Nama Fotografer"]


@pytest.mark.parametrize(("size", "kept"), [(400, True), (401, False)])
def test_a_credit_element_is_at_most_400_characters(size: int, kept: bool) -> None:
    body = (
        f'<article><p>Isi.</p><div class="photo"><span class="photo-credit">{_words(size)}'
        '</span><img src="/a.jpg"></div></article>'
    )
    assert bool(_found(body)) is kept


def test_a_loose_caption_and_a_loose_credit_under_other_parents_stay_apart() -> None:
    body = (
        f'<article><div><img src="/a.jpg"><p class="caption">{TEXT}</p></div><p>Isi.</p>'
        '<div><img src="/b.jpg"><span class="photo-credit">Nama Fotografer</span></div></article>'
    )
    assert [(text, credit) for text, credit, _ in _found(body)] == [
        (TEXT, None),
        ("Nama Fotografer", None),
    ]


def test_a_caption_and_a_credit_in_one_figure_pair_under_different_parents() -> None:
    body = (
        f'<article><figure><img src="/a.jpg"><figcaption>{TEXT}</figcaption><div>'
        '<span class="credit">Nama Fotografer</span></div></figure><p>Isi.</p></article>'
    )
    assert _found(body) == [(TEXT, "Nama Fotografer", _img("a.jpg"))]


@pytest.mark.parametrize(
    ("credit", "expected"),
    [("(XINHUA/Wang Peng)", "XINHUA/Wang Peng"), ("Foto: Nama Fotografer.", "Nama Fotografer")],
)
def test_a_paired_credit_elements_brackets_and_label_are_dropped_and_both_are_cut(
    credit: str, expected: str
) -> None:
    html = (
        f'<html><body><article><div><img src="/a.jpg"><p class="caption">{TEXT}</p>'
        f'<span class="photo-credit">{credit}</span></div><p>Isi berita.</p></article>'
        "</body></html>"
    )
    tree = document_fromstring(html)
    captions, to_cut = collect_captions(tree, PAGE)
    assert [(c.text, c.credit) for c in captions] == [(TEXT, expected)]
    cut_figures(tree, to_cut)
    text = tree.text_content()
    assert TEXT not in text and expected not in text and "Isi berita." in text


def test_a_base_href_relative_to_the_page_makes_image_urls_absolute() -> None:
    html = (
        '<html><head><base href="/static/"></head><body><article><figure><img src="a.jpg">'
        f"<figcaption>{TEXT}</figcaption></figure></article></body></html>"
    )
    captions, _ = collect_captions(document_fromstring(html), PAGE)
    assert [c.image for c in captions] == ["https://www.niaga.asia/static/a.jpg"]


@pytest.mark.parametrize(("size", "kept"), [(1000, True), (1001, False)])
def test_a_caption_element_is_at_most_1000_characters(size: int, kept: bool) -> None:
    body = f'<article><figure><img src="/a.jpg"><figcaption>{_words(size)}</figcaption></figure>'
    assert bool(_found(body + "</article>")) is kept


def test_an_empty_caption_is_skipped_and_a_repeated_one_kept_once() -> None:
    body = (
        '<article><figure><img src="/z.jpg"><figcaption> </figcaption></figure><p>Isi.</p>'
        f'<figure><img src="/a.jpg"><figcaption>{TEXT}</figcaption></figure>'
        f'<figure><img src="/b.jpg"><figcaption>{TEXT}</figcaption></figure></article>'
    )
    assert _found(body) == [(TEXT, None, _img("a.jpg"))]


CREDIT_LINE = "<p>Foto: Dok. Pemkot Samarinda</p>"


@pytest.mark.parametrize(
    ("between", "found"),
    [
        ("", True),
        ("<br><br><br>", True),  # line breaks are no hop
        ("<script>var a = 1;</script>", True),
        ("<style>p { color: red; }</style>", True),
        ("<!-- iklan -->", True),
        # two skipped elements: the line is too far from the image
        ("<script>var a = 1;</script><style>p { color: red; }</style>", False),
        ("<!-- a --><!-- b -->", False),
    ],
)
def test_a_credit_line_is_the_images_caption_within_one_skipped_element(
    between: str, found: bool
) -> None:
    body = f'<article><p><img src="/a.jpg"></p>{between}{CREDIT_LINE}<p>Isi berita.</p></article>'
    assert [credit for _, credit, _ in _found(body)] == (["Dok. Pemkot Samarinda"] if found else [])


@pytest.mark.parametrize(
    ("line", "found"),
    [("Foto: AB", True), ("Foto: A", False), ("Foto: " + _words(394), True),
     ("Foto: " + _words(395), False)],
)  # fmt: skip
def test_a_credit_line_is_8_to_400_characters(line: str, found: bool) -> None:
    body = f'<article><p><img src="/a.jpg"></p><p>{line}</p><p>Isi berita.</p></article>'
    assert bool(_found(body)) is found


def test_a_long_loose_figcaption_is_cut_whole() -> None:
    words = " ".join(f"kata{i}" for i in range(30))
    html = (
        f'<html><body><article><div><img src="/a.jpg"><figcaption>{words}</figcaption></div>'
        "<p>Isi berita.</p></article></body></html>"
    )
    tree = document_fromstring(html)
    _, to_cut = collect_captions(tree, PAGE)
    cut_figures(tree, to_cut)
    assert "kata1" not in tree.text_content() and "Isi berita." in tree.text_content()


def test_a_staff_caption_first_does_not_hide_the_photo_captions_after_it() -> None:
    body = (
        '<article><div class="author-caption">Oleh Nama Penulis</div><p>Isi.</p>'
        f'<figure><img src="/a.jpg"><figcaption>{TEXT}</figcaption></figure></article>'
    )
    assert _found(body) == [(TEXT, None, _img("a.jpg"))]


def test_after_a_figure_that_holds_a_table_the_next_figure_is_still_cut() -> None:
    html = (
        "<html><body><article><figure><table><tr><td>Data anggaran 2024</td></tr></table>"
        "<figcaption>Tabel anggaran</figcaption></figure><p>Isi berita.</p>"
        f'<figure><img src="/a.jpg"><figcaption>{TEXT}</figcaption></figure></article>'
        "</body></html>"
    )
    tree = document_fromstring(html)
    _, to_cut = collect_captions(tree, PAGE)
    cut_figures(tree, to_cut)
    text = tree.text_content()
    assert "Data anggaran 2024" in text and "Isi berita." in text
    assert "Tabel anggaran" not in text and TEXT not in text
