"""A server that answers ``200 OK`` and then sends header lines forever (issue 27, finding 1).

Twisted's parser keeps every header; Scrapy's size limits count bodies only, so such a
server grew a crawl by gigabytes a minute until the download timeout. The crawl must drop
the connection once the header block passes its limit, list the URL as
``headers-too-large``, and cost under 100 MB more than the same crawl of an ordinary page.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT
from crawler.process.runner import crawl_command, crawl_environment
from tests.conftest import PolitenessOff
from tests.memory import TreeMemory
from tests.wire_server import FLOOD, Step, WireServer

pytestmark = pytest.mark.slow

TIMEOUT = 10  # DOWNLOAD_TIMEOUT: the header deadline; before the fix the flood ran to it
SCRIPTED = {"WARTA_EXTRACT_WORKERS": 0, "WARTA_STATE_ENABLED": False, "RETRY_TIMES": 0,
            "DOWNLOAD_TIMEOUT": TIMEOUT}  # fmt: skip
PAGE = b"<html><head><title>Berita</title></head><body><p>Samarinda.</p></body></html>"
FILL = b"X-Fill: " + b"f" * 8000 + b"\r\n"
ROUTES: dict[str, list[Step]] = {
    "/robots.txt": [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"],
    "/biasa": [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
               % (len(PAGE), PAGE)],
    "/banjir": [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", (FLOOD, FILL)],
    # many short lines: the count limit, long before the byte limit
    "/banjir-pendek": [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", (FLOOD, b"X: y\r\n")],
}  # fmt: skip


def _crawl(
    settings: dict[str, object], folder: Path, base_url: str, paths: list[str]
) -> tuple[int, list[dict[str, object]]]:
    """Crawl ``paths`` as ``scrapy crawl`` does; (peak memory of the crawl, failures)."""
    cmd = crawl_command("niaga", folder, "20260101T000000Z", base_url, settings,
                        {"urls": ",".join(paths)})  # fmt: skip
    with (folder.parent / f"{folder.name}.log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=PACKAGE_ROOT, env=crawl_environment(os.environ),
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        memory = TreeMemory(proc.pid)
        try:
            proc.wait(timeout=300)  # start-up alone can take a minute on a loaded machine
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            memory.stop()
    failures_file = folder / "failures.jsonl"
    lines = failures_file.read_text().splitlines() if failures_file.exists() else []
    return memory.peak, [json.loads(line) for line in lines]


def test_endless_header_block_is_cut_at_the_wire(
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    settings = politeness_off(**SCRIPTED)
    with WireServer(ROUTES) as server:
        baseline, _ = _crawl(settings, tmp_path / "biasa", server.base_url, ["/biasa"])
        peak, failures = _crawl(settings, tmp_path / "banjir", server.base_url,
                                ["/biasa", "/banjir", "/banjir-pendek"])  # fmt: skip
    print(f"\nbaseline {baseline / 2**20:.0f} MiB, with the floods {peak / 2**20:.0f} MiB")
    assert peak - baseline < 100 * 2**20, (peak, baseline)
    reasons = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in failures}
    for path in ("/banjir", "/banjir-pendek"):
        exchange = server.exchange(path)
        print(f"{path}: {exchange.flooded / 2**20:.1f} MiB of headers sent, connection closed "
              f"after {exchange.flood_seconds:.2f} s")  # fmt: skip
        assert reasons.get(path.lstrip("/")) == "headers-too-large", failures
        assert exchange.flood_seconds < TIMEOUT, exchange.flood_seconds  # not the timeout
        assert exchange.flooded < 16 * 2**20  # the limit (1 MiB) and what was in flight
