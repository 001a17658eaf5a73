"""Hostile text never makes extraction slow: every built-in pattern is linear or bounded.

A paragraph of ". . ." once took 8 s at 16 KB in the caption-credit pattern (issue 12).
"""

from __future__ import annotations

import time

import pytest

from crawler.extraction.article import extract_article, shrink
from crawler.extraction.captions import split_credit
from crawler.extraction.dates import is_date_line, parse_indonesian, zone
from crawler.extraction.lines import is_dropped_line, parse_credit_line, split_dateline

SIZE = 64 * 1024
HOSTILE = {
    "dots": ". " * (SIZE // 2),
    "dot-no-space": "." * SIZE,
    "foto-dots": ("Foto . " * (SIZE // 7)),
    "open-bracket": "(" + "a" * SIZE,
    "slashes": "(" + "A " * (SIZE // 2),
    "caps-dots": "A." * (SIZE // 2) + "x",
    "pager": "Halaman " + "1" * SIZE + "x",
    "dashes": "- " * (SIZE // 2),
    "dates": "3 Maret 2023 " * (SIZE // 13),
    "spaces-then-word": "Sumber" + " :" * (SIZE // 2),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_line_patterns_finish_fast(name: str) -> None:
    text = HOSTILE[name]
    start = time.perf_counter()
    split_credit(text)
    split_dateline(text)
    is_dropped_line(text)
    parse_credit_line(text)
    is_date_line(text)
    parse_indonesian(text[:300], zone(None))
    assert time.perf_counter() - start < 1.0


def _page(paragraph: str) -> str:
    return (
        "<html><head><title>Judul</title></head><body><article><h1>Judul</h1>"
        f"<figure><img src='/a.jpg'><figcaption>{paragraph}</figcaption></figure>"
        f"<p>{paragraph}</p><p>Kalimat biasa tentang banjir di Samarinda hari ini.</p>"
        "</article></body></html>"
    )


@pytest.fixture(scope="module")
def warm() -> None:
    """trafilatura and htmldate load word lists on first use; that is not the regexes' time."""
    extract_article(_page("Kalimat biasa. " * 20), "https://example.org/a")


@pytest.mark.parametrize("name", ["dots", "foto-dots", "caps-dots", "open-bracket"])
def test_a_64kb_hostile_paragraph_in_a_page_extracts_in_under_a_second(
    name: str, warm: None
) -> None:
    start = time.perf_counter()
    extract_article(_page(HOSTILE[name]), "https://example.org/a")
    assert time.perf_counter() - start < 1.0


def test_shrink_cuts_unclosed_scripts_in_linear_time() -> None:
    text = "<script>x" * 200_000 + "<p>body</p>"
    start = time.perf_counter()
    out = shrink(text, limit=1000)
    assert time.perf_counter() - start < 1.0
    assert len(out) <= 1000
