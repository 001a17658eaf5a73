"""``scrapy crawl`` as a user runs it (issue 17): a clean crawl logs no ERROR and honours
``-s WARTA_DATA_DIR``, an incremental crawl that finds nothing new still succeeds, a site
that answers nothing fails, and a terminal gets the live progress panel. The command's own
checks (bad arguments, the contact warning, the exit code after a crawl) are tested fast, in
process, in test_crawl_checks.py."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT
from crawler.layout import PROGRESS_FILE
from tests.conftest import PolitenessOff
from tests.terminal import read_pty

pytestmark = pytest.mark.slow
SCRAPY = str(Path(sys.executable).parent / "scrapy")


@pytest.fixture(scope="module")
def replica_url() -> Iterator[str]:
    from replica.content import build_site
    from replica.server import ReplicaServer

    with ReplicaServer(build_site(8)) as server:
        yield server.base_url


@pytest.fixture(scope="module")
def fast(politeness_off: PolitenessOff) -> list[str]:
    """The politeness-off settings as ``scrapy crawl`` options."""
    settings = politeness_off(WARTA_EXTRACT_WORKERS=0)
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def crawl(fast: list[str], data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRAPY, "crawl", "niaga", *fast, "-s", f"WARTA_DATA_DIR={data}", *args],
        cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_clean_crawls_log_no_error_and_honour_the_data_dir(
    replica_url: str, tmp_path: Path, fast: list[str]
) -> None:
    data = tmp_path / "elsewhere"
    for run in ("first", "incremental, nothing new"):
        proc = crawl(fast, data, "-a", f"base_url={replica_url}")
        assert proc.returncode == 0, (run, proc.stderr[-3000:])
        errors = [line for line in proc.stderr.splitlines() if " ERROR:" in line]
        assert errors == [], (run, errors)
        assert "Traceback" not in proc.stderr, run
    folders = sorted((data / "crawls" / "niaga").iterdir())
    assert len(folders) == 2  # both crawls went to -s WARTA_DATA_DIR
    assert list((data / "state").glob("niaga@127.0.0.1_*.sqlite"))
    assert not (folders[-1] / PROGRESS_FILE).exists()  # live only while the crawl runs
    summary = json.loads((folders[-1] / "crawl-summary.json").read_text())
    assert summary["finish_reason"] == "finished" and summary["unreachable"] is False


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_site_fails_the_crawl(tmp_path: Path, fast: list[str]) -> None:
    start = time.monotonic()
    proc = crawl(
        fast, tmp_path, "-a", f"base_url=http://127.0.0.1:{closed_port()}",
        "-s", "RETRY_ENABLED=False",
        "-s", "WARTA_BACKOFF_BASE=0.01", "-s", "WARTA_BACKOFF_MAX=0.01",
    )  # fmt: skip
    print(f"\n  {time.monotonic() - start:.1f} s: {proc.stderr.splitlines()[-1]}")
    assert proc.returncode == 1
    assert "site unreachable" in proc.stderr.splitlines()[-1]
    [folder] = (tmp_path / "crawls" / "niaga").iterdir()
    assert json.loads((folder / "crawl-summary.json").read_text())["unreachable"] is True


def test_scrapy_crawl_on_a_terminal_shows_a_live_panel(
    replica_url: str, tmp_path: Path, fast: list[str]
) -> None:
    code, out = read_pty(
        [
            SCRAPY,
            "crawl",
            "niaga",
            *fast,
            "-s",
            f"WARTA_DATA_DIR={tmp_path}",
            "-a",
            f"base_url={replica_url}",
        ]
    )
    assert code == 0, out[-3000:]
    assert "\x1b[" in out  # the panel is redrawn in place with cursor movements
    for label in ("pages", "articles", "queue", "failures", "WARC"):
        assert label in out
