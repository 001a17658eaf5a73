"""Publication times: structured data first, then Indonesian text, then htmldate."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.dates import find_dates, parse_indonesian, parse_iso, to_iso, zone
from crawler.extraction.metadata import read_page_meta

WITA = zone("Asia/Makassar")
WIB = zone("Asia/Jakarta")


def dates(html: str, tz=WITA) -> tuple[str | None, str | None]:
    tree = document_fromstring(html)
    meta = read_page_meta(tree)
    return find_dates(tree, meta.article, meta.pages, meta.metas, tz)


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("Jumat, 3 Maret 2023 14:05 WITA", WIB, "2023-03-03T14:05:00+08:00"),
        ("Jumat, 3 Maret 2023 14:05 WIB", WITA, "2023-03-03T14:05:00+07:00"),
        ("Senin, 2 Januari 2023 09.30 WIT", WIB, "2023-01-02T09:30:00+09:00"),
        ("Jum'at, 17 Agustus 2022 | 10:00 WITA", WIB, "2022-08-17T10:00:00+08:00"),
        ("Kamis, 9 Februari 2023 pukul 10:15", WITA, "2023-02-09T10:15:00+08:00"),
        ("Rabu, 1 Des 2021 - 07:45:12 WIB", WITA, "2021-12-01T07:45:12+07:00"),
        ("Diperbarui 14 Okt. 2020 13:00 WIB", WITA, "2020-10-14T13:00:00+07:00"),
        ("03/03/2023, 14:05 WITA", WIB, "2023-03-03T14:05:00+08:00"),
        ("Minggu, 5 Mei 2024", WITA, "2024-05-05T00:00:00+08:00"),
    ],
)
def test_indonesian_text(text: str, tz, expected: str) -> None:
    found = parse_indonesian(text, tz)
    assert found is not None
    assert to_iso(found[0]) == expected


def test_indonesian_text_without_date() -> None:
    assert parse_indonesian("Selasa lalu pukul 14:05 WITA", WITA) is None
    assert parse_indonesian("31 Februari 2023 10:00 WIB", WITA) is None


@pytest.mark.parametrize(
    ("value", "expected", "has_time"),
    [
        ("2023-03-03T14:05:00+08:00", "2023-03-03T14:05:00+08:00", True),
        ("2023-03-03T06:05:00Z", "2023-03-03T06:05:00+00:00", True),
        ("2023-03-03T14:05:00.123+0800", "2023-03-03T14:05:00+08:00", True),
        ("2023-03-03 14:05:00", "2023-03-03T14:05:00+08:00", True),  # naive: site zone
        ("2023-03-03", "2023-03-03T00:00:00+08:00", False),
        ("Fri, 03 Mar 2023 14:05:00 +0800", "2023-03-03T14:05:00+08:00", True),
    ],
)
def test_iso_values(value: str, expected: str, has_time: bool) -> None:
    found = parse_iso(value, WITA)
    assert found is not None
    assert (to_iso(found[0]), found[1]) == (expected, has_time)


def test_yoast_graph_beats_everything() -> None:
    html = """<html><head>
    <meta property="article:published_time" content="2023-03-01T01:00:00+00:00">
    <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
      {"@type":"WebPage","datePublished":"2023-02-01T00:00:00+08:00"},
      {"@type":"NewsArticle","datePublished":"2023-03-03T14:05:00+08:00",
       "dateModified":"2023-03-03T15:20:00+08:00"}]}</script></head><body></body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-03T15:20:00+08:00")


def test_article_meta_times() -> None:
    html = """<html><head>
    <meta property="article:published_time" content="2023-03-03T06:05:00+00:00">
    <meta property="article:modified_time" content="2023-03-03T07:20:00+00:00">
    </head><body><p>x</p></body></html>"""
    assert dates(html) == ("2023-03-03T06:05:00+00:00", "2023-03-03T07:20:00+00:00")


def test_time_element_and_naive_value_gets_site_zone() -> None:
    html = """<html><body><article><div class="entry-meta">
    <time class="entry-date published" datetime="2023-03-03T14:05:00">Jumat</time>
    <time class="updated" datetime="2023-03-03T15:20:00">Jumat</time></div></article>
    <div id="comments"><time datetime="2023-03-04T08:00:00+08:00">4 Maret</time></div>
    </body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-03T15:20:00+08:00")
    assert dates(html, WIB) == ("2023-03-03T14:05:00+07:00", "2023-03-03T15:20:00+07:00")


def test_indonesian_text_in_page_meta() -> None:
    html = """<html><body><div class="post-meta"><span class="date">Jumat, 3 Maret 2023
    14:05 WITA</span></div><p>Samarinda, 2 Maret 2023 - body.</p></body></html>"""
    assert dates(html, WIB) == ("2023-03-03T14:05:00+08:00", None)


def test_date_only_structured_value_yields_to_a_timed_one() -> None:
    html = """<html><head><meta name="pubdate" content="2023-03-03"></head><body>
    <span class="posted-on">Jumat, 3 Maret 2023 14:05 WITA</span></body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", None)


def test_htmldate_is_the_last_resort() -> None:
    html = """<html><body><article><p>Berita tanpa metadata apa pun, diterbitkan pada
    2023-03-03 menurut arsip.</p></article></body></html>"""
    published, modified = dates(html)
    assert published == "2023-03-03T00:00:00+08:00"
    assert modified is None


def test_no_date_at_all() -> None:
    assert dates("<html><body><p>Tidak ada tanggal di sini.</p></body></html>") == (None, None)
