"""The research index of one crawl: ``captures`` and ``articles`` as Parquet files.

The flow writes both into the crawl folder before storing it, so they are uploaded, hashed
and listed in the manifest like every other file. ``backfill_index`` builds them for crawls
stored before the index existed, from their stored WARCs and article file. Column meanings
are in docs/research.md; the rows come from :mod:`crawler.warc.rows`.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import types
import typing
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from crawler.extraction.article_record import Article
from crawler.layout import (
    ARTICLES_FILE,
    ARTICLES_INDEX,
    CAPTURES_INDEX,
    file_key,
    warc_files,
)
from crawler.warc.reader import read_records
from crawler.warc.rows import Pointer, article_row, capture_row, conversion_pointer
from flows.archives.catalog import Report, find_crawls, read_manifests
from flows.storage.arrivals import note_arrival
from flows.storage.base import Storage, StorageError, sha256_file
from flows.storage.manifest import Manifest, ManifestFile, file_kind

log = logging.getLogger("warta.archives")

UTC_TIME = pa.timestamp("us", tz="UTC")
CAPTURES_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("surt", pa.string()),
        ("host", pa.string()),
        ("fetch_time", UTC_TIME),
        ("status", pa.int16()),
        ("mime", pa.string()),
        ("payload_digest", pa.string()),
        ("record_type", pa.string()),
        ("record_id", pa.string()),
        ("warc_file", pa.string()),
        ("warc_key", pa.string()),
        ("offset", pa.int64()),
        ("length", pa.int64()),
        ("revisit_profile", pa.string()),
        ("refers_to", pa.string()),
        ("revisit_target", pa.string()),
        ("revisit_date", UTC_TIME),
        ("site", pa.string()),
        ("crawl_id", pa.string()),
    ]
)


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of an article field, from its annotation in the article model."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return arrow_type(args[0])
    if origin is list:
        return pa.list_(arrow_type(args[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields.items()
        return pa.struct([(name, arrow_type(f.annotation)) for name, f in fields])
    simple = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"no Arrow type for {annotation!r}")


# The article's own columns take their types from crawler.extraction.article_record.Article
# (the one article schema); the rest are the index's: where, when, and how long.
ARTICLE_TYPES = {name: arrow_type(f.annotation) for name, f in Article.model_fields.items()}


def _article(*names: str) -> list[tuple[str, pa.DataType]]:
    return [(name, ARTICLE_TYPES[name]) for name in names]


ARTICLES_SCHEMA = pa.schema(
    [
        *_article("url", "site"),
        ("crawl_id", pa.string()),
        ("fetch_time", UTC_TIME),
        *_article("title", "published"),
        ("published_utc", UTC_TIME),
        *_article("modified", "section", "authors", "editor", "source", "dateline", "tags"),
        *_article("captions", "language"),
        ("word_count", pa.int32()),
        *_article("text"),
        ("warc_file", pa.string()),
        ("warc_key", pa.string()),
        ("warc_offset", pa.int64()),
        ("warc_length", pa.int64()),
        ("warc_record_id", pa.string()),
        ("text_warc_key", pa.string()),
        ("text_offset", pa.int64()),
        ("text_length", pa.int64()),
    ]
)

SCHEMAS = {"captures": CAPTURES_SCHEMA, "articles": ARTICLES_SCHEMA}
INDEX_FILES = {"captures": CAPTURES_INDEX, "articles": ARTICLES_INDEX}


def _articles(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                article = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash (crawler.pipelines keeps going too)
            if isinstance(article, dict) and article.get("url"):
                yield article


def _write(rows: list[dict[str, Any]], schema: pa.Schema, target: Path) -> Path:
    """Write a Parquet file atomically: present under its name means complete."""
    table = pa.Table.from_pylist(rows, schema=schema)
    temp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        pq.write_table(table, temp, compression="zstd")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def build_index(
    folder: Path, site: str, crawl_id: str, day: date, warcs: list[Path] | None = None
) -> tuple[Path, Path]:
    """Write ``captures.parquet`` and ``articles.parquet`` for the crawl in ``folder``.

    ``warcs`` defaults to the WARC files in the folder; every pointer names the object key
    the WARC is (or will be) stored under, relative to the storage URI.
    """
    folder = Path(folder)
    warcs = warcs if warcs is not None else warc_files(folder)
    keys = {w.name: file_key(site, day, crawl_id, w.name) for w in warcs}
    captures: list[dict[str, Any]] = []
    conversions: dict[str, Pointer] = {}
    for warc in warcs:
        for record in read_records(warc):
            row = capture_row(record, warc.name)
            if row is not None:
                captures.append(
                    {**row, "warc_key": keys[warc.name], "site": site, "crawl_id": crawl_id}
                )
                continue
            found = conversion_pointer(record, warc.name)
            if found is not None:
                conversions[found[0]] = found[1]
    # Sorted by SURT, as CDX indexes are: row-group statistics then let a lookup by URL
    # (``warta archives get``) skip most of a large crawl's file.
    captures.sort(key=lambda r: (r["surt"] or "", str(r["fetch_time"]), r["record_type"]))
    fetch_times = {
        row["record_id"]: row["fetch_time"]
        for row in captures
        if row["record_type"] == "response" and row["record_id"]
    }
    articles = [
        article_row(
            article,
            site=site,
            crawl_id=crawl_id,
            fetch_times=fetch_times,
            conversions=conversions,
            warc_keys=keys,
        )
        for article in _articles(folder / ARTICLES_FILE)
    ]
    return (
        _write(captures, CAPTURES_SCHEMA, folder / CAPTURES_INDEX),
        _write(articles, ARTICLES_SCHEMA, folder / ARTICLES_INDEX),
    )


def _download(storage: Storage, entry: ManifestFile, target: Path) -> None:
    with target.open("wb") as out:
        for block in storage.read_chunks(entry.key):
            out.write(block)
    if sha256_file(target) != entry.sha256:
        raise StorageError(storage.uri, f"get {entry.key}", "content does not match the manifest")


def backfill_crawl(storage: Storage, manifest: Manifest, work: Path) -> Manifest:
    """Index one stored crawl from its WARCs and article file, store the index, re-list it."""
    folder = work / manifest.site / manifest.crawl_id
    folder.mkdir(parents=True, exist_ok=True)
    warcs = []
    for entry in manifest.files:
        if entry.kind == "warc" or entry.name == ARTICLES_FILE:
            _download(storage, entry, folder / entry.name)
            if entry.kind == "warc":
                warcs.append(folder / entry.name)
    built = build_index(folder, manifest.site, manifest.crawl_id, manifest.crawl_date, warcs)
    added = []
    for path in built:
        key = file_key(manifest.site, manifest.crawl_date, manifest.crawl_id, path.name)
        digest = sha256_file(path)
        storage.put_file(key, path, digest)
        added.append(
            ManifestFile(
                name=path.name,
                key=key,
                size=path.stat().st_size,
                sha256=digest,
                kind=file_kind(path.name),
            )
        )
    kept = [f for f in manifest.files if f.name not in {p.name for p in built}]
    updated = manifest.model_copy(update={"files": kept + added})
    updated = Manifest.model_validate(updated.model_dump())
    storage.put_bytes(updated.key, updated.to_json())
    note_arrival(storage, updated)  # its index is new: readers of the compacted index see it
    return updated


def has_index(manifest: Manifest) -> bool:
    names = {f.name for f in manifest.files}
    return CAPTURES_INDEX in names and ARTICLES_INDEX in names


def backfill_index(
    storage: Storage,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    rebuild: bool = False,
) -> Report:
    """Build and store the index of every selected crawl that has none (all with rebuild)."""
    report = Report()
    refs = find_crawls(storage, site=site, since=since, until=until)
    for manifest in read_manifests(storage, refs, report):
        if has_index(manifest) and not rebuild:
            report.skipped.append(manifest.crawl_id)
            continue
        with tempfile.TemporaryDirectory(prefix="warta-index-") as work:
            updated = backfill_crawl(storage, manifest, Path(work))
        report.done.append(updated.key)
        report.files += 2
    return report
