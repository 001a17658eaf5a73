"""Storing one finished crawl folder, and removing local copies once that is proven safe.

``store_crawl`` can be interrupted at any moment and simply run again: files already
stored with the same size and SHA-256 are skipped, objects appear atomically (an S3 PUT or a
rename), and the manifest is written last, so a manifest in storage means a complete crawl.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from crawler.layout import FOLDER_BOOKKEEPING, MANIFEST_SUFFIX, SUMMARY_FILE, check_id, file_key
from flows.storage.arrivals import note_arrival
from flows.storage.base import Storage, StorageError, sha256_file
from flows.storage.manifest import (
    Manifest,
    ManifestError,
    ManifestFile,
    content_problem,
    file_kind,
    object_problem,
    parse_manifest,
    utc_day,
)

log = logging.getLogger("warta.storage")


@dataclass(frozen=True)
class FileEvent:
    """Reported after each file is settled, so callers can count or show progress."""

    name: str
    key: str
    size: int
    action: Literal["uploaded", "skipped"]


def crawl_files(folder: Path) -> list[str]:
    """Files to archive, as POSIX paths relative to the folder. Hidden files, partial
    downloads and stray manifests are left out."""
    if not folder.is_dir():
        raise ValueError(f"crawl folder {folder} does not exist or is not a folder")
    names = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if any(p.startswith(".") for p in rel.split("/")) or rel.endswith(
            (".part", MANIFEST_SUFFIX)
        ):
            continue
        if path.is_file() and not path.is_symlink():
            names.append(rel)
    if not names:
        raise ValueError(f"crawl folder {folder} holds no files to store")
    return names


def _timestamp(value: object, path: Path) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        log.warning("%s: ignoring unreadable timestamp %r", path, value)
        return None


def summary_metadata(folder: Path) -> dict[str, object]:
    """started, finished and integer counts from the crawl's summary file, if it has them."""
    path = folder / SUMMARY_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s); storing it without metadata", path, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    counts = data.get("counts", {})
    return {
        "started": _timestamp(data.get("started") or data.get("started_at"), path),
        "finished": _timestamp(data.get("finished") or data.get("finished_at"), path),
        "counts": {
            str(k): v
            for k, v in (counts.items() if isinstance(counts, dict) else [])
            if isinstance(v, int) and not isinstance(v, bool)
        },
    }


def _settle(
    storage: Storage, folder: Path, entry: ManifestFile, overwrite: bool, deep: bool
) -> Literal["uploaded", "skipped"]:
    info = storage.head(entry.key)
    action: Literal["uploaded", "skipped"] = "skipped"
    if object_problem(info, entry) is not None:
        if info is not None and info.sha256 and info.sha256 != entry.sha256 and not overwrite:
            raise StorageError(
                storage.uri,
                f"store {entry.key}",
                "a different object is already stored under this key; refusing to replace "
                "archived data (pass overwrite=True only if you mean it)",
            )
        storage.put_file(entry.key, folder / entry.name, entry.sha256)
        action = "uploaded"
        problem = object_problem(storage.head(entry.key), entry)
        if problem:
            raise StorageError(storage.uri, f"verify {entry.key}", problem)
    if deep and (problem := content_problem(storage, entry)):
        raise StorageError(storage.uri, f"verify {entry.key}", problem)
    return action


