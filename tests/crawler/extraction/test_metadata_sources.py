"""Where a page's section, tags, language, site names and kind are read from, and in which
order the sources are asked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml.html import HtmlElement, document_fromstring

from crawler.extraction.metadata import (
    PageMeta,
    find_language,
    find_section,
    find_tags,
    is_article_page,
    read_page_meta,
    site_names,
)


def _read(
    jsonld: Any = None, head: str = "", body: str = "", attrs: str = ""
) -> tuple[HtmlElement, PageMeta]:
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    tree = document_fromstring(
        f"<html{attrs}><head>{script}{head}</head><body><p>Isi.</p>{body}</body></html>"
    )
    return tree, read_page_meta(tree)


def _article(**fields: Any) -> dict[str, Any]:
    return {"@type": "NewsArticle", **fields}


# --- find_language ---------------------------------------------------------------------

LOCALE_ID = '<meta property="og:locale" content="id_ID">'


@pytest.mark.parametrize(
    ("attrs", "head", "jsonld", "language"),
    [
        (' lang="id-ID"', "", None, "id"),
        (' xml:lang="jv"', "", None, "jv"),
        ("", '<meta name="content-language" content="ms-MY">', None, "ms"),
        ("", '<meta property="og:locale" content="en_US">', None, "en"),
        ("", "", _article(inLanguage="su-ID"), "su"),
        # the document's own lang comes before what its metadata says
        (' lang="en"', LOCALE_ID, _article(inLanguage="id"), "en"),
        ("", LOCALE_ID, _article(inLanguage="en"), "id"),
        ("", "", None, None),
    ],
)
def test_the_language_each_source_names(
    attrs: str, head: str, jsonld: Any, language: str | None
) -> None:
    tree, meta = _read(jsonld, head, attrs=attrs)
    assert find_language(tree, meta, None) == language


def test_the_sites_language_only_when_the_page_names_none() -> None:
    assert find_language(*_read(), "id") == "id"
    assert find_language(*_read(attrs=' lang="en"'), "id") == "en"


# --- find_section ----------------------------------------------------------------------

RUBRIK = '<span class="rubrik">Olahraga</span>'
SECTION_META = '<meta property="article:section" content="Ekonomi">'


@pytest.mark.parametrize(
    ("body", "head", "jsonld", "section"),
    [
        (RUBRIK, "", None, "Olahraga"),
        ("", SECTION_META, None, "Ekonomi"),
        ("", "", _article(articleSection=["Hukum", "Berita"]), "Hukum"),
        (RUBRIK, SECTION_META, _article(articleSection="Hukum"), "Olahraga"),
        ("", SECTION_META, _article(articleSection="Hukum"), "Ekonomi"),
        ("", "", None, None),
    ],
)
def test_the_section_from_the_selector_then_the_meta_then_jsonld(
    body: str, head: str, jsonld: Any, section: str | None
) -> None:
    tree, meta = _read(jsonld, head, body)
    assert find_section(tree, meta, ".rubrik") == section


BLANK = "&amp;nbsp;"  # the text "&nbsp;": blank once unescaped


@pytest.mark.parametrize(
    ("body", "head", "jsonld", "section"),
    [
        # a second match of the selector (another breadcrumb) is never the section
        (
            f'<span class="rubrik">{BLANK}</span><span class="rubrik">Iklan</span>',
            SECTION_META,
            None,
            "Ekonomi",
        ),
        # nor a second article:section meta, nor a second JSON-LD section
        (
            "",
            f'<meta property="article:section" content="{BLANK}">'
            '<meta property="article:section" content="Iklan">',
            _article(articleSection="Hukum"),
            "Hukum",
        ),
        ("", "", _article(articleSection=["&nbsp;", "Iklan"]), None),
    ],
)
def test_each_section_source_gives_its_first_entry_only(
    body: str, head: str, jsonld: Any, section: str | None
) -> None:
    tree, meta = _read(jsonld, head, body)
    assert find_section(tree, meta, ".rubrik") == section


# --- find_tags -------------------------------------------------------------------------

TAG_METAS = (
    '<meta property="article:tag" content="Banjir">'
    '<meta property="article:tag" content="Samarinda">'
)
LABELS = '<div class="label"><a href="/label/cuaca">Cuaca</a></div>'
REL_TAG = '<a rel="tag" href="/tag/lain">Lain</a>'


@pytest.mark.parametrize(
    ("head", "jsonld", "body", "tags"),
    [
        (TAG_METAS, None, "", ["Banjir", "Samarinda"]),
        ("", _article(keywords="banjir bandang, Samarinda"), "", ["banjir bandang", "Samarinda"]),
        ("", _article(keywords=["Banjir", "Kaltim"]), "", ["Banjir", "Kaltim"]),
        ("", None, LABELS + REL_TAG, ["Cuaca"]),
        ("", None, REL_TAG, ["Lain"]),
        # the first source that names tags is the only one asked
        (TAG_METAS, _article(keywords="Kaltim"), LABELS + REL_TAG, ["Banjir", "Samarinda"]),
        ("", _article(keywords="Kaltim"), LABELS + REL_TAG, ["Kaltim"]),
    ],
)
def test_tags_from_the_first_source_that_names_them(
    head: str, jsonld: Any, body: str, tags: list[str]
) -> None:
    tree, meta = _read(jsonld, head, body)
    assert find_tags(tree, meta, ".label a") == tags


# --- site_names ------------------------------------------------------------------------


def test_the_sites_names_from_its_config_metas_jsonld_and_host() -> None:
    graph = {
        "@graph": [
            {"@type": "WebSite", "name": "Kabar Web"},
            {"@type": "Organization", "name": "PT Kabar"},
            {"@type": "NewsMediaOrganization", "name": "Kabar Media"},
            _article(name="Banjir Melanda Samarinda"),  # the article's name is no site's
            {"@type": "Person", "name": "Aro"},
        ]
    }
    head = (
        '<meta property="og:site_name" content="KabarKita">'
        '<meta name="application-name" content="Kabar App">'
    )
    _, meta = _read(graph, head)
    assert site_names(meta, "https://www.kabar.example/berita/1", "Kabar Kita") == [
        "Kabar Kita",
        "KabarKita",
        "Kabar App",
        "Kabar Web",
        "PT Kabar",
        "Kabar Media",
        "kabar.example",
        "www.kabar.example",
    ]


def test_a_page_that_names_no_site_has_only_its_hosts_names() -> None:
    assert site_names(PageMeta(), "https://kabar.example/berita/1", None) == [
        "kabar.example",
        "www.kabar.example",
    ]
    assert site_names(PageMeta(), "", None) == []  # no host: not even a bare "www."


# --- is_article_page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jsonld", "og_type", "kind"),
    [
        (_article(), "website", True),  # an article object settles it
        (None, "article", True),
        (None, "Article", True),
        (None, "article:news", True),
        (None, "website", False),
    ],
)
def test_what_the_page_says_it_is(jsonld: Any, og_type: str, kind: bool) -> None:
    _, meta = _read(jsonld, f'<meta property="og:type" content="{og_type}">')
    assert is_article_page(meta) is kind
