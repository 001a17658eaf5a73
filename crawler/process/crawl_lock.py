"""One crawl of a site at a time: a lock on its crawl state, held while the crawl runs.

Two crawls of one site at once (a cron run beside ``warta archive`` by hand) used to
mark each other's runs interrupted and rename each other's open WARC files. The crawl
process now takes an exclusive ``flock`` on ``<state file>.lock`` before it opens
anything; a second crawl fails at once and names the one that holds the lock. The kernel
releases a ``flock`` when its holder dies, however it dies, so a killed crawl never leaves
a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from crawler.layout import CRAWL_LOCK_FILE, crawl_lock_path


class CrawlLocked(RuntimeError):
    """Another crawl of the same site holds the lock."""


class CrawlLock:
    """An exclusive, non-blocking ``flock``; the file says who holds it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None

    def acquire(self, **holder: Any) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            raise CrawlLocked(f"another crawl holds {self.path}: {owner}") from None
        handle.seek(0)
        handle.truncate()
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            **holder,
        }
        handle.write(json.dumps(info) + "\n")
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> Self:
        return self.acquire() if self._file is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()


lock_path_for = crawl_lock_path  # the lock beside the state file, or in the crawl folder


def folder_lock_path(folder: str | os.PathLike[str]) -> Path:
    """The lock a crawl holds on its own folder while it writes there (one per folder)."""
    return Path(folder) / CRAWL_LOCK_FILE


def holder_of(path: str | os.PathLike[str]) -> str | None:
    """Who holds the lock at ``path`` now, or None if nobody does (a probe; takes nothing)."""
    try:
        CrawlLock(path).acquire(purpose="probe").release()
    except CrawlLocked as exc:
        return str(exc)
    return None
