"""The page-level helpers of ``article``: decoding, binary sniffing, shrinking, and where
credits and the site's own date are looked for."""

from __future__ import annotations

import codecs
import logging
import signal
from collections.abc import Iterator

import pytest
from lxml.html import HtmlElement, document_fromstring

from crawler.config.sites import Selectors, SiteConfig
from crawler.extraction.article import (
    _caption_scope,
    _selected_date,
    decode_html,
    looks_binary,
    parse_html,
    shrink,
)
from crawler.extraction.dates import zone


def _site(**selectors: str) -> SiteConfig:
    return SiteConfig(
        name="kabar", base_url="https://kabar.example", selectors=Selectors(**selectors)
    )


def _tree(body: str) -> HtmlElement:
    return document_fromstring(f"<html><head></head><body>{body}</body></html>")


# --- decode_html -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_a_bom_decides_the_encoding_and_a_bad_byte_after_it_is_replaced(
    bom: bytes, encoding: str
) -> None:
    assert decode_html(bom + "Café".encode(encoding)) == "Café"
    # An odd trailing byte (UTF-16) or an invalid one (UTF-8) never makes decoding fail.
    damaged = decode_html(bom + "Café".encode(encoding) + b"\xff")
    assert damaged.startswith("Café") and damaged.endswith("\ufffd")


def test_a_declared_charset_is_used_for_a_page_that_is_not_utf8() -> None:
    word = "Привет"  # cp1252 would read these bytes as Latin letters
    page = b'<meta charset="windows-1251"><p>' + word.encode("cp1251") + b"</p>"
    assert decode_html(page) == f'<meta charset="windows-1251"><p>{word}</p>'


def test_a_utf8_page_with_one_stray_byte_keeps_its_utf8_text() -> None:
    """The declared charset, not cp1252, reads the rest: one bad byte costs one character."""
    page = '<meta charset="utf-8"><p>Café di Balikpapan</p>'.encode() + b"\x81"
    assert decode_html(page) == '<meta charset="utf-8"><p>Café di Balikpapan</p>\ufffd'


def test_only_a_charset_declared_within_the_first_8192_bytes_counts() -> None:
    name = b'<meta charset="koi8-r'  # the name's last letter is the 8192nd byte
    text = "Привет".encode("koi8-r")
    inside = b" " * (8192 - len(name)) + name + b'">' + text
    assert decode_html(inside).endswith("Привет")
    # One byte later the name is cut at the 8192nd byte, so it is not a charset any more.
    beyond = b" " + inside
    assert decode_html(beyond).endswith(text.decode("cp1252", errors="replace"))


# --- looks_binary ----------------------------------------------------------------------


def test_a_file_signature_after_leading_whitespace_is_binary() -> None:
    assert looks_binary(b" \r\n%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    assert not looks_binary(b"<p>%PDF-1.4 is a file format</p>")


def test_one_control_byte_in_ten_is_still_text_more_is_binary() -> None:
    assert not looks_binary(b"\x01" * 10 + b"a" * 90)
    assert looks_binary(b"\x01" * 11 + b"a" * 89)
    assert looks_binary(b"\x01" * 100)


def test_spaces_tabs_and_newlines_are_not_control_bytes() -> None:
    assert not looks_binary(b"<p>a b</p>\n" + b" " * 50 + b"\t\t\r\n\f" * 20)


def test_only_the_first_1024_bytes_are_judged() -> None:
    start = b"\x01" * 102 + b"a" * (1024 - 102)  # 102 in 1024: under one in ten
    assert not looks_binary(start + b"\x01" * 50)


# --- shrink ----------------------------------------------------------------------------


def test_shrink_cuts_scripts_styles_and_svgs_and_keeps_the_rest_whole() -> None:
    page = (
        "<p>Hi</p><script>" + "x" * 50 + "</script ><p>Yo</p>"
        "<STYLE>" + "y" * 50 + "</style><svg>" + "z" * 50 + "</svg><p>Ok</p>"
    )
    assert shrink(page, limit=60) == "<p>Hi</p><p>Yo</p><p>Ok</p>"


def test_shrink_drops_an_unclosed_script_to_the_end() -> None:
    assert shrink("<p>Hi</p><script>" + "x" * 50, limit=30) == "<p>Hi</p>"


@pytest.fixture
def one_second() -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("shrink did not finish")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_shrink_ends_on_a_closing_tag_cut_before_its_bracket(one_second: None) -> None:
    assert shrink("<script>" + "x" * 50 + "</script", limit=30) == ""


def test_shrink_leaves_a_page_of_exactly_the_limit_untouched() -> None:
    page = "<p>Hi</p><script>x</script>"
    assert shrink(page, limit=len(page)) == page


def test_shrink_drops_long_inline_data_whole() -> None:
    page = '<img src="data:image/png;base64,' + "A" * 300 + '"><p>Hi</p><script>x</script>'
    assert shrink(page, limit=100) == '<img src=""><p>Hi</p>'


def test_shrink_reports_a_truncation_only_when_the_shed_page_is_still_too_long(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fits = "<p>" + "a" * 20 + "</p>"
    with caplog.at_level(logging.WARNING, logger="crawler.extraction.article"):
        assert shrink(fits + "<script>x</script>", limit=len(fits)) == fits
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="crawler.extraction.article"):
        assert shrink(fits + "<p>b</p>", limit=len(fits)) == fits
    assert "truncated" in caplog.text


# --- parse_html ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_a_bom_marked_page_is_parsed_though_utf16_bytes_look_binary(
    bom: bytes, encoding: str
) -> None:
    tree = parse_html(bom + "<p>Halo Samarinda</p>".encode(encoding))
    assert tree is not None and tree.text_content() == "Halo Samarinda"


