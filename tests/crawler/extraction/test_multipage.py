"""crawler.extraction.multipage: next-page links in their common forms, and merging page records."""

from __future__ import annotations

import pytest

from crawler.extraction.article import parse_html
from crawler.extraction.article_record import Article, Caption
from crawler.extraction.multipage import (
    MAX_PAGES,
    merge_articles,
    merge_records,
    next_page_url,
    page_number,
    page_url,
)

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


def test_site_selector_then_rel_next_win_over_the_first_link_in_the_page() -> None:
    """Every link below is this article's page 2; which one is followed says which source
    was read first: the site's selector (its ``href``, else a ``<meta>``'s ``content``),
    then ``rel=next``, then the page's links in order."""
    links = f'<a href="{FIRST}?pg=2">2</a><a class="next" href="{FIRST}?hal=2">»</a>'
    head = (
        f'<link rel="next" href="{FIRST}?paged=2">'
        f'<meta name="next-page" content="{FIRST}?halaman=2">'
    )
    html = page(links, head)
    assert next_page_url(html, FIRST, "a.next") == f"{FIRST}?hal=2"
    assert next_page_url(html, FIRST, "meta[name=next-page]") == f"{FIRST}?halaman=2"
    assert next_page_url(html, FIRST) == f"{FIRST}?paged=2"
    assert next_page_url(page(links), FIRST) == f"{FIRST}?pg=2"
    assert next_page_url(page(links, f'<a rel="next" href="{FIRST}/2">'), FIRST) == f"{FIRST}/2"


def test_links_resolve_against_the_page_or_its_base_and_a_parsed_tree_is_read_as_is() -> None:
    assert next_page_url(page('<a href="?page=2">2</a>'), FIRST) == f"{FIRST}?page=2"
    assert next_page_url(page('<a href="2">2</a>'), FIRST) is None  # .../5123408/2
    with_base = page('<a href="2">2</a>', f'<base href="{FIRST}/">')
    assert next_page_url(with_base, FIRST) == f"{FIRST}/2"
    assert next_page_url(parse_html(with_base), FIRST) == f"{FIRST}/2"
    # an in-page anchor resolves to the <base>, which here is page 2: not a link to follow
    anchors = page(
        '<a href="#komentar">Komentar</a><a href="">x</a>', f'<base href="{FIRST}?page=2">'
    )
    assert next_page_url(anchors, FIRST) is None


def test_path_pages_count_from_the_first_url_and_chains_stop_at_max_pages() -> None:
    assert (
        next_page_url(page(f'<a href="{FIRST}/3">3</a>'), f"{FIRST}/2", None, FIRST) == f"{FIRST}/3"
    )
    assert next_page_url(page(f'<a href="{FIRST}/3">3</a>'), f"{FIRST}/2") is None
    last = page(f'<a href="{FIRST}?page={MAX_PAGES + 1}">next</a>')
    assert next_page_url(last, f"{FIRST}?page={MAX_PAGES}", None, FIRST) is None
    almost = page(f'<a href="{FIRST}?page={MAX_PAGES}">next</a>')
    assert next_page_url(almost, f"{FIRST}?page={MAX_PAGES - 1}", None, FIRST) == (
        f"{FIRST}?page={MAX_PAGES}"
    )
    # a page of another article is not a step of this chain, whatever it links to
    other = "https://portal.example/read/5123409/berita-lain"
    assert next_page_url(page(f'<a href="{other}?page=2">2</a>'), other, None, FIRST) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{FIRST}?page=1", 1),
        (f"{FIRST}?page=0", None),
        (f"{FIRST}?page=99", 99),
        (f"{FIRST}?page=100", None),
        (f"{FIRST}/1", 1),
        (f"{FIRST}/0", None),
        (f"{FIRST}/99", 99),
        (f"{FIRST}//2", 2),
        (f"{FIRST}/?page=2", 2),
        (f"{FIRST}?amp=&page=2", None),  # another view of the article, not its page 2
        ("/read/5123408/judul-berita?page=2", None),  # no host: not this site's page
        ("https://strasse.example/a?page=2", None),  # "ß".upper() is "SS": still another host
    ],
)
def test_page_number_bounds_slashes_blank_parameters_and_hosts(url: str, expected: int) -> None:
    first = "https://straße.example/a" if "strasse" in url else FIRST
    assert page_number(url, first) == expected


def test_page_number_keeps_the_articles_own_query_and_path() -> None:
    story = "https://portal.example/read.php?id=5123408"
    assert page_number(f"{story}&page=3", story) == 3
    assert page_number("https://portal.example/read.php?id=5123409&page=2", story) is None
    tag = "https://portal.example/tag/BB"  # a page of /tag/BBX is none of /tag/BB's
    assert page_number(f"{tag}X?page=2", tag) is None and page_number(f"{tag}X/2", tag) is None


def test_merge_takes_each_scalar_from_the_first_page_that_has_it() -> None:
    """Page 1 lacks what a later page states (a lazy-loaded byline, a title only in page 2's
    metadata): the merged record has it; paragraphs and captions repeated are kept once."""
    one = Article(url=FIRST, text="Satu dua.", captions=[Caption(text="Foto", credit="Ant")])
    two = Article(
        url=f"{FIRST}?page=2", title="Judul", published="2023-03-03T14:05:00+08:00",
        authors=["Aro", "Budi"], editor="Amalia", dateline="SAMARINDA", section="Daerah",
        language="id", text="Satu  dua.\n\nTiga.",
        captions=[Caption(text="foto", credit="Ant"), Caption(text="Foto", credit="Ant")],
    )  # fmt: skip
    three = Article(url=f"{FIRST}?page=3", title="Lain", editor="Rina", authors=["budi", "Cici"])
    merged = merge_articles([one, two, three])
    assert (merged.title, merged.published, merged.editor) == (
        "Judul", "2023-03-03T14:05:00+08:00", "Amalia",
    )  # fmt: skip
    assert (merged.dateline, merged.section, merged.language) == ("SAMARINDA", "Daerah", "id")
    assert merged.authors == ["Aro", "Budi", "Cici"]
    assert merged.text == "Satu dua.\n\nTiga."
    assert merged.captions == [Caption(text="Foto", credit="Ant")]
    with pytest.raises(ValueError, match=r"^merge_articles needs at least one page$"):
        merge_articles([])


def test_page_url_builds_the_pages_page_number_reads() -> None:
    assert page_url(FIRST, 1) == FIRST
    assert page_url(f"{FIRST}?id=7&halaman=4", 3) == f"{FIRST}?id=7&page=3"
    assert page_url(FIRST, 2, "halaman") == f"{FIRST}?halaman=2"
    assert [page_number(page_url(FIRST, n), FIRST) for n in (1, 2, 20)] == [1, 2, 20]


def test_anchor_script_and_mail_links_are_passed_over() -> None:
    html = page(
        '<a href="#komentar">Komentar</a><a href="javascript:window.print()">Cetak</a>'
        f'<a href="mailto:redaksi@portal.example">Surat</a><a href="{FIRST}?page=2">2</a>'
    )
    assert next_page_url(html, FIRST) == f"{FIRST}?page=2"
