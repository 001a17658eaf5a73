"""The last readings of an article body, and how sure the record is of the one it keeps.

An article page a reader can read must never come back empty. When the chosen reading is
empty or tiny (trafilatura read a page whose text sits outside ``<p>``, or took a teaser for
the article), the next readings are tried in turn: trafilatura's default mode with its own
readability and jusText fallbacks on the whole page, then the block with the most text of
its own that is not link text (readability's idea: text density, links count against). The
first that is not mostly link text wins (trafilatura's last resort dumps the whole page);
``confidence`` says which rung of the ladder the body came from.
"""

from __future__ import annotations

from collections import Counter

from lxml.html import HtmlElement

from crawler.extraction.body import block_paragraphs
from crawler.extraction.candidates import (
    DEFAULT,
    LINK_SHARE,
    Candidate,
    link_share,
    trafilatura_reading,
)
from crawler.extraction.non_body_lines import clean

DENSEST = "densest-block"
BLOCK_TAGS = ("div", "td", "section", "article", "main", "p", "span", "font", "center")
TEXT_SKIP = {"a", "script", "style", "noscript", "button", "select", "option", "nav"}
MIN_BLOCK_CHARS = 40  # a block with less text of its own is a label, not an article

# How sure the record is of its body, by where the body came from.
SITE_CONFIDENCE = 0.95
READING_CONFIDENCE = 0.9  # a full-length generic reading
SHORT_CONFIDENCE = 0.6  # a generic reading shorter than an article usually is
MEDIA_CONFIDENCE = 0.75  # a photo, gallery or video page read as its prose or captions
FALLBACK_CONFIDENCE = 0.4  # the first readings were empty or tiny
FULL_WORDS = 120  # a reading this long is article-sized


def _own_text(element: HtmlElement) -> int:
    """Characters of text the element holds itself or in inline children, links aside."""
    total = len((element.text or "").strip())
    for child in element:
        if isinstance(child.tag, str) and child.tag not in TEXT_SKIP and child.tag in (
            "b", "i", "em", "strong", "u", "span", "font", "small", "sup", "sub", "mark"
        ):  # fmt: skip
            total += len(child.text_content().strip())
        total += len((child.tail or "").strip())
    return total


def densest_block(tree: HtmlElement) -> Candidate:
    """The element whose own text (``<br>``-separated lines, inline markup) is longest."""
    best, best_chars = None, MIN_BLOCK_CHARS - 1
    for element in tree.iter(*BLOCK_TAGS):
        chars = _own_text(element)
        if element.tag != "p":  # a run of paragraphs counts with its parent
            chars += sum(_own_text(p) for p in element.iterchildren("p"))
        if chars > best_chars:
            best, best_chars = element, chars
    if best is None:
        return Candidate(DENSEST, [])
    return Candidate(DENSEST, [p for p in (clean(x) for x in block_paragraphs(best)) if p])


def fallback_readings(tree: HtmlElement, url: str, tried: str | None) -> list[Candidate]:
    """The readings after the first ones, best first; ``tried`` names one already made."""
    readings = []
    if tried != DEFAULT:
        readings.append(trafilatura_reading(tree, url, precision=False, fast=False))
    readings.append(densest_block(tree))
    links = Counter(w for a in tree.iter("a") for w in a.text_content().lower().split())
    return sorted(readings, key=lambda c: link_share(c, links) > LINK_SHARE)


def confidence(extractor: str | None, words: int, fallback: bool, media: bool) -> float:
    """How sure the record is of its body (see the constants above)."""
    if fallback:
        return FALLBACK_CONFIDENCE
    if media:
        return MEDIA_CONFIDENCE
    if extractor == "site":
        return SITE_CONFIDENCE
    return READING_CONFIDENCE if words >= FULL_WORDS else SHORT_CONFIDENCE
