"""One run per site across the fleet: a lease in the archive's own storage.

The deployment's concurrency limit keeps two *scheduled* runs of a site apart, but not a
``warta archive`` typed by hand or a run of another deployment. Every run shares the
storage, so the lease lives there (``layout.lease_key``): a small JSON object naming the
holder and when it expires, taken and renewed with conditional writes (S3 If-Match /
If-None-Match; a file lock on local storage), so two runs cannot both win it.

A run holds the lease from before it pulls the crawl state until after it pushes the new
one, renewing it in the background. A worker that dies stops renewing: its lease expires
after ``ttl`` seconds and the next run of the site, on any worker, takes it over (at once
on the same machine, where the holder's process can be seen to be gone). Storage
never deletes, so release writes a lease marked released.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from crawler.layout import lease_key
from flows.storage import Storage, StorageConflict

log = logging.getLogger("warta.flow")
DEFAULT_TTL = 300.0  # seconds a lease lives without renewal
_HELD: set[str] = set()  # tokens of the leases this process holds now


class SiteBusy(RuntimeError):
    """Another run holds the site's lease."""


def _now() -> datetime:
    return datetime.now(UTC)


class SiteLease:
    """The lease of one site, held by this process while a run crawls and stores it."""

    def __init__(self, storage: Storage, site: str, ttl: float = DEFAULT_TTL, **about: str) -> None:
        self.storage, self.site, self.ttl = storage, site, ttl
        self.key = lease_key(site)
        self.token = uuid.uuid4().hex
        self.about = {"host": socket.gethostname(), "pid": str(os.getpid()), **about}
        self._version: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False

    def _body(self, released: bool = False) -> bytes:
        expires = _now() + timedelta(seconds=0 if released else self.ttl)
        record = {
            "token": self.token,
            "expires": expires.isoformat(timespec="seconds"),
            "released": released,
            **self.about,
        }
        return json.dumps(record).encode()

    def acquire(self) -> SiteLease:
        found = self.storage.get_versioned(self.key)
        version = None
        if found is not None:
            data, version = found
            holder = _parse(data)
            expires = holder.get("expires")
            over = not expires or datetime.fromisoformat(expires) <= _now() or _holder_died(holder)
            if not (holder.get("released") or over):
                raise SiteBusy(f"{self.site} is being archived by {_describe(holder)}")
            if not holder.get("released"):
                log.warning("taking over the expired lease of %s: %s", self.site, _describe(holder))
        try:
            self._version = self.storage.put_bytes_if(self.key, self._body(), version)
        except StorageConflict:
            raise SiteBusy(f"{self.site}: another run took the lease at the same moment") from None
        _HELD.add(self.token)
        self._thread = threading.Thread(target=self._renew, name=f"lease-{self.site}", daemon=True)
        self._thread.start()
        log.info("lease of %s taken (expires in %.0f s unless renewed)", self.site, self.ttl)
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 5):
            try:
                self._version = self.storage.put_bytes_if(self.key, self._body(), self._version)
            except StorageConflict:
                self.lost = True
                log.error("lease of %s taken by another run; this run must not store", self.site)
                return
            except Exception as exc:  # a storage hiccup: try again at the next tick
                log.warning("could not renew the lease of %s: %s", self.site, exc)

    def release(self) -> None:
        _HELD.discard(self.token)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self._version is not None and not self.lost:
            try:
                self.storage.put_bytes_if(self.key, self._body(released=True), self._version)
            except Exception as exc:  # it expires on its own
                log.warning("could not release the lease of %s: %s", self.site, exc)
        self._version = None


def _holder_died(holder: dict[str, str]) -> bool:
    """A holder on this machine whose process is gone (killed) need not be waited for; nor
    a lease of this very process that it no longer holds (its release failed)."""
    if holder.get("host") != socket.gethostname() or not str(holder.get("pid", "")).isdigit():
        return False
    if int(holder["pid"]) == os.getpid():
        return holder.get("token") not in _HELD
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _parse(data: bytes) -> dict[str, str]:
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _describe(holder: dict[str, str]) -> str:
    who = holder.get("flow_run") or f"pid {holder.get('pid', '?')}"
    return f"{who} on {holder.get('host', '?')} (lease until {holder.get('expires', '?')})"


@contextmanager
def site_lease(
    storage: Storage, site: str, ttl: float = DEFAULT_TTL, wait: float = 0.0, **about: str
) -> Iterator[SiteLease]:
    """Hold the site's lease for the block; wait up to ``wait`` seconds for it, else SiteBusy."""
    deadline = time.monotonic() + wait
    while True:
        try:
            lease = SiteLease(storage, site, ttl, **about).acquire()
            break
        except SiteBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(min(5.0, max(0.5, ttl / 10)))
    try:
        yield lease
    finally:
        lease.release()


__all__ = ["DEFAULT_TTL", "SiteBusy", "SiteLease", "site_lease"]
