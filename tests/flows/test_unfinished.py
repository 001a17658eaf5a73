"""Storing a site's unfinished crawls waits for no one: it refuses while a crawl of the site
holds the crawl lock, because that crawl's folder looks exactly like an interrupted one
(WARC files still ``.open``, no manifest in storage) and would be cut and stored under it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.layout import OWNER_FILE
from crawler.process.crawl_lock import CrawlLock, CrawlLocked, lock_path_for
from crawler.process.ownership import claim_folder
from flows.crawl_steps import ArchivePlan
from flows.unfinished import SUPERSEDED_SUFFIX, finish_unstored_crawls

RUNNING = "20260101T000000Z"


def _running_crawl(tmp_path: Path) -> tuple[ArchivePlan, Path, dict[str, bytes]]:
    site_dir = tmp_path / "data" / "crawls" / "niaga"
    running = site_dir / RUNNING
    running.mkdir(parents=True)
    files = {
        "warta-niaga-20260101000000-00000.warc.gz.open": b"\x1f\x8b half a record",
        "crawl.log": b"2026-01-01 00:00:00 [scrapy.core.engine] INFO: Spider opened\n",
    }
    for name, data in files.items():
        (running / name).write_bytes(data)
    plan = ArchivePlan(
        site="niaga", crawl_id="20260101T010000Z", folder=site_dir / "20260101T010000Z",
        storage_uri=str(tmp_path / "archive"),
        state_path=tmp_path / "data" / "state" / "niaga.sqlite",
    )  # fmt: skip
    claim_folder(running, plan.owner)  # the running crawl is this run's kind: same site, state
    files[OWNER_FILE] = (running / OWNER_FILE).read_bytes()
    return plan, running, files


@pytest.mark.parametrize("state_was_stale", [False, True])
def test_a_crawl_holding_the_lock_is_not_taken_for_an_interrupted_one(
    tmp_path: Path, state_was_stale: bool
) -> None:
    plan, running, files = _running_crawl(tmp_path)
    held = CrawlLock(lock_path_for(plan.state_path, plan.folder)).acquire(crawl_id=RUNNING)
    try:
        with pytest.raises(CrawlLocked, match=RUNNING):
            finish_unstored_crawls(plan, state_was_stale=state_was_stale)
        assert running.is_dir() and not running.with_name(RUNNING + SUPERSEDED_SUFFIX).exists()
        assert {p.name: p.read_bytes() for p in running.iterdir()} == files
        assert not list((tmp_path / "archive").rglob("*.warc.gz"))
    finally:
        held.release()
