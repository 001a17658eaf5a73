"""The page's text block and the scope widened around it, on small hand-built pages."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, document_fromstring
from lxml.html import builder as E

from crawler.extraction.text_region import text_block, text_scope

LONG = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota pagi ini."


def _tree(body: str) -> HtmlElement:
    return document_fromstring(f"<html><head></head><body>{body}</body></html>")


def _id(element: HtmlElement) -> str | None:
    return element.get("id") or element.tag


# --- text_block ------------------------------------------------------------------------


def test_no_long_paragraph_means_no_long_words() -> None:
    block = text_block(_tree("<div><p>Singkat saja.</p><p>Dua kata.</p></div>"))
    assert block.long_paragraph_words == 0
    assert block.element is not None and block.element.tag == "div"


def test_the_words_of_every_long_paragraph_add_up() -> None:
    page = f"<div><p>{LONG}</p><p>Pendek.</p></div><aside><p>{LONG} {LONG}</p></aside>"
    assert text_block(_tree(page)).long_paragraph_words == 3 * len(LONG.split())


def test_a_paragraph_is_long_on_its_words_not_its_whitespace() -> None:
    eighty = " ".join(["kata"] * 15) + " abcde"  # exactly 80 characters
    assert len(eighty) == 80
    padded = eighty.replace(" ", "   ")  # far longer than 80 with its spaces
    assert text_block(_tree(f"<div><p>{padded}</p></div>")).long_paragraph_words == 0
    longer = padded + "f"
    assert text_block(_tree(f"<div><p>{longer}</p></div>")).long_paragraph_words == 16


def test_the_block_is_the_parent_of_the_most_paragraph_text() -> None:
    page = f"<div id='a'><p>{LONG}</p></div><div id='b'><p>{LONG}</p><p>x</p></div>"
    block = text_block(_tree(page))
    assert block.element is not None and block.element.get("id") == "b"


# --- text_scope ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<div><main><article>x</article></main></div>",
        "<div><main>x</main></div>",
        "<div>x</div>",
    ],
)
def test_a_page_without_paragraphs_is_scoped_to_its_body(body: str) -> None:
    assert _id(text_scope(_tree(body))) == "body"


def test_a_tree_without_body_or_paragraphs_is_its_own_scope() -> None:
    tree = E.DIV(E.SPAN("x"))
    assert text_scope(tree) is tree


def test_climbing_stops_at_the_top_of_a_tree_without_body() -> None:
    tree = E.DIV(E.DIV(E.P(LONG), id="b"), id="top")
    assert _id(text_scope(tree)) == "top"


def test_paragraphs_right_in_the_body_are_scoped_to_the_body() -> None:
    assert _id(text_scope(_tree(f"<p>{LONG}</p><p>{LONG}</p>"))) == "body"


def test_a_shallow_page_is_scoped_to_its_body() -> None:
    assert _id(text_scope(_tree(f"<div><div id='b'><p>{LONG}</p></div></div>"))) == "body"


def test_the_body_reached_only_after_the_climb_is_not_taken_in() -> None:
    page = f"<div id='d1'><div><div><div id='b'><p>{LONG}</p></div></div></div></div>"
    assert _id(text_scope(_tree(page), climb=3, more=3)) == "d1"


def test_the_climb_is_made_even_past_a_big_sidebar() -> None:
    page = (
        "<div id='w1'><div><div id='w3'>"
        f"<div id='b'><p>{LONG}</p></div><aside>{LONG * 20}</aside>"
        "</div></div></div><footer>kaki</footer>"
    )
    assert _id(text_scope(_tree(page), climb=1, more=0)) == "w3"


@pytest.mark.parametrize(("extra", "widened"), [(630, True), (631, False)])
def test_past_the_climb_a_level_is_taken_in_while_it_adds_little_text(
    extra: int, widened: bool
) -> None:
    # The scope holds 100 characters: a level may hold up to 1.3 times that plus 600.
    scope = f"<div id='b'><p>{'a' * 100}</p></div>"
    page = f"<div><div id='p'>{scope}<span>{'b' * extra}</span></div></div>"
    assert _id(text_scope(_tree(page), climb=0, more=1)) == ("p" if widened else "b")


def test_by_default_three_levels_then_at_most_three_more() -> None:
    wrappers = [f"w{n}" for n in range(1, 11)]
    page = "".join(f"<div id='{w}'>" for w in wrappers)
    page += f"<div id='b'><p>{LONG}</p></div>" + "</div>" * len(wrappers)
    assert _id(text_scope(_tree(page))) == "w5"  # w10 .. w5: six levels above the block
