"""Datelines, credit lines, tag lines and dropped lines."""

from __future__ import annotations

import pytest

from crawler.config.sites import SiteConfig
from crawler.extraction.non_body_lines import (
    is_dropped_line,
    parse_credit_line,
    parse_tag_line,
    split_dateline,
)


@pytest.mark.parametrize(
    ("paragraph", "place", "rest"),
    [
        ("SAMARINDA.NIAGA.ASIA — Pemilihan Umum digelar.", "SAMARINDA", "Pemilihan Umum digelar."),
        ("TANJUNG REDEB.NIAGA.ASIA – Warga antre.", "TANJUNG REDEB", "Warga antre."),
        ("SAMARINDA, KOMPAS.com - Banjir melanda.", "SAMARINDA", "Banjir melanda."),
        ("BALIKPAPAN, NIAGA.ASIA — Harga naik.", "BALIKPAPAN", "Harga naik."),
        ("TENGGARONG, TRIBUNKALTIM.CO - Bupati hadir.", "TENGGARONG", "Bupati hadir."),
        (
            "Samarinda (ANTARA) - Pemprov Kaltim menyiapkan.",
            "Samarinda",
            "Pemprov Kaltim menyiapkan.",
        ),
        ("Penajam Paser Utara (ANTARA) - Otorita IKN.", "Penajam Paser Utara", "Otorita IKN."),
        ("BALIKPAPAN – Kilang baru diresmikan.", "BALIKPAPAN", "Kilang baru diresmikan."),
        ("NUNUKAN - Nelayan mengeluh.", "NUNUKAN", "Nelayan mengeluh."),
    ],
)
def test_dateline_forms(paragraph: str, place: str, rest: str) -> None:
    assert split_dateline(paragraph) == (place, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Pemilihan Umum (Pemilu) digelar Februari 2024 - kata dia.",
        "Menurut dia - yang juga ketua - hal itu penting.",
        "TNI-Polri bersiaga penuh.",
        "KPU menetapkan jadwal.",
    ],
)
def test_ordinary_paragraphs_have_no_dateline(paragraph: str) -> None:
    assert split_dateline(paragraph) == (None, paragraph)


def test_site_dateline_regex_is_tried_first(niaga: SiteConfig) -> None:
    assert split_dateline("BONTANG.NIAGA.ASIA — Kota industri.", niaga.text) == (
        "BONTANG",
        "Kota industri.",
    )


@pytest.mark.parametrize(
    ("line", "source", "editor", "authors"),
    [
        (
            "Sumber : Polresta Samarinda | Editor : Saud Rosadi",
            "Polresta Samarinda",
            "Saud Rosadi",
            [],
        ),
        ("Editor : Saud Rosadi", None, "Saud Rosadi", []),
        ("Penulis: Intoniswan | Editor: Saud Rosadi", None, "Saud Rosadi", ["Intoniswan"]),
        ("Penulis : Intoniswan | Editor : Saud Rosadi", None, "Saud Rosadi", ["Intoniswan"]),
        ("Pewarta: Arumanto", None, None, ["Arumanto"]),
        ("Reporter: Nur Asih Damayanti", None, None, ["Nur Asih Damayanti"]),
        ("Pewarta: Arumanto / Editor: Rahmad", None, "Rahmad", ["Arumanto"]),
        ("Penulis: Ahmad dan Budi | Editor: Citra", None, "Citra", ["Ahmad", "Budi"]),
    ],
)
def test_credit_line_forms(
    line: str, source: str | None, editor: str | None, authors: list[str], niaga: SiteConfig
) -> None:
    for rules in (None, niaga.text):
        credits = parse_credit_line(line, rules)
        assert credits is not None
        assert (credits.source, credits.editor, credits.authors) == (source, editor, authors)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Kegiatan itu turut dihadiri antara lain Kasrem 091/ASN.",
        "Editor menilai kebijakan itu perlu dikaji.",
        "Sumber: data Badan Pusat Statistik menunjukkan inflasi di Samarinda naik tajam pada "
        "Februari 2023 dibanding bulan sebelumnya.",
    ],
)
def test_body_lines_are_not_credit_lines(line: str, niaga: SiteConfig) -> None:
    """The niaga source_editor regex matches an empty line; that must not count."""
    assert parse_credit_line(line, None) is None
    assert parse_credit_line(line, niaga.text) is None


def test_tag_lines() -> None:
    assert parse_tag_line("Tag:") == []
    assert parse_tag_line("Tag: Pemilu 2024, Polda Kaltim") == ["Pemilu 2024", "Polda Kaltim"]
    assert parse_tag_line("Tags : IKN; Nusantara") == ["IKN", "Nusantara"]
    assert parse_tag_line("Tagihan listrik naik.") is None


@pytest.mark.parametrize(
    "line",
    [
        "Baca Juga: KPU Samarinda Buka Pendaftaran",
        "Baca juga : Harga Cabai Turun",
        "BACA JUGA: Banjir",
        "ADVERTISEMENT",
        "Bagikan:",
        "Share",
        "Copyright © ANTARA 2023",
        "Foto: Humas Pemkot Samarinda/Niaga.Asia",
    ],
)
def test_dropped_lines(line: str) -> None:
    assert is_dropped_line(line)


@pytest.mark.parametrize(
    "line",
    ["Bagikan bantuan sosial kepada warga dilakukan serentak.", "Iklan rokok dilarang di sana."],
)
def test_body_lines_are_kept(line: str) -> None:
    assert not is_dropped_line(line)
