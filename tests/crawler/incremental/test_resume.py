"""A crawl killed with SIGKILL partway, then restarted: every article archived once."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.config.sites import PACKAGE_ROOT
from crawler.process.runner import crawl_command
from crawler.warc.verify import verify_paths
from replica.content import build_site
from tests.waiting import wait_until

pytestmark = pytest.mark.slow
ARTICLES = 30


def start_crawl(base_url: str, out: Path, state: Path, fast: dict) -> subprocess.Popen[bytes]:
    out.mkdir(parents=True, exist_ok=True)
    settings = {**fast, "WARTA_STATE_PATH": str(state), "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    cmd = crawl_command("niaga", out, "killed", base_url, settings)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    log = (out / "crawl.log").open("ab")
    return subprocess.Popen(cmd, cwd=PACKAGE_ROOT, env=env, stdout=log, stderr=log)


def kill_after_articles(proc: subprocess.Popen[bytes], out: Path, count: int) -> int:
    """SIGKILL the crawl once ``count`` article records are on disk; return how many were."""
    jsonl = out / "articles.jsonl"

    def written() -> int:
        assert proc.poll() is None, "the crawl ended before it could be killed"
        seen = len(jsonl.read_text().splitlines()) if jsonl.exists() else 0
        return seen if seen >= count else 0

    # a crawl start-up on a loaded machine is slow
    seen = wait_until(written, 120, what=f"{count} articles")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    return seen


@pytest.mark.parametrize("same_dir", [True, False], ids=["same-output-dir", "new-output-dir"])
def test_killed_crawl_resumes_without_archiving_twice(
    tmp_path: Path, state_path: Path, inc: SimpleNamespace, same_dir: bool
) -> None:
    site = build_site(ARTICLES)
    first, second = tmp_path / "run1", tmp_path / ("run1" if same_dir else "run2")
    # A slow replica, so the kill lands in the middle of the article fetches.
    with inc.replica(site, delay=0.05) as served:
        proc = start_crawl(served.base_url, first, state_path, inc.FAST)
        before_kill = kill_after_articles(proc, first, 8)
        assert list(first.glob("*.warc.gz.open")), "the killed crawl left its WARC open"
        result = inc.crawl(served.base_url, second, state_path, crawl_id="resumed")
        base = served.base_url
    assert result.summary["finish_reason"] == "finished"
    if same_dir:
        # The restart recovered the killed run's WARC before writing its own: no file is
        # left open, and every file (the recovered one included) verifies.
        assert not list(first.glob("*.open")), sorted(p.name for p in first.glob("*.open"))
        report = verify_paths([first])
        assert report.ok, report.format(limit=5)
        assert len(report.warc_files) >= 2
    paths = {base + a.path for a in site}
    records = inc.warc_records(first) + ([] if same_dir else inc.warc_records(second))
    counts = Counter(
        r["uri"]
        for r in records
        if r["type"] == "response" and r["status"] == "200" and r["uri"] in paths
    )
    assert set(counts) == paths, sorted(paths - set(counts))[:3]
    assert set(counts.values()) == {1}, counts.most_common(3)
    # One article record each too: those archived but not yet recorded at the kill are
    # read back from the WARC by the restart, not fetched again.
    jsonl = Counter(r["url"] for d in {first, second} for r in inc.article_records(d))
    assert set(jsonl.values()) == {1}
    assert len(jsonl) == ARTICLES and before_kill >= 8
