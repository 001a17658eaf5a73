"""The crawl layout: small rules every package relies on (units: tests/crawler/config)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.layout import (
    check_id,
    crawl_folder,
    file_key,
    manifest_key,
    new_crawl_id,
    open_warc_files,
    parse_crawl_id,
    parse_manifest_key,
    state_key,
    state_path,
    warc_files,
)


def test_crawl_ids_round_trip() -> None:
    when = datetime(2026, 11, 27, 10, 15, tzinfo=UTC)
    crawl_id = new_crawl_id(when)
    assert crawl_id == "20261127T101500Z"
    assert parse_crawl_id(crawl_id) == when
    assert parse_crawl_id("resumed-1") is None
    assert check_id("resumed-1", "crawl id") == "resumed-1"
    with pytest.raises(ValueError, match="invalid crawl id"):
        check_id("../x", "crawl id")


def test_local_folders_and_keys() -> None:
    assert crawl_folder(Path("d"), "niaga", "c1") == Path("d/crawls/niaga/c1")
    assert state_path(Path("d"), "niaga") == Path("d/state/niaga.sqlite")
    day = date(2026, 11, 27)
    assert file_key("niaga", day, "c1", "articles.jsonl") == "niaga/2026/11/27/c1-articles.jsonl"
    assert file_key("niaga", day, "c1", "w-1.warc.gz") == "niaga/2026/11/27/w-1.warc.gz"
    assert parse_manifest_key(manifest_key("niaga", "c1", day)) == ("niaga", day, "c1")
    assert state_key("niaga", "niaga") == "niaga/state/niaga.sqlite"


def test_crawl_ids_started_in_the_same_second_differ(tmp_path) -> None:
    from datetime import UTC, datetime

    from crawler.layout import crawl_folder, new_crawl_id

    now = datetime(2026, 12, 2, 5, 30, 0, 900_000, tzinfo=UTC)

    def taken(cid: str) -> bool:
        return crawl_folder(tmp_path, "niaga", cid).exists()

    first = new_crawl_id(now, taken)
    crawl_folder(tmp_path, "niaga", first).mkdir(parents=True)
    second = new_crawl_id(now, taken)
    assert first == "20261202T053000Z" and second == "20261202T053001Z"


def test_crawl_ids_are_utc_whatever_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Makassar")  # an operator in WITA (UTC+8)
    time.tzset()
    try:
        wita = timezone(timedelta(hours=8))
        assert new_crawl_id(datetime(2026, 11, 27, 18, 15, tzinfo=wita)) == "20261127T101500Z"
        assert parse_crawl_id(new_crawl_id()) == datetime.now(UTC).replace(microsecond=0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_unsafe_site_or_crawl_id_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"invalid site '\.\./x'"):
        crawl_folder(Path("d"), "../x", "c1")
    with pytest.raises(ValueError, match=r"invalid crawl id 'a/b'"):
        crawl_folder(Path("d"), "niaga", "a/b")


def test_warc_files_lists_finished_warcs_and_open_ones_only_when_asked(tmp_path: Path) -> None:
    for name in ("b.warc.gz", "a.warc", "c.warc.gz.open", "notes.txt", "d.txt.open"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "e.warc.gz").mkdir()  # a folder, whatever its name
    assert [p.name for p in warc_files(tmp_path)] == ["a.warc", "b.warc.gz"]
    assert [p.name for p in warc_files(tmp_path, include_open=True)] == [
        "a.warc", "b.warc.gz", "c.warc.gz.open"]  # fmt: skip
    assert [p.name for p in open_warc_files(tmp_path)] == ["c.warc.gz.open"]
    assert warc_files(tmp_path / "missing") == []
