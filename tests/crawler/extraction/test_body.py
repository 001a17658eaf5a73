"""Body paragraphs: block splitting, the site's body selector, oversized pages and refine."""

from __future__ import annotations

import logging

import pytest
from lxml.html import HtmlElement, fragment_fromstring

from crawler.config.sites import TextRules
from crawler.extraction.article import parse_html
from crawler.extraction.article_record import Caption
from crawler.extraction.body import (
    BOILERPLATE_CSS,
    block_paragraphs,
    bounded,
    compiled,
    in_tree,
    refine,
    remove_selectors,
    scan_credits,
    site_paragraphs,
)
from crawler.extraction.caption_credit import MAX_CAPTION_CHARS
from crawler.extraction.non_body_lines import MAX_DROPPED_LINE

SENTENCE = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota."


def tree_of(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def words(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def count(element: HtmlElement) -> int:
    return int(element.xpath("count(descendant-or-self::*)"))


# block_paragraphs


def test_blocks_and_br_split_paragraphs_inline_markup_does_not() -> None:
    root = fragment_fromstring(
        "<div>Lead <b>bold</b> and <i>italic</i> end.<p>Second</p>Tail after"
        "<br>After break<div><p>Nested</p></div></div>"
    )
    assert block_paragraphs(root) == [
        "Lead bold and italic end.",
        "Second",
        "Tail after",
        "After break",
        "Nested",
    ]


def test_scripts_and_styles_are_left_out_and_text_after_them_kept() -> None:
    root = fragment_fromstring(
        "<div><p>Before <b>x</b> inline</p><script>var x = 1;</script>"
        "<p>Middle</p><style>p {}</style><noscript>Enable JS</noscript><p>After</p></div>"
    )
    assert block_paragraphs(root) == ["Before x inline", "Middle", "After"]


def test_text_after_a_skipped_element_nested_in_another_is_still_left_out() -> None:
    root = fragment_fromstring(
        "<div><p>A</p><noscript><style>p {}</style>Enable JS</noscript><p>B</p></div>"
    )
    assert block_paragraphs(root) == ["A", "B"]


def test_site_paragraphs_read_the_first_match_only() -> None:
    tree = tree_of(
        "<html><body><div class='nav'>Menu</div><div class='isi'><p>One</p><p>Two</p></div>"
        "<div class='isi'><p>Three</p></div></body></html>"
    )
    assert site_paragraphs(tree, ".isi") == ["One", "Two"]
    assert site_paragraphs(tree, ".missing") is None
    assert site_paragraphs(tree, "div[") is None  # an invalid selector is no match


# in_tree


def test_in_tree_of_a_subtree_and_after_a_cut() -> None:
    tree = tree_of("<html><body><div><p id='a'>A</p></div><p id='b'>B</p></body></html>")
    body = tree.body
    para = tree.get_element_by_id("a")
    assert in_tree(para, tree)
    assert in_tree(para, body)  # the element's top is the tree's root, not ``body`` itself
    para.getparent().drop_tree()
    assert not in_tree(para, tree)


# bounded


def page(nav_items: int, articles: list[str], split: int = 1) -> HtmlElement:
    """A menu of ``nav_items`` items, then one <article> a text, each in ``split`` <p>s."""
    nav = "".join(f"<li>menu {i}</li>" for i in range(nav_items))
    arts = "".join(
        "<article>" + f"<p>{text}</p>" + "<p></p>" * (split - 1) + "</article>" for text in articles
    )
    return tree_of(f"<html><body><ul>{nav}</ul>{arts}</body></html>")


def test_a_page_within_the_limit_is_kept_whole() -> None:
    tree = page(5, [SENTENCE * 4])
    result = bounded(tree, limit=count(tree))
    assert "menu 4" in words(result) and SENTENCE in words(result)


def test_an_oversized_page_is_narrowed_to_its_article() -> None:
    text = SENTENCE * 4
    tree = page(30, [text])
    result = bounded(tree, limit=count(tree.xpath("//article")[0]))  # the article just fits
    assert words(result.body) == text
    assert "menu" not in words(result)
    assert words(tree.xpath("//article")[0]) == text  # the page itself is left untouched


def test_an_article_over_the_limit_is_not_taken() -> None:
    tree = page(30, [SENTENCE * 4], split=20)
    limit = count(tree.xpath("//article")[0]) - 1
    result = bounded(tree, limit=limit)
    assert count(result) <= limit
    assert "menu 0" in words(result)


def test_the_article_must_hold_more_than_200_characters() -> None:
    for length, narrowed in ((200, False), (201, True)):
        text = ("x" * 9 + " ") * 20
        text = (text * 2)[:length]
        tree = page(30, [text])
        result = bounded(tree, limit=10)
        assert ("menu 0" not in words(result)) is narrowed, length


def test_only_the_first_three_candidates_of_a_kind_are_tried() -> None:
    tree = page(30, ["short one", "short two", "short three", SENTENCE * 4])
    result = bounded(tree, limit=10)
    assert SENTENCE not in words(result)  # trimmed: the fourth article is never looked at
    assert "menu 0" in words(result)


# refine


def test_a_caption_repeated_in_the_body_is_dropped_and_the_rest_kept() -> None:
    captions = [
        Caption(text="Gubernur meresmikan jembatan"),
        Caption(text="Warga antre sembako", credit="Humas Kaltim"),
    ]
    body = refine(
        [
            "Gubernur meresmikan jembatan",
            "First paragraph.",
            "Warga antre sembako (Humas Kaltim)",
            "Gubernur meresmikan jembatan (Foto: Niaga.Asia)",
            "Second paragraph.",
        ],
        None,
        captions,
    )
    assert body.paragraphs == ["First paragraph.", "Second paragraph."]


def test_a_long_caption_repeated_whole_is_dropped() -> None:
    long_text = ("Gubernur meresmikan jembatan baru di Samarinda. " * 25).strip()
    assert len(long_text) > MAX_CAPTION_CHARS
    body = refine(
        [long_text, f"{long_text} (Humas)", "Body."],
        None,
        [Caption(text=long_text), Caption(text="x", credit="y")],
    )
    assert body.paragraphs == [f"{long_text} (Humas)", "Body."]
    credited = refine(
        [f"{long_text} (Humas)", "Body."], None, [Caption(text=long_text, credit="Humas")]
    )
    assert credited.paragraphs == ["Body."]


def test_a_credited_caption_is_split_up_to_the_caption_length() -> None:
    suffix = " (Foto: Humas)"
    for length, dropped in ((MAX_CAPTION_CHARS, True), (MAX_CAPTION_CHARS + 1, False)):
        caption = "Warga antre " + "a" * (length - len(suffix) - len("Warga antre "))
        para = caption + suffix
        assert len(para) == length
        body = refine([para, "Body."], None, [Caption(text=caption)])
        assert (para not in body.paragraphs) is dropped, length


def test_credit_tag_and_dropped_lines_leave_the_body() -> None:
    body = refine(
        [
            "Pewarta: Arumanto",
            "First paragraph.",
            "Tag: Pemilu 2024, IKN",
            "Baca Juga: Harga Cabai Turun",
            "Second paragraph.",
        ],
        None,
        [],
    )
    assert body.paragraphs == ["First paragraph.", "Second paragraph."]
    assert body.credits.authors == ["Arumanto"]
    assert body.tags == ["Pemilu 2024", "IKN"]


def test_a_dropped_line_is_dropped_up_to_the_length_limit() -> None:
    for length, dropped in ((MAX_DROPPED_LINE, True), (MAX_DROPPED_LINE + 1, False)):
        line = "Baca Juga: " + "x" * (length - len("Baca Juga: "))
        body = refine(["Body.", line], None, [])
        assert (line not in body.paragraphs) is dropped, length


def test_the_sites_rules_drop_credit_and_dateline_lines() -> None:
    rules = TextRules(
        dateline=r"^(?P<place>Kota \w+) >> ",
        source_editor=r"^Ditulis oleh (?P<author>\w+)$",
        drop_lines=[r"^Disponsori\b"],
    )
    paragraphs = ["Kota Bontang >> Warga antre.", "Ditulis oleh Budi", "Disponsori X", "End."]
    body = refine(paragraphs, rules, [])
    assert body.dateline == "Kota Bontang"
    assert body.paragraphs == ["Warga antre.", "End."]
    assert body.credits.authors == ["Budi"]
    plain = refine(paragraphs, None, [])
    assert plain.dateline is None
    assert plain.paragraphs == paragraphs


def test_the_title_is_dropped_only_when_given() -> None:
    assert refine(["xxxx", "Body."], None, []).paragraphs == ["xxxx", "Body."]
    assert refine(["Judul", "Body."], None, [], title="judul").paragraphs == ["Body."]


# scan_credits


def test_scan_credits_uses_the_sites_regex_without_a_credit_label() -> None:
    scope = fragment_fromstring("<div><p>Body text.</p><p>Ditulis oleh Budi</p></div>")
    rules = TextRules(source_editor=r"^Ditulis oleh (?P<author>\w+)$")
    assert scan_credits(scope, rules).authors == ["Budi"]
    assert scan_credits(scope, None).authors == []


# remove_selectors


def texts(tree: HtmlElement) -> list[str]:
    return [t.strip() for t in tree.xpath("//body//text()") if t.strip()]


def test_tag_class_and_id_selectors_cut_only_what_they_name() -> None:
    tree = tree_of(
        "<html><body><aside>Samping</aside><div class='promo iklan'>Iklan</div>"
        "<div id='menu'>Menu</div><div id='aside' class='menu'>Isi</div>"
        "<p class='promosi'>Berita</p><menu>Akhir</menu></body></html>"
    )
    remove_selectors(tree, ["aside", " .iklan ", "#menu"])
    # A tag selector names no id or class, an id selector no tag, a class selector one token.
    assert texts(tree) == ["Isi", "Berita", "Akhir"]


def test_complex_selectors_cut_together_and_an_invalid_one_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tree = tree_of(
        "<html><body><article><span class='iklan'>Iklan</span><p>Berita "
        "<span class='kredit'>Foto: Budi</span></p></article><div class='x'>Sisa</div>"
        "<span class='kredit'>Lepas</span></body></html>"
    )
    compiled.cache_clear()  # compiled selectors are cached: a warning is logged once a process
    with caplog.at_level(logging.WARNING):
        remove_selectors(tree, ["article > .iklan", "p[", "p span.kredit", ".x"])
    assert texts(tree) == ["Berita", "Lepas"]
    assert [r.getMessage() for r in caplog.records if "p[" in r.getMessage()]


def test_valid_selectors_log_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    tree = tree_of("<html><body><p>Berita</p></body></html>")
    compiled.cache_clear()  # compiled selectors are cached: a warning is logged once a process
    with caplog.at_level(logging.WARNING):
        remove_selectors(tree, BOILERPLATE_CSS)
    assert caplog.records == []


def test_a_wrapper_around_paragraphs_stays_and_the_cuts_after_it_still_happen() -> None:
    tree = tree_of(
        "<html><body><form id='aspnet'><p>Berita utama.</p></form>"
        "<form><input name='q'>Cari</form><button>Bagikan</button><aside>Samping</aside>"
        "</body></html>"
    )
    remove_selectors(tree, [*BOILERPLATE_CSS, "aside"])
    assert texts(tree) == ["Berita utama."]


def test_body_containers_are_noted_unless_the_selectors_name_them() -> None:
    tree = tree_of(
        "<html><body><div itemprop='articleBody'><p>A</p></div>"
        "<div class='entry-content'><p>B</p></div>"
        "<div itemprop='articlebody'><p>C</p></div>"
        "<form class='post-content'><p>D</p></form></body></html>"
    )
    found = remove_selectors(tree, BOILERPLATE_CSS)
    assert [words(e) for e in found] == ["A", "B"]
    # The form the boilerplate names is kept for its paragraph, but it is no body container.
    assert "D" in words(tree)
