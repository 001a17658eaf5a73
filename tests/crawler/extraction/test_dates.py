"""Publication times: structured data first, then the URL, then dates printed on the page."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.dates import (
    find_dates,
    page_zone,
    parse_indonesian,
    parse_iso,
    to_iso,
    zone,
)
from crawler.extraction.datetext import ZONES
from crawler.extraction.metadata import read_page_meta

WITA = zone("Asia/Makassar")
WIB = zone("Asia/Jakarta")


def dates(
    html: str, tz=WITA, url: str | None = None, zone_known: bool = True
) -> tuple[str | None, str | None]:
    tree = document_fromstring(html)
    meta = read_page_meta(tree)
    return find_dates(
        tree,
        meta.article,
        meta.pages,
        meta.metas,
        tz,
        url=url,
        zone_known=zone_known,
        nodes=meta.nodes,
    )


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("Jumat, 3 Maret 2023 14:05 WITA", WIB, "2023-03-03T14:05:00+08:00"),
        ("Jumat, 3 Maret 2023 14:05 WIB", WITA, "2023-03-03T14:05:00+07:00"),
        ("Senin, 2 Januari 2023 09.30 WIT", WIB, "2023-01-02T09:30:00+09:00"),
        ("Jum'at, 17 Agustus 2022 | 10:00 WITA", WIB, "2022-08-17T10:00:00+08:00"),
        ("Kamis, 9 Februari 2023 pukul 10:15", WITA, "2023-02-09T10:15:00+08:00"),
        ("Rabu, 1 Des 2021 - 07:45:12 WIB", WITA, "2021-12-01T07:45:12+07:00"),
        ("Diperbarui 14 Okt. 2020 13:00 WIB", WITA, "2020-10-14T13:00:00+07:00"),
        ("03/03/2023, 14:05 WITA", WIB, "2023-03-03T14:05:00+08:00"),
        ("Minggu, 5 Mei 2024", WITA, "2024-05-05T00:00:00+08:00"),
    ],
)
def test_indonesian_text(text: str, tz, expected: str) -> None:
    found = parse_indonesian(text, tz)
    assert found is not None
    assert to_iso(found[0]) == expected


def test_indonesian_text_without_date() -> None:
    assert parse_indonesian("Selasa lalu pukul 14:05 WITA", WITA) is None
    assert parse_indonesian("31 Februari 2023 10:00 WIB", WITA) is None


@pytest.mark.parametrize(
    ("value", "expected", "has_time"),
    [
        ("2023-03-03T14:05:00+08:00", "2023-03-03T14:05:00+08:00", True),
        ("2023-03-03T06:05:00Z", "2023-03-03T06:05:00+00:00", True),
        ("2023-03-03T14:05:00.123+0800", "2023-03-03T14:05:00+08:00", True),
        ("2023-03-03 14:05:00", "2023-03-03T14:05:00+08:00", True),  # naive: site zone
        ("2023-03-03", "2023-03-03T00:00:00+08:00", False),
        ("Fri, 03 Mar 2023 14:05:00 +0800", "2023-03-03T14:05:00+08:00", True),
    ],
)
def test_iso_values(value: str, expected: str, has_time: bool) -> None:
    found = parse_iso(value, WITA)
    assert found is not None
    assert (to_iso(found[0]), found[1]) == (expected, has_time)


def test_yoast_graph_beats_everything() -> None:
    html = """<html><head>
    <meta property="article:published_time" content="2023-03-01T01:00:00+00:00">
    <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
      {"@type":"WebPage","datePublished":"2023-02-01T00:00:00+08:00"},
      {"@type":"NewsArticle","datePublished":"2023-03-03T14:05:00+08:00",
       "dateModified":"2023-03-03T15:20:00+08:00"}]}</script></head><body></body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-03T15:20:00+08:00")


