"""A tiny run of ``python -m bench.crawl_bench``: every run happens and the JSON is complete.

No timing assertions: the figures of a 30-article crawl on a shared machine mean nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.config.sites import PACKAGE_ROOT

KEYS = {
    "articles_per_s",
    "fetch_ceiling_articles_per_s",
    "extract_ceiling_articles_per_s",
    "latency_pages_per_s",
    "wget_latency_pages_per_s",
    "peak_rss_mb_small",
    "peak_rss_mb_large",
    "cores",
}


def test_bench_smoke_run(tmp_path: Path) -> None:
    work = tmp_path / "work"
    cmd = [sys.executable, "-m", "bench.crawl_bench", "--sizes", "30", "--no-baseline"]
    cmd += ["--wget-seconds", "3", "--delay", "0.05", "--workdir", str(work)]
    done = subprocess.run(cmd, cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert result.keys() >= KEYS
    assert result["cores"] >= 1
    for key in KEYS - {"cores"}:
        assert result[key] > 0, key
    # Each crawl ran in its own folder, wrote a WARC, and the full crawl its 30 articles.
    full = work / "a-30"
    records = (full / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 30
    assert list(full.glob("*.warc.gz"))
    assert not list((work / "b-30").glob("*.warc.gz"))  # WARC writing off in the fetch ceiling
    assert list((work / "lat-d-30").glob("wget*.warc.gz"))  # wget wrote its WARC
