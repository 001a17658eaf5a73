"""The last readings of a body (trafilatura with its fallbacks, the densest block) and the
record's confidence."""

from __future__ import annotations

from lxml.html import HtmlElement, fragment_fromstring

from crawler.extraction.article import parse_html
from crawler.extraction.candidates import DEFAULT
from crawler.extraction.fallback import (
    DENSEST,
    FALLBACK_CONFIDENCE,
    FULL_WORDS,
    MEDIA_CONFIDENCE,
    MIN_BLOCK_CHARS,
    READING_CONFIDENCE,
    SHORT_CONFIDENCE,
    SITE_CONFIDENCE,
    _own_text,
    confidence,
    densest_block,
    fallback_readings,
)

URL = "https://kaltim.example.id/berita/a"
SENTENCE = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota. "


def tree_of(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def text(length: int, letter: str = "a") -> str:
    return letter * length


def test_own_text_counts_inline_children_and_tails_not_links_or_blocks() -> None:
    element = fragment_fromstring(
        "<div>Abc <b>de</b> fg <a href='/x'>link</a> hi <div>inner</div> jk"
        "<span>lm</span><script>var</script>no</div>"
    )
    # Abc + de + fg + hi + jk + lm + no; the link, the inner block and the script are not its own
    assert _own_text(element) == 3 + 2 + 2 + 2 + 2 + 2 + 2


def test_a_run_of_paragraphs_counts_with_its_parent() -> None:
    runs = [text(30, c) for c in "pqr"]
    tree = tree_of(
        "<html><body><div>" + "".join(f"<p>{r}</p>" for r in runs) + "</div>"
        f"<div>{text(50, 'z')}</div></body></html>"
    )
    assert densest_block(tree).paragraphs == runs


def test_a_nested_block_is_not_its_parents_text() -> None:
    long, short = text(60, "l"), text(10, "s")
    tree = tree_of(f"<html><body><div><div>{long}</div><p>{short}</p></div></body></html>")
    assert densest_block(tree).paragraphs == [long]


def test_the_first_of_equally_dense_blocks_wins() -> None:
    first, second = text(50, "f"), text(50, "s")
    tree = tree_of(f"<html><body><div>{first}</div><div>{second}</div></body></html>")
    reading = densest_block(tree)
    assert (reading.name, reading.paragraphs) == (DENSEST, [first])


def test_a_block_needs_min_block_chars_of_its_own() -> None:
    enough = tree_of(f"<html><body><div>{text(MIN_BLOCK_CHARS)}</div></body></html>")
    assert densest_block(enough).paragraphs == [text(MIN_BLOCK_CHARS)]
    label = tree_of(f"<html><body><div>{text(MIN_BLOCK_CHARS - 1)}</div></body></html>")
    reading = densest_block(label)
    assert (reading.name, reading.paragraphs) == (DENSEST, [])


def test_fallback_readings_skip_the_default_reading_already_made() -> None:
    tree = tree_of(f"<html><body><div><p>{SENTENCE * 8}</p></div></body></html>")
    assert [c.name for c in fallback_readings(tree, URL, None)] == [DEFAULT, DENSEST]
    assert [c.name for c in fallback_readings(tree, URL, DEFAULT)] == [DENSEST]


def test_the_default_reading_uses_trafilaturas_own_fallbacks() -> None:
    """Without them (fast mode) trafilatura keeps the menu link after the text."""
    tree = tree_of(
        f"<html><body><center><font>{SENTENCE * 8}</font></center>"
        "<div><a href='/x'>menu satu</a></div></body></html>"
    )
    default = fallback_readings(tree, URL, None)[0]
    assert default.name == DEFAULT
    assert SENTENCE.strip() in default.paragraphs[0]
    assert not any("menu satu" in p for p in default.paragraphs)


def test_a_reading_at_exactly_the_link_share_is_not_put_last() -> None:
    # The default reading: 20 words, 6 of them link words (0.3); the densest: 2 of 14.
    first = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota"
    tree = tree_of(
        "<html><body><nav><a href='/a'>Pemilu</a> <a href='/b'>Kaltim</a> "
        "<a href='/c'>Berita Terkait Banjir Bontang</a></nav>"
        f"<div><p>{first} Minggu Pemilu Kaltim</p></div>"
        "<div><p>Berita Terkait Banjir Bontang pekan lalu</p></div></body></html>"
    )
    assert [c.name for c in fallback_readings(tree, URL, None)] == [DEFAULT, DENSEST]


def test_confidence_by_where_the_body_came_from() -> None:
    assert confidence("site", 10, fallback=False, media=False) == SITE_CONFIDENCE
    assert confidence("site", 10, fallback=True, media=False) == FALLBACK_CONFIDENCE
    assert confidence("site", 10, fallback=False, media=True) == MEDIA_CONFIDENCE
    assert confidence(DEFAULT, FULL_WORDS, fallback=False, media=False) == READING_CONFIDENCE
    assert confidence(DEFAULT, FULL_WORDS - 1, fallback=False, media=False) == SHORT_CONFIDENCE
    assert confidence(None, FULL_WORDS - 1, fallback=False, media=False) == SHORT_CONFIDENCE
    assert SITE_CONFIDENCE > READING_CONFIDENCE > SHORT_CONFIDENCE > FALLBACK_CONFIDENCE
