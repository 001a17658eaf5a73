"""A second crawl of a site that is running fails at once and names the running one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawler.process.crawl_lock import CrawlLock, CrawlLocked
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
