"""The check after each upload: a store that loses or mangles an object must fail the store.

These stores are real LocalStorage folders whose uploads go wrong the way a broken disk,
proxy or S3 gateway can: the object never arrives, or arrives cut short with a digest that
matches what arrived. Only the check after the upload can notice; without it the manifest
would claim data that is not there, and delete-local would then remove the only copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from crawler.layout import CRAWL_LOCK_FILE, OWNER_FILE, manifest_key
from flows.storage import LocalStorage, StorageError
from flows.storage.crawl_upload import delete_local_copies, store_crawl
from flows.storage.manifest import Manifest

CRAWL_ID = "20261127T101500Z"
DAY = date(2026, 11, 27)


class LosingStorage(LocalStorage):
    """Accepts every WARC upload without error and keeps nothing."""

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        if not key.endswith(".warc.gz"):
            super().put_file(key, path, sha256)


class TruncatingStorage(LocalStorage):
    """Stores WARCs one byte short, with a sidecar digest of what it stored (self-consistent)."""

    def put_file(self, key: str, path: Path, sha256: str) -> None:
        if key.endswith(".warc.gz"):
            self._store(key, iter([path.read_bytes()[:-1]]), None)
        else:
            super().put_file(key, path, sha256)


@pytest.mark.parametrize("kind", [LosingStorage, TruncatingStorage], ids=["lost", "truncated"])
def test_an_upload_that_did_not_arrive_intact_fails_the_store(
    kind: type[LocalStorage], make_crawl: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_crawl(large=False)
    storage = kind(tmp_path / "archive")
    with pytest.raises(StorageError, match=r"verify niaga/.*\.warc\.gz failed") as caught:
        store_crawl(folder, storage, "niaga", CRAWL_ID, DAY)
    assert caught.value.uri == storage.uri
    assert caught.value.reason == "missing" or caught.value.reason.startswith("size ")
    stored = tmp_path / "archive" / caught.value.operation.removeprefix("verify ")
    if kind is TruncatingStorage:
        assert caught.value.reason == (
            f"size {stored.stat().st_size}, expected {stored.stat().st_size + 1}"
        )
    # No manifest: nothing claims the crawl is stored, so nothing local may be deleted.
    assert LocalStorage(tmp_path / "archive").head(manifest_key("niaga", CRAWL_ID, DAY)) is None


def test_delete_local_keeps_everything_when_a_stored_object_is_damaged(
    make_crawl: Callable[..., Path], tmp_path: Path
) -> None:
    """The manifest is stored, but one object under it is not what it lists: keep all."""
    folder, storage, manifest = _stored(tmp_path, make_crawl)
    damaged = tmp_path / "archive" / manifest.files[0].key
    damaged.write_bytes(damaged.read_bytes()[:-1])  # the sidecar still names the old digest
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(StorageError, match=f"kept every file; {manifest.files[0].name}: size"):
        delete_local_copies(folder, manifest, storage)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_delete_local_keeps_a_local_file_changed_in_place(
    make_crawl: Callable[..., Path], tmp_path: Path
) -> None:
    """Same size, other bytes: the local file is not the stored one, so nothing goes."""
    folder, storage, manifest = _stored(tmp_path, make_crawl)
    changed = folder / manifest.files[-1].name
    data = bytearray(changed.read_bytes())
    data[-1] ^= 0xFF
    changed.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="local file differs from the stored copy"):
        delete_local_copies(folder, manifest, storage)
    assert changed.exists() and all((folder / f.name).exists() for f in manifest.files)


class ManifestLosingStorage(LocalStorage):
    """Accepts the manifest without error and keeps nothing of it."""

    def put_bytes(self, key: str, data: bytes) -> None:
        if not key.endswith(".manifest.json"):
            super().put_bytes(key, data)


def test_a_manifest_that_did_not_arrive_fails_the_store(
    make_crawl: Callable[..., Path], tmp_path: Path
) -> None:
    storage = ManifestLosingStorage(tmp_path / "archive")
    with pytest.raises(StorageError) as caught:
        store_crawl(make_crawl(large=False), storage, "niaga", CRAWL_ID, DAY)
    assert (caught.value.uri, caught.value.operation, caught.value.reason) == (
        storage.uri,
        f"verify niaga/2026/11/27/{CRAWL_ID}.manifest.json",
        "manifest did not arrive intact",
    )


def _stored(tmp_path: Path, make_crawl: Callable[..., Path]) -> tuple[Path, LocalStorage, Manifest]:
    """A small crawl stored in a local archive: its folder, the archive and its manifest."""
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    return folder, storage, store_crawl(folder, storage, "niaga", CRAWL_ID, DAY)


# delete_local_copies run again, or over a folder with nothing of the crawl left: it deletes
# nothing, fails on nothing, and leaves whatever now lives in the folder alone.
def test_deleting_again_once_the_folder_is_gone_deletes_nothing(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder, storage, manifest = _stored(tmp_path, make_crawl)
    assert len(delete_local_copies(folder, manifest, storage)) == 6
    assert not folder.exists()
    assert delete_local_copies(folder, manifest, storage) == []  # a retried task: no error


def test_a_folder_a_new_crawl_has_claimed_keeps_its_owner_and_lock(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    """The stored crawl's files are gone and a new crawl has claimed the folder (its owner
    file and lock, nothing written yet): deleting the old crawl's copies touches neither."""
    folder, storage, manifest = _stored(tmp_path, make_crawl)
    for path in folder.iterdir():
        path.unlink()
    (folder / OWNER_FILE).write_text("{}")
    (folder / CRAWL_LOCK_FILE).write_text("")
    assert delete_local_copies(folder, manifest, storage) == []
    assert sorted(p.name for p in folder.iterdir()) == sorted([OWNER_FILE, CRAWL_LOCK_FILE])


def test_a_file_already_gone_does_not_stop_the_others_being_deleted(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder, storage, manifest = _stored(tmp_path, make_crawl)
    (folder / manifest.files[0].name).unlink()  # removed by hand before the task ran
    deleted = delete_local_copies(folder, manifest, storage)
    assert sorted(p.name for p in deleted) == sorted(f.name for f in manifest.files[1:])
    assert not folder.exists()
