"""Datelines, credit lines, tag lines and dropped lines."""

from __future__ import annotations

import pytest

from crawler.config.sites import SiteConfig, TextRules
from crawler.extraction.non_body_lines import (
    MAX_CREDIT_VALUE,
    MAX_DROPPED_LINE,
    clean,
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


def test_dateline_place_and_rest_are_trimmed() -> None:
    assert split_dateline("BALIKPAPAN. – Kilang baru.") == ("BALIKPAPAN", "Kilang baru.")
    assert split_dateline("NUNUKAN - - Nelayan mengeluh.") == ("NUNUKAN", "Nelayan mengeluh.")
    assert split_dateline("XINJIANG - Xaverius hadir.") == ("XINJIANG", "Xaverius hadir.")


def test_a_dateline_place_is_at_most_40_characters() -> None:
    assert split_dateline("P" * 40 + " – Warga antre.") == ("P" * 40, "Warga antre.")
    long_place = "P" * 41 + " – Warga antre."
    assert split_dateline(long_place) == (None, long_place)


def test_a_dateline_without_a_place_is_none() -> None:
    rules = TextRules(dateline=r"^(?P<place>[A-Z]+)?\s*>>\s*")
    assert split_dateline(">> Warga antre.", rules) == (None, ">> Warga antre.")
    assert split_dateline(".NIAGA.ASIA — Warga antre.") == (None, ".NIAGA.ASIA — Warga antre.")
    assert split_dateline("BONTANG >> Warga antre.", rules) == ("BONTANG", "Warga antre.")


def test_credit_values_are_trimmed_of_punctuation_only() -> None:
    credits = parse_credit_line("Sumber: Xinhua. | Editor: Saud Rosadi.")
    assert credits is not None
    assert (credits.source, credits.editor) == ("Xinhua", "Saud Rosadi")


def test_every_author_label_adds_its_names() -> None:
    credits = parse_credit_line("Penulis: Ahmad | Pewarta: Budi, Ahmad | Editor: Citra")
    assert credits is not None
    assert credits.authors == ["Ahmad", "Budi"]


def test_credit_value_and_line_length_limits() -> None:
    for length, ok in ((MAX_CREDIT_VALUE, True), (MAX_CREDIT_VALUE + 1, False)):
        credits = parse_credit_line("Editor: " + "E" * length)
        assert (credits is not None and credits.editor == "E" * length) is ok, length
    for length, ok in ((300, True), (301, False)):
        head = "Editor: " + "E" * 70 + " | Sumber: " + "S" * 70 + " | Penulis: " + "P" * 70
        line = head + " | Pewarta: " + "Q" * (length - len(head) - 12)
        assert len(line) == length
        assert (parse_credit_line(line) is not None) is ok, length


def site_rules() -> TextRules:
    return TextRules(
        source_editor=r"^(?:Sumber (?P<source>.+?))?\s*(?:Ed\. (?P<editor>.+?))?"
        r"\s*(?:Oleh (?P<author>.+?))?$"
    )


@pytest.mark.parametrize(
    ("line", "source", "editor", "authors"),
    [
        ("Sumber Xinhua.", "Xinhua", None, []),
        ("Ed. Saud Rosadi,", None, "Saud Rosadi", []),
        ("Oleh Ahmad dan Budi|", None, None, ["Ahmad", "Budi"]),
        ("Sumber Antara Ed. Citra Oleh Dedi", "Antara", "Citra", ["Dedi"]),
        ("Oleh " + "A" * MAX_CREDIT_VALUE, None, None, ["A" * MAX_CREDIT_VALUE]),
    ],
)
def test_the_sites_credit_regex_reads_lines_without_labels(
    line: str, source: str | None, editor: str | None, authors: list[str]
) -> None:
    credits = parse_credit_line(line, site_rules())
    assert credits is not None
    assert (credits.source, credits.editor, credits.authors) == (source, editor, authors)
    assert parse_credit_line(line, None) is None  # no "Label :" form


def test_the_sites_credit_regex_ignores_empty_and_long_captures() -> None:
    assert parse_credit_line("Oleh " + "A" * (MAX_CREDIT_VALUE + 1), site_rules()) is None
    assert parse_credit_line("Oleh ...", site_rules()) is None


def test_a_line_over_the_limit_is_no_dropped_line() -> None:
    assert is_dropped_line("Baca Juga: " + "x" * (MAX_DROPPED_LINE - 11))
    assert not is_dropped_line("Baca Juga: " + "x" * (MAX_DROPPED_LINE - 10))


def test_clean_drops_soft_hyphens_and_zero_width_spaces_and_collapses_whitespace() -> None:
    assert clean("  Peng\u00adumuman\u00a0 hasil\n\tpe\u200bmilu ") == "Pengumuman hasil pemilu"
