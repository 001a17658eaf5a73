"""Where a page without a site file keeps its article: the block with the most paragraph text.

Captions are looked for there (the lead photo sits just above the text, sidebars around it),
and trafilatura's first reading of the body runs on a wider cut of it: a smaller tree to
clean and score costs less, and leaves out most of the furniture around the article.
"""

from __future__ import annotations

from typing import NamedTuple

from lxml.html import HtmlElement

SCOPE_GROWTH, SCOPE_SLACK = 1.3, 600  # how much text widening the article scope may add
READING_CLIMB = 8  # levels above the text block that the body's first reading sees
LONG_PARAGRAPH_CHARS = 80  # a <p> this long is article-like text, for the size estimate


class TextBlock(NamedTuple):
    """The element whose ``<p>`` children hold the most text (None without paragraphs), and
    the words in the page's long paragraphs: a cheap estimate of the article's size."""

    element: HtmlElement | None
    long_paragraph_words: int


def text_block(tree: HtmlElement) -> TextBlock:
    """One pass over the page's paragraphs (see :class:`TextBlock`)."""
    weight: dict[HtmlElement, int] = {}
    long_words = 0
    for para in tree.iter("p"):
        text = para.text_content()
        if len(text) > LONG_PARAGRAPH_CHARS:
            words = text.split()
            if len(" ".join(words)) > LONG_PARAGRAPH_CHARS:
                long_words += len(words)
        parent = para.getparent()
        if parent is not None:
            weight[parent] = weight.get(parent, 0) + len(text)
    element = max(weight, key=weight.__getitem__) if weight else None
    return TextBlock(element, long_words)


def text_scope(
    tree: HtmlElement, climb: int = 3, more: int = 3, block: TextBlock | None = None
) -> HtmlElement:
    """Where a page without a site file keeps its article: the element holding the most
    paragraph text, widened ``climb`` levels, then up to ``more`` while that adds little
    text, to take in the lead photo above the text but not the sidebars around it.
    ``block`` is :func:`text_block` of the same tree, when the caller has it already."""
    scope = (block or text_block(tree)).element
    if scope is None:
        found = tree.xpath("(//article)[1] | (//main)[1] | (//body)[1]")
        return found[0] if found else tree
    for level in range(climb + more):
        parent = scope.getparent()
        if parent is None or parent.tag == "html":
            break
        if parent.tag == "body":  # a shallow page: all of it is near the text
            return parent if level < climb else scope
        if level >= climb and len(parent.text_content()) > (
            SCOPE_GROWTH * len(scope.text_content()) + SCOPE_SLACK
        ):
            break
        scope = parent
    return scope
