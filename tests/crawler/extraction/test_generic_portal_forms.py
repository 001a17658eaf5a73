"""Generic extraction (no site file) of forms other portals use, beyond what trafilatura gives.

Captions credited "Foto: X" without caption markup, tribun/detik datelines, desk initials,
pagers and date lines in the text, naive CMS timestamps read in the zone the page prints.
"""

from __future__ import annotations

import pytest

from crawler.extraction.article import extract_article
from crawler.extraction.dates import is_date_line
from crawler.extraction.non_body_lines import is_dropped_line, split_dateline
from replica.portal.content import build_portal
from replica.portal.render import render_article

BASE = "https://regional.example"


@pytest.fixture(scope="module")
def portal_pages() -> list[tuple[str, str, dict]]:
    site = build_portal(12)
    out = []
    for article in site:
        if len(article.pages) == 1:
            html = render_article(site, article, 1, BASE)
            out.append((BASE + article.path, html, article.ground_truth()))
    return out


def test_generic_reads_a_custom_cms_page_like_its_site_file_would(portal_pages) -> None:
    assert portal_pages
    for url, html, truth in portal_pages:
        record = extract_article(html, url)  # no og:type, no JSON-LD: still an article
        assert record is not None
        assert record.title == truth["title"]
        assert record.published == truth["published"]  # "2023/03/03 09:27:00" read as WITA
        assert record.dateline == truth["dateline"]
        assert record.editor == truth["editor"] and record.authors == [truth["author"]]
        assert record.source == truth["source"]
        assert record.tags == truth["tags"]
        assert [(c.text, c.credit) for c in record.captions] == [
            (c["text"], c["credit"]) for c in truth["captions"]
        ]
        assert record.text == "\n\n".join(truth["paragraphs"])


def test_loose_caption_after_an_image_needs_a_credit() -> None:
    body = " ".join(["Kalimat isi berita yang cukup panjang untuk menjadi badan artikel."] * 4)
    html = f"""<html><head><title>Judul</title></head><body><article><h1>Judul</h1>
    <div class="entry-content"><p><img src="/a.jpg"></p>
    <p><em>Warga antre air bersih di Samarinda Ulu. (FOTO: RAMA/KALTIM POST)</em></p>
    <p>{body}</p><p><img src="/b.jpg"></p><p>{body} Paragraf ini tanpa kredit foto.</p>
    </div></article></body></html>"""
    record = extract_article(html, "https://example.co.id/2023/03/11/air/")
    assert record is not None
    assert [(c.text, c.credit, c.image) for c in record.captions] == [
        ("Warga antre air bersih di Samarinda Ulu.", "RAMA/KALTIM POST",
         "https://example.co.id/a.jpg"),
    ]  # fmt: skip
    assert "FOTO" not in record.text and "tanpa kredit foto" in record.text


@pytest.mark.parametrize(
    ("paragraph", "place"),
    [
        ("TRIBUNKALTIM.CO, SAMARINDA - Hujan deras mengguyur kota.", "SAMARINDA"),
        ("Makassar - Polisi mengungkap jaringan sabu.", "Makassar"),
        ("Samarinda (ANTARA) - Gubernur meminta percepatan.", "Samarinda"),
        ("SAMARINDA, KOMPAS.com - Stok beras aman.", "SAMARINDA"),
    ],
)
def test_dateline_forms(paragraph: str, place: str) -> None:
    assert split_dateline(paragraph)[0] == place


@pytest.mark.parametrize(
    "line",
    ["(nvr/ams)", "(rdh/riz/k8)", "(Tribunkaltim.co/Nevrianto Hardi)", "Halaman 1 2 3 Selanjutnya",
     "Artikel ini telah tayang di Tribunkaltim.co dengan judul Banjir",
     "SCROLL TO CONTINUE WITH CONTENT"],
)  # fmt: skip
def test_chrome_lines_are_dropped(line: str) -> None:
    assert is_dropped_line(line)


def test_sentences_are_kept() -> None:
    for line in ("Halaman sekolah itu terendam banjir sejak pagi.", "(Baca: kata dia)"):
        assert not is_dropped_line(line)
    assert is_date_line("Jumat, 3 Maret 2023 14:05 WITA")
    assert not is_date_line("Pada Jumat, 3 Maret 2023 warga berkumpul.")
