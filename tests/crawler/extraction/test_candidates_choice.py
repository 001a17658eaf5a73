"""How ``choose_body`` decides between its readings, with trafilatura's readings replaced by
readings of a chosen length (the decision, not trafilatura, is under test here)."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, document_fromstring

from crawler.extraction import candidates
from crawler.extraction.body import in_tree
from crawler.extraction.candidates import CONTAINER, DEFAULT, PRECISION, Candidate, choose_body
from crawler.extraction.text_region import TextBlock

URL = "https://kabar.example/a/"
LONG = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota pagi ini."


def _words(n: int) -> list[str]:
    return [" ".join(["kata"] * n)] if n else []


@pytest.fixture
def regions(monkeypatch: pytest.MonkeyPatch) -> list[HtmlElement]:
    """The trees the readings were asked to read; the readings themselves are 0 words."""
    seen: list[HtmlElement] = []

    def reading(tree: HtmlElement, url: str, precision: bool, fast: bool) -> Candidate:
        seen.append(tree)
        return Candidate(PRECISION if precision else DEFAULT, [])

    monkeypatch.setattr(candidates, "trafilatura_reading", reading)
    return seen


def _fake_readings(monkeypatch: pytest.MonkeyPatch, first: int, default: int) -> None:
    def reading(tree: HtmlElement, url: str, precision: bool, fast: bool) -> Candidate:
        if precision:
            return Candidate(PRECISION, _words(first))
        return Candidate(DEFAULT, _words(default))

    monkeypatch.setattr(candidates, "trafilatura_reading", reading)


def _tree(body: str) -> HtmlElement:
    return document_fromstring(f"<html><head></head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("first", "long_words", "default", "winner"),
    [
        (10, 0, 100, DEFAULT),  # short, and under half the full reading: it cut the article
        (10, 0, 20, PRECISION),  # exactly half of the full reading is enough
        (10, 0, 10, PRECISION),  # as long as the full reading
        (50, 50, 200, PRECISION),  # short but holds all of 50 long-paragraph words: trusted
        (49, 49, 200, DEFAULT),  # 49 long-paragraph words are too few to trust it
        (120, 0, 300, PRECISION),  # 120 words is not short
        (140, 200, 300, PRECISION),  # exactly 70 % of the long paragraphs: nothing lost
        (139, 200, 300, DEFAULT),  # under 70 %: it may have lost text, and it did
    ],
)
def test_when_the_full_reading_replaces_the_first(
    monkeypatch: pytest.MonkeyPatch, first: int, long_words: int, default: int, winner: str
) -> None:
    _fake_readings(monkeypatch, first, default)
    tree = _tree("<div><p>x</p></div>")
    block = TextBlock(tree.find(".//div"), long_words)
    assert choose_body(tree, URL, [], block).name == winner


@pytest.mark.parametrize(
    ("container_words", "reading_words", "winner"),
    [
        (15, 0, CONTAINER),  # trafilatura read nothing: a 15-word container is the body
        (14, 0, PRECISION),  # 14 words is a teaser box
        (40, 100, CONTAINER),  # the reading swallowed the page around the container
        (40, 80, PRECISION),  # exactly twice the container: not swallowed
        (40, 200, CONTAINER),  # five times the container still is
        (40, 201, PRECISION),  # beyond that the container is a fragment
        (30, 70, CONTAINER),  # 30 words may replace a reading that swallowed it
        (29, 70, PRECISION),
    ],
)
def test_when_the_body_container_beats_the_reading(
    monkeypatch: pytest.MonkeyPatch, container_words: int, reading_words: int, winner: str
) -> None:
    _fake_readings(monkeypatch, reading_words, reading_words)
    tree = _tree(f"<div class='entry-content'><p>{' '.join(['isi'] * container_words)}</p></div>")
    container = tree.find(".//div")
    chosen = choose_body(tree, URL, [container])
    assert chosen.name == winner
    if winner == CONTAINER:
        assert chosen.words == container_words


def _deep_page() -> HtmlElement:
    """The article ten wrappers deep, and a block with more paragraph text elsewhere."""
    wrappers = "".join(f"<div id='a{n}'>" for n in range(1, 11))
    return _tree(
        f"{wrappers}<div id='article'><p>{LONG}</p></div>{'</div>' * 10}"
        f"<div><div id='other'><p>{LONG}</p><p>{LONG}</p></div></div>"
    )


def test_the_first_reading_sees_the_given_block_widened_eight_levels(
    regions: list[HtmlElement],
) -> None:
    tree = _deep_page()
    choose_body(tree, URL, [], TextBlock(tree.get_element_by_id("article"), 0))
    assert regions[0].get("id") == "a3"  # a10 .. a3


def test_a_block_cut_from_the_tree_is_read_again(regions: list[HtmlElement]) -> None:
    tree = _deep_page()
    gone = tree.get_element_by_id("article")
    gone.drop_tree()
    choose_body(tree, URL, [], TextBlock(gone, 0))
    assert in_tree(regions[0], tree)
    assert tree.get_element_by_id("other") in regions[0].iter()
