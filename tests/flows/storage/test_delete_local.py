"""delete_local_copies run again, or over a folder that has nothing of the crawl left: it
deletes nothing, fails on nothing, and leaves whatever now lives in the folder alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from crawler.layout import CRAWL_LOCK_FILE, OWNER_FILE
from flows.storage import LocalStorage
from flows.storage.crawl_upload import delete_local_copies, store_crawl

CRAWL_ID = "20261127T101500Z"
DAY = date(2026, 11, 27)


def test_deleting_again_once_the_folder_is_gone_deletes_nothing(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store_crawl(folder, storage, "niaga", CRAWL_ID, DAY)
    assert len(delete_local_copies(folder, manifest, storage)) == 6
    assert not folder.exists()
    assert delete_local_copies(folder, manifest, storage) == []  # a retried task: no error


def test_a_folder_a_new_crawl_has_claimed_keeps_its_owner_and_lock(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    """The stored crawl's files are gone and a new crawl has claimed the folder (its owner
    file and lock, nothing written yet): deleting the old crawl's copies touches neither."""
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store_crawl(folder, storage, "niaga", CRAWL_ID, DAY)
    for path in folder.iterdir():
        path.unlink()
    (folder / OWNER_FILE).write_text("{}")
    (folder / CRAWL_LOCK_FILE).write_text("")
    assert delete_local_copies(folder, manifest, storage) == []
    assert sorted(p.name for p in folder.iterdir()) == sorted([OWNER_FILE, CRAWL_LOCK_FILE])