def test_article_meta_times_in_utc_move_to_the_site_zone() -> None:
    html = """<html><head>
    <meta property="article:published_time" content="2023-03-02T22:05:00+00:00">
    <meta property="article:modified_time" content="2023-03-03T07:20:00+00:00">
    </head><body><p>x</p></body></html>"""
    assert dates(html) == ("2023-03-03T06:05:00+08:00", "2023-03-03T15:20:00+08:00")
    # No site zone and no other evidence on the page: UTC stays UTC.
    assert dates(html, zone_known=False)[0] == "2023-03-02T22:05:00+00:00"


def test_time_element_and_naive_value_gets_site_zone() -> None:
    html = """<html><body><article><div class="entry-meta">
    <time class="entry-date published" datetime="2023-03-03T14:05:00">Jumat</time>
    <time class="updated" datetime="2023-03-03T15:20:00">Jumat</time></div></article>
    <div id="comments"><time datetime="2023-03-04T08:00:00+08:00">4 Maret</time></div>
    </body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-03T15:20:00+08:00")
    assert dates(html, WIB) == ("2023-03-03T14:05:00+07:00", "2023-03-03T15:20:00+07:00")


def test_indonesian_text_in_page_meta() -> None:
    html = """<html><body><div class="post-meta"><span class="date">Jumat, 3 Maret 2023
    14:05 WITA</span></div><p>Samarinda, 2 Maret 2023 - body.</p></body></html>"""
    assert dates(html, WIB) == ("2023-03-03T14:05:00+08:00", None)


def test_date_only_structured_value_yields_to_a_timed_one() -> None:
    html = """<html><head><meta name="pubdate" content="2023-03-03"></head><body>
    <span class="posted-on">Jumat, 3 Maret 2023 14:05 WITA</span></body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", None)


def test_a_date_line_anywhere_is_the_last_resort() -> None:
    html = """<html><body><article><p>Berita tanpa metadata apa pun yang cukup panjang
    untuk menjadi paragraf.</p><p>Diterbitkan 3 Maret 2023</p></article></body></html>"""
    published, modified = dates(html)
    assert published == "2023-03-03T00:00:00+08:00"
    assert modified is None


def test_no_date_at_all() -> None:
    assert dates("<html><body><p>Tidak ada tanggal di sini.</p></body></html>") == (None, None)


def test_printed_wita_zone_moves_utc_metadata_to_the_publisher_day() -> None:
    html = """<html><head>
    <meta property="article:published_time" content="2023-03-02T17:05:00Z"></head><body>
    <h1>Judul</h1><div class="post-meta">Jumat, 3 Maret 2023 01:05 WITA</div></body></html>"""
    assert dates(html, WIB, zone_known=False)[0] == "2023-03-03T01:05:00+08:00"


def test_page_offset_twin_beats_a_utc_meta() -> None:
    # WordPress themes that print local time labelled as UTC: the offset-bearing twin wins.
    html = """<html><head>
    <meta property="article:published_time" content="2019-07-30T05:00:35+00:00"></head><body>
    <h1>T</h1><time class="entry-date published" datetime="2019-07-30T05:00:35-05:00">
    July 30, 2019</time></body></html>"""
    assert dates(html, WIB, zone_known=False)[0] == "2019-07-30T05:00:35-05:00"


def test_jsonld_graph_and_nested_article() -> None:
    graph = """<html><head><script type="application/ld+json">{"@graph":[
      {"@type":"WebSite","name":"Niaga"},
      {"@type":"NewsArticle","datePublished":"2023-03-03T14:05:00+08:00"}]}</script>
      </head><body></body></html>"""
    assert dates(graph)[0] == "2023-03-03T14:05:00+08:00"
    nested = """<html><head><script type="application/ld+json">{"@type":"Blog",
      "blogPost":[{"@type":"BlogPosting","datePublished":"2025-12-19T20:20:42+07:00"}]}
      </script></head><body></body></html>"""
    assert dates(nested)[0] == "2025-12-19T20:20:42+07:00"


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://example.co.id/2023/03/03/banjir-surut/", "2023-03-03"),
        ("https://example.co.id/berita/2023-03-03-banjir", "2023-03-03"),
        ("https://example.com/blog/2023/october/03/wine/", "2023-10-03"),
    ],
)
def test_url_day(url: str, day: str) -> None:
    html = "<html><body><p>Tanpa tanggal.</p></body></html>"
    assert dates(html, url=url)[0] == f"{day}T00:00:00+08:00"


