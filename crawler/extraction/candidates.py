"""Several readings of the article body, and a choice between them made on evidence.

The first reading is trafilatura in precision mode without its fallback extractors
(``fast``), run on the page's main text block widened eight levels (``text_region``): on
real pages precision drops more furniture than the default mode, and the narrower tree and
the missing fallbacks make it cost about half of a full trafilatura run. When it may have
lost text (it kept under 70 % of the words in the page's long paragraphs, or very little at
all), the default mode with its readability and jusText fallbacks reads the whole tree, and
the precision reading is kept only if it holds at least half of the default's words: below
that it cut the article, above it it only cut furniture, and unless the default reading is
mostly the page's link text (trafilatura's last resort dumps the whole page, menus and
related links included). A short first reading that holds all of the page's long paragraphs
is trusted as it is. On the real pages of ``make eval`` about one page in nine needs the
second reading. A site's own body element, or the page's
one body container when trafilatura swallowed the page around a short body, beat both. The
winner's name goes into ``Article.extractor``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from crawler.extraction.body import (
    SWALLOWED,
    block_paragraphs,
    body_container,
    bounded,
    in_tree,
)
from crawler.extraction.non_body_lines import clean
from crawler.extraction.text_region import READING_CLIMB, TextBlock, text_block, text_scope

PRECISION = "trafilatura-precision"
DEFAULT = "trafilatura"
CONTAINER = "container"
SITE = "site"
KEEP_SHARE = 0.5  # precision must keep this share of the default's words to be chosen
LOST_SHARE = 0.7  # a first reading under this share of the long paragraphs' words may be cut
SHORT_WORDS = 120
LINK_SHARE = 0.3  # a reading with this share of its words in link text is furniture
MIN_LONG_WORDS = 50  # long paragraphs this short say too little to trust a short reading
# A container under a fifth of trafilatura's reading is a teaser or a fragment, not the body.
TOO_SMALL = 5.0
MIN_CONTAINER_WORDS = 30  # a container this long may replace a reading that swallowed it
FEWEST_CONTAINER_WORDS = 15  # below this a container is a teaser box, never the body


@dataclass
class Candidate:
    name: str
    paragraphs: list[str]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def trafilatura_reading(tree: HtmlElement, url: str, precision: bool, fast: bool) -> Candidate:
    """trafilatura's body on the shared tree (it works on its own copy), one line a paragraph."""
    document = trafilatura.bare_extraction(
        bounded(tree),
        url=url,
        favor_precision=precision,
        include_comments=False,
        include_tables=True,
        include_images=False,
        with_metadata=False,
        deduplicate=False,
        fast=fast,
    )
    text = getattr(document, "text", None) or ""
    lines = [line for line in (clean(x) for x in text.split("\n")) if line]
    return Candidate(PRECISION if precision else DEFAULT, lines)


def link_share(candidate: Candidate, links: Counter[str]) -> float:
    words = Counter(w for p in candidate.paragraphs for w in p.lower().split())
    total = sum(words.values())
    return sum((words & links).values()) / total if total else 0.0


def _mostly_links(default: Candidate, first: Candidate, tree: HtmlElement) -> bool:
    """Whether the default reading is link text the first reading left out: trafilatura's
    last resort dumps the whole page (menus, "Berita Terkait", share buttons) as one text."""
    links = Counter(w for a in tree.iter("a") for w in a.text_content().lower().split())
    share = link_share(default, links)
    return share > LINK_SHARE and share > 2 * link_share(first, links)


def choose_body(
    tree: HtmlElement,
    url: str,
    containers: list[HtmlElement],
    block: TextBlock | None = None,
) -> Candidate:
    """The best generic reading of the body (see the module docstring for the evidence).

    ``containers`` are the body containers :func:`remove_selectors` met on the page;
    ``block`` is the page's :func:`text_block`, read before captions were cut (it is read
    again if its element went with them).
    """
    if block is None or block.element is None or not in_tree(block.element, tree):
        block = text_block(tree)
    region = text_scope(tree, READING_CLIMB, 0, block)
    chosen = trafilatura_reading(region, url, precision=True, fast=True)
    long_words = block.long_paragraph_words
    # A short reading is suspect unless it holds the page's long paragraphs, and they are
    # more than a line or two (body text outside <p> leaves only a few long paragraphs).
    trusted = long_words >= MIN_LONG_WORDS and chosen.words >= long_words
    short = chosen.words < SHORT_WORDS and not trusted
    if short or chosen.words < LOST_SHARE * long_words:
        default = trafilatura_reading(tree, url, precision=False, fast=False)
        cut = chosen.words < KEEP_SHARE * default.words or chosen.words > default.words
        if cut and not _mostly_links(default, chosen, tree):
            chosen = default
    container = body_container(tree, containers)
    if container is None:
        return chosen
    words = len(container.text_content().split())  # its paragraphs are read only if it wins
    if words < FEWEST_CONTAINER_WORDS:
        return chosen
    swallowed = SWALLOWED * words < chosen.words <= TOO_SMALL * words
    if not chosen.words or (swallowed and words >= MIN_CONTAINER_WORDS):
        return Candidate(CONTAINER, block_paragraphs(container))
    return chosen
