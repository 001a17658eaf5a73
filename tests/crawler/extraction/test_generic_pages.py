"""Other page shapes: other credit, dateline and caption forms; non-WordPress markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extraction.article import extract_article
from crawler.siteconfig import SiteConfig

ANTARA_URL = "https://kaltim.antaranews.com/berita/12346/pemprov-kaltim-siapkan-lahan-relokasi"


def test_antara_style_page_generic(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "antara-style.html").read_bytes()
    article = extract_article(html, ANTARA_URL)
    assert article is not None
    assert article.site == "kaltim.antaranews.com"
    assert article.title == "Pemprov Kaltim siapkan lahan relokasi warga terdampak IKN"
    assert article.published == "2023-02-09T10:15:00+07:00"  # "10:15 WIB" in the page text
    assert article.dateline == "Samarinda"
    assert article.authors == ["Ahmad Rifandi"]  # from "Pewarta:"
    assert article.editor == "Rahmad"
    assert article.tags == ["IKN", "Relokasi"]
    assert article.language == "id"
    assert [(c.text, c.credit) for c in article.captions] == [
        (
            "Warga Sepaku menghadiri sosialisasi relokasi di Penajam Paser Utara, Rabu (8/2/2023).",
            "ANTARA/Foto: Ahmad Rifandi",
        )
    ]
    assert article.captions[0].image == (
        "https://img.antaranews.com/cache/kaltim/2023/02/relokasi.jpg"
    )
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Pemerintah Provinsi Kalimantan Timur menyiapkan")
    assert paragraphs[-1].endswith("sebelum warga mulai menempati rumah baru mereka.")
    assert len(paragraphs) == 5
    for unwanted in (
        "ANTARA",
        "Pewarta",
        "Editor",
        "Baca juga",
        "Copyright",
        "Terkait",
        "Sepaku menghadiri",
    ):
        assert unwanted not in article.text, unwanted


@pytest.mark.parametrize("mode", ["niaga", "generic"])
def test_niaga_variant_penulis_line_foto_credit_balikpapan(
    mode: str, seed_html: bytes, seed_url: str, niaga: SiteConfig
) -> None:
    """Penulis line without Sumber, "(Foto: X/Niaga.Asia)" credits, a BALIKPAPAN dateline."""
    html = (
        seed_html.decode("utf-8")
        .replace(
            "<strong>SAMARINDA.NIAGA.ASIA</strong> —", "<strong>BALIKPAPAN.NIAGA.ASIA</strong> –"
        )
        .replace("(handout/Polresta Samarinda)", "(Foto: Humas Pemkot Samarinda/Niaga.Asia)")
        .replace(
            "<p>Sumber : Polresta Samarinda | Editor : Saud Rosadi</p>",
            "<p>Penulis : Intoniswan | Editor : Saud Rosadi</p>",
        )
    )
    article = extract_article(html, seed_url, niaga if mode == "niaga" else None)
    assert article is not None
    assert article.dateline == "BALIKPAPAN"
    assert article.source is None
    assert article.editor == "Saud Rosadi"
    assert article.authors == ["Redaksi Niaga.Asia", "Intoniswan"]
    assert {c.credit for c in article.captions} == {"Humas Pemkot Samarinda/Niaga.Asia"}
    assert article.text.startswith("Pemilihan Umum (Pemilu) digelar")
    assert "Penulis" not in article.text and "Foto" not in article.text


@pytest.mark.parametrize(
    ("opening", "place"),
    [
        ("<b>SAMARINDA, KOMPAS.com</b> - ", "SAMARINDA"),
        ("TENGGARONG, NIAGA.ASIA — ", "TENGGARONG"),
        ("Samarinda (ANTARA) - ", "Samarinda"),
        ("<strong>BONTANG</strong> – ", "BONTANG"),
    ],
)
def test_dateline_forms_in_a_page(opening: str, place: str) -> None:
    html = f"""<html lang="id"><head><title>Judul berita - Contoh</title>
    <meta property="og:type" content="article"></head><body><article><h1>Judul berita</h1>
    <div class="entry-content"><p>{opening}Badan Pusat Statistik mencatat inflasi di kota itu
    naik tipis pada bulan lalu, didorong kenaikan harga beras dan cabai di pasar tradisional.</p>
    <p>Kepala BPS menyebut kenaikan itu masih dalam batas wajar dan pemerintah daerah sudah
    menggelar operasi pasar untuk menekan harga di tingkat konsumen.</p>
    <p>Editor : Nina</p></div></article></body></html>"""
    article = extract_article(html, "https://example.co.id/berita/1")
    assert article is not None
    assert article.dateline == place
    assert article.text.startswith("Badan Pusat Statistik mencatat")
    assert article.editor == "Nina"
    assert article.title == "Judul berita"


def test_undated_article_takes_the_day_from_its_url() -> None:
    html = """<html><head><title>Banjir surut</title></head><body><article><h1>Banjir surut</h1>
    <p>Banjir yang merendam permukiman warga di Kecamatan Samarinda Utara mulai surut setelah
    hujan reda sejak pagi, kata petugas BPBD kepada wartawan di lokasi.</p>
    </article></body></html>"""
    article = extract_article(html, "https://example.co.id/2023/03/03/banjir-surut/")
    assert article is not None
    assert article.published == "2023-03-03T00:00:00+07:00"  # day only: local midnight
    assert article.language is None and article.site == "example.co.id"
