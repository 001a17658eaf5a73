"""Where a page without a site file keeps its article: the block with the most paragraph text.

Captions are looked for there (the lead photo sits just above the text, sidebars around it),
and trafilatura's first reading of the body runs on a wider cut of it: a smaller tree to
clean and score costs less, and leaves out most of the furniture around the article.
"""

from __future__ import annotations

from lxml.html import HtmlElement

SCOPE_GROWTH, SCOPE_SLACK = 1.3, 600  # how much text widening the article scope may add
READING_CLIMB = 8  # levels above the text block that the body's first reading sees


def text_scope(tree: HtmlElement, climb: int = 3, more: int = 3) -> HtmlElement:
    """Where a page without a site file keeps its article: the element holding the most
    paragraph text, widened ``climb`` levels, then up to ``more`` while that adds little
    text, to take in the lead photo above the text but not the sidebars around it."""
    weight: dict[HtmlElement, int] = {}
    for para in tree.iter("p"):
        parent = para.getparent()
        if parent is not None:
            weight[parent] = weight.get(parent, 0) + len(para.text_content())
    if not weight:
        found = tree.xpath("(//article)[1] | (//main)[1] | (//body)[1]")
        return found[0] if found else tree
    scope = max(weight, key=weight.__getitem__)
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
