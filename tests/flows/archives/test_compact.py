"""Compaction of the research index: same answers before and after, nothing counted twice,
a crawl stored meanwhile stays visible, a killed or beaten compaction leaves the index as it
was, and a crafted compacted file stops a query instead of changing its answer.

The crawls are copies (under new sites, days and ids) of one crawl written by warta's own
WARC writer and indexed by ``build_index`` (``stored_archive`` of test_research_local);
the same tests run on a local folder and on SeaweedFS with authentication on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.scale_archive import first_crawl, plan, store_copies, store_copy
from crawler.layout import INDEX_POINTER_KEY, SNAPSHOT_PREFIX, compacted_prefix
from flows.archives.compact import Tables, compact, read_part
from flows.archives.query import connect, find_index_files, run_query
from flows.archives.snapshot import (
    CompactedFile,
    IndexCorrupt,
    Part,
    StorageConflict,
    load_snapshot,
)
from flows.cli import main
from flows.storage import open_storage
from flows.storage.base import Storage
from tests.flows.archives.test_research_local import stored_archive

QUERIES = [
    "SELECT site, crawl_id, count(*) AS n FROM articles GROUP BY ALL ORDER BY ALL",
    "SELECT site, crawl_id, record_type, count(*) AS n FROM captures GROUP BY ALL ORDER BY ALL",
    "SELECT url, title, crawl_id, site, word_count, tags FROM articles ORDER BY ALL",
    'SELECT surt, fetch_time, warc_key, "offset", length, crawl_id, site FROM captures '
    "ORDER BY ALL",
]
REPO = Path(__file__).resolve().parents[3]


def answers(storage: Storage, **filters: Any) -> list[list[dict[str, Any]]]:
    con, _files = connect(storage, **filters)
    return [run_query(con, sql).to_pylist() for sql in QUERIES]


FEBRUARY = [("site0000", date(2026, 2, d), f"202602{d:02d}T060000Z") for d in range(1, 9)]


def store_48_crawls(storage: Storage, source: Tables) -> None:
    """20 crawls on each of 2 sites, 4 a day from 2026-01-01 (to the 5th), plus 8 in
    February on one site."""
    store_copies(storage, source, list(plan(40, 2)))
    store_copies(storage, source, FEBRUARY)


@pytest.fixture(scope="module")
def local_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Tables]:
    """The 48 crawls stored once per module in a local folder (each test gets a copy of it:
    storing them is most of a test's time), and the crawl they copy."""
    root = tmp_path_factory.mktemp("copies")
    source = first_crawl(open_storage(stored_archive(root)[0]))
    folder = root / "copies"
    folder.mkdir()
    store_48_crawls(open_storage(str(folder)), source)
    return folder, source


@pytest.fixture
def copies(archive_uri: str, tmp_path: Path, request: pytest.FixtureRequest) -> Storage:
    """The 48 crawls in ``archive_uri`` (local or S3)."""
    if "://" not in archive_uri:
        folder, source = request.getfixturevalue("local_copies")
        # Hard links: LocalStorage writes a new file and renames it into place, never in place.
        shutil.copytree(folder, archive_uri, copy_function=os.link)
        storage = open_storage(archive_uri)
    else:
        source = first_crawl(open_storage(stored_archive(tmp_path)[0]))
        storage = open_storage(archive_uri)
        store_48_crawls(storage, source)
    storage.source = source  # type: ignore[attr-defined]  # for tests that add crawls
    return storage


def test_answers_equal_before_and_after_compaction(copies: Storage) -> None:
    before = answers(copies)
    feb = {"site": "site0000", "since": date(2026, 1, 3), "until": date(2026, 2, 3)}
    before_feb = answers(copies, **feb)
    report = compact(copies, max_parts=4)
    assert report.problems == [] and report.crawls == 48
    assert (report.partitions, report.files) == (3, 6)  # site0000 Jan and Feb, site0001 Jan

    files = find_index_files(copies)
    assert (files.crawls, files.compacted, files.pending) == (48, 48, [])
    assert len(files.keys["articles"]) == 3 and all(
        k.startswith(compacted_prefix("articles")) for k in files.keys["articles"]
    )
    assert answers(copies) == before
    assert answers(copies, **feb) == before_feb  # rows of days outside the range filtered out
    [[articles], [captures]] = [
        run_query(connect(copies)[0], f"SELECT count(*) AS n FROM {t}").to_pylist()
        for t in ("articles", "captures")
    ]
    assert articles["n"] == 48 * 2 and captures["n"] == 48 * 4  # nothing twice
    assert report.rows == {"captures": captures["n"], "articles": articles["n"]}
    assert compact(copies).generation is None  # nothing new: no new snapshot


def test_filters_open_only_their_partitions(
    copies: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["archives", "compact", copies.uri]) == 0
    assert "48 crawl(s) compacted into 3 partition(s)" in capsys.readouterr().out
    files = find_index_files(copies, site="site0001")
    assert files.keys["captures"] == [
        k for k in files.keys["captures"] if "/site=site0001/month=2026-01/" in k
    ]
    assert len(files.keys["captures"]) == 1 and files.crawls == 20
    files = find_index_files(copies, since=date(2026, 2, 1))
    assert [k.split("/")[2:4] for k in files.keys["articles"]] == [
        ["site=site0000", "month=2026-02"]
    ]
    assert files.crawls == 8 and files.exclude == {}
    files = find_index_files(copies, until=date(2026, 1, 1))
    assert files.crawls == 8 and len(files.keys["articles"]) == 2
    assert sum(len(ids) for ids in files.exclude.values()) == 32  # same files, rows filtered


def test_crawl_stored_during_compaction_is_counted_once(copies: Storage) -> None:
    source = copies.source  # type: ignore[attr-defined]
    before = answers(copies)
    late = ("site0000", date(2026, 1, 10), "20260110T230000Z")  # into a partition being written

    def store_one(site: str, month: str) -> None:
        if (site, month) == ("site0000", "2026-01"):
            store_copy(copies, source, *late)

    report = compact(copies, on_partition=store_one)
    assert report.crawls == 48
    snapshot, _ = load_snapshot(copies)
    assert snapshot is not None and ("site0000", late[2]) not in snapshot.covered()
    files = find_index_files(copies)
    assert (files.crawls, files.compacted, files.pending) == (49, 48, [late])
    con, _ = connect(copies)
    [[row]] = [run_query(con, "SELECT count(*) AS n FROM articles WHERE crawl_id = "
                              f"'{late[2]}'").to_pylist()]  # fmt: skip
    assert row["n"] == 2  # visible at once, from its own files
    after = answers(copies)
    compact(copies)
    assert answers(copies) == after != before
    assert find_index_files(copies).compacted == 49


def test_a_compaction_that_lost_the_race_publishes_nothing(copies: Storage) -> None:
    before = answers(copies)
    raced: list[int | None] = []

    def other_compaction(site: str, month: str) -> None:
        if not raced:
            raced.append(compact(copies, site="site0001").generation)

    with pytest.raises(StorageConflict):
        compact(copies, on_partition=other_compaction)
    assert raced == [1]
    snapshot, _ = load_snapshot(copies)
    assert snapshot is not None and snapshot.generation == 1
    assert answers(copies) == before
    assert compact(copies).generation == 2 and answers(copies) == before


KILLER = """
import os, signal, sys
from pathlib import Path
from flows.archives.compact import Tables, compact
from flows.storage.local import LocalStorage

class Dying(LocalStorage):
    puts = 0
    def put_file(self, key, path, sha256):
        super().put_file(key, path, sha256)
        Dying.puts += 1
        if sys.argv[2] == "files" and Dying.puts == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    def put_bytes_if(self, key, data, version):
        if sys.argv[2] == "pointer":
            os.kill(os.getpid(), signal.SIGKILL)
        return super().put_bytes_if(key, data, version)

compact(Dying(Path(sys.argv[1])))
"""


@pytest.mark.parametrize("archive_uri", ["local"], indirect=True)
@pytest.mark.parametrize("point", ["files", "pointer"])
def test_sigkilled_compaction_leaves_the_index_as_it_was(copies: Storage, point: str) -> None:
    before = answers(copies)
    root = str(copies.root)  # type: ignore[attr-defined]
    done = subprocess.run([sys.executable, "-c", KILLER, root, point], cwd=REPO,
                          capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    written = list(copies.list(compacted_prefix("captures")))
    assert written  # it died with files stored
    assert copies.head(INDEX_POINTER_KEY) is None  # and published nothing
    if point == "pointer":
        assert list(copies.list(SNAPSHOT_PREFIX))  # the snapshot too, but no pointer to it
    assert answers(copies) == before
    report = compact(copies)
    assert report.crawls == 48 and answers(copies) == before
    files = find_index_files(copies)
    assert not set(files.keys["captures"]) & {i.key for i in written}  # orphans never read


def test_crafted_compacted_files_stop_the_query(
    copies: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    compact(copies)
    snapshot, _ = load_snapshot(copies)
    assert snapshot is not None
    [jan, feb] = [p.parts[0] for p in snapshot.partitions if p.site == "site0000"]
    target = jan.articles

    # Garbage of the right size: not Parquet.
    copies.put_bytes(target.key, os.urandom(target.size))
    with pytest.raises(IndexCorrupt, match="not readable Parquet"):
        answers(copies)
    # Another partition's real file in its place: the size (or the row count) differs.
    copies.put_bytes(target.key, copies.get_bytes(feb.articles.key))
    with pytest.raises(IndexCorrupt, match=target.key):
        answers(copies)
    code = main(["archives", "query", copies.uri, "SELECT count(*) FROM articles"])
    err = capsys.readouterr().err
    assert code == 2 and "compacted file" in err and target.key in err
    # Queries that do not reach the partition still answer; --no-compacted reads around it.
    assert answers(copies, site="site0001")
    assert answers(copies, compacted=False)
    # Compaction goes on beside it; --repair finds the file's digest wrong and rebuilds the
    # partition from its crawls' own files.
    assert compact(copies).generation is None
    report = compact(copies, repair=True)
    assert len(report.problems) == 1 and "sha256" in report.problems[0]
    assert report.merged == 3 and answers(copies) == answers(copies, compacted=False)


def test_crafted_snapshots_and_crawl_files_are_refused(copies: Storage) -> None:
    compact(copies)
    data, _version = copies.get_versioned(INDEX_POINTER_KEY) or (b"", "")
    pointer = json.loads(data)
    snapshot = json.loads(copies.get_bytes(pointer["snapshot"]))
    snapshot["partitions"][0]["parts"][0]["articles"]["key"] = "site0000/2026/01/01/x.parquet"
    evil = f"{SNAPSHOT_PREFIX}99999999-evil.json"
    copies.put_bytes(evil, json.dumps(snapshot).encode())
    copies.put_bytes(INDEX_POINTER_KEY, json.dumps({**pointer, "snapshot": evil}).encode())
    with pytest.raises(IndexCorrupt, match="is not under _index/articles/site=site0000/"):
        answers(copies)
    copies.put_bytes(INDEX_POINTER_KEY, json.dumps({**pointer, "snapshot": "../x.json"}).encode())
    with pytest.raises(IndexCorrupt, match="not a snapshot"):
        answers(copies)
    copies.put_bytes(INDEX_POINTER_KEY, data)

    # A crawl whose index claims another crawl's rows is left out of the compacted index.
    source = copies.source  # type: ignore[attr-defined]
    store_copy(copies, source, "site0001", date(2026, 3, 1), "20260301T000000Z")
    key = "site0001/2026/03/01/20260301T000000Z.manifest.json"
    manifest = json.loads(copies.get_bytes(key))
    other = "site0001/2026/01/01/20260101T000100Z-articles.parquet"
    entry = next(f for f in manifest["files"] if f["name"] == "articles.parquet")
    entry["sha256"] = copies.head(other).sha256  # type: ignore[union-attr]
    copies.put_bytes(entry["key"], copies.get_bytes(other))
    entry["size"] = len(copies.get_bytes(other))
    copies.put_bytes(key, json.dumps(manifest).encode())
    report = compact(copies)
    assert report.crawls == 0 and "another crawl_id" in " ".join(report.problems)


class Listings:
    """A storage whose ``list`` calls are recorded (prefixes)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.prefixes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)

    def list(self, prefix: str = "") -> Any:
        self.prefixes.append(prefix)
        return self.storage.list(prefix)


def test_readers_list_the_arrivals_not_the_archive(
    copies: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copies.source  # type: ignore[attr-defined]
    before = answers(copies)
    compact(copies)
    seen = Listings(copies)
    files = find_index_files(seen)  # type: ignore[arg-type]
    assert files.crawls == 48 and not any(p == "" or p.startswith("site") for p in seen.prefixes)
    assert {p.split("/")[1] for p in seen.prefixes} == {"captures", "articles", "arrivals"}
    assert answers(copies) == before

    # A crawl stored late into a day already compacted (a resumed crawl): found at once by
    # its arrival, counted once, compacted next time.
    late = ("site0001", date(2026, 1, 2), "20260102T235900Z")
    store_copy(copies, source, *late)
    files = find_index_files(copies)
    assert (files.crawls, files.pending) == (49, [late])
    assert answers(copies, site="site0001", until=date(2026, 1, 2))[0][-1]["crawl_id"] == late[2]
    assert compact(copies).crawls == 1 and find_index_files(copies).compacted == 49

    # A crawl stored without a marker (by a warta older than the arrivals log) is found by a
    # full listing only: compact --full.
    import bench.scale_archive

    monkeypatch.setattr(bench.scale_archive, "note_arrival", lambda storage, manifest: "")
    store_copy(copies, source, "site0000", date(2026, 3, 1), "20260301T000000Z")
    assert compact(copies).crawls == 0 and find_index_files(copies).crawls == 49
    assert compact(copies, full=True).crawls == 1 and find_index_files(copies).crawls == 50


def test_a_compacted_file_that_is_not_parquet_is_named(tmp_path: Path) -> None:
    """Its digest matches the snapshot (crafted together): the key is in the message."""
    storage = open_storage(str(tmp_path / "archive"))
    key = f"{compacted_prefix('captures', 'niaga')}month=2026-01/part-crafted.parquet"
    storage.put_bytes(key, b"not parquet")
    entry = CompactedFile(key=key, size=11, rows=0,
                          sha256=hashlib.sha256(b"not parquet").hexdigest())  # fmt: skip
    part = Part(captures=entry, articles=entry, crawls={})
    with pytest.raises(IndexCorrupt, match=f"^{re.escape(key)} is not a captures index"):
        read_part(storage, part)
