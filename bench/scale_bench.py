"""``make bench-scale``: what a query costs as the archive grows, before and after compaction.

One real crawl (``--source``, an archive holding a demo crawl; by default ``warta demo``
makes one) is copied under new crawl ids, sites and days (:mod:`bench.scale_archive`) until
the archive holds each of ``--sizes`` crawls, locally and on a SeaweedFS the bench starts
itself. At each size the same research questions go through ``warta archives query``, each
in a process of its own (wall time and peak RSS as ``/usr/bin/time`` reports them): first
with ``--no-compacted`` (every crawl's own files, the only way before compaction), then after
``warta archives compact`` (compacted partitions). Results must be identical. The archive
grows in place, so each compaction only adds the crawls stored since the last one, as the
scheduled flow does; ``day`` times the compaction of one more day of every site's crawls.

Numbers are ratios within one run (the machine is shared): wall time suffers from other
load, so CPU seconds and the command's own timing (without start-up) are reported too. The
last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.measure import become_subreaper, run_measured
from bench.scale_archive import first_crawl, plan, store_copies
from flows.storage import open_storage
from flows.storage.base import Storage

WARTA = str(Path(sys.executable).parent / "warta")
SITES = 10


def questions(url: str, keyword: str) -> dict[str, tuple[list[str], str]]:
    """Typical research queries: (filters, SQL)."""
    return {
        "keyword_by_day": (
            [],
            "SELECT substr(crawl_id, 1, 8) AS day, count(*) AS n FROM articles "
            f"WHERE text ILIKE '%{keyword}%' GROUP BY 1 ORDER BY 1",
        ),
        "site_month": (
            ["--site", "site0003", "--since", "2026-01-01", "--until", "2026-01-31"],
            "SELECT count(*) AS articles, sum(word_count) AS words, count(DISTINCT crawl_id) "
            "AS crawls FROM articles",
        ),
        "url_captures": (
            [],
            "SELECT site, crawl_id, fetch_time, status, warc_key FROM captures "
            f"WHERE url = '{url}' ORDER BY ALL",
        ),
    }


@dataclass
class Run:
    """Wall and CPU seconds and peak RSS of the whole command; ``in_process_s`` is what the
    command itself reports (from storage opened to result printed, without start-up)."""

    seconds: float
    cpu_s: float
    mb: float
    rows: int
    in_process_s: float


def query(uri: str, filters: list[str], sql: str, env: dict[str, str], work: Path,
          compacted: bool) -> tuple[Run, str]:  # fmt: skip
    out, err = work / "out.json", work / "err.txt"
    flags = [] if compacted else ["--no-compacted"]
    command = [WARTA, "archives", "query", uri, *filters, *flags, sql, "--format", "json"]
    line = " ".join(shlex.quote(a) for a in command)
    measured = run_measured(["sh", "-c", f"exec {line} > {out} 2> {err}"], env=env)
    if measured.returncode != 0:
        raise RuntimeError(f"query failed: {err.read_text()[-2000:]}")
    result = out.read_text()
    note = err.read_text()
    in_process = float(note.rsplit(" in ", 1)[1].split()[0]) if " in " in note else 0.0
    run = Run(round(measured.wall_seconds, 2), round(measured.cpu_seconds, 2),
              round(measured.peak_rss_mb), len(json.loads(result)), in_process)  # fmt: skip
    return run, result


def compact(uri: str, env: dict[str, str], work: Path) -> dict[str, float]:
    log = work / "compact.log"
    log.unlink(missing_ok=True)
    measured = run_measured([WARTA, "archives", "compact", uri], env=env, log=log)
    if measured.returncode != 0:
        raise RuntimeError(f"compaction failed: {log.read_text()[-2000:]}")
    return {"s": round(measured.wall_seconds, 2), "cpu_s": round(measured.cpu_seconds, 2),
            "mb": round(measured.peak_rss_mb)}  # fmt: skip


def demo_source(work: Path) -> str:
    """Crawl the bundled replica once (``warta demo``) into a scratch archive."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    archive = work / "demo-archive"
    subprocess.run(
        [WARTA, "demo", "--port", str(port), "--data-dir", str(work / "demo-data"),
         "--storage", str(archive)],
        check=True, stdout=subprocess.DEVNULL,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )  # fmt: skip
    return str(archive)


