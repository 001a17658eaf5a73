"""Who a crawl folder belongs to, so that a run stores only the folders it owns.

Several crawls can share one data dir: a scheduled run to S3, a ``make demo`` to a local
archive, a one-off ``scrapy crawl`` of a mirror. Each crawl folder records its owner in a
small hidden file (:data:`crawler.layout.OWNER_FILE`): the site, the crawl state it writes
(which names the crawled host), the storage target it is meant for and the machine that
made it. A run that stores interrupted crawls (``flows.unfinished``) takes a folder only
when that owner is its own, and only when no crawl holds the folder's lock.

A one-off ``scrapy crawl`` names no storage target (``storage`` is None). It still writes
the crawl state that later runs trust, so the first run sharing that state stores it: the
state must never count as archived what no storage holds.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.layout import OWNER_FILE


@dataclass(frozen=True)
class FolderOwner:
    site: str
    state: str  # the crawl state file the crawl writes ("" when state is off)
    storage: str | None  # where a run will store it; None: a one-off crawl, any run may
    machine: str  # the host name of the machine that crawled
    host: str = ""  # the crawled host, for people reading the file

    def accepts(self, owner: FolderOwner) -> bool:
        """May the run described by ``self`` store a folder owned by ``owner``?"""
        return (
            owner.site == self.site
            and owner.state == self.state
            and owner.machine == self.machine
            and owner.storage in (None, self.storage)
        )

    def describe(self) -> str:
        target = self.storage or "no storage (a one-off crawl)"
        return f"{self.site} of {self.host or '?'} for {target} on {self.machine}"


def owner_of_run(
    site: str, state: str | os.PathLike[str] | None, storage: str | None, base_url: str | None
) -> FolderOwner:
    """The owner a crawl of ``site`` on this machine writes (and a run of it accepts)."""
    return FolderOwner(
        site=site,
        state=str(Path(state).resolve()) if state else "",
        storage=storage,
        machine=socket.gethostname(),
        host=urlsplit(base_url or "").netloc,
    )


def read_owner(folder: str | os.PathLike[str]) -> FolderOwner | None:
    """The folder's owner, or None when the file is missing or unreadable."""
    try:
        data: Any = json.loads((Path(folder) / OWNER_FILE).read_text(encoding="utf-8"))
        return FolderOwner(
            site=str(data["site"]),
            state=str(data["state"]),
            storage=None if data.get("storage") is None else str(data["storage"]),
            machine=str(data["machine"]),
            host=str(data.get("host") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def claim_folder(folder: str | os.PathLike[str], owner: FolderOwner) -> FolderOwner:
    """Write ``owner`` into ``folder`` unless it already names one; return the owner it has.

    The first writer wins: a run writes it before its crawl starts, and the crawl (which may
    also run alone, as ``scrapy crawl``) then finds it and leaves it as it is.
    """
    path = Path(folder) / OWNER_FILE
    existing = read_owner(folder)
    if existing is not None:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(owner), indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return owner


__all__ = ["FolderOwner", "claim_folder", "owner_of_run", "read_owner"]
