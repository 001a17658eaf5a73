"""Test-wide isolation: no test reads or writes the developer's own data/ folder.

Crawls run in subprocesses that inherit the environment, so pointing WARTA_DATA_DIR at a
temporary folder here keeps crawl state, crawl folders and archives out of the work tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
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
