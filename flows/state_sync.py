"""The crawl state travels with the archive, so any worker carries on where the last stopped.

Several workers share one archive, and each keeps a local copy of a site's crawl state. A
copy is only as good as it is new: a worker that crawled the site three runs ago must not
use its copy, or it archives again what others archived since. So every stored snapshot
has a *generation*, recorded in a small head object (``layout.state_head_key``) with the
crawl that made it, and in the snapshot's own ``meta`` table:

- before a crawl (:func:`pull_state`) a worker keeps its local copy only if it is the
  stored generation; otherwise it installs the stored snapshot;
- after a stored crawl (:func:`push_state`) it uploads generation N+1 under a key of its
  own and then replaces the head *only if it still names N* (S3 If-Match, a file lock on
  local storage). Another writer in between is a :class:`StateConflict`, never a silent
  overwrite.

Snapshots are consistent single-file copies (``crawler.incremental.snapshot``) and are
checked before they replace anything.
"""

from __future__ import annotations

import json
import logging
import socket
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.incremental.snapshot import (
    StateError,
    export_state,
    import_state,
    read_stamp,
    write_stamp,
)
from crawler.layout import state_head_key, state_key, state_snapshot_key
from flows.storage import Storage, StorageConflict, sha256_file

log = logging.getLogger("warta.flow")
GENERATION = "generation"  # keys in the state's meta table
MADE_BY = "crawl_id"


class StateConflict(RuntimeError):
    """Storage holds a newer crawl state than the one this worker started from."""


@dataclass(frozen=True)
class StoredState:
    """The head object: which snapshot is the newest, and where it came from."""

    generation: int
    crawl_id: str
    key: str
    sha256: str
    worker: str
    saved: str


@dataclass(frozen=True)
class Pulled:
    """What :func:`pull_state` did. ``replaced`` means the local copy was stale (or gone)."""

    action: str  # "kept", "installed" or "none"
    generation: int
    replaced: bool


def read_head(storage: Storage, site: str, name: str) -> tuple[StoredState, str] | None:
    found = storage.get_versioned(state_head_key(site, name))
    if found is None:
        return None
    data, version = found
    try:
        raw = json.loads(data)
        return StoredState(**{f: raw[f] for f in StoredState.__dataclass_fields__}), version
    except (ValueError, KeyError, TypeError) as exc:
        raise StateError(f"{state_head_key(site, name)} is not a state head: {exc}") from None


def local_generation(local: Path) -> int | None:
    """The generation the local copy was installed or pushed as; None if unknown."""
    if not local.exists():
        return None
    value = read_stamp(local).get(GENERATION)
    return int(value) if value and value.isdigit() else None


def _download(storage: Storage, key: str, local: Path, sha256: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="warta-state-") as tmp:
        download = Path(tmp) / local.name
        with download.open("wb") as out:
            for chunk in storage.read_chunks(key):
                out.write(chunk)
        if sha256 and sha256_file(download) != sha256:
            raise StateError(f"stored crawl state {key} does not match its recorded sha256")
        import_state(download, local)


def pull_state(storage: Storage, site: str, local: Path) -> Pulled:
    """Make the local state the newest stored generation, unless it already is."""
    name = local.stem
    mine = local_generation(local)
    found = read_head(storage, site, name)
    if found is None:
        return _pull_unversioned(storage, site, local)
    head, _ = found
    if mine == head.generation:
        log.info("crawl state for %s is generation %d, as stored", name, mine)
        return Pulled("kept", mine, replaced=False)
    if mine is not None and mine > head.generation:
        raise StateConflict(
            f"local crawl state {local} is generation {mine}, newer than the stored "
            f"{head.generation}: was the storage restored from a backup? Push it by hand "
            "or delete the local state."
        )
    _download(storage, head.key, local, head.sha256)
    write_stamp(local, {GENERATION: str(head.generation), MADE_BY: head.crawl_id})
    log.info(
        "crawl state for %s: installed generation %d (crawl %s on %s) over %s",
        name,
        head.generation,
        head.crawl_id,
        head.worker,
        "no local copy" if mine is None else f"the stale generation {mine}",
    )
    return Pulled("installed", head.generation, replaced=True)


def _pull_unversioned(storage: Storage, site: str, local: Path) -> Pulled:
    """Before generations: a single snapshot, installed only where there is no state."""
    if local.exists():
        return Pulled("kept", local_generation(local) or 0, replaced=False)
    key = state_key(site, local.stem)
    if storage.head(key) is None:
        log.info("no stored crawl state for %s yet; this crawl starts from scratch", local.stem)
        return Pulled("none", 0, replaced=False)
    try:
        _download(storage, key, local, None)
    except StateError as exc:
        log.warning("stored crawl state %s is unusable (%s); starting from scratch", key, exc)
        return Pulled("none", 0, replaced=False)
    log.info("crawl state for %s restored from %s", local.stem, key)
    return Pulled("installed", 0, replaced=True)


def push_state(storage: Storage, site: str, local: Path, crawl_id: str = "") -> str | None:
    """Store the local state as the next generation; returns its key (None: no state).

    Raises :class:`StateConflict` if storage no longer holds the generation this worker
    started from: someone else crawled the site meanwhile, and their state wins.
    """
    if not local.exists():
        return None
    name = local.stem
    base = local_generation(local) or 0
    found = read_head(storage, site, name)
    stored = found[0].generation if found else 0
    if stored != base:
        raise _conflict(site, name, base, found[0] if found else None)
    generation = base + 1
    key = state_snapshot_key(site, name, generation)
    stamp = {GENERATION: str(generation), MADE_BY: crawl_id}
    with tempfile.TemporaryDirectory(prefix="warta-state-") as tmp:
        snapshot = export_state(local, Path(tmp) / local.name, stamp)
        digest = sha256_file(snapshot)
        storage.put_file(key, snapshot, digest)
    head = StoredState(
        generation=generation,
        crawl_id=crawl_id,
        key=key,
        sha256=digest,
        worker=socket.gethostname(),
        saved=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    body = json.dumps(asdict(head), indent=2).encode()
    try:
        storage.put_bytes_if(state_head_key(site, name), body, found[1] if found else None)
    except StorageConflict:
        raise _conflict(site, name, base, None) from None
    write_stamp(local, stamp)
    log.info("crawl state for %s stored as generation %d (%s)", name, generation, key)
    return key


def _conflict(site: str, name: str, base: int, head: StoredState | None) -> StateConflict:
    newer = (
        f"generation {head.generation} by crawl {head.crawl_id} on {head.worker}"
        if head
        else ("a newer generation")
    )
    return StateConflict(
        f"crawl state {name} of {site}: storage holds {newer}, but this run started from "
        f"generation {base}; not overwriting it. This run's crawl is stored; the next run "
        "starts from the stored state."
    )


__all__ = [
    "Pulled",
    "StateConflict",
    "StoredState",
    "local_generation",
    "pull_state",
    "push_state",
    "read_head",
]
