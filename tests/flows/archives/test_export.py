"""The text dataset, checked against rows written by hand (not by the index builder).

The dates are chosen so that day and month differ (15 March, not 3 March), a URL is
captured by two crawls in an order that is not the order of its rows, and one article has
no publication date, so its fetch day places it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from flows.archives.export import EXPORT_MARKER, export_articles

URL = "https://www.niaga.asia/banjir-samarinda/"
ROWS = [  # (url, crawl_id, fetch_time, published, title, text)
    (URL, "20230316T000000Z", datetime(2023, 3, 16, 1, tzinfo=UTC),
     "2023-03-15T09:00:00+08:00", "Banjir (lama)", "teks lama"),
    ("https://www.niaga.asia/tanpa-tanggal/", "20231105T000000Z",
     datetime(2023, 11, 5, 2, tzinfo=UTC), None, "Tanpa tanggal", "teks"),
    (URL, "20230420T000000Z", datetime(2023, 4, 20, 3, tzinfo=UTC),
     "2023-03-15T09:00:00+08:00", "Banjir (baru)", "teks baru"),
    (URL, "20230401T000000Z", datetime(2023, 4, 1, 3, tzinfo=UTC),
     "2023-03-15T09:00:00+08:00", "Banjir (tengah)", "teks tengah"),
    ("https://www.niaga.asia/akhir-bulan/", "20230401T000000Z",
     datetime(2023, 4, 1, 4, tzinfo=UTC), "2023-03-31T23:30:00+08:00", "Akhir", "teks"),
]  # fmt: skip


def _articles() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    table = pa.table(
        {
            "url": [r[0] for r in ROWS],
            "site": ["niaga"] * len(ROWS),
            "crawl_id": [r[1] for r in ROWS],
            "fetch_time": pa.array([r[2] for r in ROWS], pa.timestamp("us", tz="UTC")),
            "published": [r[3] for r in ROWS],
            "title": [r[4] for r in ROWS],
            "text": [r[5] for r in ROWS],
        }
    )
    con.register("articles", table)
    return con


def _read(dest: Path) -> dict[str, dict[str, object]]:
    parts = ds.dataset(dest, format="parquet", partitioning="hive").to_table().to_pylist()
    return {row["url"]: row for row in parts}


def test_latest_capture_wins_and_partitions_follow_the_publication_month(tmp_path: Path) -> None:
    result = export_articles(_articles(), tmp_path / "out")
    assert result.rows == 3
    rows = _read(tmp_path / "out")
    banjir = rows[URL]
    assert (banjir["title"], banjir["text"], banjir["crawl_id"]) == (
        "Banjir (baru)", "teks baru", "20230420T000000Z"
    )  # fmt: skip
    assert banjir["captures"] == 3
    assert banjir["first_fetch_time"] == datetime(2023, 3, 16, 1, tzinfo=UTC)
    assert (banjir["year"], banjir["month"]) == (2023, 3)
    undated = rows["https://www.niaga.asia/tanpa-tanggal/"]
    assert (undated["year"], undated["month"]) == (2023, 11)  # its fetch day
    folders = sorted(p.parent.relative_to(tmp_path / "out").as_posix()
                     for p in (tmp_path / "out").rglob("*.parquet"))  # fmt: skip
    assert folders == ["site=niaga/year=2023/month=03", "site=niaga/year=2023/month=11"]


def test_since_and_until_include_their_whole_days(tmp_path: Path) -> None:
    con = _articles()
    only_march = export_articles(con, tmp_path / "a", since=date(2023, 3, 15),
                                 until=date(2023, 3, 31))  # fmt: skip
    assert only_march.rows == 2 and set(_read(tmp_path / "a")) == {
        URL, "https://www.niaga.asia/akhir-bulan/"
    }  # fmt: skip
    assert export_articles(con, tmp_path / "b", until=date(2023, 3, 14)).rows == 0
    assert export_articles(con, tmp_path / "c", since=date(2023, 11, 5)).rows == 1


def test_the_result_counts_the_files_and_the_folder_says_who_wrote_it(tmp_path: Path) -> None:
    result = export_articles(_articles(), tmp_path / "out")
    assert result.files == 2 == len(list((tmp_path / "out").rglob("*.parquet")))
    assert result.dest == tmp_path / "out"
    assert {p.name for p in (tmp_path / "out").rglob("*.parquet")} == {"part-0.parquet"}
    assert (tmp_path / "out" / EXPORT_MARKER).read_text() == (
        "written by warta archives export; replaced by the next\n"
    )


def test_a_folder_left_by_an_interrupted_export_is_started_afresh(tmp_path: Path) -> None:
    stale = tmp_path / ".out.part" / "site=niaga" / "year=2020" / "month=01"
    stale.mkdir(parents=True)
    (stale / "part-0.parquet").write_bytes(b"half written")
    assert export_articles(_articles(), tmp_path / "out").rows == 3
    assert set(_read(tmp_path / "out")) == {r[0] for r in ROWS}
    assert not (tmp_path / "out" / "site=niaga" / "year=2020").exists()


def test_an_empty_selection_is_an_empty_export_in_a_new_folder(tmp_path: Path) -> None:
    dest = tmp_path / "new" / "out"
    assert export_articles(_articles(), dest, site="kota").rows == 0
    assert [p.name for p in dest.iterdir()] == [EXPORT_MARKER]


def test_a_refused_folder_is_left_as_it_was_and_nothing_staged_is_left(tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="is not an earlier export"):
        export_articles(_articles(), dest)
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]


def test_a_site_is_selected_and_an_earlier_export_replaced(tmp_path: Path) -> None:
    con = _articles()
    assert export_articles(con, tmp_path / "out", site="niaga").rows == 3
    assert export_articles(con, tmp_path / "out", until=date(2023, 3, 31)).rows == 2
    assert set(_read(tmp_path / "out")) == {URL, "https://www.niaga.asia/akhir-bulan/"}
