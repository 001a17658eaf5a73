"""Other page shapes: other credit, dateline and caption forms; non-WordPress markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config.sites import SiteConfig
from crawler.extraction.article import extract_article

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


LONG_PARAGRAPH = (
    "Pemerintah Kota Samarinda menyiapkan anggaran perbaikan jalan di kawasan utara kota "
    "setelah banjir merusak badan jalan di sejumlah titik, kata kepala dinas pekerjaan umum."
)


def test_article_page_that_says_website_with_teasers_is_extracted() -> None:
    # Real article pages often say og:type "website" and put related stories in <article>
    # teasers; only a home page that lists teasers is a listing.
    teasers = "".join(
        f"<article><h3><a href='/berita-{i}/'>Berita lain nomor {i}</a></h3><p>Ringkasan "
        f"berita lain nomor {i} tentang kota dan ekonomi daerah di Kalimantan Timur.</p></article>"
        for i in range(4)
    )
    html = f"""<html><head><meta property="og:type" content="website">
    <title>Jalan rusak diperbaiki</title></head><body><main><h1>Jalan rusak diperbaiki</h1>
    <div class="isi">{"".join(f"<p>{LONG_PARAGRAPH} Bagian {i}.</p>" for i in range(6))}</div>
    <section class="terkait">{teasers}</section></main></body></html>"""
    article = extract_article(html, "https://kabar.example/2024/05/jalan-rusak/")
    assert article is not None
    assert "anggaran perbaikan jalan" in article.text
    assert extract_article(html, "https://kabar.example/") is not None  # teasers hold little


def test_figure_holding_a_table_keeps_the_table_in_the_body() -> None:
    rows = "".join(f"<tr><td>Kecamatan {n}</td><td>{n * 17} rumah</td></tr>" for n in range(12))
    html = f"""<html><head><title>Data banjir</title></head><body><article><h1>Data banjir</h1>
    <p>{LONG_PARAGRAPH}</p>
    <figure class="wp-block-image"><img src="/a.jpg"><figcaption>Banjir di Sempaja.
    Foto: Niaga.Asia/Budi</figcaption></figure>
    <p>{LONG_PARAGRAPH} Rumah terdampak per kecamatan:</p>
    <figure class="wp-block-table"><table><tbody>{rows}</tbody></table>
    <figcaption>Sumber: BPBD Samarinda</figcaption></figure>
    <p>{LONG_PARAGRAPH} Warga diminta waspada.</p></article></body></html>"""
    article = extract_article(html, "https://kabar.example/2024/05/data-banjir/")
    assert article is not None
    assert "Kecamatan 11" in article.text and "187 rumah" in article.text
    assert "Banjir di Sempaja" not in article.text  # the photo's caption stays out
    assert "BPBD Samarinda" not in article.text  # and so does the table's
    assert any(c.text.startswith("Banjir di Sempaja") for c in article.captions)
