"""read_page: one parse gives the marker check, the links and the article."""

from __future__ import annotations

from crawler.config.sites import SiteConfig
from crawler.extraction.page import PageResult, read_page

URL = "https://www.niaga.asia/jalan-rusak-diperbaiki/"
PARAGRAPH = (
    "Pemerintah Kota Samarinda menyiapkan anggaran perbaikan jalan di kawasan utara kota "
    "setelah banjir merusak badan jalan di sejumlah titik, kata kepala dinas pekerjaan umum."
)
# No og:type "article": niaga's article marker is missing.
UNMARKED = f"""<html><head><title>Jalan rusak diperbaiki</title>
<link rel="canonical" href="/jalan-rusak-diperbaiki/"><link rel="stylesheet" href="/s.css">
</head><body><article><h1 class="entry-title">Jalan rusak diperbaiki</h1>
<div class="entry-content">{"".join(f"<p>{PARAGRAPH} Bagian {i}.</p>" for i in range(4))}
<a href="{URL}2/">2</a></div></article></body></html>"""


def test_without_the_marker_check_an_unmarked_page_is_read(niaga: SiteConfig) -> None:
    page = read_page(UNMARKED, URL, niaga)
    assert page.is_article and page.article is not None
    assert "anggaran perbaikan jalan" in page.article.text
    assert page.canonical == URL and page.next_page == f"{URL}2/"
    assert page.requisites == ("https://www.niaga.asia/s.css",)


def test_the_marker_check_turns_an_unmarked_page_away(niaga: SiteConfig) -> None:
    assert read_page(UNMARKED, URL, niaga, check_marker=True) == PageResult(False, None)
    marked = UNMARKED.replace("<head>", '<head><meta property="og:type" content="article">')
    assert read_page(marked, URL, niaga, check_marker=True).article is not None


def test_an_empty_page_is_an_article_without_text_unless_the_marker_is_asked_for() -> None:
    assert read_page("", URL, None) == PageResult(True, None)
    assert read_page(b"", URL, None, check_marker=True) == PageResult(False, None)


def _with(links: str) -> str:
    return UNMARKED.replace(f'<a href="{URL}2/">2</a>', links)


def test_the_sites_next_page_selector_comes_before_any_other_link(niaga: SiteConfig) -> None:
    html = _with(f'<a href="{URL}?halaman=2">2</a><a class="lanjut" href="{URL}2/">Lanjut</a>')
    selectors = niaga.selectors.model_copy(update={"next_page": "a.lanjut"})
    site = niaga.model_copy(update={"selectors": selectors})
    assert read_page(html, URL, site).next_page == f"{URL}2/"
    assert read_page(html, URL, niaga).next_page == f"{URL}?halaman=2"
    unconfigured = read_page(html, URL, None)
    assert unconfigured.article is not None and unconfigured.next_page == f"{URL}?halaman=2"


def test_a_later_pages_next_page_counts_from_the_first_page(niaga: SiteConfig) -> None:
    html = _with(f'<a href="{URL}1/">1</a><a href="{URL}3/">3</a>')
    assert read_page(html, f"{URL}2/", niaga, first_url=URL).next_page == f"{URL}3/"


def test_the_article_is_read_with_the_sites_config(niaga: SiteConfig) -> None:
    ad = "Promo akhir tahun untuk pembaca setia: diskon besar untuk semua paket langganan digital."
    body = '<div class="entry-content">'
    html = UNMARKED.replace(body, f'{body}<div class="ads"><p>{ad}</p></div>')
    article = read_page(html, URL, niaga).article
    assert article is not None and article.site == niaga.name
    assert "Promo akhir tahun" not in article.text  # niaga's selectors.remove drops .ads


def test_a_marked_page_without_readable_text_is_still_an_article_page(niaga: SiteConfig) -> None:
    """The marker says article; that no text could be read does not make it another page."""
    empty = '<html><head><meta property="og:type" content="article"></head><body></body></html>'
    assert read_page(empty, URL, niaga, check_marker=True) == PageResult(True, None)
    assert read_page(empty, URL, niaga) == PageResult(True, None)
