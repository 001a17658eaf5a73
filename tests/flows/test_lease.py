"""The site lease expires by time: a holder on another machine that stopped renewing (its
worker died, its network went) is taken over once its lease runs out, and not before.

The stored lease is written by hand here, as another worker would have written it, so no
process of this machine can vouch for it being dead or alive: only its expiry decides.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.layout import lease_key
from flows.lease import SiteBusy, SiteLease
from flows.storage import open_storage
from flows.storage.base import Storage


def _foreign_lease(storage: Storage, expires: datetime, released: bool = False) -> None:
    body = {"token": "f" * 32, "expires": expires.isoformat(timespec="seconds"),
            "released": released, "host": "worker-elsewhere.invalid", "pid": "4242",
            "flow_run": "flow-run-of-another-worker"}  # fmt: skip
    storage.put_bytes_if(lease_key("niaga"), json.dumps(body).encode(), None)


def _holder(storage: Storage) -> dict[str, object]:
    return dict(json.loads(storage.get_bytes(lease_key("niaga"))))


def test_a_live_lease_of_another_worker_is_respected(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    _foreign_lease(storage, datetime.now(UTC) + timedelta(minutes=5))
    with pytest.raises(SiteBusy, match="flow-run-of-another-worker"):
        SiteLease(storage, "niaga", ttl=60).acquire()
    assert _holder(storage)["host"] == "worker-elsewhere.invalid"


def test_an_expired_lease_of_another_worker_is_taken_over(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    _foreign_lease(storage, datetime.now(UTC) - timedelta(seconds=5))
    lease = SiteLease(storage, "niaga", ttl=60).acquire()
    try:
        holder = _holder(storage)
        assert holder["token"] == lease.token and holder["released"] is False
        expires = datetime.fromisoformat(str(holder["expires"]))
        assert timedelta(seconds=50) < expires - datetime.now(UTC) <= timedelta(seconds=61)
    finally:
        lease.release()
    assert _holder(storage)["released"] is True


def test_a_released_lease_is_free_before_it_expires(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    _foreign_lease(storage, datetime.now(UTC) + timedelta(minutes=5), released=True)
    SiteLease(storage, "niaga", ttl=60).acquire().release()
