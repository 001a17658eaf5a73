"""Page metadata: which JSON-LD object is the article, its authors and tags, the site suffix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml.html import document_fromstring

from crawler.extraction.metadata import (
    dedupe,
    find_authors,
    find_tags,
    is_article_page,
    read_page_meta,
    select_texts,
    strip_site_suffix,
)


def _page(jsonld: Any = None, head: str = "", body: str = "") -> str:
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    return f"<html><head>{script}{head}</head><body>{body}</body></html>"


def _authors(html: str) -> list[str]:
    tree = document_fromstring(html)
    return find_authors(tree, read_page_meta(tree), None)


ARO = {"@id": "#aro", "@type": "Person", "name": "Aro"}
BUDI = {"@id": "#budi", "@type": "Person", "name": "Budi"}


@pytest.mark.parametrize(
    ("article", "authors"),
    [
        ({"author": {"@id": "#aro"}}, ["Aro"]),
        ({"author": [{"@id": "#aro"}, {"@id": "#budi"}]}, ["Aro", "Budi"]),
        ({"creator": {"@id": "#budi"}}, ["Budi"]),  # no author: the creator
        ({"author": ["Aro", "Budi"]}, ["Aro", "Budi"]),
        ({"author": {"@type": "Person", "name": "Cici"}}, ["Cici"]),
        # an object that names itself is no bare reference: its own name stays
        ({"author": {"@id": "#aro", "name": "Cici"}}, ["Cici"]),
        ({"author": {"@id": "#nobody"}}, []),  # a reference to nothing on the page
    ],
)
def test_jsonld_authors_and_their_references(article: dict[str, Any], authors: list[str]) -> None:
    graph = {"@graph": [{"@type": "NewsArticle", **article}, ARO, BUDI]}
    assert _authors(_page(graph)) == authors


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Oleh: Aro.", ["Aro"]),
        ("Xanana Gusmao, Malcolm X", ["Xanana Gusmao", "Malcolm X"]),
        ("Aro & X", ["Aro", "X"]),  # a one-letter name (an initial) is still a name
        ("https://www.facebook.com/aro", []),  # a profile link is no name
        ("http://aro.example.id", []),
    ],
)
def test_author_meta_names(byline: str, authors: list[str]) -> None:
    assert _authors(_page(head=f'<meta name="author" content="{byline}">')) == authors


@pytest.mark.parametrize(("last", "kept"), [("Nama Ooo", True), ("Nama Oooo", False)])
def test_an_author_line_over_120_characters_is_no_list_of_names(last: str, kept: bool) -> None:
    names = [f"Nama {c}" for c in "ABCDEFGHIJKLMN"] + [last]
    byline = ", ".join(names)
    assert len(byline) == (120 if kept else 121)
    head = f'<meta name="author" content="{byline}">'
    assert _authors(_page(head=head)) == (names if kept else [])


def test_blank_jsonld_keywords_leave_the_tags_to_the_tag_links() -> None:
    html = _page(
        {"@type": "NewsArticle", "keywords": " "},
        body='<p>Isi.</p><a rel="tag" href="/tag/banjir">Banjir</a>',
    )
    tree = document_fromstring(html)
    assert find_tags(tree, read_page_meta(tree), None) == ["Banjir"]


@pytest.mark.parametrize(
    "types",
    [["NewsArticle", "Thing"], "https://schema.org/NewsArticle", "http://schema.org/NewsArticle"],
)
def test_article_types_as_lists_and_schema_urls(types: Any) -> None:
    meta = read_page_meta(document_fromstring(_page({"@type": types, "headline": "Judul"})))
    assert meta.article is not None and meta.article["headline"] == "Judul"


def test_a_listing_type_says_the_page_is_no_article() -> None:
    meta = read_page_meta(document_fromstring(_page({"@type": "CollectionPage"})))
    assert is_article_page(meta) is False
    assert is_article_page(read_page_meta(document_fromstring(_page()))) is None


def test_the_site_suffix_is_cut_for_any_of_the_sites_names() -> None:
    names = ["Kaltim Post", "Niaga.Asia"]
    assert strip_site_suffix("Judul Berita - Niaga.Asia", names) == "Judul Berita"
    assert strip_site_suffix("Judul Berita - Kompas", names) == "Judul Berita - Kompas"


def test_the_sites_byline_selector_adds_its_names_after_the_metas() -> None:
    html = _page(head='<meta name="author" content="Aro">', body="<p class='by'>Budi</p>")
    tree = document_fromstring(html)
    assert find_authors(tree, read_page_meta(tree), ".by") == ["Aro", "Budi"]


def test_author_links_are_read_only_when_no_source_names_anyone() -> None:
    links = "".join(
        f"<a rel='author' href='/p/{n}'>{n}</a>" for n in ("Aro", "Budi", "Cici", "Dedi")
    )
    assert _authors(_page(body=links)) == ["Aro", "Budi", "Cici"]  # three at most
    with_meta = _page(head='<meta name="author" content="Eka">', body=links)
    assert _authors(with_meta) == ["Eka"]


def test_a_selector_matching_a_meta_gives_its_content_and_blanks_give_nothing() -> None:
    tree = document_fromstring(
        "<html><head><meta name='penulis' content=' Aro '><meta name='penulis'></head>"
        "<body><span class='p'>Budi</span><span class='p'> </span><span class='p'></span>"
        "</body></html>"
    )
    assert select_texts(tree, "meta[name=penulis], .p") == ["Aro", "Budi"]


def test_dedupe_keeps_the_first_spelling_and_drops_blanks() -> None:
    assert dedupe(["Aro", "", "ARO", "Budi", "aro"]) == ["Aro", "Budi"]
