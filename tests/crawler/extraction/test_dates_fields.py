"""Which structured fields name a page's dates, and how a page's language and zone read them."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.dates import find_dates, zone
from crawler.extraction.metadata import read_page_meta

WITA = zone("Asia/Makassar")


def dates(html: str, url: str | None = None, **kwargs: bool) -> tuple[str | None, str | None]:
    tree = document_fromstring(html)
    meta = read_page_meta(tree)
    return find_dates(
        tree, meta.article, meta.pages, meta.metas, WITA, url=url, nodes=meta.nodes, **kwargs
    )


def jsonld(body: str) -> str:
    return f'<html><head><script type="application/ld+json">{body}</script></head></html>'


@pytest.mark.parametrize("lang", ["en", "EN", "en_US", "en-us"])
def test_a_us_english_page_reads_numeric_dates_month_first(lang: str) -> None:
    printed = f'<html lang="{lang}"><body><h1>T</h1><p>03/09/2026</p></body></html>'
    assert dates(printed)[0] == "2026-03-09T00:00:00+08:00"
    meta = f'<html lang="{lang}"><head><meta name="pubdate" content="03/09/2026"></head></html>'
    assert dates(meta)[0] == "2026-03-09T00:00:00+08:00"


@pytest.mark.parametrize("lang", ["", "id", "en-GB"])
def test_other_pages_read_numeric_dates_day_first(lang: str) -> None:
    meta = f'<html lang="{lang}"><head><meta name="pubdate" content="03/09/2026"></head></html>'
    assert dates(meta)[0] == "2026-09-03T00:00:00+08:00"


def test_the_web_page_object_names_both_dates() -> None:
    html = jsonld(
        '{"@type": "WebPage", "datePublished": "2023-03-03T14:05:00+08:00",'
        ' "dateModified": "2023-03-04T09:00:00+08:00"}'
    )
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-04T09:00:00+08:00")


@pytest.mark.parametrize(("count", "found"), [(3, True), (4, False)])
def test_only_the_first_three_nested_article_dates_count(count: int, found: bool) -> None:
    posts = ['{"datePublished": "soon"}'] * (count - 1)
    posts.append('{"datePublished": "2025-12-19T20:20:42+07:00"}')
    html = jsonld(f'{{"@type": "Blog", "blogPost": [{", ".join(posts)}]}}')
    assert dates(html)[0] == ("2025-12-19T20:20:42+07:00" if found else None)


def test_an_unlisted_meta_that_names_the_publication_date_counts() -> None:
    html = '<html><head><meta name="w-published-date" content="2023-03-03"></head></html>'
    assert dates(html, url="https://x.id/2023/03/05/a")[0] == "2023-03-03T00:00:00+08:00"


def test_an_unlisted_meta_that_names_no_publication_is_no_date() -> None:
    html = '<html><head><meta name="expires" content="2030-01-01"></head></html>'
    assert dates(html, url="https://x.id/2023/03/05/a") == ("2023-03-05T00:00:00+08:00", None)


def test_a_utc_time_moves_to_the_given_zone_unless_told_it_is_only_a_default() -> None:
    html = '<html><head><meta name="pubdate" content="2023-03-02T22:05:00Z"></head></html>'
    assert dates(html)[0] == "2023-03-03T06:05:00+08:00"
    assert dates(html, zone_known=False)[0] == "2023-03-02T22:05:00+00:00"


def test_a_time_with_its_own_offset_keeps_it_even_when_the_zone_is_unknown() -> None:
    html = """<html><head><meta name="pubdate" content="2023-03-03T10:00:00+08:00"></head>
    <body><time class="published" datetime="2023-03-03T09:00:00+07:00"></time></body></html>"""
    assert dates(html, zone_known=False)[0] == "2023-03-03T10:00:00+08:00"


STAMPED_TWICE = """<html><head>
<meta property="article:published_time" content="2023-03-05T10:00:00+08:00">
<meta property="article:modified_time" content="2023-03-05T10:00:00+08:00"></head><body>
<h1>Judul</h1>{shown}</body></html>"""


def test_a_published_time_element_before_a_twice_stamped_day_is_the_publication() -> None:
    shown = """<time class="published" datetime="2023-03-01T09:00:00+08:00"></time>
    <time class="updated" datetime="2023-03-05T10:00:00+08:00"></time>"""
    html = STAMPED_TWICE.format(shown=shown)
    assert dates(html) == ("2023-03-01T09:00:00+08:00", "2023-03-05T10:00:00+08:00")


def test_a_url_day_before_a_twice_stamped_day_is_the_publication() -> None:
    html = STAMPED_TWICE.format(shown="")
    published, _ = dates(html, url="https://x.id/2023/03/01/a")
    assert published == "2023-03-01T00:00:00+08:00"
