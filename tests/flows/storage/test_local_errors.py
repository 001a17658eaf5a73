"""What a failed local storage operation tells the user: the storage as they typed it, the
operation with its key, and the system's own words for the cause with the file it hit."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest

from flows.storage import LocalStorage, StorageConflict, StorageError, open_storage
from flows.storage.local import _os_reason

LONG = "x" * 300  # over the 255-byte limit of a file name: any use of it fails (ENAMETOOLONG)


def test_a_missing_object_or_source_is_named_with_its_path(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    storage = open_storage(str(root))
    storage.put_bytes("niaga/here.json", b"{}")
    missing = f"No such file or directory ({root}/niaga/none.json)"
    with pytest.raises(StorageError) as info:
        storage.get_bytes("niaga/none.json")
    assert str(info.value) == f"{root}: get niaga/none.json failed: {missing}"
    with pytest.raises(StorageError) as info:
        list(storage.read_chunks("niaga/none.json"))
    assert str(info.value) == f"{root}: get niaga/none.json failed: {missing}"
    with pytest.raises(StorageError) as info:
        storage.put_file("niaga/x.json", tmp_path / "gone.json", "0" * 64)
    assert str(info.value) == (
        f"{root}: put niaga/x.json failed: No such file or directory ({tmp_path}/gone.json)"
    )


def test_a_name_the_file_system_refuses_is_reported_per_operation(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    storage = open_storage(str(root))
    storage.put_bytes("niaga/here.json", b"{}")  # the folder exists: only the name is refused
    key = f"niaga/{LONG}"
    with pytest.raises(StorageError) as info:
        storage.head(key)
    assert str(info.value) == f"{root}: head {key} failed: File name too long ({root}/{key})"
    with pytest.raises(StorageError) as info:
        storage.put_bytes(key, b"{}")
    assert str(info.value).startswith(f"{root}: put {key} failed: File name too long ({root}/")
    unusable = LocalStorage(tmp_path / LONG)
    for prefix, shown in (("", "/"), ("niaga/", "niaga/")):
        with pytest.raises(StorageError) as info:
            list(unusable.list(prefix))
        assert str(info.value) == (
            f"{tmp_path}/{LONG}: list {shown} failed: File name too long ({tmp_path}/{LONG})"
        )


def test_listing_a_missing_archive_says_so(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as info:
        list(LocalStorage(tmp_path / "none", "file:///srv/none").list())
    assert str(info.value) == "file:///srv/none: list / failed: no archive folder here"


def test_a_file_that_changes_while_copied_is_refused_in_full(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "archive", "file:///srv/archive")
    source = tmp_path / "f.bin"
    source.write_bytes(b"hello")
    with pytest.raises(StorageError) as info:
        storage.put_file("niaga/f.bin", source, "0" * 64)
    assert str(info.value) == (
        "file:///srv/archive: put niaga/f.bin failed: content changed while copying "
        f"(sha256 {hashlib.sha256(b'hello').hexdigest()})"
    )


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (
            OSError(errno.EIO, "Input/output error", "/srv/a.json"),
            "Input/output error (/srv/a.json)",
        ),
        (OSError(), "OSError"),
    ],
    ids=["no-file", "file", "bare"],
)
def test_a_system_error_reads_as_its_own_words(error: OSError, reason: str) -> None:
    """A full disk on fsync or close names no file; the reason then ends with the words."""
    assert _os_reason(error) == reason


def test_a_conditional_write_creates_folders_swaps_and_refuses_a_stale_version(
    tmp_path: Path,
) -> None:
    storage = LocalStorage(tmp_path / "archive", "file:///srv/archive")
    first = storage.put_bytes_if("niaga/state/a.json", b"1", None)  # folders made on the way
    assert first == hashlib.sha256(b"1").hexdigest()
    assert storage.put_bytes_if("niaga/state/b.json", b"b", None)  # the folder is there now
    second = storage.put_bytes_if("niaga/state/a.json", b"2", first)
    assert storage.get_versioned("niaga/state/a.json") == (b"2", second)
    for version in (first, None):  # stale, or "create" over an object that exists
        with pytest.raises(StorageConflict) as info:
            storage.put_bytes_if("niaga/state/a.json", b"3", version)
        assert str(info.value) == (
            "file:///srv/archive: conditional put niaga/state/a.json failed: "
            "another writer changed it first"
        )
    assert storage.get_bytes("niaga/state/a.json") == b"2"
    with pytest.raises(StorageError) as failed:
        storage.put_bytes_if(f"niaga/{LONG}", b"1", None)
    assert str(failed.value).startswith(
        f"file:///srv/archive: conditional put niaga/{LONG} failed: File name too long ("
    )


def test_a_versioned_read_gives_none_for_nothing_and_names_its_failure(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "archive", "file:///srv/archive")
    storage.put_bytes("niaga/state/a.json", b"1")
    assert storage.get_versioned("niaga/state/none.json") is None
    with pytest.raises(StorageError) as info:
        storage.get_versioned(f"niaga/state/{LONG}")
    assert str(info.value) == (
        f"file:///srv/archive: get niaga/state/{LONG} failed: File name too long "
        f"({tmp_path}/archive/niaga/state/{LONG})"
    )
