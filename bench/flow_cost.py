"""What one Prefect flow run costs beside the work it does, and what that means per worker.

A ``prefect server start`` (SQLite, its own home) and the niaga replica are started; then,
each in a fresh process as a process worker would start it, with PREFECT_API_URL set:

- ``archive-site`` runs ``--runs`` times against the replica (the first crawl archives
  every article, the later ones are incremental: the typical run of a site crawled a few
  times a day). Prefect overhead = flow-run wall time minus the crawl's own time (from
  its summary), minus nothing else: process start, imports, task bookkeeping, storing;
- ``compact-index`` runs ``--runs`` times against the same archive: a flow whose work is
  small, so its wall time is mostly what any flow run costs.

Each process's wall time and peak RSS are measured (bench.measure); the server's CPU
seconds and RSS over all runs too. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.measure import become_subreaper, run_measured

FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "WARTA_PROGRESS_INTERVAL": 0}  # fmt: skip
ARCHIVE = """
import json, sys
from flows.archive_flow import archive_site
s = archive_site("niaga", storage=sys.argv[1], base_url=sys.argv[2], data_dir=sys.argv[3],
                 crawl_settings=json.loads(sys.argv[4]))
print("SUMMARY " + json.dumps(s, default=str))
"""
COMPACT = """
import json, sys
from flows.compact_flow import compact_index
print("SUMMARY " + json.dumps(compact_index(storage=sys.argv[1]), default=str))
"""


def _process_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS MB) of one process and its children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = sum(int(x) for x in stat[11:15]) / ticks
    rss = int(stat[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss


def _summary(log: Path) -> dict[str, Any]:
    for line in reversed(log.read_text().splitlines()):
        if line.startswith("SUMMARY "):
            return dict(json.loads(line[8:]))
    raise RuntimeError(f"no summary in {log}: {log.read_text()[-1500:]}")


def _seconds(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def main(argv: list[str] | None = None) -> int:
    from replica.catalog import build_replica
    from tests.flows.conftest import PrefectServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--articles", type=int, default=60)
    args = parser.parse_args(argv)
    become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="warta-flow-cost-"))
    (work / "home").mkdir()
    server = PrefectServer(work / "home")
    server.start(timeout=600)  # a busy shared machine starts it slowly
    results: dict[str, list[dict[str, Any]]] = {"archive-site": [], "compact-index": []}
    try:
        env = {**os.environ, **server.env(), "WARTA_DATA_DIR": str(work / "data")}
        cpu0, rss0 = _process_stats(server.process.pid)  # type: ignore[union-attr]
        archive = str(work / "archive")
        with build_replica("niaga", args.articles, port=0) as replica:
            for n in range(args.runs):
                log = work / f"archive-{n}.log"
                command = [sys.executable, "-c", ARCHIVE, archive, replica.base_url,
                           str(work / "data"), json.dumps(FAST)]  # fmt: skip
                m = run_measured(command, env=env, log=log)
                s = _summary(log)
                crawl = _seconds(s.get("started"), s.get("finished"))
                results["archive-site"].append({
                    "wall_s": round(m.wall_seconds, 2), "cpu_s": round(m.cpu_seconds, 2),
                    "crawl_s": round(crawl, 2),
                    "overhead_s": round(m.wall_seconds - crawl, 2),
                    "peak_mb": round(m.peak_tree_rss_mb), "articles": s.get("articles"),
                    "new_articles": s.get("new_articles")})  # fmt: skip
                print(json.dumps(results["archive-site"][-1]), flush=True)
                time.sleep(1.1)  # crawl ids are seconds
        for n in range(args.runs):
            log = work / f"compact-{n}.log"
            m = run_measured([sys.executable, "-c", COMPACT, archive], env=env, log=log)
            s = _summary(log)
            results["compact-index"].append({
                "wall_s": round(m.wall_seconds, 2), "cpu_s": round(m.cpu_seconds, 2),
                "work_s": s["seconds"],
                "overhead_s": round(m.wall_seconds - s["seconds"], 2),
                "peak_mb": round(m.peak_tree_rss_mb), "crawls": s["crawls"]})  # fmt: skip
            print(json.dumps(results["compact-index"][-1]), flush=True)
        cpu1, rss1 = _process_stats(server.process.pid)  # type: ignore[union-attr]
    finally:
        server.stop()
    runs = len(results["archive-site"]) + len(results["compact-index"])
    incremental = results["archive-site"][1:] or results["archive-site"]
    summary = {
        "runs": runs,
        "archive_overhead_s": round(
            sum(r["overhead_s"] for r in incremental) / len(incremental), 2
        ),
        "archive_cpu_s": round(sum(r["cpu_s"] for r in incremental) / len(incremental), 2),
        "archive_peak_mb": max(r["peak_mb"] for r in results["archive-site"]),
        "compact_cpu_s": round(sum(r["cpu_s"] for r in results["compact-index"]) / args.runs, 2),
        "compact_overhead_s": round(
            sum(r["overhead_s"] for r in results["compact-index"]) / args.runs, 2
        ),
        "server_cpu_s_per_run": round((cpu1 - cpu0) / runs, 2),
        "server_rss_mb": round(rss1),
        "server_rss_growth_mb": round(rss1 - rss0),
        "load_avg": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
