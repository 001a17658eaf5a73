"""Snapshots of a crawl state file, so the flow engine can move it between workers.

A worker that starts a crawl installs the latest snapshot from storage; the one that ends
it uploads a new one. A snapshot is a single SQLite file (no ``-wal`` beside it), checked
before it is installed, so a broken download never replaces a good state, and a crafted
one (a view or trigger in place of a table, see :mod:`crawler.incremental.sqlite_guard`)
never reaches a crawl.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from crawler.incremental import sqlite_guard
from crawler.incremental.schema import SCHEMA_VERSION, StateError


def export_state(
    db_path: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    stamp: dict[str, str] | None = None,
) -> Path:
    """Write a consistent single-file snapshot of the state DB to ``dest`` (atomic replace).

    Safe while a crawl has the DB open: SQLite's backup API copies a consistent view,
    WAL included, so the snapshot needs no ``-wal`` file beside it. ``stamp`` rows (the
    generation, the crawl that made it) go into the snapshot's ``meta`` table only.
    """
    src_path, dest_path = Path(db_path), Path(dest)
    if not src_path.is_file():
        raise StateError(f"no crawl state at {src_path}")
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest_path.with_name(f".{dest_path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            for key, value in (stamp or {}).items():
                out.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            out.execute("PRAGMA journal_mode=DELETE")
            out.commit()
        finally:
            out.close()
    finally:
        src.close()
    _check_state_file(tmp)
    os.replace(tmp, dest_path)
    return dest_path


def import_state(
    src: str | os.PathLike[str], db_path: str | os.PathLike[str], *, replace: bool = True
) -> Path:
    """Install a snapshot made by :func:`export_state` as the state DB at ``db_path``.

    The snapshot is checked first, so a broken download never replaces a good state. With
    ``replace=False`` an existing state is kept and :class:`StateError` raised.
    """
    src_path, target = Path(src), Path(db_path)
    _check_state_file(src_path)
    if target.exists() and not replace:
        raise StateError(f"crawl state already exists at {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.copyfile(src_path, tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(tmp, target)
    return target


def read_stamp(db_path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``meta`` rows other than the schema: which generation a state copy is, and so on."""
    path = Path(db_path)
    if not path.is_file():
        return {}
    db = sqlite_guard.connect(str(path), timeout=30)
    try:
        rows = db.execute("SELECT key, value FROM meta WHERE key != 'schema'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path}: not a crawl state database: {exc}") from None
    finally:
        db.close()
    return {str(key): str(value) for key, value in rows}


def write_stamp(db_path: str | os.PathLike[str], stamp: dict[str, str]) -> None:
    """Record ``stamp`` in a state DB's ``meta`` table (no crawl may have it open)."""
    db = sqlite_guard.connect(str(db_path), timeout=30)
    try:
        with db:
            for key, value in stamp.items():
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
    finally:
        db.close()


def _check_state_file(path: Path) -> None:
    if not path.is_file():
        raise StateError(f"no crawl state file at {path}")
    try:
        db = sqlite_guard.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problem = sqlite_guard.schema_problem(db)
            if problem is not None:  # before any query touches what the file defines
                raise StateError(f"{path}: not a usable crawl state: {problem}")
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            schema = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path}: not a crawl state database: {exc}") from None
    if ok != "ok" or schema is None or schema[0] != SCHEMA_VERSION:
        raise StateError(f"{path}: not a usable crawl state (check={ok!r}, schema={schema!r})")


__all__ = ["StateError", "export_state", "import_state", "read_stamp", "write_stamp"]
