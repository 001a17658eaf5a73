"""The body container found while cutting boilerplate, and the choice that uses it."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement

from crawler.extraction.article import extract_article, parse_html
from crawler.extraction.body import BOILERPLATE_CSS, body_container, in_tree, remove_selectors
from crawler.extraction.candidates import (
    CONTAINER,
    DEFAULT,
    PRECISION,
    choose_body,
    trafilatura_reading,
)

SENTENCE = "Warga Samarinda menanam pohon di tepi Sungai Mahakam bersama pemerintah kota. "


def test_a_container_inside_cut_boilerplate_is_not_the_body() -> None:
    tree = parse_html(
        "<html><body><div class='post-content'><p>" + SENTENCE * 5 + "</p></div>"
        "<div class='related-posts'><div class='entry-content'><p>Teaser.</p></div></div>"
        "</body></html>"
    )
    assert tree is not None
    teaser = tree.xpath("//div[@class='entry-content']")[0]
    found = remove_selectors(tree, BOILERPLATE_CSS)
    assert not in_tree(teaser, tree)  # cut with the related posts around it
    assert [e.get("class") for e in found] == ["post-content"]
    container = body_container(tree, [*found, teaser])
    assert container is not None and container.get("class") == "post-content"


def test_two_separate_containers_give_none() -> None:
    tree = parse_html(
        "<html><body><div class='entry-content'><p>A</p></div>"
        "<div class='entry-content'><p>B</p></div></body></html>"
    )
    assert tree is not None
    assert body_container(tree, remove_selectors(tree, [])) is None


def test_the_container_wins_when_trafilatura_reads_nothing() -> None:
    # Text in <div>s with <br> only and long link-free lines inside the container.
    lines = "<br>".join(SENTENCE * 2 for _ in range(6))
    html = f"<html><body><div itemprop='articleBody'>{lines}</div></body></html>"
    tree = parse_html(html)
    assert tree is not None
    chosen = choose_body(tree, "https://kabar.example/a/", remove_selectors(tree, []))
    assert chosen.words >= 60
    assert "Sungai Mahakam" in " ".join(chosen.paragraphs)
    article = extract_article(html, "https://kabar.example/a/")
    assert article is not None and "Sungai Mahakam" in article.text
    assert article.extractor in {CONTAINER, "trafilatura", "trafilatura-precision"}


def test_a_page_dump_of_link_text_does_not_replace_a_short_reading() -> None:
    from crawler.extraction.candidates import Candidate, _mostly_links

    tree = parse_html(
        "<html><body><nav><a href='/'>Home</a> » <a href='/ekonomi'>Ekonomi</a></nav>"
        "<p>“Kami tidak ingin persoalan ini berlarut-larut,” jelas Jaya.</p>"
        "<aside>Berita Terkait <a href='/a'>Tekan Ekspor Batu Bara di Samarinda</a>"
        "<a href='/b'>Pelindo Bahas Liga Pelajar Target Rampung Juni</a></aside></body></html>"
    )
    assert tree is not None
    first = Candidate(
        "trafilatura-precision", ["“Kami tidak ingin persoalan ini berlarut-larut,” jelas Jaya."]
    )
    dump = Candidate("trafilatura", [" ".join(tree.text_content().split())])
    assert _mostly_links(dump, first, tree)
    longer = Candidate("trafilatura", [*first.paragraphs, SENTENCE * 3])
    assert not _mostly_links(longer, first, tree)  # more body text, not more links


@pytest.mark.parametrize(
    ("default_links", "first_links", "furniture"),
    [
        (3, 0, False),  # 30 % link words is still a reading (furniture is over 30 %)
        (4, 0, True),
        (4, 2, False),  # twice the first reading's share is not more than it
        (5, 2, True),
    ],
)
def test_link_text_share_that_makes_a_reading_furniture(
    default_links: int, first_links: int, furniture: bool
) -> None:
    from crawler.extraction.candidates import Candidate, _mostly_links

    link_words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    tree = parse_html(
        "<html><body><p>teks</p>"
        + "".join(f"<a href='/{w}'>{w}</a>" for w in link_words)
        + "</body></html>"
    )
    assert tree is not None

    def reading(links: int) -> Candidate:
        plain = [f"kata{i}" for i in range(10 - links)]
        return Candidate("trafilatura", [" ".join([*link_words[:links], *plain])])

    assert _mostly_links(reading(default_links), reading(first_links), tree) == furniture


URL = "https://kabar.example/a/"
ARTICLE = f"<p>{SENTENCE * 3}</p><p>{SENTENCE * 2}</p>"
BOXED = "Kotak berbatas ini berisi keterangan tambahan tentang penanaman pohon di kota."


def test_the_precision_reading_drops_a_bordered_box_the_default_reading_keeps() -> None:
    page = f"<html><body><article>{ARTICLE}<p style='border: 1px solid'>{BOXED}</p>{ARTICLE}"
    page += "</article></body></html>"
    precise = trafilatura_reading(_parsed(page), URL, precision=True, fast=True)
    default = trafilatura_reading(_parsed(page), URL, precision=False, fast=False)
    assert (precise.name, default.name) == (PRECISION, DEFAULT)
    assert BOXED not in precise.paragraphs and BOXED in default.paragraphs
    assert "Sungai Mahakam" in precise.paragraphs[0]


def test_reader_comments_never_fill_up_a_short_reading() -> None:
    comment = "Bagus sekali beritanya, terima kasih admin atas infonya yang sangat lengkap. "
    page = (
        "<html><body><article><p>Warga menanam pohon di tepi Sungai Mahakam.</p></article>"
        f"<div id='comments'><ol class='comment-list'><li class='comment'><p>{comment}</p></li>"
        f"<li class='comment'><p>{comment * 2}</p></li></ol></div></body></html>"
    )
    for fast in (True, False):
        reading = trafilatura_reading(_parsed(page), URL, precision=False, fast=fast)
        assert reading.paragraphs == ["Warga menanam pohon di tepi Sungai Mahakam."]


def test_a_page_read_again_and_again_gives_the_same_text() -> None:
    """No reading remembers earlier ones: re-extracting pages that share paragraphs (or the
    same page) never loses them."""
    tree = _parsed(f"<html><body><article>{ARTICLE}</article></body></html>")
    first = trafilatura_reading(tree, URL, precision=False, fast=False)
    assert len(first.paragraphs) == 2
    for _ in range(3):
        assert trafilatura_reading(tree, URL, precision=False, fast=False) == first


def test_a_page_without_text_gives_an_empty_reading() -> None:
    reading = trafilatura_reading(_parsed("<html><body><div></div></body></html>"), URL, True, True)
    assert reading.paragraphs == [] and reading.words == 0


def test_a_long_enough_first_reading_is_the_precision_reading() -> None:
    page = f"<html><body><article>{ARTICLE * 3}<p style='border: 1px'>{BOXED}</p>"
    page += "</article></body></html>"
    tree = _parsed(page)
    chosen = choose_body(tree, URL, remove_selectors(tree, []))
    assert chosen.name == PRECISION and BOXED not in chosen.paragraphs
    assert chosen.words >= 120


def test_text_between_two_link_menus_is_found_by_the_second_reading() -> None:
    """The first reading (no fallback extractors) gives nothing; the full one finds the text."""
    menu = " ".join(f"<a href='/m{n}'>Tautan menu nomor {n}</a>" for n in range(30))
    page = f"<html><body><div>{menu}</div><div><b>{SENTENCE * 4}</b></div><div>{menu}</div>"
    tree = _parsed(page + "</body></html>")
    chosen = choose_body(tree, URL, remove_selectors(tree, []))
    assert "Sungai Mahakam" in " ".join(chosen.paragraphs)
    assert "Tautan menu" not in " ".join(chosen.paragraphs)


def _parsed(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree
