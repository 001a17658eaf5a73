"""Backfilling the research index of crawls stored without one: which crawls are indexed,
what the index holds (only the stored WARCs and the article file's whole articles), where it
is stored, and how the manifest lists it afterwards."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crawler.layout import ARTICLES_INDEX, CAPTURES_INDEX, file_key, manifest_key
from crawler.warc.writer import RotatingWarcWriter
from flows.archives.index import (
    ARTICLES_SCHEMA,
    CAPTURES_SCHEMA,
    backfill_crawl,
    backfill_index,
    build_index,
)
from flows.storage import LocalStorage, StorageError, open_storage
from flows.storage.base import Storage
from flows.storage.crawl_upload import store_crawl
from flows.storage.manifest import Manifest, parse_manifest
from tests.crawler.warc.conftest import gzip_chunked_exchange, make_id_factory, plain_exchange

DAY1, DAY2, DAY3 = date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)
ARTICLE_LINES = [
    json.dumps({"url": "http://example.com/berita/1", "title": "Banjir — Samarinda"},
               ensure_ascii=False),
    '{"url": "http://example.com/berita/2", "tit',  # cut short by a crash
    json.dumps({"url": "http://example.com/berita/2", "title": "Harga sembako naik"}),
    json.dumps({"title": "tanpa alamat"}),  # no URL: nothing to point at
    json.dumps(["not", "an", "article"]),
    json.dumps("teks"),
]  # fmt: skip


def crawl_id(day: date) -> str:
    return day.strftime("%Y%m%dT101500Z")


def store(tmp_path: Path, uri: str, site: str, day: date, index: tuple[str, ...] = ()) -> None:
    """Store a crawl of two pages and their article file, with the given index files."""
    folder = tmp_path / "crawls" / site / crawl_id(day)
    folder.mkdir(parents=True)
    writer = RotatingWarcWriter(folder, "warta", "test", id_factory=make_id_factory())
    writer.write_exchange(*plain_exchange("/berita/1"))
    writer.write_exchange(*gzip_chunked_exchange("/berita/2"))
    writer.close()
    (folder / "articles.jsonl").write_text("\n".join(ARTICLE_LINES) + "\n", encoding="utf-8")
    for built in build_index(folder, site, crawl_id(day), day):
        if built.name not in index:
            built.unlink()
    store_crawl(folder, open_storage(uri), site, crawl_id(day), day)


def manifest(storage: Storage, site: str, day: date) -> Manifest:
    key = manifest_key(site, crawl_id(day), day)
    return parse_manifest(storage.get_bytes(key), key)


def test_only_the_selected_crawls_without_a_whole_index_are_indexed(tmp_path: Path) -> None:
    uri = str(tmp_path / "archive")
    store(tmp_path, uri, "niaga", DAY1, (CAPTURES_INDEX, ARTICLES_INDEX))
    store(tmp_path, uri, "kaltim", DAY2)
    store(tmp_path, uri, "niaga", DAY2, (CAPTURES_INDEX,))  # half an index is none
    store(tmp_path, uri, "niaga", DAY3)
    storage = open_storage(uri)

    chosen = backfill_index(storage, site="niaga", since=DAY2, until=DAY2)
    assert (chosen.done, chosen.skipped, chosen.files) == (
        [manifest_key("niaga", crawl_id(DAY2), DAY2)],
        [],
        2,
    )
    rest = backfill_index(storage)  # a crawl already indexed does not stop the others
    assert rest.done == [
        manifest_key("kaltim", crawl_id(DAY2), DAY2),
        manifest_key("niaga", crawl_id(DAY3), DAY3),
    ]
    assert rest.skipped == [crawl_id(DAY1), crawl_id(DAY2)]
    assert rest.files == 4
    assert backfill_index(storage).done == []


def test_a_backfilled_index_is_stored_beside_the_crawl_and_listed(tmp_path: Path) -> None:
    uri = str(tmp_path / "archive")
    store(tmp_path, uri, "kaltim", DAY2)
    storage = open_storage(uri)
    before = manifest(storage, "kaltim", DAY2)
    backfill_index(storage)

    after = manifest(storage, "kaltim", DAY2)
    assert [f for f in after.files if f.name not in (CAPTURES_INDEX, ARTICLES_INDEX)] == list(
        before.files
    )
    listed = {f.name: f for f in after.files}
    warc_keys = {f.key for f in before.files if f.kind == "warc"}
    for name, schema in ((CAPTURES_INDEX, CAPTURES_SCHEMA), (ARTICLES_INDEX, ARTICLES_SCHEMA)):
        entry = listed[name]
        assert entry.key == file_key("kaltim", DAY2, crawl_id(DAY2), name)
        assert entry.kind == "parquet"
        head = storage.head(entry.key)
        assert head is not None and (head.size, head.sha256) == (entry.size, entry.sha256)
        stored = pq.ParquetFile(Path(uri) / entry.key)
        assert stored.schema_arrow.equals(schema)  # the documented column types
        assert stored.metadata.row_group(0).column(0).compression == "ZSTD"

    captures = pq.read_table(Path(uri) / listed[CAPTURES_INDEX].key).to_pylist()
    assert len(captures) == 4  # a request and a response for each page
    assert {c["warc_key"] for c in captures} == warc_keys
    assert {(c["site"], c["crawl_id"]) for c in captures} == {("kaltim", crawl_id(DAY2))}
    articles = pq.read_table(Path(uri) / listed[ARTICLES_INDEX].key).to_pylist()
    assert [(a["url"], a["title"], a["site"]) for a in articles] == [
        ("http://example.com/berita/1", "Banjir — Samarinda", "kaltim"),
        ("http://example.com/berita/2", "Harga sembako naik", "kaltim"),
    ]


def test_a_work_folder_left_from_an_earlier_run_adds_nothing_to_the_index(
    tmp_path: Path,
) -> None:
    """Only the stored WARCs are indexed: a row must point at an object the archive has."""
    uri = str(tmp_path / "archive")
    store(tmp_path, uri, "niaga", DAY3)
    storage = open_storage(uri)
    work = tmp_path / "work"
    leftover = work / "niaga" / crawl_id(DAY3)
    leftover.mkdir(parents=True)
    [warc] = (tmp_path / "crawls" / "niaga" / crawl_id(DAY3)).glob("*.warc.gz")
    shutil.copy(warc, leftover / "warta-stray.warc.gz")

    updated = backfill_crawl(storage, manifest(storage, "niaga", DAY3), work)
    assert manifest(storage, "niaga", DAY3) == updated
    [entry] = [f for f in updated.files if f.name == CAPTURES_INDEX]
    captures = pq.read_table(Path(uri) / entry.key).to_pylist()
    assert {c["warc_key"] for c in captures} == {f.key for f in updated.files if f.kind == "warc"}
    assert len(captures) == 4


class ChangingStorage(LocalStorage):
    """Receives an index file other than the one that was hashed (changed while copied)."""

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        self._store(key, iter([path.read_bytes() + b"\0"]), sha256)


def test_an_index_that_does_not_arrive_as_hashed_is_refused(tmp_path: Path) -> None:
    uri = str(tmp_path / "archive")
    store(tmp_path, uri, "niaga", DAY3)
    storage = ChangingStorage(Path(uri))
    with pytest.raises(StorageError, match="content changed while copying"):
        backfill_index(storage)
    listed = {f.name for f in manifest(storage, "niaga", DAY3).files}
    assert CAPTURES_INDEX not in listed and ARTICLES_INDEX not in listed
