"""``warta demo`` end to end, as ``make demo`` runs it: replica, flow, local archive, summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.siteconfig import PACKAGE_ROOT

pytestmark = pytest.mark.slow


def run_demo(data: Path, archive: Path) -> subprocess.CompletedProcess[str]:
    warta = Path(sys.executable).parent / "warta"
    return subprocess.run(
        [str(warta), "demo", "--articles", "12", "--port", "0", "--data", str(data),
         "--storage", str(archive)],
        cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )  # fmt: skip


def test_demo_archives_the_replica_locally(tmp_path: Path) -> None:
    data, archive = tmp_path / "data", tmp_path / "archive"
    proc = run_demo(data, archive)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "articles        12 (12 new)" in proc.stdout
    manifests = list(archive.rglob("*.manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    kinds = {f["kind"] for f in manifest["files"]}
    assert {"warc", "cdxj", "wacz", "jsonl"} <= kinds
    for entry in manifest["files"]:
        assert (archive / entry["key"]).stat().st_size == entry["size"]
    assert any(
        f["name"].endswith(".warc.gz") and f["key"].endswith(f["name"]) for f in manifest["files"]
    )