def measure_backend(
    name: str, storage: Storage, uri: str, env: dict[str, str], sizes: list[int], source: Any,
    asks: dict[str, tuple[list[str], str]], work: Path,
) -> list[dict[str, Any]]:  # fmt: skip
    rows: list[dict[str, Any]] = []
    stored = 0
    copies = list(plan(max(sizes) + SITES * 4, SITES))
    for size in sizes:
        started = time.monotonic()
        store_copies(storage, source, copies[stored:size])
        store_s = time.monotonic() - started
        stored = size
        row: dict[str, Any] = {"backend": name, "crawls": size, "store_s": round(store_s, 1)}
        before = {q: query(uri, f, sql, env, work, False) for q, (f, sql) in asks.items()}
        row["compact"] = compact(uri, env, work)
        after = {q: query(uri, f, sql, env, work, True) for q, (f, sql) in asks.items()}
        row["same_results"] = all(before[q][1] == after[q][1] for q in asks)
        for q in asks:
            b, a = before[q][0], after[q][0]
            row[q] = {"before": asdict(b), "after": asdict(a),
                      "time_ratio": round(b.seconds / a.seconds, 2),
                      "cpu_ratio": round(b.cpu_s / max(a.cpu_s, 0.01), 2),
                      "in_process_ratio": round(b.in_process_s / max(a.in_process_s, 0.01), 2),
                      "memory_ratio": round(b.mb / a.mb, 2)}  # fmt: skip
        rows.append(row)
        print(json.dumps(row), flush=True)
    store_copies(storage, source, copies[stored : stored + SITES * 4])  # one more day
    rows[-1]["compact_day"] = compact(uri, env, work)
    print(f"{name}: a day of {SITES} sites x 4 crawls compacted: {rows[-1]['compact_day']}")
    return rows


def seaweed(work: Path) -> Any:
    from tests.flows.conftest import SeaweedServer

    server = SeaweedServer(work / "seaweed")
    server.start()
    server.client().create_bucket(Bucket="bench")
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="crawls in the archive")
    parser.add_argument("--source", help="archive holding the crawl to copy (default: a demo)")
    parser.add_argument("--keyword", default="banjir")
    parser.add_argument("--backends", default="local,s3")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    become_subreaper()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="warta-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    source_uri = args.source or demo_source(work)
    source = first_crawl(open_storage(source_uri))
    asks = questions(source["articles"]["url"][0].as_py(), args.keyword)
    results: list[dict[str, Any]] = []
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    try:
        if "local" in args.backends:
            uri = str(work / "archive")
            Path(uri).mkdir(exist_ok=True)
            results += measure_backend("local", open_storage(uri), uri, env, sizes, source,
                                       asks, work)  # fmt: skip
        if "s3" in args.backends:
            server = seaweed(work)
            try:
                s3_env = {**env, **server.env()}
                os.environ.update(server.env())
                uri = "s3://bench/archive"
                results += measure_backend("s3", open_storage(uri), uri, s3_env, sizes, source,
                                           asks, work)  # fmt: skip
            finally:
                server.stop()
    finally:
        if not args.work:
            shutil.rmtree(work / "seaweed", ignore_errors=True)
    largest = [r for r in results if r["crawls"] == max(sizes)]
    summary: dict[str, Any] = {
        "crawls": max(sizes),
        "sites": SITES,
        "days": len({c[1] for c in plan(max(sizes), SITES)}),
        "archive": str(work / "archive"),
        "same_results": all(r["same_results"] for r in results),
    }
    for row in largest:
        tag = "" if row["backend"] == "local" else "_s3"
        for q in ("keyword_by_day", "site_month", "url_captures"):
            summary[f"{q}{tag}_s"] = row[q]["after"]["seconds"]
            summary[f"{q}{tag}_cpu_s"] = row[q]["after"]["cpu_s"]
            summary[f"{q}{tag}_mb"] = row[q]["after"]["mb"]
            summary[f"{q}{tag}_in_process_ratio"] = row[q]["in_process_ratio"]
        summary[f"compact_day{tag}_s"] = row["compact_day"]["s"]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