def store_crawl(
    folder: Path,
    storage: Storage,
    site: str,
    crawl_id: str,
    crawl_date: date | datetime,
    *,
    started: datetime | None = None,
    finished: datetime | None = None,
    counts: Mapping[str, int] | None = None,
    deep_verify: bool = False,
    overwrite: bool = False,
    on_file: Callable[[FileEvent], None] | None = None,
) -> Manifest:
    """Store every file of a crawl folder, verify each, then write the manifest.

    Raises ValueError for bad input (folder, ids, naive dates) and StorageError when the
    target fails; in both cases nothing local is touched. ``started``, ``finished`` and
    ``counts`` default to the values in the crawl's summary file. ``deep_verify`` re-reads
    every object and hashes it instead of trusting size and recorded digest.
    """
    check_id(site, "site")
    check_id(crawl_id, "crawl id")
    day = utc_day(crawl_date)
    folder = Path(folder)
    names = crawl_files(folder)
    summary = summary_metadata(folder)
    storage.check(write=True)

    entries: list[ManifestFile] = []
    seen: dict[str, str] = {}
    for name in names:
        key = file_key(site, day, crawl_id, name)
        if key in seen:
            raise ValueError(f"{name} and {seen[key]} would be stored under the same key {key}")
        seen[key] = name
        path = folder / name
        entries.append(
            ManifestFile(
                name=name,
                key=key,
                size=path.stat().st_size,
                sha256=sha256_file(path),
                kind=file_kind(name),
            )
        )

    manifest = Manifest.model_validate(
        {
            "site": site,
            "crawl_id": crawl_id,
            "crawl_date": day,
            "started": started or summary.get("started"),
            "finished": finished or summary.get("finished"),
            "counts": dict(counts) if counts is not None else summary.get("counts", {}),
            "files": entries,
        }
    )  # built before any upload, so bad metadata fails before anything is stored
    for entry in manifest.files:
        action = _settle(storage, folder, entry, overwrite, deep_verify)
        log.info("%s %s (%d bytes)", action, entry.key, entry.size)
        if on_file is not None:
            on_file(FileEvent(entry.name, entry.key, entry.size, action))

    manifest = manifest.model_copy(update={"stored_at": datetime.now(UTC)})
    existing = load_manifest(storage, manifest.key) if storage.head(manifest.key) else None
    if existing is not None and existing.same_content(manifest):
        log.info("manifest %s already stored", manifest.key)
        note_arrival(storage, existing)  # a run that stopped between the two writes
        return existing
    storage.put_bytes(manifest.key, manifest.to_json())
    stored = storage.head(manifest.key)
    if stored is None or stored.size != len(manifest.to_json()):
        raise StorageError(storage.uri, f"verify {manifest.key}", "manifest did not arrive intact")
    note_arrival(storage, manifest)  # right after: how readers of the index find the crawl
    log.info(
        "stored manifest %s: %d files, %d bytes", manifest.key, len(entries), manifest.total_bytes
    )
    return manifest


def load_manifest(storage: Storage, key: str) -> Manifest | None:
    """The manifest at ``key``, or None if it is unreadable (logged, never fatal here)."""
    try:
        return parse_manifest(storage.get_bytes(key), key)
    except ManifestError as exc:
        log.warning("%s", exc)
        return None


def delete_local_copies(
    folder: Path, manifest: Manifest, storage: Storage, *, deep_verify: bool = False
) -> list[Path]:
    """Delete the local files a stored, verified manifest covers; return what was deleted.

    All or nothing: if the manifest is not in storage, a stored object does not match, or a
    local file differs from what was stored, StorageError is raised and nothing is deleted.
    Files the manifest does not list are kept.
    """
    folder = Path(folder)
    stored = load_manifest(storage, manifest.key) if storage.head(manifest.key) else None
    if stored is None or not stored.same_content(manifest):
        raise StorageError(
            storage.uri, "delete local copies", f"manifest {manifest.key} is not stored; kept all"
        )
    problems: list[str] = []
    doomed: list[Path] = []
    for entry in manifest.files:
        path = folder / entry.name
        if not path.is_file():
            continue
        problem = object_problem(storage.head(entry.key), entry)
        if problem is None and deep_verify:
            problem = content_problem(storage, entry)
        if problem is None and (
            path.stat().st_size != entry.size or sha256_file(path) != entry.sha256
        ):
            problem = "local file differs from the stored copy"
        if problem:
            problems.append(f"{entry.name}: {problem}")
        else:
            doomed.append(path)
    if problems:
        raise StorageError(
            storage.uri, "delete local copies", "kept every file; " + "; ".join(problems)
        )
    for path in doomed:
        path.unlink()
        log.info("deleted local copy %s", path)
    left = {p.name for p in folder.iterdir()} if doomed and folder.is_dir() else set()
    if left and left <= set(FOLDER_BOOKKEEPING):  # whose it was, its lock, its queue: moot now
        for name in left:
            path = folder / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    for directory in sorted({p.parent for p in doomed}, key=lambda p: len(p.parts), reverse=True):
        while directory != folder.parent and directory.is_relative_to(folder):
            with contextlib.suppress(OSError):
                os.rmdir(directory)  # only succeeds when empty
            directory = directory.parent
    return doomed
