"""Captions: collected from the DOM with credit and image, then cut from the tree."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.captions import collect_captions, cut_figures, split_credit
from crawler.siteconfig import SiteConfig

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
