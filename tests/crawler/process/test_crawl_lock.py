"""A second crawl of a site that is running fails at once and names the running one."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.process.crawl_lock import CrawlLock, CrawlLocked, folder_lock_path, holder_of
from crawler.process.runner import CrawlFailed, run_crawl
from tests.conftest import PolitenessOff
from tests.scripted_server import Answer, ScriptedServer
from tests.waiting import wait_until


def test_second_holder_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "niaga.sqlite.lock"
    held = CrawlLock(path).acquire(crawl_id="20260101T000000Z")
    with pytest.raises(CrawlLocked, match="20260101T000000Z"):
        CrawlLock(path).acquire(crawl_id="second")
    held.release()
    CrawlLock(path).acquire().release()  # free again once released


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    code = (
        "import sys, time; from crawler.process.crawl_lock import CrawlLock; "
        f"lock = CrawlLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(CrawlLocked):
            CrawlLock(path).acquire()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        CrawlLock(path).acquire().release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.mark.slow
def test_concurrent_crawl_of_the_same_site_fails_fast(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    release = threading.Event()

    def slow(path: str) -> Answer:
        release.wait(60)
        return 200, {}, b"User-agent: *\nAllow: /\n"

    state = tmp_path / "state" / "niaga.sqlite"
    settings = politeness_off(WARTA_EXTRACT_WORKERS=0, WARTA_STATE_PATH=str(state))
    with ScriptedServer({"/robots.txt": slow}) as server:
        first_done: list[object] = []
        first = threading.Thread(
            target=lambda: first_done.append(
                run_crawl("niaga", tmp_path / "one", "20260101T000000Z",
                          base_url=server.base_url, settings=settings, timeout=120)
            )
        )  # fmt: skip
        first.start()
        try:
            wait_until(lambda: "/robots.txt" in server.paths, 30, what="the first crawl")
            started = time.monotonic()
            with pytest.raises(CrawlFailed) as failed:
                run_crawl("niaga", tmp_path / "two", "20260101T000001Z",
                          base_url=server.base_url, settings=settings, timeout=60)  # fmt: skip
            assert time.monotonic() - started < 30  # a Scrapy start-up, even on a loaded box
            log = (tmp_path / "two" / "crawl.log").read_text()
            assert "another crawl holds" in log and "20260101T000000Z" in log, failed.value
        finally:
            release.set()
            first.join(120)
    assert first_done, "the first crawl should finish normally"


def test_the_lock_file_says_who_holds_it_and_is_emptied_on_release(tmp_path: Path) -> None:
    path = tmp_path / "state" / "deeper" / "niaga.sqlite.lock"  # folders made as needed
    path.parent.mkdir(parents=True)
    path.write_text("a long note from an earlier holder that must not linger\n" * 3)
    lock = CrawlLock(path).acquire(crawl_id="20260101T000000Z")
    held = json.loads(path.read_text(encoding="utf-8"))
    assert held["pid"] == os.getpid() and held["host"] == socket.gethostname()
    assert held["crawl_id"] == "20260101T000000Z"
    since = datetime.fromisoformat(held["since"])
    assert abs((datetime.now(UTC) - since).total_seconds()) < 60 and since.microsecond == 0
    refused = holder_of(path)
    assert refused is not None and str(path) in refused
    assert refused.endswith(path.read_text(encoding="utf-8").strip())  # the whole note
    lock.release()
    assert path.read_text(encoding="utf-8") == ""  # nobody holds it: the file says nobody
    assert holder_of(path) is None
    lock.release()  # a second release is harmless


def test_a_crawl_starting_during_a_probe_is_told_it_is_a_probe_that_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``holder_of`` takes the lock for an instant: a crawl refused in that instant reads
    that a probe held it (not a crawl to go looking for), and the file says nobody after."""
    path = tmp_path / "niaga.sqlite.lock"
    refused: list[str] = []
    release = CrawlLock.release

    def a_crawl_starts_before_the_probe_lets_go(self: CrawlLock) -> None:
        if self._file is not None:
            with pytest.raises(CrawlLocked) as exc:
                CrawlLock(path).acquire(crawl_id="20260101T000000Z")
            refused.append(str(exc.value))
        release(self)

    monkeypatch.setattr(CrawlLock, "release", a_crawl_starts_before_the_probe_lets_go)
    assert holder_of(path) is None
    [message] = refused
    note = json.loads(message.removeprefix(f"another crawl holds {path}: "))
    assert note["purpose"] == "probe" and note["pid"] == os.getpid()
    assert path.read_text(encoding="utf-8") == ""


def test_a_lock_in_a_folder_not_made_yet_and_one_held_by_a_silent_holder(tmp_path: Path) -> None:
    path = folder_lock_path(tmp_path / "crawls" / "niaga" / "20260101T000000Z")
    with CrawlLock(path) as lock:
        assert lock.__enter__() is lock  # entering a held lock keeps it
        assert holder_of(path) is not None
    assert holder_of(path) is None
    silent = open(path, "a+")  # noqa: SIM115  # a holder that wrote nothing in the file
    fcntl.flock(silent.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with pytest.raises(CrawlLocked, match=r"holds .*: unknown$"):
            CrawlLock(path).acquire()
    finally:
        silent.close()
