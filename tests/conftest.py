"""Test-wide isolation: no test reads or writes the developer's own data/ folder, and no
process a test started outlives the session.

Crawls run in subprocesses that inherit the environment, so pointing WARTA_DATA_DIR at a
temporary folder here keeps crawl state, crawl folders and archives out of the work tree.
The same inheritance marks every process this session starts (SESSION_MARK), so those left
behind (a crawl's extraction workers after a SIGKILL, a server never stopped) are found at
the end even when they were re-parented to init.
"""

from __future__ import annotations

import contextlib
import gc
import os
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.settings import POLITENESS_OFF
from tests import mutation_order

SESSION_MARK = "WARTA_TEST_SESSION"
# multiprocessing's helpers of the pytest process itself end when it does.
OWN_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
os.environ.setdefault(SESSION_MARK, f"{os.getpid()}-{secrets.token_hex(6)}")


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("warta-data")
    saved = {k: os.environ.get(k) for k in ("WARTA_DATA_DIR", "WARTA_STORAGE")}
    os.environ["WARTA_DATA_DIR"] = str(data)
    os.environ["WARTA_STORAGE"] = str(data / "archive")
    yield data
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


PolitenessOff = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def politeness_off() -> PolitenessOff:
    """Crawl settings for servers of our own on loopback: ``politeness_off(**more)`` is a
    new dict of :data:`crawler.settings.POLITENESS_OFF`, no progress lines, and ``more``.

    A factory, so session fixtures can use it too and no test can change another's copy.
    """

    def settings(**more: Any) -> dict[str, Any]:
        return {**POLITENESS_OFF, "WARTA_PROGRESS_INTERVAL": 0, **more}

    return settings


@pytest.fixture
def machine_in_wita(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time set to UTC+8 (Samarinda's WITA) for the test. CI machines run
    on UTC, where a value computed in local time instead of UTC looks right by accident."""
    monkeypatch.setenv("TZ", "WITA-8")  # POSIX form: needs no time zone database
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _marked_processes(mark: str) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process whose environment carries mark."""
    needle = f"{SESSION_MARK}={mark}".encode()
    found: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            state = stat.rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if state != "Z":
            found[int(entry.name)] = (parent, command.strip())
    return found


def leftover_processes(grace: float = 5.0) -> dict[int, tuple[int, str]]:
    """Processes this session started that are still alive after ``grace`` seconds."""
    mark = os.environ.get(SESSION_MARK, "")
    deadline = time.monotonic() + grace
    while True:
        left = {
            pid: (parent, command)
            for pid, (parent, command) in _marked_processes(mark).items()
            if not (parent == os.getpid() and any(h in command for h in OWN_HELPERS))
        }
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def _check_leftovers(session: pytest.Session) -> None:
    """List the processes tests left running, stop them (by PID: they are this session's),
    and on CI fail the run."""
    if not Path("/proc").is_dir():
        return
    left = leftover_processes()
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for pid, (parent, command) in sorted(left.items()):
        line = f"process left running by the tests: pid {pid} (parent {parent}): {command[:200]}"
        if reporter is not None:
            reporter.write_line(line, red=True)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if os.environ.get("CI") == "true" and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    """Under ``make mutate`` each mutant's tests run in a fork of a process that imported
    every test module: its heap is large, and each full garbage collection would walk it
    (pytest collects twice at the end of a session, about 0.2 s each). Freezing what the
    fork inherited leaves only the tests' own objects to collect."""
    if "MUTANT_UNDER_TEST" in os.environ:
        gc.freeze()


@pytest.hookimpl(trylast=True)  # after pytest-xdist has stopped its workers
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # A worker's processes carry the same mark as every other worker's: the first
        # worker to finish would kill the others. The controller checks once, at the end.
        return
    _check_leftovers(session)
    _fail_skips_on_ci(session)


# ---- Running in parallel (pytest-xdist, ``make test``: -n 2 --dist loadgroup) ------------
# Tests that share an expensive session fixture run on one worker, so it is made once.
SHARED_FIXTURES = {"niaga_crawl": "niaga-crawl", "explore_archive": "explore-archive"}
_GROUP = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup``: every test of a module stays on one worker (its module
    fixtures are made once), modules sharing a session fixture are grouped, and the groups
    holding slow tests are handed out first, so no long module starts last. Under
    ``make mutate``: a mutant's likeliest killers first (tests/mutation_order.py)."""
    if "MUTANT_UNDER_TEST" in os.environ:
        seconds = mutation_order.durations()  # read by the fork server, before any mutant
        mutant = mutation_order.mutant_under_test()
        if mutant is not None:
            items[:] = mutation_order.likeliest_first(items, mutant, seconds)
        return
    if getattr(config.option, "dist", "no") != "loadgroup":
        return
    weight: dict[str, int] = {}
    for item in items:
        group = next(
            (g for name, g in SHARED_FIXTURES.items() if name in getattr(item, "fixturenames", ())),
            item.nodeid.split("::", 1)[0],
        )
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
        else:
            group = item.get_closest_marker("xdist_group").args[0]  # type: ignore[union-attr]
        item.stash[_GROUP] = group
        weight[group] = weight.get(group, 0) + (20 if item.get_closest_marker("slow") else 1)
    order = {g: i for i, g in enumerate(sorted(weight, key=lambda g: -weight[g]))}
    items.sort(key=lambda item: order[item.stash[_GROUP]])  # stable: module order kept


def _fail_skips_on_ci(session: pytest.Session) -> None:
    """On CI a skipped test is a failure: a skip may only mean a missing external tool, and
    CI must have every tool (a test that switches itself off proves nothing)."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and session.exitstatus == 0:
        for report in skipped:
            reporter.write_line(f"skipped on CI: {report.nodeid}: {report.longrepr}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
