"""A child that asked to die with its parent does, even when the parent gets SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux prctl")

PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "from crawler.process.lifetime import die_with_parent; import time; "
    "die_with_parent(); print('ready', flush=True); time.sleep(60)"],
    stdout=subprocess.PIPE, text=True)
assert child.stdout.readline().strip() == "ready"
print(child.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_child_dies_when_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    wait_until(lambda: not _alive(child_pid), 10, what=f"child {child_pid} to exit")


POOL_OWNER = """
import os, time
from crawler.extraction.workers import ExtractionPool
pool = ExtractionPool(None, workers=2)
list(pool.map([("<html><body><p>x</p></body></html>", "http://x.example/a")]))
print(os.getpid(), flush=True)
time.sleep(60)
"""


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found |= {int(entry)} | _descendants(int(entry))
    return found


def test_extraction_workers_and_fork_server_exit_when_the_crawl_is_killed() -> None:
    owner = subprocess.Popen([sys.executable, "-c", POOL_OWNER], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    owner.stdout.readline()
    tree = _descendants(owner.pid)
    assert len(tree) >= 3, tree  # fork server and two workers (and a resource tracker)
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait(10)
    wait_until(lambda: not [p for p in tree if _alive(p)], 15, what=f"{tree} to exit")
