"""What a reader lists and opens to find the index files (local folder, fast): only the
asked site's folders, the compacted folders only when it reads compacted files, and the
files through the filesystem the storage hands to Arrow (S3 in production)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.fs as pafs
import pytest

from crawler.layout import INDEX_ROOT, compacted_prefix
from flows.archives import query as query_module
from flows.archives.compact import Tables, compact
from flows.archives.query import connect, find_index_files, index_files_of, run_query
from flows.archives.snapshot import load_snapshot
from flows.storage.base import Storage
from tests.flows.archives.test_compact import Listings
from tests.flows.archives.test_compact_partitions import C1, SITE, source, two_days

__all__ = ["source", "two_days"]  # fixtures


def _index_listings(seen: Listings) -> list[str]:
    return [p for p in seen.prefixes if p.startswith(f"{INDEX_ROOT}/") and "arrivals" not in p]


def test_without_compacted_files_a_site_lists_its_own_folder_only(two_days: Storage) -> None:
    seen = Listings(two_days)
    assert find_index_files(seen, site=SITE, compacted=False).crawls == 2  # type: ignore[arg-type]
    assert seen.prefixes == [f"{SITE}/"]
    compact(two_days, site=SITE, max_parts=4)  # a snapshot without an arrivals day
    snapshot, _ = load_snapshot(two_days)
    assert snapshot is not None and snapshot.arrivals_from is None
    seen = Listings(two_days)
    found = index_files_of(seen, snapshot, site=SITE, open_compacted=False)  # type: ignore[arg-type]
    assert (found.crawls, seen.prefixes) == (0, [f"{SITE}/"])


def test_readers_list_only_the_asked_sites_compacted_folders(two_days: Storage) -> None:
    compact(two_days, max_parts=4)  # readers go by the arrivals log from now on
    seen = Listings(two_days)
    assert find_index_files(seen, site=SITE).compacted == 2  # type: ignore[arg-type]
    assert sorted(_index_listings(seen)) == sorted(
        compacted_prefix(t, SITE) for t in ("captures", "articles")
    )
    snapshot, _ = load_snapshot(two_days)
    seen = Listings(two_days)
    found = index_files_of(seen, snapshot, open_compacted=False)  # type: ignore[arg-type]
    assert found.crawls == 0 and _index_listings(seen) == []  # compaction: new crawls only


def test_a_query_leaves_no_database_file_behind(
    two_days: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    con, _ = connect(two_days)
    assert run_query(con, "SELECT count(*) AS n FROM captures").to_pylist() == [{"n": 8}]
    con.close()
    assert sorted(os.listdir(tmp_path)) == before


def test_index_files_are_read_through_the_storages_filesystem(
    two_days: Storage, source: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on S3: keys relative to a base that is no local path."""
    root = Path(two_days.root)  # type: ignore[attr-defined]
    compact(two_days, max_parts=4)
    remote = pafs.SubTreeFileSystem(str(root.parent), pafs.LocalFileSystem())
    monkeypatch.setattr(query_module, "arrow_filesystem", lambda storage: (remote, root.name))
    con, files = connect(two_days)
    assert files.compacted == 2
    rows = run_query(con, f"SELECT count(*) AS n FROM articles WHERE crawl_id = '{C1}'")
    assert rows.to_pylist() == [{"n": source["articles"].num_rows}]
