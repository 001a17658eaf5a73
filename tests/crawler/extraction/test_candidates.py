"""The body container found while cutting boilerplate, and the choice that uses it."""

from __future__ import annotations

import pytest

from crawler.extraction.article import extract_article, parse_html
from crawler.extraction.body import BOILERPLATE_CSS, body_container, in_tree, remove_selectors
from crawler.extraction.candidates import CONTAINER, choose_body

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
