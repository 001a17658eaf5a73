"""``warta demo`` end to end: replica, crawl, local archive, summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main

pytestmark = pytest.mark.slow


def test_demo_archives_the_replica_locally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, archive = tmp_path / "data", tmp_path / "archive"
    # The demo exports these for its crawl subprocess; monkeypatch undoes that afterwards.
    monkeypatch.setenv("WARTA_DATA_DIR", str(data))
    monkeypatch.setenv("WARTA_STORAGE", str(archive))
    code = main(
        ["demo", "--articles", "12", "--port", "0", "--data", str(data), "--storage", str(archive)]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "articles        12" in out
    manifests = list(archive.rglob("*.manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    kinds = {f["kind"] for f in manifest["files"]}
    assert {"warc", "jsonl"} <= kinds
    for entry in manifest["files"]:
        assert (archive / entry["key"]).stat().st_size == entry["size"]
    assert any(
        f["name"].endswith(".warc.gz") and f["key"].endswith(f["name"]) for f in manifest["files"]
    )
