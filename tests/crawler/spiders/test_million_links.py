"""A listing page with a flood of links (issue 27, finding 3).

A home page of 1,000,000 links cost 800 MB at once, then ~230 bytes per queued link, and
the crawl went on queueing for minutes after its own time limit had closed it. Here a real
server answers a home page of 200,000 links (the suite's size; the report has the million)
and a 404 for each of them; the crawl, with a 20-second time limit, must take at most
WARTA_MAX_LINKS_PER_PAGE of them (1,000 here), list the page as ``too-many-links``, end
within its limit + 30 s, and cost under 200 MB more than a crawl of an ordinary home page.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT
from crawler.process.runner import crawl_command, crawl_environment
from tests.conftest import PolitenessOff
from tests.memory import TreeMemory
from tests.scripted_server import ScriptedServer

pytestmark = pytest.mark.slow

LIMIT = 20  # CLOSESPIDER_TIMEOUT
SCRIPTED = {"WARTA_EXTRACT_WORKERS": 0, "WARTA_STATE_ENABLED": False, "RETRY_TIMES": 0,
            "CLOSESPIDER_TIMEOUT": LIMIT, "WARTA_MAX_LINKS_PER_PAGE": 1000}  # fmt: skip
CAP = 1000  # so the cap is met well inside the time limit on a loaded machine


def home(links: int) -> bytes:
    items = "".join(f'<li><a href="/berita-{n}/">Berita {n}</a></li>' for n in range(links))
    return f"<html><head><title>Beranda</title></head><body><ul>{items}</ul></body></html>".encode()


def _crawl(
    settings: dict[str, object], folder: Path, base_url: str
) -> tuple[int, dict[str, object], list[dict[str, object]]]:
    cmd = crawl_command("niaga", folder, "20260101T000000Z", base_url, settings)
    with (folder.parent / f"{folder.name}.log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=PACKAGE_ROOT, env=crawl_environment(os.environ),
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        memory = TreeMemory(proc.pid)
        try:
            proc.wait(timeout=LIMIT + 300)  # start-up is slow on a loaded machine
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            memory.stop()
    summary = json.loads((folder / "crawl-summary.json").read_text())
    lines = (folder / "failures.jsonl").read_text().splitlines()
    return memory.peak, summary, [json.loads(line) for line in lines]


def test_a_page_of_200k_links_is_capped_and_the_time_limit_holds(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    settings = politeness_off(**SCRIPTED)
    html = "text/html; charset=utf-8"
    with ScriptedServer({"/": (200, {"Content-Type": html}, home(10))}) as server:
        baseline, _, _ = _crawl(settings, tmp_path / "biasa", server.base_url)
        before = sum(1 for p in server.paths if p.startswith("/berita-"))  # the baseline's ten
        server.routes["/"] = (200, {"Content-Type": html}, home(200_000))
        peak, summary, failures = _crawl(settings, tmp_path / "banjir", server.base_url)
        fetched = sum(1 for p in server.paths if p.startswith("/berita-")) - before
    started, finished = (datetime.fromisoformat(str(summary[k])) for k in ("started", "finished"))
    seconds = (finished - started).total_seconds()
    print(f"\nbaseline {baseline / 2**20:.0f} MiB; 200k links {peak / 2**20:.0f} MiB, "
          f"{seconds:.0f} s, {fetched} links fetched")  # fmt: skip
    capped = [f for f in failures if f["reason"] == "too-many-links"]
    assert capped and capped[0]["url"].endswith("/"), failures[:5]
    assert fetched <= CAP
    assert capped[0]["detail"].startswith(f"took the first {CAP:,}")
    assert seconds < LIMIT + 30, seconds
    assert peak - baseline < 200 * 2**20, (peak, baseline)