def test_nul_characters_are_dropped() -> None:
    tree = parse_html("<p>Ha\x00lo</p>")
    assert tree is not None and tree.text_content() == "Halo"


def test_a_lone_surrogate_is_replaced_not_a_reason_to_give_up() -> None:
    tree = parse_html("<p>A\ud800B</p>")
    assert tree is not None and tree.text_content() == "A?B"


def test_comments_and_processing_instructions_are_not_in_the_tree() -> None:
    tree = parse_html("<?xml version='1.0'?><p>A<!-- iklan --><?php echo 1 ?>B</p>")
    assert tree is not None
    assert tree.xpath("//comment() | //processing-instruction()") == []
    assert [p.text for p in tree.iter("p")] == ["AB"]


def test_element_ids_are_not_indexed_pages_repeat_them() -> None:
    tree = parse_html('<p id="a">x</p><p id="a">y</p>')
    assert tree is not None and tree.xpath("id('a')") == []


# --- _caption_scope --------------------------------------------------------------------

SIDEBAR = "<article class='teaser'><p>Baca juga: berita lain</p></article>"


@pytest.mark.parametrize("around", ["article", "main"])
def test_credits_are_looked_for_around_the_sites_body_not_in_the_sidebar(around: str) -> None:
    tree = _tree(
        f"<aside>{SIDEBAR}</aside>"
        f"<{around} id='here'><div><div class='isi'><p>Teks</p></div></div></{around}>"
    )
    assert _caption_scope(tree, _site(body=".isi")).get("id") == "here"


def test_the_nearest_of_article_main_and_body_around_the_sites_body_is_taken() -> None:
    tree = _tree(
        "<main><div><article id='here'><div><div class='isi'><p>Teks</p></div></div>"
        "</article></div></main>"
    )
    assert _caption_scope(tree, _site(body=".isi")).get("id") == "here"


def test_a_site_body_matching_the_page_body_is_the_scope_itself() -> None:
    tree = _tree("<article><p>Teks</p></article>")
    assert _caption_scope(tree, _site(body="body")).tag == "body"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<main><article id='here'><p>a</p></article></main>", "here"),
        ("<div><main id='here'><p>a</p></main></div>", "here"),
        ("<div><p>a</p></div>", None),
    ],
)
def test_without_a_site_body_the_first_article_then_main_then_body(
    body: str, expected: str | None
) -> None:
    tree = _tree(body)
    for site in (None, _site(body=".missing")):
        scope = _caption_scope(tree, site)
        assert scope.get("id") == expected
        assert scope.tag != "html"


# --- _selected_date --------------------------------------------------------------------


def test_the_sites_date_element_is_read_when_it_has_a_time_of_day() -> None:
    tree = _tree("<span class='tgl'>Senin, 4 Desember 2023 14:05 WITA</span>")
    found = _selected_date(tree, ".tgl", zone("Asia/Makassar"))
    assert found is not None and found.startswith("2023-12-04T14:05")


def test_only_the_first_three_matches_of_the_date_selector_are_tried() -> None:
    def page(labels: int) -> HtmlElement:
        spans = "".join(f"<span class='tgl'>Kategori {n}</span>" for n in range(labels))
        return _tree(spans + "<span class='tgl'>4 Desember 2023 14:05</span>")

    assert _selected_date(page(2), ".tgl", zone("Asia/Jakarta")) is not None
    assert _selected_date(page(3), ".tgl", zone("Asia/Jakarta")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an offset the element states is kept; the site's zone only fills a missing one
        ("2023-12-04T14:05:00+07:00", "2023-12-04T14:05:00+07:00"),
        ("2023-12-04T14:05:00", "2023-12-04T14:05:00+08:00"),
        # a label before the date ("| ", "— ") still gives the day, in the site's zone
        ("| Senin, 4 Desember 2023 14:05", "2023-12-04T14:05:00+08:00"),
    ],
)
def test_the_sites_date_element_in_the_sites_zone(text: str, expected: str) -> None:
    tree = _tree(f"<span class='tgl'>{text}</span>")
    assert _selected_date(tree, ".tgl", zone("Asia/Makassar")) == expected
