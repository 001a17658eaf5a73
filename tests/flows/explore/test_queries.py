"""The explorer's questions, asked of a tiny archive written by hand: two crawls' index
files (no WARCs, no crawl), read through the real storage and DuckDB."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.layout import file_key, manifest_key
from flows.archives.index import INDEX_FILES, SCHEMAS
from flows.explore.queries import ArchiveIndex
from flows.explore.search import read_search
from flows.storage import open_storage

GROUPS = {"Hanya niaga": ["niaga"]}
DAY = date(2026, 12, 1)
STORIES = [  # site, slug, published day, section, authors, title, text
    ("niaga", "banjir", "2026-11-30", "Daerah", ["Rina"], "Banjir Samarinda",
     "Banjir merendam Samarinda. Banjir surut sore."),
    ("niaga", "pasar", "2026-11-29", "Ekonomi", ["Rina", "Budi"], "Harga pasar",
     "Harga beras naik di pasar."),
    ("niaga", "sungai", "2026-11-28", "Daerah", ["Budi"], "Sungai Mahakam",
     "Sungai Mahakam meluap, banjir kecil."),
    ("kabar", "tambang", "2026-11-30", "Daerah", ["Sari"], "Tambang batu bara",
     "Tambang baru dibuka."),
]  # fmt: skip


def write_archive(root: Path) -> str:
    """An archive folder holding one crawl of each site, as ``warta archive`` lays it out."""
    for site in sorted({s[0] for s in STORIES}):
        crawl_id = "20261201T010000Z"
        rows = [s for s in STORIES if s[0] == site]
        articles = {
            "url": [f"https://{site}.test/{s[1]}/" for s in rows],
            "site": [site] * len(rows),
            "crawl_id": [crawl_id] * len(rows),
            "fetch_time": [datetime(2026, 12, 1, 1, tzinfo=UTC)] * len(rows),
            "published": [f"{s[2]}T08:00:00+08:00" for s in rows],
            "section": [s[3] for s in rows],
            "authors": [s[4] for s in rows],
            "title": [s[5] for s in rows],
            "text": [s[6] for s in rows],
        }
        tables = {
            "articles": pa.Table.from_pylist(
                [dict(zip(articles, v, strict=True)) for v in zip(*articles.values(), strict=True)],
                schema=SCHEMAS["articles"],
            ),
            "captures": SCHEMAS["captures"].empty_table(),
        }
        for table, name in INDEX_FILES.items():
            path = root / file_key(site, DAY, crawl_id, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(tables[table], path)
        (root / manifest_key(site, crawl_id, DAY)).write_text("{}")
    return str(root)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ArchiveIndex:
    return ArchiveIndex(open_storage(write_archive(tmp_path_factory.mktemp("tiny") / "archive")))


def test_the_form_offers_the_archives_sites_sections_and_authors(index: ArchiveIndex) -> None:
    assert index.sites() == [("kabar", 1), ("niaga", 3)]
    assert index.choices("section") == ["Daerah", "Ekonomi"]  # the commonest first
    assert index.choices("author") == ["Budi", "Rina", "Sari"]  # two, two, one
    assert index.span() == (date(2026, 11, 28), date(2026, 11, 30))


def test_samples_are_the_newest_stories_of_the_search(index: ArchiveIndex) -> None:
    search = read_search("section=daerah&group=Hanya+niaga", ["kabar", "niaga"], GROUPS)
    found = index.samples(search, GROUPS)  # kabar's story of that day is not in the group
    assert [(s["site"], s["day"], s["title"]) for s in found] == [
        ("niaga", date(2026, 11, 30), "Banjir Samarinda"),
        ("niaga", date(2026, 11, 28), "Sungai Mahakam"),
    ]
    assert found[0]["opening"] == "Banjir merendam Samarinda. Banjir surut sore."
    assert [s["title"] for s in index.samples(search, GROUPS, limit=1, offset=1)] == [
        "Sungai Mahakam"
    ]


def test_top_words_count_the_matching_stories_words(index: ArchiveIndex) -> None:
    search = read_search("group=Hanya+niaga&section=daerah", ["kabar", "niaga"], GROUPS)
    # not kabar's "tambang" (twice), nor "kecil", a stop word
    words = index.top_words(search, GROUPS, limit=5)
    assert words == [("banjir", 4), ("mahakam", 2), ("samarinda", 2), ("sungai", 2), ("meluap", 1)]
    assert all(isinstance(n, int) for _, n in words)
