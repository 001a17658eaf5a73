"""A tiny run of ``python -m bench.crawl_bench``: every run happens and the JSON is complete.

No timing assertions: the figures of a 30-article crawl on a shared machine mean nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT

KEYS = {
    "articles_per_s",
    "baseline_articles_per_s",
    "model_limit_articles_per_s",
    "a_over_L",
    "reactor_limit_articles_per_s",
    "fetch_ceiling_articles_per_s",
    "extract_ceiling_articles_per_s",
    "latency_pages_per_s",
    "wget_latency_pages_per_s",
    "peak_rss_mb_small",
    "peak_rss_mb_large",
    "cores",
}


@pytest.mark.timeout(900)  # a dozen crawl processes; minutes on a loaded 2-core machine
def test_bench_smoke_run(tmp_path: Path) -> None:
    work = tmp_path / "work"
    cmd = [sys.executable, "-m", "bench.crawl_bench", "--sizes", "30", "--baseline", "HEAD"]
    cmd += ["--repeat", "2"]
    cmd += ["--wget-seconds", "3", "--delay", "0.05", "--workdir", str(work)]
    cmd += ["--results", str(tmp_path / "results")]
    done = subprocess.run(cmd, cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=880)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert result.keys() >= KEYS
    assert result["cores"] >= 1
    for key in KEYS - {"cores"}:
        assert result[key] > 0, key
    # where the crawl process's CPU went, by stage, and the stacks behind it
    stages = result["stage_cpu_s"]
    assert stages["engine"] > 0, stages
    assert stages.get("warc_gzip", 0) + stages.get("warc_thread", 0) > 0, stages
    assert sum(stages.values()) > 0.5
    flame = Path(result["flame_graph"])
    assert flame.parent == tmp_path / "results"
    assert any("crawler.warc.writer:" in line for line in flame.read_text().splitlines())
    assert (tmp_path / "results").glob("*.json")
    # every stage of the model measured, and the baseline crawled the same pages
    costs = result["stage_ms_per_article"]
    assert costs.keys() >= {
        "fetch", "requisites_fetch", "requisites_list", "warc_write", "state_writes",
        "extraction", "server",
    }  # fmt: skip
    # a stage whose cost this tiny run could not tell from noise (requisites' fetch: (b) minus
    # (b0), clamped at 0) has no finite ceiling; every other stage has one
    positive = {k for k, v in costs.items() if v > 0}
    assert positive <= result["stage_ceilings_articles_per_s"].keys() <= costs.keys()
    assert result["requisite_pages"] > 0
    # a/L from pairs of (a) and (c) run one after the other, each with the load it met
    pairs = result["a_over_L_pairs"]
    assert len(pairs) == 2, pairs
    assert all(len(pair["load"]) == 4 and pair["a_over_L"] > 0 for pair in pairs), pairs
    assert len(result["a_over_baseline_pairs"]) == 2
    assert sorted(result["articles_per_s_runs"])[0] <= result["articles_per_s"]
    for run in ("c-30", "c2-30", "a2-30", "base2-30"):
        assert (work / run).is_dir(), run
    # Each crawl ran in its own folder, wrote a WARC, and the full crawl its 30 articles.
    full = work / "a-30"
    records = (full / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 30
    baseline = work / "base1-30"
    assert len((baseline / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    assert list(full.glob("*.warc.gz"))
    assert not list((work / "b-30").glob("*.warc.gz"))  # WARC writing off in the fetch ceiling
    assert list((work / "lat-d-30").glob("wget*.warc.gz"))  # wget wrote its WARC
