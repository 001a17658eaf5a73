"""A crawl state pulled from storage is installed only if it is the snapshot that was pushed.

The stored snapshot is replaced behind the head's back by another *valid* state file (a bad
copy, a restore of the wrong object): it opens fine as SQLite, so only the sha256 the head
recorded can tell. Installing it would make the next crawl skip or re-fetch the wrong pages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.incremental.store import CrawlState
from flows.state_sync import StateError, local_generation, pull_state, push_state, read_head
from flows.storage import open_storage


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
