"""crawler.extraction.multipage: next-page links in their common forms, and merging page records."""

from __future__ import annotations

import pytest

from crawler.extraction.article_record import Article, Caption
from crawler.extraction.multipage import merge_articles, merge_records, next_page_url, page_number

FIRST = "https://portal.example/read/5123408/judul-berita"


def page(links: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><article><p>Isi.</p>{links}</article></body></html>"


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (f'<a href="{FIRST}?page=2">2</a>', f"{FIRST}?page=2"),
        ('<a href="?page=2">Halaman 2</a>', f"{FIRST}?page=2"),
        ('<a href="judul-berita/2/">Selanjutnya</a>', f"{FIRST}/2/"),
        (f'<a href="{FIRST}?halaman=2">halaman 2</a>', f"{FIRST}?halaman=2"),
        (f'<a href="{FIRST}/2">»</a>', f"{FIRST}/2"),
    ],
)
def test_generic_next_page_forms(links: str, expected: str) -> None:
    base = FIRST if not links.startswith('<a href="judul') else FIRST.rsplit("/", 1)[0] + "/"
    html = page(links, f'<base href="{base}">')
    assert next_page_url(html, FIRST) == expected


def test_rel_next_and_site_selector_come_first() -> None:
    html = page(
        f'<a class="next" href="{FIRST}?page=2">Selanjutnya</a>',
        f'<link rel="next" href="{FIRST}?page=2">',
    )
    assert next_page_url(html, FIRST, "a.next") == f"{FIRST}?page=2"


def test_never_follows_other_articles_all_views_or_backwards() -> None:
    html = page(
        '<a href="https://portal.example/read/5123409/berita-lain">Berikutnya</a>'
        f'<a href="{FIRST}?page=all">Tampilkan semua</a>'
        f'<a href="{FIRST}">1</a><a href="https://other.example/read/5123408/judul-berita?page=2">'
        "2</a>"
    )
    assert next_page_url(html, FIRST) is None
    assert page_number("https://x.example/berita/56", "https://x.example/berita/55") is None


def test_from_page_two_the_next_is_page_three() -> None:
    html = page(f'<a href="{FIRST}">1</a><a href="{FIRST}?page=3">3</a>')
    assert next_page_url(html, f"{FIRST}?page=2", first_url=FIRST) == f"{FIRST}?page=3"
    assert (
        next_page_url(page(f'<a href="{FIRST}?page=2">2</a>'), f"{FIRST}?page=2", None, FIRST)
        is None
    )


def test_merge_joins_text_captions_tags_and_keeps_page_one_identity() -> None:
    one = Article(
        url=FIRST, title="Judul", published="2023-03-03T14:05:00+08:00", editor="Amalia",
        dateline="SAMARINDA", tags=["Banjir"], text="Paragraf satu.\n\nParagraf dua.",
        captions=[Caption(text="Foto satu", credit="Istimewa")], authors=["Aro"],
    )  # fmt: skip
    two = Article(
        url=f"{FIRST}?page=2", title="Judul", published="2023-03-03T14:05:00+08:00",
        modified="2023-03-03T16:00:00+08:00", editor="Amalia", source="KPU Kaltim",
        tags=["banjir", "BPBD"], text="Paragraf dua.\n\nParagraf tiga.",
        captions=[Caption(text="Foto dua", credit="Dok. KPU")], authors=["Aro"],
    )  # fmt: skip
    merged = merge_articles([one, two])
    assert merged.url == FIRST and merged.dateline == "SAMARINDA"
    assert merged.text == "Paragraf satu.\n\nParagraf dua.\n\nParagraf tiga."
    assert [c.text for c in merged.captions] == ["Foto satu", "Foto dua"]
    assert merged.tags == ["Banjir", "BPBD"] and merged.authors == ["Aro"]
    assert merged.source == "KPU Kaltim" and merged.modified == "2023-03-03T16:00:00+08:00"
    assert merge_articles([one]) is one
    with pytest.raises(ValueError):
        merge_articles([])


def test_merge_records_keeps_the_crawlers_keys_from_page_one() -> None:
    first = {"url": FIRST, "text": "Satu.", "warc": {"file": "a.warc.gz"}, "fetched_url": "x"}
    second = {"url": f"{FIRST}?page=2", "text": "Dua.", "warc": {"file": "b.warc.gz"}}
    merged = merge_records([first, second])
    assert merged["text"] == "Satu.\n\nDua."
    assert merged["warc"] == {"file": "a.warc.gz"} and merged["fetched_url"] == "x"


def test_merged_modified_is_the_latest_instant_whichever_page_states_it() -> None:
    """Each page may state its own ``modified``; the article was last changed at the latest
    of them. Page 2 is the latest here, written in UTC, so neither the first page, the last
    page, the earliest, nor the largest string is the right answer."""
    dates = ["2023-03-03T16:00:00+08:00", "2023-03-03T11:30:00+00:00", None,
             "2023-03-03T18:00:00+08:00"]  # fmt: skip
    pages = [
        Article(url=f"{FIRST}?page={n}" if n > 1 else FIRST, title="Judul", text=f"Paragraf {n}.",
                modified=when)
        for n, when in enumerate(dates, start=1)
    ]  # fmt: skip
    assert merge_articles(pages).modified == "2023-03-03T11:30:00+00:00"
    assert merge_articles([*pages[:1], pages[2]]).modified == "2023-03-03T16:00:00+08:00"
    assert merge_articles([pages[2], pages[2]]).modified is None
