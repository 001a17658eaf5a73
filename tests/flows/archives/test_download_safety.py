"""A researcher handed a crafted archive: ``warta archives download`` writes only inside DEST.

Each manifest below is tampered with after a normal store, on a local archive and on S3
(SeaweedFS). A refused manifest exits 2 with one line and nothing is written anywhere.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from flows.cli import main
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl

CRAWL_ID = "20261127T101500Z"


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")} if root.exists() else set()


@pytest.fixture
def stored(archive_uri: str, make_crawl: Callable[..., Path]) -> tuple[str, str, dict]:  # type: ignore[type-arg]
    storage = open_storage(archive_uri)
    manifest = store_crawl(make_crawl(large=False), storage, "niaga", CRAWL_ID, date(2026, 11, 27))
    return archive_uri, manifest.key, json.loads(manifest.to_json())


def tamper(uri: str, key: str, data: dict) -> None:  # type: ignore[type-arg]
    open_storage(uri).put_bytes(key, json.dumps(data).encode())


CRAFTED = {
    "parent name": lambda m: m["files"][0].update(name="../../escaped.txt"),
    "absolute name": lambda m: m["files"][0].update(name="/tmp/warta-escaped.txt"),
    "nested name": lambda m: m["files"][0].update(name="sub/../../escaped.txt"),
    "dot name": lambda m: m["files"][0].update(name=".."),
    "site with a path": lambda m: m.update(site="../../outside"),
    "site not a site name": lambda m: m.update(site="Niaga Asia"),
    "crawl id with a path": lambda m: m.update(crawl_id="../x"),
    "another crawl's id": lambda m: m.update(crawl_id="20250101T000000Z"),
}


@pytest.mark.parametrize("craft", list(CRAFTED), ids=list(CRAFTED))
def test_crafted_manifest_is_refused_and_nothing_is_written(
    stored,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    craft: str,  # type: ignore[no-untyped-def]
) -> None:
    uri, key, data = stored
    CRAFTED[craft](data)
    tamper(uri, key, data)
    work = tmp_path / "work"
    dest = work / "dest"
    before = _files(tmp_path.parent)
    code = main(["archives", "download", uri, str(dest), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warta archives download:"), err
    assert "nothing downloaded" in lines[0] or "outside" in lines[0]
    assert not dest.exists()
    assert not Path("/tmp/warta-escaped.txt").exists()
    assert _files(tmp_path.parent) - before == set()


def test_a_symlink_in_dest_does_not_lead_outside(
    stored,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    uri, _key, _data = stored
    dest, elsewhere = tmp_path / "dest", tmp_path / "elsewhere"
    dest.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, dest / "niaga")
    code = main(["archives", "download", uri, str(dest), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "outside" in err
    assert list(elsewhere.iterdir()) == []


def test_empty_files_download(
    archive_uri: str,
    make_crawl: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = make_crawl(large=False)
    (folder / "articles.jsonl").write_bytes(b"")  # an incremental crawl with no new article
    store_crawl(folder, open_storage(archive_uri), "niaga", CRAWL_ID, date(2026, 11, 27))
    dest = tmp_path / "dest"
    code = main(["archives", "download", archive_uri, str(dest), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    got = dest / "niaga" / CRAWL_ID / "articles.jsonl"
    assert got.is_file() and got.stat().st_size == 0
    assert main(["archives", "download", archive_uri, str(dest), "--no-progress"]) == 0
    assert "already complete" in capsys.readouterr().out
