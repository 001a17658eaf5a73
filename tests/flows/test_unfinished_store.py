"""An interrupted crawl of this run's kind is stored before the site is crawled again: only
that one (not this run's own folder, not one set aside, not a stray name, not one already
stored), recovered from its ``.open`` WARC, under the site's crawl lock. Real WARC files
and a local archive folder, no crawl."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crawler.layout import manifest_key
from crawler.process.crawl_lock import CrawlLock, CrawlLocked, folder_lock_path, lock_path_for
from crawler.process.ownership import claim_folder
from flows import unfinished
from flows.crawl_steps import ArchivePlan
from flows.storage import StorageError, open_storage
from flows.storage.manifest import Manifest
from tests.flows.warcs import real_warc

INTERRUPTED = "20260101T000000Z"


def _plan(tmp_path: Path) -> ArchivePlan:
    data = tmp_path / "data"
    return ArchivePlan(
        site="niaga", crawl_id="20260102T000000Z", folder=data / "crawls/niaga/20260102T000000Z",
        storage_uri=str(tmp_path / "archive"), state_path=data / "state" / "niaga.sqlite",
    )  # fmt: skip


def _crawl(plan: ArchivePlan, name: str, suffix: str = "") -> Path:
    """A crawl folder of this run's kind holding one WARC (``.open`` if cut short) and the
    summary that tells when it started, whatever its name."""
    folder = plan.folder.parent / name
    folder.mkdir(parents=True)
    real_warc(folder / f"warta-niaga-{name}-00000.warc.gz{suffix}")
    (folder / "crawl-summary.json").write_text(json.dumps({"started": "2026-01-01T00:00:00Z"}))
    claim_folder(folder, plan.owner)
    return folder


def test_only_the_interrupted_crawl_is_stored(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    storage = open_storage(plan.storage_uri)
    stored = _crawl(plan, "20251231T000000Z")
    unfinished.finish_crawl(replace(plan, crawl_id=stored.name, folder=stored))
    interrupted = _crawl(plan, INTERRUPTED, ".open")
    _crawl(plan, plan.crawl_id)  # this run's own folder
    _crawl(plan, f"20260101T000001Z{unfinished.SUPERSEDED_SUFFIX}")
    _crawl(plan, "not a crawl id")
    _crawl(plan, "-stray")  # not a crawl id, sorted first
    _crawl(plan, f"20251230T000000Z{unfinished.SUPERSEDED_SUFFIX}")  # before the interrupted
    (plan.folder.parent / "notes.txt").write_text("not a folder\n")
    empty = _crawl(plan, "20251230T000001Z")  # fetched nothing before it stopped
    for warc in empty.glob("*.warc.gz"):
        warc.unlink()

    earlier = replace(plan, crawl_id=INTERRUPTED, folder=interrupted, resume=True)
    assert unfinished.unstored_crawls(plan, storage) == [earlier]
    purposes: list[str] = []
    finish, store = unfinished.finish_crawl, unfinished.crawl_steps.store

    def refused(lock: Path) -> str:
        with pytest.raises(CrawlLocked) as info:  # a crawl must wait, and is told why
            CrawlLock(lock).acquire()
        return str(json.loads(str(info.value).split(": ", 1)[1])["purpose"])

    def crawl_meanwhile(earlier: ArchivePlan, deep_verify: bool = False) -> dict[str, int]:
        purposes.append(refused(lock_path_for(plan.state_path, plan.folder)))
        return finish(earlier, deep_verify)

    def resume_meanwhile(earlier: ArchivePlan, *args: Any) -> Manifest:
        purposes.append(refused(folder_lock_path(earlier.folder)))
        return store(earlier, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(unfinished, "finish_crawl", crawl_meanwhile)
        mp.setattr(unfinished.crawl_steps, "store", resume_meanwhile)
        assert unfinished.finish_unstored_crawls(plan) == [INTERRUPTED]
    assert purposes == ["storing unfinished crawls", "storing the crawl"]
    assert storage.head(manifest_key("niaga", INTERRUPTED, date(2026, 1, 1))) is not None
    assert [p.name for p in interrupted.glob("*.warc.gz")] == [
        f"warta-niaga-{INTERRUPTED}-00000.warc.gz"  # recovered: no longer .open
    ]
    assert unfinished.unstored_crawls(plan, storage) == []
    assert unfinished.finish_unstored_crawls(replace(plan, state_path=None)) == []


def test_by_default_an_object_already_uploaded_is_trusted_by_its_digest(tmp_path: Path) -> None:
    """A run that died between uploading the WARC and writing the manifest left its object in
    storage; re-reading it (deep_verify) is asked for, not the default."""
    plan = _plan(tmp_path)
    folder = _crawl(plan, INTERRUPTED)
    earlier = replace(plan, crawl_id=INTERRUPTED, folder=folder, resume=True)
    unfinished.finish_crawl(earlier)
    archive = tmp_path / "archive"
    [manifest] = archive.rglob(f"*{INTERRUPTED}*manifest*.json")
    [warc] = archive.rglob(f"*{INTERRUPTED}*.warc.gz")
    manifest.unlink()  # as if the run died before writing it
    data = bytearray(warc.read_bytes())
    data[-1] ^= 0xFF
    warc.write_bytes(bytes(data))  # same size; the sidecar still names the original digest

    with pytest.raises(StorageError, match="verify"):
        unfinished.finish_unstored_crawls(plan, deep_verify=True)
    with pytest.raises(StorageError, match="verify"):
        unfinished.finish_crawl(earlier, deep_verify=True)
    unfinished.finish_crawl(earlier)
    manifest.unlink()
    assert unfinished.finish_unstored_crawls(plan) == [INTERRUPTED]


def test_local_copies_are_deleted_only_once_stored_and_checked_as_asked(tmp_path: Path) -> None:
    plan = replace(_plan(tmp_path), delete_local=True)
    folder = _crawl(plan, INTERRUPTED, ".open")
    earlier = replace(plan, crawl_id=INTERRUPTED, folder=folder, resume=True)
    store = unfinished.crawl_steps.store

    def store_then_damage(*args: Any) -> Manifest:
        manifest = store(*args)
        [warc] = (tmp_path / "archive").rglob(f"*{INTERRUPTED}*.warc.gz")
        data = bytearray(warc.read_bytes())
        data[-1] ^= 0xFF
        warc.write_bytes(bytes(data))  # same size, its recorded digest intact
        return manifest

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(unfinished.crawl_steps, "store", store_then_damage)
        with pytest.raises(StorageError, match="kept every file"):
            unfinished.finish_crawl(earlier, deep_verify=True)  # read back: caught
    assert [p.name for p in folder.glob("*.warc.gz")] == [
        f"warta-niaga-{INTERRUPTED}-00000.warc.gz"
    ]
    unfinished.finish_crawl(earlier)
    assert not list(folder.glob("*.warc.gz"))  # stored, so deleted here
