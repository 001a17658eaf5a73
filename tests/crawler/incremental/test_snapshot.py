"""State snapshots moved between workers: a good one installs, a doubtful one never does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.incremental.schema import StateError
from crawler.incremental.snapshot import export_state, import_state
from crawler.incremental.store import CrawlState


def _state(path: Path) -> Path:
    with CrawlState(path) as state:
        state.start_run("c1", path.parent / "out")
    return path


def test_a_snapshot_goes_into_new_folders_and_over_an_old_state(tmp_path: Path) -> None:
    snapshot = export_state(_state(tmp_path / "live.sqlite"), tmp_path / "a" / "b" / "s.sqlite")
    assert snapshot == tmp_path / "a" / "b" / "s.sqlite" and snapshot.is_file()
    target = tmp_path / "w" / "state" / "niaga.sqlite"
    assert import_state(snapshot, target) == target  # folders made
    for stale in ("-wal", "-shm"):
        Path(f"{target}{stale}").write_bytes(b"left by a killed crawl")
    assert import_state(snapshot, target) == target  # the old state is replaced
    assert not Path(f"{target}-wal").exists() and not Path(f"{target}-shm").exists()
    with CrawlState(target) as moved:
        assert moved.counts()["runs"] == 1
    with pytest.raises(StateError, match=f"^crawl state already exists at {target}$"):
        import_state(snapshot, target, replace=False)


@pytest.mark.parametrize(
    "change",
    ["UPDATE meta SET value='0' WHERE key='schema'", "DELETE FROM meta WHERE key='schema'"],
)
def test_a_snapshot_of_another_schema_version_is_refused(tmp_path: Path, change: str) -> None:
    other = _state(tmp_path / "other.sqlite")
    db = sqlite3.connect(other)
    db.execute(change)
    db.commit()
    db.close()
    good = _state(tmp_path / "good.sqlite")
    with pytest.raises(StateError, match="not a usable crawl state"):
        import_state(other, good)


def test_what_is_not_a_database_is_named(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"x" * 4096)
    with pytest.raises(StateError, match=f"^{junk}: not a crawl state database: "):
        import_state(junk, tmp_path / "state.sqlite")
    with pytest.raises(StateError, match="no crawl state at"):
        export_state(tmp_path / "missing.sqlite", tmp_path / "s.sqlite")
