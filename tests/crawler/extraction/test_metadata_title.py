"""find_title: the site's title selector, then the page's metadata titles and ``<h1>``s."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml.html import document_fromstring

from crawler.extraction.metadata import MAX_H1S, find_title, read_page_meta

URL = "https://kabar.example/berita/banjir"
HEADLINE = "Banjir Melanda Samarinda"


def _title(
    head: str = "",
    body: str = "",
    jsonld: Any = None,
    css: str | None = None,
    names: tuple[str, ...] = (),
    url: str = URL,
) -> str | None:
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    tree = document_fromstring(f"<html><head>{script}{head}</head><body>{body}</body></html>")
    return find_title(tree, read_page_meta(tree), list(names), css, url)


def _og(title: str) -> str:
    return f'<meta property="og:title" content="{title}">'


@pytest.mark.parametrize(
    ("head", "jsonld"),
    [
        (_og(HEADLINE), None),
        (f'<meta name="twitter:title" content="{HEADLINE}">', None),
        ("", {"@type": "NewsArticle", "headline": HEADLINE}),
        (f"<title>{HEADLINE}</title>", None),
    ],
)
def test_each_metadata_title_alone_is_the_headline(head: str, jsonld: Any) -> None:
    assert _title(head, "<p>Isi.</p>", jsonld) == HEADLINE


def test_without_an_h1_the_first_metadata_title_wins() -> None:
    jsonld = {"@type": "NewsArticle", "headline": "Harga Cabai Naik"}
    page_title = "<title>Gempa Guncang Maluku</title>"
    assert _title(_og(HEADLINE) + page_title, "", jsonld) == HEADLINE
    assert _title(page_title, "", jsonld) == "Harga Cabai Naik"
    assert _title(_og(HEADLINE) + page_title) == HEADLINE


def test_only_the_first_title_element_is_the_pages_title() -> None:
    svg = "<svg><title>Logo Kabar</title></svg><p>Isi.</p>"
    assert _title(f"<title>{HEADLINE}</title>", svg) == HEADLINE


def test_the_sites_title_selector_comes_first_without_the_sites_name() -> None:
    body = f'<h1>Harga Cabai Naik</h1><div class="judul">{HEADLINE} - Kabar</div>'
    assert _title(_og("Harga Cabai Naik"), body, css=".judul", names=("Kabar",)) == HEADLINE


def test_a_blank_first_selector_match_leaves_the_title_to_the_page() -> None:
    body = (
        '<span class="judul">&amp;nbsp;</span><span class="judul">Baca Juga</span>'
        f"<h1>{HEADLINE}</h1>"
    )
    assert _title(body=body, css=".judul") == HEADLINE


@pytest.mark.parametrize(("before", "wins"), [(MAX_H1S - 1, True), (MAX_H1S, False)])
def test_h1s_past_a_dozen_are_a_listings(before: int, wins: bool) -> None:
    """The h1 a metadata title confirms is the headline, unless a dozen came before it."""
    og_title = f"{HEADLINE} Pagi Ini"
    body = "".join(f"<h1>Rubrik {i}</h1>" for i in range(before)) + f"<h1>{HEADLINE}</h1>"
    assert _title(_og(og_title), body) == (HEADLINE if wins else og_title)


def test_a_title_part_named_like_a_folder_of_the_address_is_cut() -> None:
    head = _og("Harga Cabai Naik Lagi | Opini")
    assert _title(head, url="https://kabar.example/opini/harga-cabai") == "Harga Cabai Naik Lagi"
    assert _title(head, url=URL) == "Harga Cabai Naik Lagi | Opini"
