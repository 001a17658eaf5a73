"""Captions: collected from the DOM with credit and image, then cut from the tree."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.config.sites import SiteConfig
from crawler.extraction.captions import collect_captions, cut_figures, split_credit
from crawler.extraction.text_region import text_scope

PAGE = "https://www.niaga.asia/a/b/"


@pytest.mark.parametrize(
    ("caption", "text", "credit"),
    [
        ("Wali kota meninjau banjir (handout/Polresta Samarinda)", "Wali kota meninjau banjir",
         "handout/Polresta Samarinda"),
        ("Pasar Segiri (Foto: Saud Rosadi/Niaga.Asia)", "Pasar Segiri", "Saud Rosadi/Niaga.Asia"),
        ("Pasar Segiri (Foto : Humas Pemkot Samarinda/Niaga.Asia).", "Pasar Segiri",
         "Humas Pemkot Samarinda/Niaga.Asia"),
        ("Kapal nelayan di Nunukan. Foto: Budi Anshori", "Kapal nelayan di Nunukan",
         "Budi Anshori"),
        ("Rapat DPRD Kaltim (ANTARA/M Risyal Hidayat)", "Rapat DPRD Kaltim",
         "ANTARA/M Risyal Hidayat"),
        ("Ketua KPU (IKN) berbicara (Istimewa)", "Ketua KPU (IKN) berbicara", "Istimewa"),
        ("Gubernur Kaltim Isran Noor (tengah)", "Gubernur Kaltim Isran Noor (tengah)", None),
        ("Suasana rapat (kedua dari kiri)", "Suasana rapat (kedua dari kiri)", None),
        ("Suasana rapat koordinasi", "Suasana rapat koordinasi", None),
    ],
)  # fmt: skip
def test_split_credit(caption: str, text: str, credit: str | None, niaga: SiteConfig) -> None:
    assert split_credit(caption) == (text, credit)
    # The niaga caption_credit regex keeps "Foto:" inside the credit; the default strips it.
    assert split_credit(caption, niaga.text.caption_credit) == (text, credit)


def test_collect_both_wordpress_styles_and_cut_them() -> None:
    html = """<html><head><base href="https://cdn.niaga.asia/"></head><body>
    <aside><figure><img src="/side.jpg"><figcaption>Sidebar (iklan)</figcaption></figure></aside>
    <article><div class="entry-content">
    <div id="attachment_1" class="wp-caption aligncenter"><img src="/wp-content/uploads/a.jpg">
      <p class="wp-caption-text">Satu (Foto: A/Niaga.Asia)</p></div>
    <p>Paragraf pertama.</p>
    <figure class="wp-block-image"><img data-src="uploads/b.jpg" src="data:image/gif;base64,R0l">
      <figcaption class="wp-element-caption">Dua <span class="caption-credit">(handout/X)</span>
      </figcaption></figure>tail text
    <div class="image-caption">Tiga tanpa gambar</div>
    <figure><img src="c.jpg"></figure>
    <p>Paragraf kedua.</p></div></article></body></html>"""
    tree = document_fromstring(html)
    scope = tree.xpath("//article")[0]
    captions, to_cut = collect_captions(scope, PAGE)
    assert [(c.text, c.credit, c.image) for c in captions] == [
        ("Satu", "A/Niaga.Asia", "https://cdn.niaga.asia/wp-content/uploads/a.jpg"),
        ("Dua", "handout/X", "https://cdn.niaga.asia/uploads/b.jpg"),
        ("Tiga tanpa gambar", None, None),
    ]
    cut_figures(tree, to_cut)
    text = tree.text_content()
    for gone in ("Satu", "Dua", "Tiga", "handout", "Sidebar"):
        assert gone not in text
    assert not tree.xpath("//figure | //img[contains(@src,'a.jpg')]")
    assert "tail text" in text and "Paragraf kedua." in text


def test_site_caption_selector_adds_to_generic_ones() -> None:
    html = """<html><body><article><div class="foto"><img src="/x.jpg">
    <em class="keterangan">Keterangan foto (Dok/Y)</em></div><p>Isi.</p></article></body></html>"""
    tree = document_fromstring(html)
    captions, _ = collect_captions(tree, PAGE, selector="em.keterangan")
    assert [(c.text, c.credit) for c in captions] == [("Keterangan foto", "Dok/Y")]
    assert captions[0].image == "https://www.niaga.asia/x.jpg"


def _captions(html: str) -> list[tuple[str, str | None]]:
    tree = document_fromstring(html)
    captions, _ = collect_captions(tree.xpath("//article")[0], PAGE)
    return [(c.text, c.credit) for c in captions]


def test_caption_and_credit_in_separate_elements_make_one_caption() -> None:
    html = """<html><body><article><div class="photo"><img src="/a.jpg">
    <div class="image-caption">Warga antre air bersih di Samarinda</div>
    <div class="image-credit">Foto: ANTARA/Nama Fotografer</div></div>
    <p>Isi berita.</p></article></body></html>"""
    assert _captions(html) == [("Warga antre air bersih di Samarinda", "ANTARA/Nama Fotografer")]


def test_credit_glued_to_caption_by_markup_stays_a_separate_word() -> None:
    html = """<html><body><article><figure><img src="/a.jpg"><figcaption>Bandara APT
    Pranoto<span class="credit">Nama Fotografer / Niaga.Asia</span></figcaption></figure>
    <p>Isi.</p></article></body></html>"""
    text, credit = _captions(html)[0]
    assert f"{text} {credit or ''}".split()[:3] == ["Bandara", "APT", "Pranoto"]
    assert "PranotoNama" not in f"{text}{credit}"


def test_credit_first_caption_keeps_its_credit() -> None:
    html = """<html><body><article><figure><img src="/a.jpg"><figcaption>KOMPAS.COM/NAMA
    LENGKAP - Petugas memeriksa dokumen di pelabuhan</figcaption></figure><p>Isi.</p>
    </article></body></html>"""
    assert _captions(html) == [
        ("Petugas memeriksa dokumen di pelabuhan", "KOMPAS.COM/NAMA LENGKAP")
    ]


def test_caption_in_image_attributes() -> None:
    html = """<html><body><article><p>Isi berita pertama.</p>
    <span class="image" data-caption="Gubernur meninjau banjir di Sempaja"
     data-attrib="Humas Pemprov">
    <img src="/b.jpg"></span>
    <img src="/c.jpg" data-description="&lt;p&gt;Jembatan Mahakam malam hari&lt;/p&gt;">
    <img src="/d.jpg" data-caption=""><p>Isi berita kedua.</p></article></body></html>"""
    tree = document_fromstring(html)
    captions, _ = collect_captions(tree.xpath("//article")[0], PAGE)
    assert [(c.text, c.credit, c.image) for c in captions] == [
        ("Gubernur meninjau banjir di Sempaja", "Humas Pemprov", "https://www.niaga.asia/b.jpg"),
        ("Jembatan Mahakam malam hari", None, "https://www.niaga.asia/c.jpg"),
    ]


def test_credited_line_under_an_image_is_a_caption_and_a_plain_one_is_not() -> None:
    html = """<html><body><article><p><img src="/a.jpg"></p><p><small>Foto: Dok.
    Pemkot Samarinda</small></p><p>Wali kota membuka acara itu pada Senin pagi.</p>
    <div><img src="/b.jpg"></div><div>Image: Reuters/Nama</div>
    <div><img src="/c.jpg"></div><p>Acara dilanjutkan dengan sambutan.</p>
    </article></body></html>"""
    found = _captions(html)
    assert found == [("Foto: Dok. Pemkot Samarinda", "Dok. Pemkot Samarinda"),
                     ("Image: Reuters/Nama", "Reuters/Nama")]  # fmt: skip


def test_photo_credit_class_beside_an_image_only() -> None:
    html = """<html><body><article><div class="hero"><img src="/a.jpg">
    <span class="photo-credit">Photo Credit: Nama / Getty Images</span></div>
    <p>Isi berita.</p><div class="credits">Penulis: A. Editor: B.</div></article></body></html>"""
    assert _captions(html) == [("Photo Credit: Nama / Getty Images", "Nama / Getty Images")]


def test_text_scope_takes_in_the_lead_photo_but_not_the_sidebar() -> None:
    body = "".join(f"<p>Paragraf isi berita nomor {i} yang cukup panjang.</p>" for i in range(40))
    side = "".join(f"<p>Berita lain nomor {i} di samping, juga dengan teks.</p>" for i in range(30))
    html = f"""<html><body><div id="page"><div class="main"><div class="lead"><figure>
    <img src="/a.jpg"><figcaption>Foto utama (ANTARA/Nama)</figcaption></figure></div>
    <div class="text"><div class="entry"><div class="content">{body}</div></div></div></div>
    <div class="side"><figure><img src="/t.jpg"><figcaption>Teaser</figcaption></figure>
    {side}</div></div></body></html>"""
    tree = document_fromstring(html)
    scope = text_scope(tree)
    assert scope.get("class") == "main"
    captions, _ = collect_captions(scope, PAGE)
    assert [(c.text, c.credit) for c in captions] == [("Foto utama", "ANTARA/Nama")]


def test_a_staff_credit_block_beside_an_image_is_not_a_photo_credit() -> None:
    # kompas-style: "Penulis : X  Editor : Y" in a *credit* class right under the lead photo.
    html = """<html><body><article><div class="photo"><img src="/a.jpg">
    <div class="read__credit"><div id="penulis">Penulis : <a href="/p/z">Zakarias</a></div>
    <div id="editor">Editor : <a href="/e/d">Dheri Agriesta</a></div></div></div>
    <p>Stok beras di Samarinda aman hingga akhir tahun, kata kepala dinas pangan kota.</p>
    </article></body></html>"""
    tree = document_fromstring(html)
    captions, to_cut = collect_captions(tree, "https://kabar.example/a/")
    assert not any("Dheri" in (c.credit or "") + c.text for c in captions)
    assert not any("Editor" in e.text_content() for e in to_cut)


CREDIT = '<span class="credit">Foto: Budi/Niaga.Asia</span>'


@pytest.mark.parametrize(
    ("body", "cut"),
    [
        # an image within the credit's three nearest ancestors: a photo's credit
        (f'<article><div class="foto"><img src="/a.jpg"><p>Isi.</p><div><div>{CREDIT}</div></div>'
         "</div></article>", True),
        # the image is four levels up: the credit belongs to something else
        (f'<article><div class="foto"><img src="/a.jpg"><p>Isi.</p><div><div><div>{CREDIT}</div>'
         "</div></div></div></article>", False),
        # the article, main or body holding an image somewhere is no photo box
        (f'<article><img src="/a.jpg"><p>Isi.</p>{CREDIT}</article>', False),
        (f'<main><img src="/a.jpg"><p>Isi.</p>{CREDIT}</main>', False),
        (f'<img src="/a.jpg"><p>Isi.</p>{CREDIT}', False),
        (f"<article><p>Isi.</p><div>{CREDIT}</div></article>", False),
    ],
)  # fmt: skip
def test_a_credit_element_is_a_photos_only_beside_an_image(body: str, cut: bool) -> None:
    tree = document_fromstring(f"<html><body>{body}</body></html>")
    _, to_cut = collect_captions(tree, PAGE)
    cut_figures(tree, to_cut)
    assert ("Budi/Niaga.Asia" not in tree.text_content()) is cut


def test_a_repeated_caption_is_listed_once_and_the_captions_after_it_still_count() -> None:
    figure = '<figure><img src="/{0}.jpg"><figcaption>{1} (Foto: Ani)</figcaption></figure>'
    body = "".join(
        figure.format(name, text)
        for name, text in [("a", "Banjir di Samarinda"), ("b", "Banjir di Samarinda"),
                           ("c", "Pasar Segiri ramai")]
    )  # fmt: skip
    tree = document_fromstring(f"<html><body><article>{body}</article></body></html>")
    captions, to_cut = collect_captions(tree, PAGE)
    assert [(c.text, c.credit) for c in captions] == [
        ("Banjir di Samarinda", "Ani"),
        ("Pasar Segiri ramai", "Ani"),
    ]
    assert len(to_cut) == 3
