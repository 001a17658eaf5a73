"""A crawl state pulled from storage is installed only if it is the snapshot that was pushed.

The stored snapshot is replaced behind the head's back by another *valid* state file (a bad
copy, a restore of the wrong object): it opens fine as SQLite, so only the sha256 the head
recorded can tell. Installing it would make the next crawl skip or re-fetch the wrong pages.
"""

from __future__ import annotations

import shutil
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.incremental.snapshot import read_stamp
from crawler.incremental.store import CrawlState
from crawler.layout import state_key, state_snapshot_key
from flows.state_sync import (
    Pulled,
    StateConflict,
    StateError,
    local_generation,
    pull_state,
    push_state,
    read_head,
)
from flows.storage import StorageConflict, open_storage, sha256_file


def _state(path: Path, urls: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = CrawlState(path)
    state.start_run("c1", path.parent)
    for url in urls:
        state.record_article(url, url, url, None, None, None, None)
    state.close()
    return path


def test_a_pulled_snapshot_must_match_its_recorded_sha256(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    mine = _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"])
    key = push_state(storage, "niaga", mine, crawl_id="c1")
    assert key is not None
    other = _state(tmp_path / "other" / "niaga.sqlite", ["niaga.asia/lain"])
    target = Path(storage.root) / key  # type: ignore[attr-defined]
    shutil.copyfile(other, target)  # a valid state file, but not the one pushed

    fresh = tmp_path / "b" / "niaga.sqlite"
    with pytest.raises(StateError, match="sha256"):
        pull_state(storage, "niaga", fresh)
    assert not fresh.exists() and local_generation(fresh) is None
    head = read_head(storage, "niaga", "niaga")
    assert head is not None and head[0].generation == 1


def test_an_intact_snapshot_is_installed(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    push_state(storage, "niaga", _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"]))
    fresh = tmp_path / "b" / "niaga.sqlite"
    pulled = pull_state(storage, "niaga", fresh)
    assert pulled.action == "installed" and pulled.generation == 1
    state = CrawlState(fresh)
    assert state.article("niaga.asia/satu") is not None
    state.close()


def test_each_push_is_the_next_generation_and_says_who_made_it(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    local = _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"])
    assert local_generation(local) is None and local_generation(tmp_path / "none.sqlite") is None
    before = datetime.now(UTC).replace(microsecond=0)
    first = push_state(storage, "niaga", local)  # no crawl id given
    assert first == state_snapshot_key("niaga", "niaga", 1)
    assert local_generation(local) == 1
    head, _ = read_head(storage, "niaga", "niaga") or (None, None)
    assert head is not None and (head.generation, head.key, head.crawl_id) == (1, first, "")
    assert head.worker == socket.gethostname()
    saved = datetime.fromisoformat(head.saved)
    assert saved.utcoffset() == timedelta(0) and before <= saved <= datetime.now(UTC)
    snapshot = Path(storage.root) / first  # type: ignore[attr-defined]
    assert read_stamp(snapshot) == {"generation": "1", "crawl_id": ""}

    second = push_state(storage, "niaga", local, crawl_id="c2")  # from the head it made
    assert second == state_snapshot_key("niaga", "niaga", 2) and local_generation(local) == 2
    head, _ = read_head(storage, "niaga", "niaga") or (None, None)
    assert head is not None and (head.generation, head.crawl_id) == (2, "c2")
    assert read_stamp(Path(storage.root) / second) == {"generation": "2", "crawl_id": "c2"}  # type: ignore[attr-defined]
    assert push_state(storage, "niaga", tmp_path / "gone" / "niaga.sqlite") is None


def test_a_pulled_generation_is_kept_until_another_worker_pushes(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    mine = _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"])
    push_state(storage, "niaga", mine, crawl_id="c1")
    assert pull_state(storage, "niaga", mine) == Pulled(
        "kept", 1, replaced=False
    )  # it pushed that one

    other = tmp_path / "b" / "niaga.sqlite"
    assert pull_state(storage, "niaga", other) == Pulled("installed", 1, replaced=True)
    assert local_generation(other) == 1
    assert read_stamp(other) == {"generation": "1", "crawl_id": "c1"}
    assert pull_state(storage, "niaga", other).action == "kept"  # now it is as stored
    push_state(storage, "niaga", other, crawl_id="c2")  # carries on from generation 1

    with pytest.raises(
        StateConflict,
        match=r"^crawl state niaga of niaga: storage holds generation 2 by crawl c2 on .*, but "
        r"this run started from generation 1;",
    ):
        push_state(storage, "niaga", mine, crawl_id="c3")  # started from 1: stale
    assert pull_state(storage, "niaga", mine) == Pulled("installed", 2, replaced=True)
    assert local_generation(mine) == 2


def test_a_snapshot_is_uploaded_with_its_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S3 rejects a body that does not match the digest it is sent with (ChecksumSHA256);
    the digest sent must be the snapshot's own, and it is the one the head records."""
    storage = open_storage(str(tmp_path / "archive"))
    sent: list[tuple[str, str]] = []
    put_file = storage.put_file

    def checked_put(key: str, path: Path, sha256: str) -> None:
        assert sha256 == sha256_file(path)
        sent.append((key, sha256))
        put_file(key, path, sha256)

    monkeypatch.setattr(storage, "put_file", checked_put)
    key = push_state(storage, "niaga", _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"]))
    head, _ = read_head(storage, "niaga", "niaga") or (None, None)
    assert head is not None and sent == [(key, head.sha256)]


def test_a_head_gone_or_replaced_meanwhile_is_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"])
    push_state(open_storage(str(tmp_path / "old")), "niaga", local)  # now generation 1
    wiped = open_storage(str(tmp_path / "new"))  # a storage without this site's state
    with pytest.raises(StateConflict, match="holds a newer generation, but this run started "
                       "from generation 1"):  # fmt: skip
        push_state(wiped, "niaga", local)

    fresh = _state(tmp_path / "b" / "niaga.sqlite", ["niaga.asia/dua"])

    def raced(key: str, data: bytes, version: str | None) -> str:
        raise StorageConflict(wiped.uri, f"conditional put {key}", "another writer changed it")

    monkeypatch.setattr(wiped, "put_bytes_if", raced)
    with pytest.raises(
        StateConflict,
        match=r"^crawl state niaga of niaga: storage holds a newer generation, but this run "
        r"started from generation 0;",
    ):
        push_state(wiped, "niaga", fresh)
    assert local_generation(fresh) is None  # not stamped as a generation it did not store


def test_a_snapshot_stored_before_generations_is_installed_only_where_there_is_none(
    tmp_path: Path,
) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    fresh = tmp_path / "b" / "niaga.sqlite"
    assert pull_state(storage, "niaga", fresh) == Pulled("none", 0, replaced=False)
    legacy = _state(tmp_path / "a" / "niaga.sqlite", ["niaga.asia/satu"])
    storage.put_file(state_key("niaga", "niaga"), legacy, sha256_file(legacy))
    assert pull_state(storage, "niaga", fresh) == Pulled("installed", 0, replaced=True)
    state = CrawlState(fresh)
    assert state.article("niaga.asia/satu") is not None
    state.close()
    assert pull_state(storage, "niaga", fresh) == Pulled("kept", 0, replaced=False)
