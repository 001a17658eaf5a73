"""The reference audit: a title or day the page never writes is out of any extractor's reach."""

from __future__ import annotations

from datetime import date

import pytest
from lxml.html import document_fromstring

from bench.eval.audit import day_written, page_titles, title_written

PAGE = """<html><head><title>Judul Berita Hari Ini | Rubrik Daerah | Niaga.Asia</title>
<meta property="og:title" content="Judul Berita Hari Ini - Niaga">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Judul \\"resmi\\" berita"}
</script></head><body><h1>Judul yang dibaca</h1>
<span class="date">Published On: 15 August 2025</span>
<script>{"dateModified":"2025-11-17T09:00:00-05:00"}</script></body></html>"""


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2025, 8, 15), True),  # "15 August 2025"
        (date(2025, 11, 17), True),  # ISO inside a script
        (date(2025, 8, 16), False),
        (date(2024, 8, 15), False),
    ],
)
def test_day_written(day: date, written: bool) -> None:
    assert day_written(PAGE, day) is written


def test_day_written_through_html_escapes_and_other_spellings() -> None:
    escaped = '<meta name="x" content="{&quot;datePublished&quot;:&quot;2025-11-17&quot;}">'
    assert day_written(escaped, date(2025, 11, 17))
    assert day_written("<p>Dec. 3, 2023</p>", date(2023, 12, 3))
    assert day_written("<p>March 1st, 2024</p>", date(2024, 3, 1))
    assert day_written("<p>03/09/2026</p>", date(2026, 3, 9))
    assert not day_written("<p>2026-03-19</p>", date(2026, 3, 9))


def test_page_titles_reads_every_source() -> None:
    titles = page_titles(document_fromstring(PAGE))
    assert "Judul Berita Hari Ini | Rubrik Daerah | Niaga.Asia" in titles
    assert "Judul Berita Hari Ini - Niaga" in titles
    assert 'Judul "resmi" berita' in titles
    assert "Judul yang dibaca" in titles


@pytest.mark.parametrize(
    ("reference", "written"),
    [
        ("Judul Berita Hari Ini", True),  # a part of <title>
        ("Judul Berita Hari Ini | Rubrik Daerah", True),  # a run of parts
        ("Judul berita hari ini - Rubrik Daerah - Niaga.Asia", True),  # the whole, other separators
        ("Judul yang dibaca", True),  # the h1
        ('Judul "resmi" berita', True),  # JSON-LD, escapes decoded
        ("Rubrik Daerah | Niaga.Asia", True),
        ("Berita Hari Ini", False),  # a part cut inside: no page title says this
        ("Judul yang lain", False),
        ("", False),
    ],
)
def test_title_written(reference: str, written: bool) -> None:
    assert title_written(document_fromstring(PAGE), reference) is written
