"""The local backend as callers see it: what a URI opens, what a listing yields, what a head
reports, and the errors a user reads (they name the storage as the user typed it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.storage import CHUNK, LocalStorage, StorageError, open_storage


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("s3://AKIA:secret@bucket/prefix", "s3://bucket/prefix: open failed: credentials in the "
         "URI are not supported; use AWS_* variables"),
        ("s3://AKIA:se@cr@et@bucket/prefix", "s3://bucket/prefix: open failed: credentials in "
         "the URI are not supported; use AWS_* variables"),
        ("gs://bucket/x", "gs://bucket/x: open failed: unsupported scheme 'gs' "
         "(use s3:// or a path)"),
        ("file://otherhost/x", "file://otherhost/x: open failed: file:// URIs must name a "
         "local path"),
        ("  ", "(empty): open failed: no storage URI given"),
    ],
    ids=["credentials", "@-in-secret", "scheme", "remote-file", "empty"],
)  # fmt: skip
def test_unusable_uris_are_refused_plainly(uri: str, message: str) -> None:
    with pytest.raises(StorageError) as info:
        open_storage(uri)
    assert str(info.value) == message
    assert info.value.operation == "open"


def test_local_uris_keep_what_the_user_typed(tmp_path: Path) -> None:
    via_file = open_storage(f"file://localhost{tmp_path}/a")
    assert isinstance(via_file, LocalStorage) and via_file.root == tmp_path / "a"
    assert via_file.uri == f"file://localhost{tmp_path}/a"
    plain = open_storage(f"{tmp_path}/b")
    assert isinstance(plain, LocalStorage) and plain.uri == f"{tmp_path}/b"
    slash = open_storage(f"{tmp_path}/c/")
    assert isinstance(slash, LocalStorage) and slash.uri == f"{tmp_path}/c/"
    drive = open_storage("c:archive")  # one letter: a Windows drive, not a scheme
    assert isinstance(drive, LocalStorage) and drive.root == Path("c:archive")
    with pytest.raises(StorageError, match=f"^file://localhost{tmp_path}/a: list / failed: "):
        list(via_file.list())


def _archive(tmp_path: Path) -> LocalStorage:
    storage = LocalStorage(tmp_path / "archive")
    for key, data in {
        "niaga/2026/01/02/a.warc.gz": b"aaaa", "niaga/2026/01/02/b.cdxj": b"bb",
        "niaga/2026/01/03/c.json": b"c", "niagara/x.json": b"xxx", "kaltim/y.json": b"",
    }.items():  # fmt: skip
        storage.put_bytes(key, data)
    (tmp_path / "archive" / "niaga" / ".hidden").mkdir()
    (tmp_path / "archive" / "niaga" / ".hidden" / "z.json").write_bytes(b"z")
    (tmp_path / "archive" / "niaga" / "2026" / "01" / "02" / ".tmp.part").write_bytes(b"p")
    return storage


def test_a_listing_yields_exactly_the_objects_under_a_prefix(tmp_path: Path) -> None:
    storage = _archive(tmp_path)

    def listed(prefix: str = "") -> list[tuple[str, int]]:
        return [(i.key, i.size) for i in storage.list(prefix)]

    day = [("niaga/2026/01/02/a.warc.gz", 4), ("niaga/2026/01/02/b.cdxj", 2)]
    niaga = [*day, ("niaga/2026/01/03/c.json", 1)]
    assert listed() == [("kaltim/y.json", 0), *niaga, ("niagara/x.json", 3)]
    assert listed("niaga/") == niaga
    assert listed("niaga") == [*niaga, ("niagara/x.json", 3)]
    assert listed("niaga/2026/01/02/") == day
    assert listed("niaga/2026/01/02/a") == day[:1]
    assert listed("niaga/2027/") == [] and listed("nothing/") == []
    with pytest.raises(ValueError, match="invalid listing prefix"):
        listed("niaga/../kaltim/")
    with pytest.raises(ValueError, match="invalid listing prefix"):
        listed("niaga/./2026/")


def test_head_reports_size_and_the_recorded_digest_only(tmp_path: Path) -> None:
    storage = _archive(tmp_path)
    info = storage.head("niaga/2026/01/02/a.warc.gz")
    assert info is not None and (info.key, info.size) == ("niaga/2026/01/02/a.warc.gz", 4)
    assert info.sha256 == hashlib.sha256(b"aaaa").hexdigest()
    assert storage.head("niaga/2026/01/02/none.json") is None
    sidecar = tmp_path / "archive" / "niagara" / "x.json.sha256"
    sidecar.write_text("")  # a digest lost: nothing is recorded, not ""
    assert storage.head("niagara/x.json") == type(info)(key="niagara/x.json", size=3)
    sidecar.write_bytes(b"\xff\xfe garbage  x.json\n")  # damaged: a wrong digest, no crash
    damaged = storage.head("niagara/x.json")
    assert damaged is not None and damaged.sha256 == "\ufffd\ufffd"


def test_a_check_creates_the_folder_only_when_asked_to_write(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "new" / "archive")
    with pytest.raises(StorageError) as info:
        storage.check()
    assert str(info.value) == f"{tmp_path}/new/archive: open failed: no archive folder at this path"
    assert not (tmp_path / "new").exists()
    storage.check(write=True)  # parents too
    assert (tmp_path / "new" / "archive").is_dir()
    storage.check()
    (tmp_path / "file").write_text("")
    with pytest.raises(StorageError, match=f"^{tmp_path}/file/archive: open failed: "):
        LocalStorage(tmp_path / "file" / "archive").check(write=True)


@pytest.mark.parametrize("key", ["niaga/a b/c.json", "AXX/XXB/c.json", "XXXX/c.json"])
def test_odd_but_valid_keys_are_stored_and_listed_under_their_own_path(
    tmp_path: Path, key: str
) -> None:
    storage = LocalStorage(tmp_path)
    storage.put_bytes(key, b"{}")
    assert tmp_path.joinpath(*key.split("/")).read_bytes() == b"{}"
    assert [i.key for i in storage.list(key.rsplit("/", 1)[0] + "/")] == [key]
    assert [i.key for i in storage.list()] == [key]


@pytest.mark.parametrize("prefix", ["niaga/../x", "niaga//x", "niaga/./2026/", "../x/"])
def test_a_listing_prefix_that_leaves_its_folder_is_refused(tmp_path: Path, prefix: str) -> None:
    storage = _archive(tmp_path)
    with pytest.raises(ValueError) as info:
        list(storage.list(prefix))
    assert str(info.value) == f"invalid listing prefix {prefix!r}"


def test_locks_and_partial_copies_are_not_objects(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put_bytes_if("niaga/state.json", b"{}", None)
    assert (tmp_path / "niaga" / ".state.json.lock").is_file()  # the writers' lock stays
    (tmp_path / "niaga" / "b.warc.gz.part").write_bytes(b"p")  # rsync --partial, wget -c...
    assert [i.key for i in storage.list()] == ["niaga/state.json"]
    assert [i.key for i in storage.list("niaga/")] == ["niaga/state.json"]


def test_a_site_folder_linked_from_another_disk_is_listed_by_its_prefix(tmp_path: Path) -> None:
    LocalStorage(tmp_path / "disk2").put_bytes("niaga/2026/x.json", b"{}")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "niaga").symlink_to(tmp_path / "disk2" / "niaga")
    listed = LocalStorage(tmp_path / "archive").list("niaga/")
    assert [(i.key, i.size) for i in listed] == [("niaga/2026/x.json", 2)]


def test_reads_stream_in_blocks_of_at_most_a_chunk(tmp_path: Path) -> None:
    """A 1 GB WARC is streamed, never held whole in memory."""
    storage = LocalStorage(tmp_path)
    storage.put_bytes("niaga/big.warc.gz", b"w" * (CHUNK + 1))
    assert [len(b) for b in storage.read_chunks("niaga/big.warc.gz")] == [CHUNK, 1]
    assert [len(b) for b in storage.read_chunks("niaga/big.warc.gz", 2)] == [CHUNK - 1]
