"""The text dataset: one row per article URL, as Parquet partitioned by site, year and month.

An article seen by several crawls is one row: the latest capture wins (its text, title and
WARC pointer), and ``captures`` counts every crawl that extracted it, with the first fetch
time beside it. Partitions are Hive style (``site=niaga/year=2023/month=03/``), which
DuckDB, pandas, pyarrow and Hugging Face ``datasets`` all read. Year and month are those of
the publication date in the site's own time zone, or of the fetch when it has none.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from crawler.layout import PARQUET_SUFFIX

PARTITIONS = ["site", "year", "month"]
EXPORT_MARKER = ".warta-export"  # in every export: the next export may replace the folder

LATEST_ARTICLES = """
SELECT * EXCLUDE (newest) FROM (
    SELECT a.*,
        coalesce(substr(a.published, 1, 10), strftime(a.fetch_time, '%Y-%m-%d')) AS pub_day,
        count(*) OVER (PARTITION BY a.url) AS captures,
        min(a.fetch_time) OVER (PARTITION BY a.url) AS first_fetch_time,
        row_number() OVER (
            PARTITION BY a.url ORDER BY a.fetch_time DESC NULLS LAST, a.crawl_id DESC
        ) AS newest
    FROM articles a
)
WHERE newest = 1
"""
"""One row per article URL, the latest capture's, with ``pub_day`` (YYYY-MM-DD, the
publication day in the site's zone, else the fetch day), ``captures`` and
``first_fetch_time``: the rows of the export and of the explorer (flows.explore)."""

_LATEST = f"""
SELECT * EXCLUDE (pub_day),
    substr(pub_day, 1, 4) AS year,
    substr(pub_day, 6, 2) AS month
FROM ({LATEST_ARTICLES})
WHERE true {{filters}}
ORDER BY site, year, month, url
"""


@dataclass(frozen=True)
class ExportResult:
    rows: int
    files: int
    dest: Path


def export_articles(
    con: duckdb.DuckDBPyConnection,
    dest: Path,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> ExportResult:
    """Write the deduplicated articles under ``dest`` (replaced if it holds an export).

    ``since`` and ``until`` select by publication day (fetch day when unknown), inclusive.
    """
    filters, params = [], []
    if site:
        filters.append("AND site = ?")
        params.append(site)
    if since:
        filters.append("AND pub_day >= ?")
        params.append(since.isoformat())
    if until:
        filters.append("AND pub_day <= ?")
        params.append(until.isoformat())
    table = con.sql(_LATEST.format(filters=" ".join(filters)), params=params).to_arrow_table()
    dest = Path(dest)
    staged = dest.with_name(f".{dest.name}.part")
    shutil.rmtree(staged, ignore_errors=True)
    written: list[str] = []
    ds.write_dataset(
        table,
        staged,
        format="parquet",
        partitioning=PARTITIONS,
        partitioning_flavor="hive",
        basename_template="part-{i}" + PARQUET_SUFFIX,
        file_visitor=lambda f: written.append(f.path),
        existing_data_behavior="error",
    )
    staged.mkdir(parents=True, exist_ok=True)  # an empty selection is an empty dataset
    (staged / EXPORT_MARKER).write_text("written by warta archives export; replaced by the next\n")
    if dest.exists():
        # Only a folder this command wrote (its marker inside) or an empty one is replaced:
        # DEST may be a typo for a folder of keys and dotfiles with no extension at all.
        ours = dest.is_dir() and (dest / EXPORT_MARKER).is_file()
        if not ours and not (dest.is_dir() and not any(dest.iterdir())):
            shutil.rmtree(staged, ignore_errors=True)
            raise ValueError(
                f"{dest} exists and is not an earlier export (no {EXPORT_MARKER} in it); "
                "choose a new or empty folder"
            )
        shutil.rmtree(dest)
    staged.rename(dest)
    return ExportResult(rows=table.num_rows, files=len(written), dest=dest)
