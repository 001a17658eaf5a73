"""Which date elements, lines and URL parts count as a page's dates, and how many are read."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring

from crawler.extraction.dates import find_dates, to_iso, url_date, zone
from crawler.extraction.metadata import read_page_meta

WITA = zone("Asia/Makassar")
REAL = '<time class="published" datetime="2023-03-03T14:05:00+08:00">x</time>'


def dates(html: str, url: str | None = None) -> tuple[str | None, str | None]:
    tree = document_fromstring(html)
    meta = read_page_meta(tree)
    return find_dates(tree, meta.article, meta.pages, meta.metas, WITA, url=url, nodes=meta.nodes)


def test_itemprop_dates_are_read_from_their_content_attribute() -> None:
    html = """<html><body><h1>Judul</h1>
    <span itemprop="datePublished" content="2023-03-03T14:05:00+08:00">Jumat</span>
    <span itemprop="dateModified" content="2023-03-04T09:00:00+08:00">Sabtu</span>
    <p>Isi berita.</p></body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-04T09:00:00+08:00")


def test_a_modified_class_marks_the_modification_time() -> None:
    html = f"""<html><body>{REAL}
    <time class="entry-modified" datetime="2023-03-04T09:00:00+08:00">x</time></body></html>"""
    assert dates(html) == ("2023-03-03T14:05:00+08:00", "2023-03-04T09:00:00+08:00")


@pytest.mark.parametrize(
    ("time", "published"),
    [
        # marked as the publication: it beats the day in the URL
        (REAL, "2023-03-03T14:05:00+08:00"),
        ('<time pubdate datetime="2023-03-03T14:05:00+08:00">x</time>',
         "2023-03-03T14:05:00+08:00"),
        ('<time itemprop="datePublished" datetime="2023-03-03T14:05:00+08:00">x</time>',
         "2023-03-03T14:05:00+08:00"),
        # an unmarked <time> is some date of the page: the URL's day comes first
        ('<time datetime="2023-03-03T14:05:00+08:00">x</time>', "2023-03-01T00:00:00+08:00"),
        ('<time class="entry-date" datetime="2023-03-03T14:05:00+08:00">x</time>',
         "2023-03-01T00:00:00+08:00"),
    ],
)  # fmt: skip
def test_published_markers_beat_the_url_and_unmarked_times_do_not(
    time: str, published: str
) -> None:
    html = f"<html><body>{time}<p>Isi berita.</p></body></html>"
    assert dates(html, url="https://x.id/2023/03/01/judul")[0] == published


def test_an_unmarked_time_with_a_datetime_is_still_a_date_of_the_page() -> None:
    html = '<html><body><time datetime="2023-03-03T14:05:00+08:00">x</time></body></html>'
    assert dates(html) == ("2023-03-03T14:05:00+08:00", None)


def test_a_teaser_time_before_the_article_time_is_passed_over() -> None:
    html = f"""<html><body><aside><time class="published" datetime="2023-03-09T10:00:00+08:00">
    x</time></aside>{REAL}</body></html>"""
    assert dates(html)[0] == "2023-03-03T14:05:00+08:00"


@pytest.mark.parametrize(
    ("filler", "real", "index"),
    [
        ('<time class="published" datetime="kemarin">x</time>', REAL, 0),
        ('<time class="updated" datetime="kemarin">x</time>',
         '<time class="updated" datetime="2023-03-03T14:05:00+08:00">x</time>', 1),
        ('<time datetime="kemarin">x</time>',
         '<time datetime="2023-03-03T14:05:00+08:00">x</time>', 0),
    ],
)  # fmt: skip
def test_only_the_first_20_values_of_each_kind_count(filler: str, real: str, index: int) -> None:
    # Values that are no date ("kemarin") still take their place among the first 20.
    def page(count: int) -> str:
        return f"<html><body>{filler * count}{real}</body></html>"

    assert dates(page(19))[index] == "2023-03-03T14:05:00+08:00"
    assert dates(page(20))[index] is None


