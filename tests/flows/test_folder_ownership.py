"""A run stores only the crawl folders it owns, closed and unlocked; a stale index is rebuilt.

The end-to-end proof (a demo beside a live crawl) is tests/flows/test_shared_data_dir.py;
these are the rules it rests on, quickly.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from crawler.layout import CAPTURES_INDEX, OWNER_FILE
from crawler.process.crawl_lock import CrawlLock, folder_lock_path
from crawler.process.ownership import FolderOwner, claim_folder, read_owner
from crawler.warc.indexing import build_cdxj
from flows import crawl_steps, unfinished
from flows.storage import open_storage
from tests.flows.warcs import exchange, real_warc

OURS = FolderOwner(site="niaga", state="/d/state/niaga.sqlite", storage="/a", machine="m")


def test_a_run_accepts_its_own_folders_and_one_off_crawls_of_its_state() -> None:
    assert OURS.accepts(OURS)
    assert OURS.accepts(replace(OURS, storage=None))  # scrapy crawl: shares the state
    assert not OURS.accepts(replace(OURS, storage="s3://other/prefix"))
    assert not OURS.accepts(replace(OURS, state="/d/state/niaga@127.0.0.1_9000.sqlite"))
    assert not OURS.accepts(replace(OURS, site="kabarbenua"))
    assert not OURS.accepts(replace(OURS, machine="another-worker"))


def test_the_first_claim_wins(tmp_path: Path) -> None:
    assert claim_folder(tmp_path, OURS) == OURS
    assert claim_folder(tmp_path, replace(OURS, storage=None)) == OURS
    assert read_owner(tmp_path) == OURS
    (tmp_path / OWNER_FILE).write_text("{not json")
    assert read_owner(tmp_path) is None


def crawl_folder(root: Path, crawl_id: str) -> Path:
    folder = root / "crawls" / "niaga" / crawl_id
    folder.mkdir(parents=True)
    (folder / f"warta-niaga-{crawl_id}-00000.warc.gz.open").write_bytes(b"")
    return folder


def test_only_owned_unlocked_folders_are_taken(tmp_path: Path) -> None:
    plan = crawl_steps.plan_archive(
        "niaga", storage=str(tmp_path / "archive"), data_dir=str(tmp_path / "data")
    )
    root = tmp_path / "data"
    mine = crawl_folder(root, "20260101T000000Z")
    claim_folder(mine, plan.owner)
    other_storage = crawl_folder(root, "20260101T000001Z")
    claim_folder(other_storage, replace(plan.owner, storage="s3://elsewhere/x"))
    other_host = crawl_folder(root, "20260101T000002Z")
    claim_folder(other_host, replace(plan.owner, state=str(root / "state/niaga@h_1.sqlite")))
    crawl_folder(root, "20260101T000003Z")  # says nothing of its owner
    live = crawl_folder(root, "20260101T000004Z")
    claim_folder(live, plan.owner)
    one_off = crawl_folder(root, "20260101T000005Z")
    claim_folder(one_off, replace(plan.owner, storage=None))

    storage = open_storage(plan.storage_uri)
    with CrawlLock(folder_lock_path(live)).acquire(crawl_id=live.name):
        taken = [p.folder for p in unfinished.unstored_crawls(plan, storage)]
    assert taken == [mine, one_off]
    assert [p.folder for p in unfinished.unstored_crawls(plan, storage)] == [mine, live, one_off]


def test_a_stale_index_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    """An index made before the WARC grew (a resumed crawl) misses records: rebuilt."""
    folder = tmp_path / "crawls" / "niaga" / "20260101T000000Z"
    folder.mkdir(parents=True)
    warc = folder / "warta-niaga-20260101000000000-00000-h.warc.gz"
    real_warc(warc)
    index = folder / "warta-niaga-20260101T000000Z.cdxj"
    build_cdxj([warc], index)
    (folder / CAPTURES_INDEX).write_bytes(b"stale")
    with warc.open("ab") as out:  # the crawl went on after the index was made
        exchange(WARCWriter(out, gzip=True, warc_version="1.1"), "https://niaga.asia/late")
    result = crawl_steps.check_warcs(folder)
    assert result.problems == []
    assert not index.exists() and not (folder / CAPTURES_INDEX).exists()
    (folder / "crawl-summary.json").write_text(json.dumps({"started": "2026-01-01T00:00:00Z"}))
    plan = crawl_steps.plan_archive(
        "niaga",
        storage=str(tmp_path / "archive"),
        data_dir=str(tmp_path),
        resume_crawl_id="20260101T000000Z",
    )
    crawl_steps.package(plan)
    assert "late" in index.read_text()
    crawl_steps.check_warcs(folder)  # sound again


def test_verify_says_in_one_line_that_a_crawl_is_not_stored_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    folder = tmp_path / "crawls" / "niaga" / "20260101T000000Z"
    folder.mkdir(parents=True)
    real_warc(folder / "warta-niaga-20260101000000000-00000-h.warc.gz")
    assert main(["verify", str(folder.parent)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "crawl 20260101T000000Z is not stored yet: run `warta archive niaga` "
        "(or `warta archive niaga --resume 20260101T000000Z`)"
    )
    assert "index-missing" not in out and len(out.splitlines()) == 2, out


def test_preflight_refuses_a_data_dir_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "crawl.log").write_text("a file, where a folder is asked for\n")
    from crawler.config.sites import ConfigError
    from flows.preflight import check_data_dir

    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        # root may write anywhere it may chmod; nobody may create files in /proc
        locked = read_only if not os.access(read_only, os.W_OK) else Path("/proc/self")
        with pytest.raises(
            ConfigError,
            match=r"cannot write in it .*; choose another with --data-dir or WARTA_DATA_DIR$",
        ):
            check_data_dir(locked)
        with pytest.raises(ConfigError, match="cannot create it"):
            check_data_dir(tmp_path / "crawl.log" / "data")  # under a file: no folder possible
    finally:
        read_only.chmod(0o755)
