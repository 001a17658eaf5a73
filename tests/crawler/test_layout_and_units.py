"""The crawl layout: small rules every package relies on (units: tests/crawler/config)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crawler.layout import (
    check_id,
    crawl_folder,
    file_key,
    manifest_key,
    new_crawl_id,
    parse_crawl_id,
    parse_manifest_key,
    state_key,
    state_path,
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
