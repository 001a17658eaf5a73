"""New articles are counted against every earlier stored crawl of the site, through the seen
list each stored crawl carries; crawls of other sites and later crawls do not count."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from crawler.layout import SEEN_URLS_FILE, manifest_key
from flows import unfinished
from flows.crawl_steps import ArchivePlan
from flows.new_articles import (
    NewArticles,
    count_new_articles,
    previous_urls,
    urls_from_jsonl_lines,
    write_seen,
)
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from flows.storage.manifest import parse_manifest
from tests.flows.warcs import real_warc


def _crawl(tmp_path: Path, site: str, crawl_id: str, urls: list[str]) -> ArchivePlan:
    """A finished crawl folder (no summary: the id tells its start) with these articles."""
    folder = tmp_path / "data" / "crawls" / site / crawl_id
    folder.mkdir(parents=True)
    real_warc(folder / f"warta-{site}-{crawl_id}-00000.warc.gz")
    lines = "".join(json.dumps({"url": url}) + "\n" for url in urls)
    (folder / "articles.jsonl").write_text(lines)
    return ArchivePlan(site=site, crawl_id=crawl_id, folder=folder,
                       storage_uri=str(tmp_path / "archive"))  # fmt: skip


def _seen(folder: Path) -> bytes:
    return gzip.decompress((folder / SEEN_URLS_FILE).read_bytes())


def test_new_articles_are_counted_against_earlier_crawls_of_the_site(tmp_path: Path) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    first = _crawl(tmp_path, "niaga", "20260101T000000Z", ["u1", "u2"])
    assert unfinished.finish_crawl(first) == {"new_articles": 2}
    assert _seen(first.folder) == b"u1\nu2\n"
    other_site = _crawl(tmp_path, "tribunkaltim", "20260101T010000Z", ["u3"])
    unfinished.finish_crawl(other_site)

    second = _crawl(tmp_path, "niaga", "20260102T000000Z", ["u2", "u3", "u4"])
    (second.folder / "crawl-summary.json").write_text(json.dumps({"pages": 5, "articles": True}))
    assert unfinished.finish_crawl(second) == {"pages": 5, "new_articles": 2}  # no bool count
    assert _seen(second.folder) == b"u1\nu2\nu3\nu4\n"  # cumulative, sorted
    key = manifest_key("niaga", second.crawl_id, date(2026, 1, 2))
    assert parse_manifest(storage.get_bytes(key), key).counts == {"pages": 5, "new_articles": 2}
    assert (second.folder / SEEN_URLS_FILE).read_bytes()[4:8] == b"\0\0\0\0"  # fixed mtime
    assert count_new_articles(second.folder, storage, "niaga", "20260102T000000Z",
                              date(2026, 1, 2)) == NewArticles(
        new=["u3", "u4"], articles=3, previous_crawls=1, seen_before=2
    )  # fmt: skip
    # counted again for the first crawl (a resume): a later crawl is not an earlier one
    again = count_new_articles(first.folder, storage, "niaga", first.crawl_id, date(2026, 1, 1))
    assert again == NewArticles(new=["u1", "u2"], articles=2, previous_crawls=0, seen_before=0)

    third = _crawl(tmp_path, "niaga", "20260103T000000Z", [])
    (third.folder / "articles.jsonl").unlink()  # found none, and wrote no file
    assert unfinished.finish_crawl(third) == {"new_articles": 0}
    assert _seen(third.folder) == b"u1\nu2\nu3\nu4\n"  # the second crawl's list, not its articles


def test_a_crawl_stored_without_a_seen_list_makes_every_earlier_crawl_count(
    tmp_path: Path,
) -> None:
    storage = open_storage(str(tmp_path / "archive"))
    unfinished.finish_crawl(_crawl(tmp_path, "niaga", "20260101T000000Z", ["u1"]))
    many = [f"https://niaga.asia/{i:0100d}" for i in range(12000)]  # read in several chunks
    old = _crawl(tmp_path, "niaga", "20260102T000000Z", ["u2", *many])  # before seen lists
    store_crawl(old.folder, storage, "niaga", old.crawl_id, date(2026, 1, 2))
    assert previous_urls(storage, "niaga", "20260103T000000Z", date(2026, 1, 3)) == (
        {"u1", "u2", *many}, 2
    )  # fmt: skip


def test_article_lines_cut_short_or_badly_encoded_are_read_as_well_as_they_can_be() -> None:
    lines = [b'{"url": "a", "title": "\xff"}\n', b"", b'{"url": "b"', b'["c"]', b'{"url": 3}']
    assert urls_from_jsonl_lines(lines) == {"a"}
    assert urls_from_jsonl_lines(['{"url": "d"}\n', "  \n"]) == {"d"}


def test_a_blank_or_broken_line_does_not_end_the_reading() -> None:
    assert urls_from_jsonl_lines(["\n", '{"url": "e"}\n']) == {"e"}
    assert urls_from_jsonl_lines(['{"url": ', '{"url": "f"}\n']) == {"f"}


def test_the_seen_list_is_rewritten_only_when_it_changes(tmp_path: Path) -> None:
    path = write_seen(tmp_path, ["b", "a", "a"])
    assert gzip.decompress(path.read_bytes()) == b"a\nb\n"
    assert write_seen(tmp_path, ["a", "c"]) == path
    assert gzip.decompress(path.read_bytes()) == b"a\nc\n"


@pytest.mark.usefixtures("machine_in_wita")
def test_a_crawl_stored_late_is_compared_with_crawls_that_began_before_it(
    tmp_path: Path,
) -> None:
    """Crawls are ordered by UTC day and id: one begun at 20:00 UTC (already the next day in
    WITA) and stored after a crawl begun an hour later does not count that one as earlier."""
    later = _crawl(tmp_path, "niaga", "20260101T210000Z", ["u1"])
    assert unfinished.finish_crawl(later) == {"new_articles": 1}
    late = _crawl(tmp_path, "niaga", "20260101T200000Z", ["u1"])
    assert unfinished.finish_crawl(late) == {"new_articles": 1}