def test_blank_values_take_no_place_among_the_first_20() -> None:
    blank = '<time class="published" datetime=" ">x</time>'
    assert dates(f"<html><body>{blank * 20}{REAL}</body></html>")[0] == (
        "2023-03-03T14:05:00+08:00"
    )


@pytest.mark.parametrize(("count", "found"), [(59, True), (60, False)])
def test_only_the_first_60_date_elements_are_read(count: int, found: bool) -> None:
    html = f"<html><body>{'<time>x</time>' * count}{REAL}</body></html>"
    assert (dates(html)[0] is not None) == found


@pytest.mark.parametrize(
    ("length", "published"),
    [(60, "2023-03-02T00:00:00+08:00"), (61, "2023-03-03T14:05:00+08:00")],
)
def test_a_date_line_by_the_title_is_at_most_60_characters(length: int, published: str) -> None:
    line = "Kamis, 2 Maret 2023 - Samarinda ".ljust(length, ".")
    html = f"""<html><body><h1>Judul</h1><p>{line}</p>
    <div class="date">Jumat, 3 Maret 2023 14:05 WITA</div></body></html>"""
    assert dates(html)[0] == published


BODY = "<p>A long first paragraph of the article body that is no date line at all.</p>"


def test_a_date_line_anywhere_is_read_month_first_on_a_us_page() -> None:
    html = f'<html lang="en-US"><body>{BODY}<p>03/09/2026</p></body></html>'
    assert dates(html)[0] == "2026-03-09T00:00:00+08:00"


@pytest.mark.parametrize(
    "body", ["<h1>Judul</h1><p>Jumat, 3 Maret 2023 14:05</p>", f"{BODY}<p>3 Maret 2023 14:05</p>"]
)
def test_a_printed_time_without_a_zone_is_the_sites_time(body: str) -> None:
    # by the title, and anywhere as the last resort
    assert dates(f"<html><body>{body}</body></html>")[0] == "2023-03-03T14:05:00+08:00"


LONG = "Diterbitkan oleh redaksi kami pada hari Jumat tanggal 3 Maret 2023 di Samarinda"


@pytest.mark.parametrize(("count", "found"), [(39, True), (40, False)])
def test_only_the_first_40_date_like_elements_are_read(count: int, found: bool) -> None:
    # Elements that hold no date ("Rubrik") do not stop the search, but they count.
    assert len(LONG) > 60  # too long for a date line anywhere
    html = f"""<html><body>{'<span class="date">Rubrik</span>' * count}
    <div class="date">{LONG}</div></body></html>"""
    assert dates(html)[0] == ("2023-03-03T00:00:00+08:00" if found else None)


@pytest.mark.parametrize(("before", "found"), [(287, True), (288, False)])
def test_only_the_first_300_characters_of_a_date_like_element_are_read(
    before: int, found: bool
) -> None:
    text = "." * before + " 3 Maret 2023"
    assert len(text) == before + 13
    html = f'<html><body><div class="date">{text}</div></body></html>'
    assert dates(html)[0] == ("2023-03-03T00:00:00+08:00" if found else None)


def test_an_updated_line_is_a_date_when_there_is_no_other() -> None:
    line = "Updated March 5, 2025 by the editorial desk of our newspaper in Samarinda"
    html = f'<html><body><div class="date">{line}</div></body></html>'
    assert dates(html)[0] == "2025-03-05T00:00:00+08:00"


def test_a_url_folder_that_is_no_month_names_no_day() -> None:
    html = "<html><body><p>Tanpa tanggal.</p></body></html>"
    assert dates(html, url="https://x.id/2023/news/03/judul") == (None, None)


def test_the_url_day_is_in_the_given_zone() -> None:
    found = url_date("https://x.id/2023/03/03/judul", WITA)
    assert found is not None and not found[1]
    assert to_iso(found[0]) == "2023-03-03T00:00:00+08:00"


def test_an_impossible_day_in_the_url_is_passed_over_for_a_real_one() -> None:
    found = url_date("https://x.id/2023/02/31/banjir-2023-03-03", WITA)
    assert found is not None and to_iso(found[0]) == "2023-03-03T00:00:00+08:00"
