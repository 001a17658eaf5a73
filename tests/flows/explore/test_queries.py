"""The explorer's questions, asked of the tiny archive (conftest): two crawls' index files
written by hand, read through the real storage and DuckDB."""

from __future__ import annotations

from datetime import date

import pytest

from flows.explore.queries import ArchiveIndex
from flows.explore.search import read_search
from flows.storage import open_storage
from tests.flows.explore.conftest import GROUPS


@pytest.fixture(scope="module")
def index(tiny_archive: str) -> ArchiveIndex:
    return ArchiveIndex(open_storage(tiny_archive))


def test_the_form_offers_the_archives_sites_sections_and_authors(index: ArchiveIndex) -> None:
    assert index.sites() == [("kabarbenua", 1), ("niaga", 3)]
    assert index.choices("section") == ["Daerah", "Ekonomi"]  # the commonest first
    assert index.choices("author") == ["Budi", "Rina", "Sari"]  # two, two, one
    assert index.span() == (date(2026, 11, 28), date(2026, 11, 30))


def test_samples_are_the_newest_stories_of_the_search(index: ArchiveIndex) -> None:
    search = read_search("section=daerah&group=Hanya+niaga", ["kabarbenua", "niaga"], GROUPS)
    found = index.samples(search, GROUPS)  # kabarbenua's story of that day is not in the group
    assert [(s["site"], s["day"], s["title"]) for s in found] == [
        ("niaga", date(2026, 11, 30), "Banjir Samarinda"),
        ("niaga", date(2026, 11, 28), "Sungai Mahakam"),
    ]
    assert found[0]["opening"] == "Banjir merendam Samarinda. Banjir surut sore."
    assert [s["title"] for s in index.samples(search, GROUPS, limit=1, offset=1)] == [
        "Sungai Mahakam"
    ]


def test_top_words_count_the_matching_stories_words(index: ArchiveIndex) -> None:
    search = read_search("group=Hanya+niaga&section=daerah", ["kabarbenua", "niaga"], GROUPS)
    # not kabarbenua's "tambang" (twice), nor "kecil", a stop word
    words = index.top_words(search, GROUPS, limit=5)
    assert words == [("banjir", 4), ("mahakam", 2), ("samarinda", 2), ("sungai", 2), ("meluap", 1)]
    assert all(isinstance(n, int) for _, n in words)


def test_attention_gives_every_day_of_the_range_for_every_site(index: ArchiveIndex) -> None:
    search = read_search("q=banjir", ["kabarbenua", "niaga"], GROUPS)
    points = index.attention(search, GROUPS)
    # kabarbenua published nothing on the 28th and 29th: zeros, not a gap in its line
    assert [(p.period, p.site, p.matching, p.total) for p in points] == [
        (date(2026, 11, 28), "kabarbenua", 0, 0),
        (date(2026, 11, 28), "niaga", 1, 1),
        (date(2026, 11, 29), "kabarbenua", 0, 0),
        (date(2026, 11, 29), "niaga", 0, 1),
        (date(2026, 11, 30), "kabarbenua", 0, 1),
        (date(2026, 11, 30), "niaga", 1, 1),
    ]


def test_attention_per_week_of_a_group(index: ArchiveIndex) -> None:
    search = read_search("q=banjir&group=Hanya+niaga&every=week", ["kabarbenua", "niaga"], GROUPS)
    points = index.attention(search, GROUPS)  # the 28th is a Saturday, the 30th a Monday
    assert [(p.period, p.site, p.matching, p.total) for p in points] == [
        (date(2026, 11, 23), "niaga", 1, 2),
        (date(2026, 11, 30), "niaga", 1, 1),
    ]


def test_attention_of_a_range_without_stories_is_empty(index: ArchiveIndex) -> None:
    search = read_search("q=banjir&from=2026-12-05", ["kabarbenua", "niaga"], GROUPS)
    assert index.attention(search, GROUPS) == []
