"""Reading the head: which metas and JSON-LD blocks are read, and how their wrappers come off."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.metadata import read_jsonld, read_metas, read_page_meta

ARTICLE = '{"@type": "NewsArticle", "headline": "Banjir di Samarinda"}'


def _headlines(*scripts: str) -> list[str]:
    blocks = "".join(f'<script type="application/ld+json">{s}</script>' for s in scripts)
    tree = document_fromstring(f"<html><head>{blocks}</head><body></body></html>")
    return [node["headline"] for node in read_jsonld(tree) if "headline" in node]


@pytest.mark.parametrize(
    "script",
    [
        ARTICLE,
        f"{ARTICLE};",
        f"{ARTICLE} ;\n",
        f"<!--\n{ARTICLE}\n-->",
        f"<![CDATA[{ARTICLE}]]>",
        f"  <![CDATA[ {ARTICLE} ]]>  ",
    ],
)
def test_a_block_is_read_through_its_comment_cdata_or_semicolon_wrapper(script: str) -> None:
    assert _headlines(script) == ["Banjir di Samarinda"]


@pytest.mark.parametrize("trail", ["XX", "X;", ", x"])
def test_a_block_with_stray_text_after_its_object_is_skipped(trail: str) -> None:
    assert _headlines(f"{ARTICLE}{trail}", '{"headline": "Kedua"}') == ["Kedua"]


def test_a_string_broken_over_lines_is_still_read() -> None:
    script = '{"@type": "NewsArticle", "headline": "Banjir\n\tdi Samarinda"}'
    assert _headlines(script) == ["Banjir\n\tdi Samarinda"]


def test_every_object_of_a_list_is_read_after_a_graph() -> None:
    script = f'[{{"@graph": [{{"headline": "Graf"}}]}}, {ARTICLE}, {{"headline": "Akhir"}}]'
    assert _headlines(script) == ["Graf", "Banjir di Samarinda", "Akhir"]


def test_metas_are_keyed_by_property_name_or_itemprop() -> None:
    tree = document_fromstring(
        "<html><head>"
        '<meta property="og:title" content="Judul">'
        '<meta name="Author" content="Ani">'
        '<meta itemprop="datePublished" content="2023-03-03">'
        '<meta name="description" content="">'
        '<meta content="tanpa nama">'
        "</head></html>"
    )
    assert read_metas(tree) == {
        "og:title": ["Judul"],
        "author": ["Ani"],
        "datepublished": ["2023-03-03"],
        "description": [""],
    }


def test_an_empty_meta_leaves_the_value_to_the_next_name() -> None:
    tree = document_fromstring(
        '<html><head><meta property="og:description" content="">'
        '<meta name="description" content="Ringkasan"></head></html>'
    )
    assert read_page_meta(tree).first("og:description", "description") == "Ringkasan"


def test_only_web_page_objects_are_the_pages_objects() -> None:
    script = (
        '{"@graph": [{"@type": "Organization", "name": "Niaga"},'
        ' {"@type": "WebSite", "name": "Niaga"}, {"@type": "ItemPage", "name": "Berita"},'
        ' {"@type": "NewsArticle", "name": "A"}, {"@type": "NewsArticle", "name": "B"}]}'
    )
    tree = document_fromstring(
        f'<html><head><script type="application/ld+json">{script}</script></head></html>'
    )
    meta = read_page_meta(tree)
    assert [node["name"] for node in meta.pages] == ["Berita"]
    assert meta.article is not None and meta.article["name"] == "A"
