"""Interrupt ``warta archive`` mid-crawl (Ctrl-C, then separately SIGKILL of every process),
run it again, and find in storage every article fetched before the interrupt, with every
WARC pointer resolving to a stored WARC. A Ctrl-C must end the command within 10 s.

The command runs as a user runs it (the ``warta`` script, its own process group, a Prefect
server of its own) against a replica slowed down so that the crawl takes a while.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.warc.reader import read_records
from tests.conftest import PolitenessOff
from tests.flows.conftest import PrefectServer, Replica
from tests.waiting import wait_until

pytestmark = pytest.mark.slow
WARTA = Path(sys.executable).parent / "warta"
ARTICLES = 60
INTERRUPT_AFTER = 8  # articles written before the interrupt
CTRL_C_LIMIT = 10.0  # seconds


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[Replica]:
    from replica.content import build_site
    from replica.server import ReplicaServer

    with ReplicaServer(build_site(ARTICLES), delay=0.15) as server:
        yield Replica(server.base_url, ARTICLES)


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home"))
    server.start()
    yield server.env()
    server.stop()


@pytest.fixture(scope="module")
def crawl_args(politeness_off: PolitenessOff) -> list[str]:
    """Politeness off, two requests at a time: ``--set`` options of ``warta archive``."""
    settings = politeness_off(CONCURRENT_REQUESTS_PER_DOMAIN=2)
    return [arg for name, value in settings.items() for arg in ("--set", f"{name}={value}")]


def start_archive(
    replica: Replica, root: Path, env: dict[str, str], args: list[str], data: str = "data"
) -> subprocess.Popen[bytes]:
    command = [
        str(WARTA), "archive", "niaga", "--base-url", replica.base_url,
        "--storage", str(root / "archive"), "--data-dir", str(root / data), "--keep-local",
        *args,
    ]  # fmt: skip
    log = (root / "warta.log").open("ab")
    return subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
        start_new_session=True,  # a process group of its own, as at a terminal
    )  # fmt: skip


def written_articles(root: Path) -> list[dict[str, object]]:
    found = []
    for path in sorted((root / "data" / "crawls" / "niaga").glob("*/articles.jsonl")):
        for line in path.read_text(errors="replace").splitlines():
            try:
                found.append(json.loads(line))
            except ValueError:
                continue  # a line cut by a kill
    return found


def wait_for_articles(proc: subprocess.Popen[bytes], root: Path, count: int) -> None:
    def enough() -> bool:
        assert proc.poll() is None, (root / "warta.log").read_text()[-3000:]
        return len(written_articles(root)) >= count

    wait_until(enough, 300, interval=0.2, what=f"{count} articles written by the crawl")


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def all_gone(pids: list[int]) -> bool:
    """Whether none of ``pids`` is still running (a zombie waiting for its reaper counts as
    gone: it holds no lock, no file and no port)."""
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            return False
    return True


def stored_files(archive: Path, suffix: str) -> list[Path]:
    return sorted(archive.rglob(f"*{suffix}"))


def check_archive(root: Path, fetched_before: set[str]) -> int:
    """Every article fetched before the interrupt is stored once; all pointers resolve."""
    archive = root / "archive"
    warcs = {p.name: p for p in stored_files(archive, ".warc.gz")}
    assert not stored_files(archive, ".open")
    record_ids = set()
    refers_to = []
    for path in warcs.values():
        for record in read_records(path):
            record_ids.add(record.record_id)
            if target := record.header("WARC-Refers-To"):
                refers_to.append(target)
    assert refers_to, "a rerun writes revisits of what the first crawl fetched"
    assert set(refers_to) <= record_ids, "a WARC-Refers-To points to no stored record"
    urls: list[str] = []
    for path in stored_files(archive, "-articles.jsonl"):
        for line in path.read_text().splitlines():
            item = json.loads(line)
            urls.append(item["url"])
            assert item["warc"]["file"] in warcs, f"{item['url']} points to a missing WARC"
    assert fetched_before <= set(urls), sorted(fetched_before - set(urls))
    assert len(urls) == len(set(urls)), "an article was archived twice"
    assert len(set(urls)) == ARTICLES
    return len(fetched_before)


@pytest.mark.parametrize("how", ["ctrl-c", "sigkill"])
def test_interrupted_archive_loses_nothing(
    how: str,
    slow_replica: Replica,
    prefect_api: dict[str, str],
    tmp_path: Path,
    crawl_args: list[str],
) -> None:
    proc = start_archive(slow_replica, tmp_path, prefect_api, crawl_args)
    try:
        wait_for_articles(proc, tmp_path, INTERRUPT_AFTER)
        tree = process_tree(proc.pid)
        started = time.monotonic()
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
            code = proc.wait(30)
            took = time.monotonic() - started
            assert code == 130
            assert took < CTRL_C_LIMIT, f"Ctrl-C took {took:.1f} s"
            print(f"Ctrl-C: exit {code} after {took:.1f} s")
        else:  # a power cut: every process of the run dies at the same instant
            for pid in process_tree(proc.pid):
                os.kill(pid, signal.SIGKILL)
            proc.wait(30)
    finally:
        if proc.poll() is None:
            for pid in process_tree(proc.pid):
                os.kill(pid, signal.SIGKILL)
            proc.wait(30)
    wait_until(lambda: all_gone(tree), 30, what="the interrupted run's processes to end")
    fetched = {str(item["url"]) for item in written_articles(tmp_path)}
    assert fetched and len(fetched) < ARTICLES
    if how == "sigkill":
        assert list((tmp_path / "data").rglob("*.warc.gz.open")), "a kill leaves the WARC open"

    rerun = start_archive(slow_replica, tmp_path, prefect_api, crawl_args)
    assert rerun.wait(600) == 0, (tmp_path / "warta.log").read_text()[-3000:]
    recovered = check_archive(tmp_path, fetched)
    print(f"{how}: {recovered} articles fetched before the interrupt are in storage")
    log = (tmp_path / "warta.log").read_text()
    assert "was interrupted before it was stored; storing it now" in log
    assert "Connection refused" not in log and "ConnectError" not in log


def test_a_killed_worker_is_carried_on_by_another(
    slow_replica: Replica, prefect_api: dict[str, str], tmp_path: Path, crawl_args: list[str]
) -> None:
    """Worker 1 dies mid-crawl (every process at once). Worker 2, with a data folder of
    its own, takes the site's lease at once (its holder is gone) and archives the site.
    When worker 1 comes back, its unstored folder is set aside, not archived twice."""
    dying = start_archive(slow_replica, tmp_path, prefect_api, crawl_args, data="data")
    try:
        wait_for_articles(dying, tmp_path, INTERRUPT_AFTER)
    finally:
        tree = process_tree(dying.pid)
        for pid in tree:
            os.kill(pid, signal.SIGKILL)
        dying.wait(30)
    wait_until(lambda: all_gone(tree), 30, what="the killed worker's processes to end")
    other = start_archive(slow_replica, tmp_path, prefect_api, crawl_args, data="worker-2")
    assert other.wait(600) == 0, (tmp_path / "warta.log").read_text()[-3000:]
    back = start_archive(slow_replica, tmp_path, prefect_api, crawl_args, data="data")
    assert back.wait(600) == 0, (tmp_path / "warta.log").read_text()[-3000:]
    assert list((tmp_path / "data" / "crawls" / "niaga").glob("*.superseded"))
    urls = [
        json.loads(line)["url"]
        for path in (tmp_path / "archive").rglob("*-articles.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert len(urls) == len(set(urls)) == ARTICLES
    assert "taking over the expired lease" in (tmp_path / "warta.log").read_text()