def test_url_day_takes_the_time_of_a_printed_date_on_that_day() -> None:
    html = """<html><body><h1>Judul</h1><span class="date">Jumat, 3 Maret 2023 14:05 WITA
    </span></body></html>"""
    assert dates(html, url="https://x.id/2023/03/03/judul")[0] == "2023-03-03T14:05:00+08:00"


def test_teaser_dates_do_not_win() -> None:
    html = """<html><body><div class="popular-posts"><time datetime="2024-01-09T10:00:00+07:00">
    9 Januari 2024</time></div><aside><span class="date">Senin, 8 Januari 2024 10:00 WIB
    </span></aside><h1>Judul berita</h1><div class="related"><time
    datetime="2024-01-07T09:00:00+07:00">7 Jan</time></div>
    <p>Diterbitkan Jumat, 5 Januari 2024 08:30 WIB</p></body></html>"""
    assert dates(html, WIB)[0] == "2024-01-05T08:30:00+07:00"


def test_page_wide_classes_on_body_do_not_make_every_date_a_teaser() -> None:
    # WordPress themes describe the whole page on <body> ("woo-related-columns-4", "comments-open").
    html = """<html class="widget-ready"><body class="single fusion-woo-related-columns-4
    comments-open"><div class="post-meta"><time class="published" datetime="2025-08-15T10:00:00">
    Published On: 15 August 2025</time></div><p>Isi berita yang panjang.</p>
    <div class="related"><time datetime="2024-01-07T09:00:00+07:00">7 Jan 2024</time></div>
    </body></html>"""
    assert dates(html, WIB)[0] == "2025-08-15T10:00:00+07:00"


def test_a_date_only_structured_day_is_not_overruled_by_another_day() -> None:
    html = """<html><head><script type="application/ld+json">{"@type":"NewsArticle",
    "datePublished":"2017-04-03"}</script></head><body>
    <time datetime="2026-02-12T12:07:55-05:00">February 12, 2026</time></body></html>"""
    assert dates(html, WIB)[0] == "2017-04-03T00:00:00+07:00"


@pytest.mark.parametrize(
    ("text", "lang", "day"),
    [
        ("Posted on April 13, 2023", "en", "2023-04-13"),
        ("Dec 17, 2025", "en", "2025-12-17"),
        ("September 1st, 2023", "en", "2023-09-01"),
        ("03/09/2026", "en-US", "2026-03-09"),
        ("03/09/2026", "id", "2026-09-03"),
        ("2/24/2026", "id", "2026-02-24"),
    ],
)
def test_english_and_numeric_dates_by_the_title(text: str, lang: str, day: str) -> None:
    html = f"""<html lang="{lang}"><body><h1>Title</h1><p>{text}</p>
    <p>A long first paragraph of the article body that is no date line at all.</p></body></html>"""
    assert dates(html)[0] == f"{day}T00:00:00+08:00"


def test_updated_line_yields_to_the_published_one() -> None:
    html = """<html><body><h1>T</h1><p>Updated March 5, 2025</p>
    <p>Published March 1, 2025</p></body></html>"""
    assert dates(html)[0] == "2025-03-01T00:00:00+08:00"


def test_english_time_of_day_with_am_pm() -> None:
    found = parse_indonesian("December 18, 2025, 9:46 pm", WIB)
    assert found is not None and to_iso(found[0]) == "2025-12-18T21:46:00+07:00"


REPUBLISHED = """<html><head><script type="application/ld+json">{{"@type": "Article",
"datePublished": "2026-01-12T16:29:48+00:00", "dateModified": "2026-01-12T16:29:48+00:00"}}
</script></head><body><h1>Judul</h1><div class="entry-meta">{shown}</div>
<p>Isi berita.</p></body></html>"""


