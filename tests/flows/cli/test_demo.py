"""``warta demo`` end to end, as ``make demo`` runs it: replica, flow, local archive, summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT

pytestmark = pytest.mark.slow


def run_demo(data: Path, archive: Path) -> subprocess.CompletedProcess[str]:
    warta = Path(sys.executable).parent / "warta"
    return subprocess.run(
        [str(warta), "demo", "--articles", "12", "--port", "0", "--data", str(data),
         "--storage", str(archive)],
        cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )  # fmt: skip


def test_demo_archives_the_replica_locally(tmp_path: Path) -> None:
    data, archive = tmp_path / "data", tmp_path / "archive"
    proc = run_demo(data, archive)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "articles        12 (12 new)" in proc.stdout
    # Piped, the crawl's progress comes as plain lines; the printed check command passes.
    assert "progress: " in proc.stdout and "\x1b[" not in proc.stdout
    check = next(line for line in proc.stdout.splitlines() if line.startswith("check it:"))
    verify = subprocess.run(check.split(":", 1)[1].split(), cwd=PACKAGE_ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert verify.returncode == 0, verify.stdout[-2000:]
    manifests = list(archive.rglob("*.manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    kinds = {f["kind"] for f in manifest["files"]}
    assert {"warc", "cdxj", "parquet", "jsonl"} <= kinds and "wacz" not in kinds
    for entry in manifest["files"]:
        assert (archive / entry["key"]).stat().st_size == entry["size"]
    assert any(
        f["name"].endswith(".warc.gz") and f["key"].endswith(f["name"]) for f in manifest["files"]
    )

    # The ecosystem's own tools accept what the demo produced.
    bin_dir = Path(sys.executable).parent
    folder = next((data / "crawls" / "niaga").iterdir())
    warcs = sorted(folder.glob("*.warc.gz"))
    for cmd in (
        [bin_dir / "warcio", "check", *warcs],
        [bin_dir / "warta", "verify", folder],
    ):
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-2000:])
    index_lines = (next(folder.glob("*.cdxj"))).read_text().splitlines()
    summary = json.loads((folder / "crawl-summary.json").read_text())
    assert len(index_lines) == summary["pages"]  # one line per response (no revisits yet)


def test_demo_on_a_terminal_shows_a_live_panel(tmp_path: Path) -> None:
    from tests.terminal import read_pty

    warta = Path(sys.executable).parent / "warta"
    code, out = read_pty(
        [
            str(warta),
            "demo",
            "--articles",
            "12",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            "--storage",
            str(tmp_path / "archive"),
        ],
        timeout=900,
    )
    assert code == 0, out[-3000:]
    assert "\x1b[" in out  # redrawn in place
    for label in ("pages", "articles", "queue", "failures", "WARC"):
        assert label in out
    assert "progress: " not in out  # no plain lines on a terminal
