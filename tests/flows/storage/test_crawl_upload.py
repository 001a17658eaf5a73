"""store_crawl and delete_local_copies, each against a local folder and real SeaweedFS."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from crawler.layout import CRAWL_LOCK_FILE, JOB_DIR, OWNER_FILE
from flows.storage import LocalStorage, Storage, StorageError, open_storage, sha256_stream
from flows.storage.crawl_upload import FileEvent, delete_local_copies, load_manifest, store_crawl
from flows.storage.manifest import Manifest

CRAWL_ID = "20261127T101500Z"
DAY = date(2026, 11, 27)
THRESHOLD = 5 * 1024 * 1024


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store(folder: Path, storage: Storage, events: list[FileEvent] | None = None, **kw) -> Manifest:  # type: ignore[no-untyped-def]
    sink = events.append if events is not None else None
    return store_crawl(folder, storage, "niaga", CRAWL_ID, DAY, on_file=sink, **kw)


def local_files(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) for p in folder.iterdir()}


def test_store_layout_manifest_and_digests(
    archive_uri: str, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl()
    storage = open_storage(archive_uri, multipart_threshold=THRESHOLD)
    events: list[FileEvent] = []
    manifest = store(folder, storage, events)

    assert manifest.key == f"niaga/2026/11/27/{CRAWL_ID}.manifest.json"
    assert [e.action for e in events] == ["uploaded"] * 7
    by_name = {f.name: f for f in manifest.files}
    assert set(by_name) == {p.name for p in folder.iterdir()}
    assert by_name["articles.jsonl"].key == f"niaga/2026/11/27/{CRAWL_ID}-articles.jsonl"
    warc = f"warta-niaga-{CRAWL_ID}-00000.warc.gz"
    assert by_name[warc].key == f"niaga/2026/11/27/{warc}"
    assert {f.kind for f in manifest.files} == {"warc", "cdxj", "wacz", "jsonl", "summary"}
    assert manifest.counts == {"articles": 1, "responses": 50}
    assert manifest.started is not None and manifest.started.isoformat().startswith(
        "2026-11-27T10:15"
    )

    for entry in manifest.files:
        local = folder / entry.name
        assert entry.size == local.stat().st_size
        assert entry.sha256 == sha(local)
        info = storage.head(entry.key)
        assert info is not None and info.size == entry.size and info.sha256 == entry.sha256
        assert sha256_stream(storage.read_chunks(entry.key)) == (entry.sha256, entry.size)

    stored = json.loads(storage.get_bytes(manifest.key))
    assert stored["format"] == "warta-manifest/1"
    assert len(stored["files"]) == 7
    listed = {i.key for i in storage.list("niaga/")}
    assert listed == {f.key for f in manifest.files} | {manifest.key}


def test_s3_objects_carry_sha256_metadata_and_large_files_go_multipart(
    s3_target,
    make_crawl: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    folder = make_crawl()
    manifest = store(folder, open_storage(s3_target.uri, multipart_threshold=THRESHOLD))
    client = s3_target.server.client()
    for entry in manifest.files:
        head = client.head_object(Bucket=s3_target.bucket, Key=f"archive/{entry.key}")
        assert head["Metadata"]["sha256"] == entry.sha256  # x-amz-meta-sha256
        multipart = "-" in head["ETag"]
        assert multipart == (entry.size >= THRESHOLD), entry.name


def test_rerun_uploads_nothing(archive_uri: str, make_crawl: Callable[..., Path]) -> None:
    folder = make_crawl()
    storage = open_storage(archive_uri, multipart_threshold=THRESHOLD)
    first = store(folder, storage)
    events: list[FileEvent] = []
    second = store(folder, storage, events)
    assert [e.action for e in events] == ["skipped"] * 7
    assert second == first  # the stored manifest, stored_at included: not rewritten
    assert sum(1 for _ in storage.list()) == 8 + 1  # and one arrival marker (rewritten)


def test_interrupted_store_is_completed_by_a_rerun(
    archive_uri: str, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = open_storage(archive_uri)
    before = local_files(folder)

    def crash_after_two(event: FileEvent, seen: list[FileEvent] = []) -> None:  # noqa: B006
        seen.append(event)
        if len(seen) == 2:
            raise KeyboardInterrupt  # the worker dies between two uploads

    with pytest.raises(KeyboardInterrupt):
        store_crawl(folder, storage, "niaga", CRAWL_ID, DAY, on_file=crash_after_two)
    assert storage.head(f"niaga/2026/11/27/{CRAWL_ID}.manifest.json") is None
    assert local_files(folder) == before

    events: list[FileEvent] = []
    manifest = store(folder, storage, events)
    assert [e.action for e in events] == ["skipped"] * 2 + ["uploaded"] * 4
    assert len(manifest.files) == 6
    assert sum(1 for _ in storage.list()) == 7 + 1  # no duplicates; one arrival marker


def test_changed_local_file_is_not_silently_replaced(
    archive_uri: str, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = open_storage(archive_uri)
    manifest = store(folder, storage)
    (folder / "articles.jsonl").write_text('{"url": "changed"}\n')
    with pytest.raises(StorageError, match="different object is already stored") as caught:
        store(folder, storage)
    key = f"niaga/2026/11/27/{CRAWL_ID}-articles.jsonl"
    assert str(caught.value) == (
        f"{storage.uri}: store {key} failed: a different object is already stored under this "
        "key; refusing to replace archived data (pass overwrite=True only if you mean it)"
    )
    assert load_manifest(storage, manifest.key) == manifest


def test_delete_local_copies_only_after_verified_storage(
    archive_uri: str, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = open_storage(archive_uri)
    manifest = store(folder, storage)

    (folder / "articles.jsonl").write_text("edited after upload\n")
    with pytest.raises(StorageError, match="kept every file"):
        delete_local_copies(folder, manifest, storage)
    assert len(list(folder.iterdir())) == 6

    (folder / "articles.jsonl").write_text('{"url": "https://niaga.asia/1"}\n')
    deleted = delete_local_copies(folder, manifest, storage, deep_verify=True)
    assert len(deleted) == 6
    assert not folder.exists()


def test_delete_refuses_without_a_stored_manifest(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    elsewhere = LocalStorage(tmp_path / "other-archive")
    manifest = store(folder, open_storage(str(tmp_path / "archive")))
    with pytest.raises(StorageError, match="not stored"):
        delete_local_copies(folder, manifest, elsewhere)
    assert len(list(folder.iterdir())) == 6


def test_bad_input_is_refused_before_anything_is_stored(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    from datetime import datetime

    storage = open_storage(str(tmp_path / "archive"))
    folder = make_crawl(large=False)
    with pytest.raises(ValueError, match="does not exist"):
        store_crawl(tmp_path / "missing", storage, "niaga", CRAWL_ID, DAY)
    with pytest.raises(ValueError, match="invalid crawl id"):
        store_crawl(folder, storage, "niaga", "../etc", DAY)
    with pytest.raises(ValueError, match="no timezone"):
        store_crawl(folder, storage, "niaga", CRAWL_ID, datetime(2026, 11, 27, 10))
    assert not (tmp_path / "archive").exists()


def test_deep_delete_catches_silent_corruption_the_cheap_check_cannot(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    """Same size, same recorded digest, different bytes: only re-reading the object sees it."""
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store(folder, storage)
    entry = next(f for f in manifest.files if f.name == "articles.jsonl")
    stored = tmp_path / "archive" / entry.key
    stored.write_bytes(bytes(b ^ 1 for b in stored.read_bytes()))  # bit rot, size kept

    with pytest.raises(StorageError, match=r"articles\.jsonl: content sha256") as caught:
        delete_local_copies(folder, manifest, storage, deep_verify=True)
    assert caught.value.uri == storage.uri and caught.value.operation == "delete local copies"
    assert caught.value.reason == (
        f"kept every file; articles.jsonl: content sha256 {sha(stored)[:16]}... "
        f"({stored.stat().st_size} bytes) does not match the manifest"
    )
    assert len(list(folder.iterdir())) == 6
    # The default trusts size and recorded digest (no re-read), as documented.
    assert len(delete_local_copies(folder, manifest, storage)) == 6


def test_deep_delete_still_refuses_an_object_without_its_recorded_digest(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    """Intact bytes do not excuse a failed metadata check: the first problem stands."""
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store(folder, storage)
    entry = next(f for f in manifest.files if f.name == "index.cdxj")
    (tmp_path / "archive" / (entry.key + ".sha256")).unlink()
    with pytest.raises(StorageError, match=r"index\.cdxj: no sha256 recorded"):
        delete_local_copies(folder, manifest, storage, deep_verify=True)
    assert len(list(folder.iterdir())) == 6


def test_delete_names_every_problem_and_the_operation(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store(folder, storage)
    (folder / "articles.jsonl").write_text("edited\n")
    (folder / "index.cdxj").write_text("edited\n")
    with pytest.raises(StorageError) as caught:
        delete_local_copies(folder, manifest, storage)
    assert str(caught.value) == (
        f"{storage.uri}: delete local copies failed: kept every file; "
        "articles.jsonl: local file differs from the stored copy; "
        "index.cdxj: local file differs from the stored copy"
    )
    with pytest.raises(StorageError) as missing:
        delete_local_copies(folder, manifest, LocalStorage(tmp_path / "elsewhere"))
    assert missing.value.uri == LocalStorage(tmp_path / "elsewhere").uri
    assert missing.value.operation == "delete local copies"


def test_delete_keeps_unlisted_files_and_their_folder(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store(folder, storage)
    (folder / "notes.txt").write_text("written after the store\n")
    deleted = delete_local_copies(folder, manifest, storage)
    assert sorted(p.name for p in deleted) == sorted(f.name for f in manifest.files)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("kept", [(), ("notes.txt",)], ids=["bookkeeping only", "with notes"])
def test_a_deleted_crawl_takes_its_bookkeeping_unless_something_else_stays(
    tmp_path: Path, make_crawl: Callable[..., Path], kept: tuple[str, ...]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store(folder, storage)
    (folder / OWNER_FILE).write_text("{}")
    (folder / CRAWL_LOCK_FILE).write_text("")
    (folder / JOB_DIR / "requests.queue").mkdir(parents=True)
    for name in kept:
        (folder / name).write_text("written after the store\n")
    delete_local_copies(folder, manifest, storage)
    if kept:
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [*kept, OWNER_FILE, CRAWL_LOCK_FILE, JOB_DIR]
        )
    else:
        assert not folder.exists() and folder.parent.is_dir()


@pytest.mark.parametrize(
    ("summary", "started", "finished"),
    [
        ({"started": "2026-11-27T10:15:00+00:00", "finished": "2026-11-27T10:45:00+00:00"},
         "2026-11-27T10:15:00+00:00", "2026-11-27T10:45:00+00:00"),
        ({"started_at": "2026-11-27T09:00:00+00:00", "finished_at": "2026-11-27T09:30:00+00:00"},
         "2026-11-27T09:00:00+00:00", "2026-11-27T09:30:00+00:00"),
        ({"started": "2026-11-27T08:00:00+00:00", "started_at": "2026-11-27T07:00:00+00:00",
          "finished": "2026-11-27T08:30:00+00:00", "finished_at": "2026-11-27T07:30:00+00:00"},
         "2026-11-27T08:00:00+00:00", "2026-11-27T08:30:00+00:00"),
        ({"started": "yesterday", "finished": None}, None, None),
    ],
)  # fmt: skip
def test_times_come_from_either_summary_spelling(
    tmp_path: Path,
    make_crawl: Callable[..., Path],
    summary: dict[str, object],
    started: str | None,
    finished: str | None,
) -> None:
    folder = make_crawl(large=False)
    (folder / "crawl-summary.json").write_text(
        json.dumps({**summary, "counts": {"articles": 3, "done": True, "bytes": "9", "pages": 4}})
    )
    manifest = store(folder, LocalStorage(tmp_path / "archive"))
    assert (manifest.started and manifest.started.isoformat()) == started
    assert (manifest.finished and manifest.finished.isoformat()) == finished
    assert manifest.counts == {"articles": 3, "pages": 4}  # no bools, no strings


def test_summary_that_is_not_an_object_or_not_json_adds_nothing(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    texts = ('["started", "2026-11-27T10:15:00+00:00"]', "{not json", '{"counts": [1]}')
    for number, text in enumerate(texts):
        folder = make_crawl(crawl_id=f"20261127T10150{number}Z", large=False)
        (folder / "crawl-summary.json").write_text(text)
        manifest = store_crawl(folder, LocalStorage(tmp_path / "archive"), "niaga",
                               folder.name, DAY)  # fmt: skip
        assert manifest.started is None and manifest.finished is None and manifest.counts == {}


def test_only_what_a_crawl_wrote_is_stored(tmp_path: Path, make_crawl: Callable[..., Path]) -> None:
    """Hidden files, half-downloaded parts and stray manifests stay out of the archive."""
    folder = make_crawl(large=False)
    (folder / ".notes").write_text("hidden\n")
    (folder / "warta-niaga-x.warc.gz.part").write_bytes(b"partial")
    (folder / "old.manifest.json").write_text("{}")
    (folder / "logs").mkdir()
    (folder / "logs" / ".keep").write_text("")
    (folder / "link.jsonl").symlink_to(folder / "articles.jsonl")
    manifest = store(folder, LocalStorage(tmp_path / "archive"))
    assert len(manifest.files) == 6
    assert not {f.name for f in manifest.files} & {
        ".notes",
        "warta-niaga-x.warc.gz.part",
        "old.manifest.json",
    }


def test_a_file_changed_after_hashing_is_refused_while_copied(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    """The digest in the manifest is taken first; a file that changes before its upload is
    caught by the copy itself, and no manifest is written."""
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")

    def change_the_rest(event: FileEvent) -> None:
        for path in folder.iterdir():
            if path.name != event.name and path.suffix == ".jsonl":
                path.write_text('{"url": "changed"}\n')

    with pytest.raises(StorageError) as caught:
        store_crawl(folder, storage, "niaga", CRAWL_ID, DAY, on_file=change_the_rest)
    assert caught.value.operation == f"put niaga/2026/11/27/{CRAWL_ID}-articles.jsonl"
    assert storage.head(f"niaga/2026/11/27/{CRAWL_ID}.manifest.json") is None


def test_deep_verify_rereads_what_is_already_stored(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    manifest = store(folder, storage)
    entry = next(f for f in manifest.files if f.name == "index.cdxj")
    rotten = tmp_path / "archive" / entry.key
    rotten.write_bytes(bytes(b ^ 1 for b in rotten.read_bytes()))  # size and sidecar kept
    events: list[FileEvent] = []
    assert store(folder, storage, events) == manifest  # metadata alone looks fine
    assert {e.action for e in events} == {"skipped"}
    with pytest.raises(StorageError) as caught:
        store(folder, storage, deep_verify=True)
    assert (caught.value.uri, caught.value.operation) == (storage.uri, f"verify {entry.key}")
    assert caught.value.reason.startswith(f"content sha256 {sha(rotten)[:16]}... ")


def test_events_counts_and_stored_at_are_what_was_stored(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    from datetime import UTC, datetime

    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    events: list[FileEvent] = []
    before = datetime.now(UTC)
    manifest = store(folder, storage, events, counts={"articles": 9})
    assert manifest.counts == {"articles": 9}  # given counts win over the summary's
    assert events == [FileEvent(f.name, f.key, f.size, "uploaded") for f in manifest.files]
    assert manifest.stored_at is not None and before <= manifest.stored_at <= datetime.now(UTC)
    assert load_manifest(storage, manifest.key) == manifest


def test_overwrite_replaces_a_changed_file_when_asked(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    store(folder, storage)
    (folder / "articles.jsonl").write_text('{"url": "corrected"}\n')
    manifest = store(folder, storage, overwrite=True)
    entry = next(f for f in manifest.files if f.name == "articles.jsonl")
    assert storage.get_bytes(entry.key) == b'{"url": "corrected"}\n'


def test_names_that_would_share_a_key_and_bad_sites_are_refused(
    tmp_path: Path, make_crawl: Callable[..., Path]
) -> None:
    folder = make_crawl(large=False)
    storage = LocalStorage(tmp_path / "archive")
    (folder / f"{CRAWL_ID}-articles.jsonl").write_text("{}\n")
    with pytest.raises(ValueError) as caught:
        store(folder, storage)
    assert str(caught.value) == (
        f"articles.jsonl and {CRAWL_ID}-articles.jsonl would be stored under the same key "
        f"niaga/2026/11/27/{CRAWL_ID}-articles.jsonl"
    )
    with pytest.raises(ValueError, match="invalid site"):
        store_crawl(folder, storage, "../x", CRAWL_ID, DAY)
