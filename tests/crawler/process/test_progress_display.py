"""Following a crawl's progress file from another process, as ``warta demo`` does: plain
lines when the output is not a terminal, the final counts from the summary at the end."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

from crawler.layout import PROGRESS_FILE, SUMMARY_FILE, new_crawl_id
from crawler.process.progress_display import (
    ProgressFollower,
    ProgressView,
    follow_crawl,
    progress_line,
)
from tests.waiting import wait_until

RUNNING = {"site": "niaga", "state": "running", "elapsed": 3.0, "pages": 40, "articles": 12,
           "warc_bytes": 3 * 1024 * 1024, "pages_per_s": 13.3, "articles_per_s": 4.0,
           "bytes_per_s": 1024 * 1024, "queue": 25, "failures": 2,
           "failures_by_reason": {"timeout": 2}}  # fmt: skip


def test_progress_line_names_every_count() -> None:
    line = progress_line(RUNNING)
    for part in ("40 pages (13.3/s)", "12 articles", "3.0 MiB WARC", "1.0 MiB/s", "queue 25",
                 "2 failures (timeout 2)", "3s"):  # fmt: skip
        assert part in line


def test_follower_prints_plain_lines_and_the_final_summary(tmp_path: Path) -> None:
    out = io.StringIO()
    find, _ = follow_crawl(tmp_path, "niaga", out=out)
    folder = tmp_path / "crawls" / "niaga" / new_crawl_id()  # a crawl that starts now
    folder.mkdir(parents=True)
    view = ProgressView(live=False, every=0.0, out=out)
    with ProgressFollower(find, view):
        (folder / PROGRESS_FILE).write_text(json.dumps(RUNNING))
        wait_until(lambda: "progress: 40 pages" in out.getvalue(), 30, what="a progress line")
        summary = {"finish_reason": "finished", "pages": 55, "articles": 20, "warc_bytes": 10,
                   "failures": {"timeout": 2, "dns": 1}}  # fmt: skip
        (folder / SUMMARY_FILE).write_text(json.dumps(summary))
        (folder / PROGRESS_FILE).unlink()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("progress: 40 pages")
    assert (
        lines[-1].startswith("progress: 55 pages") and "3 failures (dns 1, timeout 2)" in lines[-1]
    )
    assert "\x1b[" not in out.getvalue()


def test_follower_ignores_crawls_from_before_it_started(tmp_path: Path) -> None:
    old = tmp_path / "crawls" / "niaga" / "20200101T000000Z"
    old.mkdir(parents=True)
    (old / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    past = time.time() - 3600
    os.utime(old / PROGRESS_FILE, (past, past))
    find, _ = follow_crawl(tmp_path, "niaga")
    assert find() is None
    # Another crawl in the same data dir, started before, rewrites its progress every second.
    (old / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    assert find() is None
    ours = tmp_path / "crawls" / "niaga" / new_crawl_id()
    ours.mkdir()
    (ours / PROGRESS_FILE).write_text(json.dumps(RUNNING))
    assert find() == ours / PROGRESS_FILE
