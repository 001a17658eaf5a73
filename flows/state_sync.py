"""The crawl state travels with the archive, so any worker carries on where the last stopped.

Before a crawl, a worker without a local state fetches the latest snapshot from storage;
after a successful store, it uploads a fresh snapshot. Snapshots are consistent single-file
copies (``crawler.incremental.snapshot``) and are validated before they replace anything.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from crawler.incremental.snapshot import StateError, export_state, import_state
from crawler.layout import state_key
from flows.storage import Storage, sha256_file

log = logging.getLogger("warta.flow")


def pull_state(storage: Storage, site: str, local: Path) -> bool:
    """Install the stored snapshot if this worker has no state yet; True if one was installed."""
    if local.exists():
        return False
    key = state_key(site, local.stem)
    if storage.head(key) is None:
        log.info("no stored crawl state for %s yet; this crawl starts from scratch", local.stem)
        return False
    with tempfile.TemporaryDirectory(prefix="warta-state-") as tmp:
        download = Path(tmp) / local.name
        with download.open("wb") as out:
            for chunk in storage.read_chunks(key):
                out.write(chunk)
        try:
            import_state(download, local)
        except StateError as exc:
            log.warning("stored crawl state %s is unusable (%s); starting from scratch", key, exc)
            return False
    log.info("crawl state for %s restored from %s", local.stem, key)
    return True


def push_state(storage: Storage, site: str, local: Path) -> str | None:
    """Upload a snapshot of the local state; returns its key (None if there is no state)."""
    if not local.exists():
        return None
    key = state_key(site, local.stem)
    with tempfile.TemporaryDirectory(prefix="warta-state-") as tmp:
        snapshot = export_state(local, Path(tmp) / local.name)
        storage.put_file(key, snapshot, sha256_file(snapshot))
    return key
