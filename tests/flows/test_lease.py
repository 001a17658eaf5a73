"""The site lease expires by time: a holder on another machine that stopped renewing (its
worker died, its network went) is taken over once its lease runs out, and not before.

The stored lease is written by hand here, as another worker would have written it, so no
process of this machine can vouch for it being dead or alive: only its expiry decides.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from crawler.layout import lease_key
from flows.lease import SiteBusy, SiteLease, _holder_died, site_lease
from flows.storage import StorageConflict, open_storage
from flows.storage.base import Storage
from tests.waiting import wait_until


def _foreign_lease(
    storage: Storage, expires: datetime, released: bool = False, version: str | None = None
) -> None:
    body = {"token": "f" * 32, "expires": expires.isoformat(timespec="seconds"),
            "released": released, "host": "worker-elsewhere.invalid", "pid": "4242",
            "flow_run": "flow-run-of-another-worker"}  # fmt: skip
    storage.put_bytes_if(lease_key("niaga"), json.dumps(body).encode(), version)


def _holder(storage: Storage) -> dict[str, object]:
    return dict(json.loads(storage.get_bytes(lease_key("niaga"))))


def _default_signals() -> None:
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for number in signal.valid_signals():
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)


def _sleeper() -> subprocess.Popen[bytes]:
    """A live process of this machine that a terminating signal would end, even when this
    one ignores it (under nohup SIGHUP is ignored, and a child inherits that)."""
    return subprocess.Popen(["sleep", "30"], preexec_fn=_default_signals)


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


def test_a_busy_site_names_who_holds_it_even_from_a_sparse_record(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat(timespec="seconds")
    body = {"token": "f" * 32, "expires": until, "host": "worker-elsewhere.invalid", "pid": "4242"}
    storage.put_bytes_if(lease_key("niaga"), json.dumps(body).encode(), None)
    with pytest.raises(SiteBusy) as info:
        SiteLease(storage, "niaga", ttl=60).acquire()
    assert str(info.value) == (
        f"niaga is being archived by pid 4242 on worker-elsewhere.invalid (lease until {until})"
    )
    assert _holder(storage) == body
    sparse = {"token": "f" * 32, "expires": until}  # written by an older or foreign tool
    storage.put_bytes_if(lease_key("niaga"), json.dumps(sparse).encode(), _version(storage))
    with pytest.raises(SiteBusy) as info:
        SiteLease(storage, "niaga", ttl=60).acquire()
    assert str(info.value) == f"niaga is being archived by pid ? on ? (lease until {until})"


def _version(storage: Storage) -> str:
    found = storage.get_versioned(lease_key("niaga"))
    assert found is not None
    return found[1]


def _same_host_lease(storage: Storage, pid: str, token: str = "e" * 32) -> None:
    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat(timespec="seconds")
    body = {"token": token, "expires": until, "released": False, "host": socket.gethostname(),
            "pid": pid}  # fmt: skip
    found = storage.get_versioned(lease_key("niaga"))
    storage.put_bytes_if(lease_key("niaga"), json.dumps(body).encode(), found and found[1])


def test_a_live_lease_of_this_machine_whose_process_is_gone_is_taken_at_once(
    tmp_path: Path,
) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    child = subprocess.Popen(["true"])
    child.wait()  # reaped: no process has this pid now
    gone = str(child.pid)
    _same_host_lease(storage, gone)
    lease = SiteLease(storage, "niaga", ttl=60, flow_run="mine").acquire()
    try:
        holder = _holder(storage)
        assert (holder["host"], holder["pid"]) == (socket.gethostname(), str(os.getpid()))
        assert holder["flow_run"] == "mine" and holder["token"] == lease.token
    finally:
        lease.release()
    # a record naming no process is waited for (a live one: the test after the next)
    for pid in ("", "not-a-pid"):
        _same_host_lease(storage, pid)
        with pytest.raises(SiteBusy):
            SiteLease(storage, "niaga", ttl=60).acquire()
    # this very process, under a token it no longer holds (its release failed): taken
    _same_host_lease(storage, str(os.getpid()))
    SiteLease(storage, "niaga", ttl=60).acquire().release()


def test_a_lease_held_here_stays_held_while_other_sites_come_and_go(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    with site_lease(storage, "niaga", ttl=60) as held:
        SiteLease(storage, "kaltim", ttl=60).acquire().release()
        with pytest.raises(SiteBusy, match=f"pid {os.getpid()} on {socket.gethostname()}"):
            SiteLease(storage, "niaga", ttl=60).acquire()
        assert _holder(storage)["token"] == held.token
    released = _holder(storage)
    assert released["released"] is True and released["token"] == held.token
    assert datetime.fromisoformat(str(released["expires"])) <= datetime.now(UTC)


def test_a_lease_taken_away_is_noticed_by_its_renewal_and_not_released(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    lease = SiteLease(storage, "niaga", ttl=0.5).acquire()  # renewed every 0.1 s
    try:
        _foreign_lease(storage, datetime.now(UTC) + timedelta(minutes=5), version=_version(storage))
        wait_until(lambda: lease.lost, 3, interval=0.05, what="the lease to be seen lost")
    finally:
        lease.release()
    assert _holder(storage)["host"] == "worker-elsewhere.invalid"
    assert _holder(storage)["released"] is False


def test_an_unreadable_lease_record_is_taken_over_and_a_lease_never_taken_releases_quietly(
    tmp_path: Path,
) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    storage.put_bytes_if(lease_key("niaga"), b"null", None)  # JSON, but no lease
    lease = SiteLease(storage, "niaga", ttl=60).acquire()
    lease.release()
    assert _holder(storage)["token"] == lease.token
    never = SiteLease(storage, "kaltim", ttl=60)
    never.release()  # a caller's clean-up after SiteBusy
    assert storage.get_versioned(lease_key("kaltim")) is None


def test_a_lease_expiring_this_very_second_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import lease as lease_module

    storage = open_storage(str(tmp_path / "archive"))
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    _foreign_lease(storage, now)
    monkeypatch.setattr(lease_module, "_now", lambda: now)
    SiteLease(storage, "niaga", ttl=60).acquire().release()


def test_a_live_holder_of_this_machine_is_asked_nothing_of(tmp_path: Path) -> None:
    """A process of this machine still running is waited for; whether it is alive is probed
    with signal 0, so it receives nothing."""
    storage = open_storage(str(tmp_path / "archive"))
    holder = _sleeper()
    try:
        _same_host_lease(storage, str(holder.pid))
        with pytest.raises(SiteBusy):
            SiteLease(storage, "niaga", ttl=60).acquire()
        with pytest.raises(subprocess.TimeoutExpired):  # no signal reached it
            holder.wait(0.5)
    finally:
        holder.kill()
        holder.wait()


def test_the_lease_is_renewed_in_a_background_daemon_thread(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    lease = SiteLease(storage, "niaga", ttl=1.5).acquire()  # renewed every 0.3 s
    try:
        [renewal] = [t for t in threading.enumerate() if t.name == "lease-niaga"]
        assert renewal.daemon  # never keeps a finished process alive
        taken = datetime.fromisoformat(str(_holder(storage)["expires"]))
        wait_until(
            lambda: datetime.fromisoformat(str(_holder(storage)["expires"])) > taken,
            4, interval=0.1, what="the lease to be renewed",
        )  # fmt: skip
        assert not lease.lost and _holder(storage)["token"] == lease.token
    finally:
        lease.release()
    assert _holder(storage)["released"] is True


def test_a_lease_whose_release_failed_is_taken_again_by_its_own_process(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    lease = SiteLease(storage, "niaga", ttl=60).acquire()
    record = _holder(storage)
    # the same record written anew (another byte layout): the release's write then loses
    storage.put_bytes_if(
        lease_key("niaga"), json.dumps(record, indent=1).encode(), _version(storage)
    )
    lease.release()
    assert _holder(storage) == record  # still names this process, unreleased
    SiteLease(storage, "niaga", ttl=60).acquire().release()


def test_a_lease_taken_at_the_same_moment_makes_the_site_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = open_storage(str(tmp_path / "archive"))

    def lost_race(key: str, data: bytes, version: str | None) -> str:
        raise StorageConflict(storage.uri, f"conditional put {key}", "changed first")

    monkeypatch.setattr(storage, "put_bytes_if", lost_race)
    with pytest.raises(SiteBusy, match=r"^niaga: another run took the lease at the same moment$"):
        SiteLease(storage, "niaga", ttl=60).acquire()


def test_asking_whether_a_live_holder_died_sends_it_no_signal() -> None:
    child = _sleeper()
    try:
        holder = {"host": socket.gethostname(), "pid": str(child.pid), "token": "t"}
        assert _holder_died(holder) is False
        assert child.poll() is None  # still running: a signal 0 only asks
    finally:
        child.kill()
        child.wait()


class _StuckRenewal:
    """A renewal thread that never ends (its storage call hangs): join only times out."""

    waits: ClassVar[list[float | None]] = []

    def __init__(self, **_kwargs: object) -> None:
        pass

    def start(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        self.waits.append(timeout)


def test_a_stuck_renewal_delays_the_release_by_ten_seconds_at_most(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows import lease as lease_module

    monkeypatch.setattr(_StuckRenewal, "waits", [])
    monkeypatch.setattr(lease_module.threading, "Thread", _StuckRenewal)
    storage = open_storage(str(tmp_path / "archive"))
    SiteLease(storage, "niaga", ttl=60).acquire().release()
    [waited] = _StuckRenewal.waits
    assert waited is not None and 0 < waited <= 10  # a run's end is never held up longer
    assert _holder(storage)["released"] is True  # released all the same