def test_a_published_stamp_equal_to_modified_yields_to_an_earlier_shown_day() -> None:
    # The CMS stamped the last update as both dates; the byline keeps the first publication.
    html = REPUBLISHED.format(shown='<time datetime="2017-03-16">16 Maret 2017</time>')
    published, modified = dates(html, WIB, zone_known=False)
    assert published is not None and published.startswith("2017-03-16")
    assert modified == "2026-01-12T16:29:48+00:00"


def test_a_published_stamp_equal_to_modified_stays_when_the_page_shows_that_day() -> None:
    html = REPUBLISHED.format(shown='<time datetime="2026-01-12">12 Januari 2026</time>')
    assert dates(html, WIB, zone_known=False)[0] == "2026-01-12T16:29:48+00:00"
    later = REPUBLISHED.format(shown="<span>Diperbarui 14 Januari 2026</span>")
    assert dates(later, WIB, zone_known=False)[0] == "2026-01-12T16:29:48+00:00"


def test_a_utc_modified_time_takes_the_offset_the_pages_other_dates_carry() -> None:
    html = """<html><head>
    <meta property="article:published_time" content="2023-03-03T14:05:00+08:00">
    <meta property="article:modified_time" content="2023-03-03T07:20:00+00:00">
    </head><body><p>x</p></body></html>"""
    assert dates(html, WIB, zone_known=False) == (
        "2023-03-03T14:05:00+08:00",
        "2023-03-03T15:20:00+08:00",
    )


def test_a_comment_time_is_another_pages_date() -> None:
    html = """<html><body><h1>Judul</h1><div class="byline">Jumat, 3 Maret 2023 14:05 WITA</div>
    <p>Isi berita.</p><div id="comments"><time datetime="2023-03-04T08:00:00+08:00">4 Maret
    </time></div><footer><time datetime="2023-03-05T08:00:00+08:00">5 Maret</time></footer>
    </body></html>"""
    assert dates(html, WIB)[0] == "2023-03-03T14:05:00+08:00"


TWIN = """<html><head><meta property="article:published_time" content="2019-07-30T05:00:35Z">
</head><body><h1>T</h1><time class="published">3 hari lalu</time>{time}</body></html>"""


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        # the same instant two minutes apart (a page built later): the page's own offset wins
        ('<time class="published" datetime="2019-07-30T00:02:35-05:00">x</time>',
         "2019-07-30T00:02:35-05:00"),
        # three minutes apart is another time: the UTC meta stays, shown in the page's offset
        ('<time class="published" datetime="2019-07-30T00:03:35-05:00">x</time>',
         "2019-07-30T00:00:35-05:00"),
        # a published element that is no date ("3 hari lalu") is passed over
        ("", "2019-07-30T05:00:35+00:00"),
    ],
)  # fmt: skip
def test_a_utc_time_yields_only_to_its_twin(time: str, expected: str) -> None:
    assert dates(TWIN.format(time=time), WIB, zone_known=False)[0] == expected


DATED = "Jumat, 3 Maret 2023 14:05 WITA"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"<p>{DATED}</p>", "WITA"),  # a short dated line anywhere
        ('<span class="time">14:05 WIT</span>', "WIT"),  # a time in a date-like element
        ('<span class="post-meta">14:05 WIB</span>', "WIB"),
        ("<p>Rapat dimulai pukul 10:00 WIB.</p>", None),  # a time in the text decides nothing
        (f'<span class="date">Rubrik WISATA</span><p>{DATED}</p>', "WITA"),  # no zone named
        (f"<p>{DATED.ljust(160, '.')}</p>", "WITA"),
        (f"<p>{DATED.ljust(161, '.')}</p>", None),  # too long for a date line
        ("<p>pukul 10:00 WIB</p>" * 30 + f"<p>{DATED}</p>", None),  # only the first 30 count
        ("<p>pukul 10:00 WIB</p>" * 29 + f"<p>{DATED}</p>", "WITA"),
    ],
)
def test_page_zone_from_short_dated_lines_and_date_elements(body: str, expected: str) -> None:
    tree = document_fromstring(f"<html><body>{body}</body></html>")
    assert page_zone(tree) == (ZONES[expected] if expected else None)
