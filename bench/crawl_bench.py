"""``make bench``: how close a crawl of the replica comes to the machine's limits.

For each size N the replica (its own process, so its CPU is counted apart) serves N articles
on loopback, politeness off, and four runs are measured, each in a process tree of its own:

(a) the full crawl: WARC writing and extraction (in the worker pool);
(b) the same crawl with WARTA_WARC_ENABLED and WARTA_EXTRACT_ENABLED off: the fetch ceiling;
(c) extraction alone over (a)'s WARC with one worker per core (``warta reextract``'s path):
    the extraction ceiling;
(d) ``wget --recursive --warc-file`` at its only concurrency, 1 (network-like regime only).

The CPU-bound regime has the replica answer at once; the network-like one delays every
answer by ``--delay`` s, where concurrency is what counts. The last line printed is one JSON
object (see docs/performance.md for the keys and the model behind ``L``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

from bench.extract_speed import measure as measure_extraction
from bench.measure import Measured, become_subreaper, run_measured
from crawler import keys
from crawler.config.sites import PACKAGE_ROOT
from crawler.process.runner import crawl_command
from crawler.settings import POLITENESS_OFF

SITE = "niaga"
# per domain, the demo's and tests' value; the site's polite default is 2
CONCURRENCY = POLITENESS_OFF["CONCURRENT_REQUESTS_PER_DOMAIN"]
EXTENSIONS = {"crawler.process.progress.CrawlProgress": 500, "bench.spider.StatsDump": 600}


def crawl_settings(
    concurrency: int, extract: bool, warc: bool, workers: int | None
) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "SPIDER_LOADER_CLASS": "bench.spider.BenchSpiderLoader",
        "EXTENSIONS": EXTENSIONS,
        **POLITENESS_OFF,
        "CONCURRENT_REQUESTS": max(16, concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "WARTA_PROGRESS_INTERVAL": 0,
        "WARTA_WARC_ENABLED": warc,
        "WARTA_EXTRACT_ENABLED": extract,
        # Page requisites come out of extraction, so the fetch ceiling (extraction off) would
        # fetch none of them while the full crawl fetches 2.2x the pages: the ratio would
        # compare different work. Requisites are switched off in every crawl here.
        "WARTA_PAGE_REQUISITES": False,
        "LOG_LEVEL": "INFO",
    }
    if workers is not None:
        settings["WARTA_EXTRACT_WORKERS"] = workers
    return settings


@contextmanager
def replica(articles: int, delay: float, workdir: Path) -> Iterator[str]:
    """``warta replica`` in a process (and session) of its own; yields its base URL."""
    cache_mb = max(256, articles // 10)
    cmd = [sys.executable, "-m", "flows.cli", "replica", "--port", "0"]
    cmd += ["--articles", str(articles), "--delay", str(delay), "--cache-mb", str(cache_mb)]
    log = (workdir / f"replica-{articles}-{delay}.log").open("wb")
    proc = subprocess.Popen(
        cmd, cwd=PACKAGE_ROOT, stdout=subprocess.PIPE, stderr=log, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line.startswith("serving "):
            raise RuntimeError(f"replica did not start: {line!r} (see {log.name})")
        yield line.split(" ", 1)[1]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _get(url: str) -> bytes:
    request = Request(url, headers={"Accept-Encoding": "gzip"})
    with urlopen(request, timeout=60) as answer:
        return answer.read()


def warm_up(base: str, threads: int = 2) -> int:
    """Have the replica render and gzip every article once, so no run pays for that."""
    import gzip
    import re

    def text(url: str) -> str:
        data = _get(url)
        return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode()

    loc = re.compile(r"<loc>([^<]+)</loc>")
    sitemaps = [u for u in loc.findall(text(base + "/sitemap_index.xml")) if "post-sitemap" in u]
    urls = [u for sm in sitemaps for u in loc.findall(text(sm)) if u.endswith("/")]
    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(_get, urls):
            pass
    return len(urls)


def crawl(base: str, out: Path, settings: dict[str, Any], timeout: float) -> dict[str, Any]:
    settings = {**settings, "WARTA_STATE_PATH": str(out / "state.sqlite")}  # a fresh crawl
    cmd = crawl_command(SITE, out, "bench", base_url=base, settings=settings)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "WARTA_DATA_DIR": str(out)}
    out.mkdir(parents=True, exist_ok=True)
    m = run_measured(cmd, cwd=PACKAGE_ROOT, env=env, log=out / "crawl.log", timeout=timeout)
    stats_file = out / "bench-stats.json"
    if m.returncode != 0 or not stats_file.exists():
        raise RuntimeError(f"crawl failed ({m.returncode}); see {out / 'crawl.log'}")
    stats = json.loads(stats_file.read_text())
    seconds = stats["bench/crawl_seconds"]
    pages = stats.get("downloader/response_count", 0)
    articles = stats.get("item_scraped_count") or stats.get(keys.ARTICLE_PAGES, 0)
    return _row(m, pages, articles, seconds) | {
        "reactor_cpu_s": round(stats["bench/reactor_cpu_seconds"], 2),
        "warc": sorted(str(p) for p in out.glob("*.warc.gz")),
    }


def extract_ceiling(warcs: list[str], workers: int, out: Path, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ceiling", "--workers", str(workers), "--site", SITE]
    cmd += ["--stats", str(out / "ceiling.json"), *warcs]
    out.mkdir(parents=True, exist_ok=True)
    m = run_measured(cmd, cwd=PACKAGE_ROOT, log=out / "ceiling.log", timeout=timeout)
    if m.returncode != 0:
        raise RuntimeError(f"extraction ceiling run failed; see {out / 'ceiling.log'}")
    stats = json.loads((out / "ceiling.json").read_text())
    return _row(m, stats["pages"], stats["records"], stats["seconds"])


def wget(base: str, out: Path, seconds: float) -> dict[str, Any]:
    """wget -r (robots obeyed, concurrency 1), stopped after ``seconds``; pages from its log."""
    out.mkdir(parents=True, exist_ok=True)
    log = out / "wget.log"
    cmd = ["/usr/bin/wget", "--recursive", "--level=inf", "--no-parent", "--no-verbose"]
    cmd += ["--warc-file", str(out / "wget"), "--no-warc-keep-log", "-P", str(out / "files")]
    cmd += ["-o", str(log), base + "/"]
    m = run_measured(cmd, stop_after=seconds)
    text = log.read_text(errors="replace") if log.exists() else ""
    pages = sum(1 for line in text.splitlines() if " URL:" in line)
    return _row(m, pages, None, m.wall_seconds)


def _row(m: Measured, pages: int, articles: int | None, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 2),
        "wall_s": round(m.wall_seconds, 2),
        "pages": pages,
        "articles": articles,
        "pages_per_s": round(pages / seconds, 1) if seconds else 0.0,
        "articles_per_s": round(articles / seconds, 1) if articles and seconds else None,
        "cpu_s": round(m.cpu_seconds, 2),
        "peak_rss_mb": round(m.peak_rss_mb, 1),
        "peak_tree_rss_mb": round(m.peak_tree_rss_mb, 1),
    }


def model_limit(b_row: dict[str, Any], c_row: dict[str, Any], cores: int) -> float:
    """L = 1 / (1/(n·b) + 1/c): every core split between fetch work and extraction work."""
    b = b_row["articles"] / b_row["reactor_cpu_s"]  # articles per CPU-second of fetching
    c = c_row["articles_per_s"]
    return 1 / (1 / (cores * b) + 1 / c)


def _say(label: str, row: dict[str, Any]) -> None:
    shown = {k: v for k, v in row.items() if k != "warc"}
    print(f"  {label:<28} {json.dumps(shown)}", flush=True)


def cpu_bound(size: int, args: argparse.Namespace, work: Path, baseline: bool) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    res: dict[str, Any] = {"size": size}
    with replica(size, 0.0, work) as base:
        t = time.monotonic()
        warmed = warm_up(base)
        print(f"N={size}: replica {base}, {warmed} articles warmed in {time.monotonic() - t:.1f}s")
        c8 = args.concurrency
        b_set = crawl_settings(c8, extract=False, warc=False, workers=None)
        res["b"] = crawl(base, work / f"b-{size}", b_set, args.timeout)
        _say("(b) fetch ceiling", res["b"])
        a_set = crawl_settings(c8, extract=True, warc=True, workers=args.workers)
        res["a"] = crawl(base, work / f"a-{size}", a_set, args.timeout)
        _say(f"(a) full crawl, {args.workers or cores} workers", res["a"])
        if baseline:
            inline = crawl_settings(c8, extract=True, warc=True, workers=0)
            res["a_inline"] = crawl(base, work / f"a0-{size}", inline, args.timeout)
            _say("(a0) full crawl, inline", res["a_inline"])
    res["c"] = extract_ceiling(res["a"]["warc"], cores, work / f"c-{size}", args.timeout)
    _say(f"(c) extraction ceiling, {cores} w", res["c"])
    limit = model_limit(res["b"], res["c"], cores)
    res["L"] = round(limit, 1)
    res["a_over_L"] = round(res["a"]["articles_per_s"] / limit, 3)
    res["a_over_b"] = round(res["a"]["articles_per_s"] / res["b"]["articles_per_s"], 3)
    res["a_over_c"] = round(res["a"]["articles_per_s"] / res["c"]["articles_per_s"], 3)
    print(
        f"  L = {limit:.1f} articles/s; a/L = {res['a_over_L']}, a/b = {res['a_over_b']}, "
        f"a/c = {res['a_over_c']}",
        flush=True,
    )
    return res


def network_like(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"size": size, "delay": args.delay, "concurrency": args.concurrency}
    with replica(size, args.delay, work) as base:
        print(f"N={size}, delay {args.delay}s: replica {base}", flush=True)
        a_set = crawl_settings(args.concurrency, True, True, args.workers)
        res["a"] = crawl(base, work / f"lat-a-{size}", a_set, args.timeout)
        _say(f"(a) full crawl, concurrency {args.concurrency}", res["a"])
        res["d"] = wget(base, work / f"lat-d-{size}", args.wget_seconds)
        _say("(d) wget -r, concurrency 1", res["d"])
    res["a_over_d"] = round(res["a"]["pages_per_s"] / res["d"]["pages_per_s"], 2)
    print(f"  a/d = {res['a_over_d']} (pages/s)", flush=True)
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_bench", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--latency-size", type=int, default=None, help="N for the delay regime")
    parser.add_argument("--delay", type=float, default=0.1, help="network-like delay, seconds")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="per domain")
    parser.add_argument("--workers", type=int, default=None, help="extraction workers (a)")
    parser.add_argument("--wget-seconds", type=float, default=30.0, help="how long wget runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the inline (a0) run")
    parser.add_argument("--workdir", type=Path, default=None, help="keep outputs here")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per run, seconds")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs positive article counts")
    become_subreaper()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="warta-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    print(f"warta crawl benchmark: {cores} cores, sizes {sizes}, work in {work}", flush=True)
    try:
        runs = [
            cpu_bound(n, args, work, baseline=not args.no_baseline and i == 0)
            for i, n in enumerate(sizes)
        ]
        latency = network_like(args.latency_size or sizes[0], args, work)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    small, large = runs[0], runs[-1]
    result = {
        "articles_per_s": large["a"]["articles_per_s"],
        "fetch_ceiling_articles_per_s": large["b"]["articles_per_s"],
        "extract_ceiling_articles_per_s": large["c"]["articles_per_s"],
        "model_limit_articles_per_s": large["L"],
        "a_over_L": large["a_over_L"],
        "latency_pages_per_s": latency["a"]["pages_per_s"],
        "wget_latency_pages_per_s": latency["d"]["pages_per_s"],
        "latency_concurrency_per_domain": args.concurrency,
        "peak_rss_mb_small": small["a"]["peak_rss_mb"],
        "peak_rss_mb_large": large["a"]["peak_rss_mb"],
        "cores": cores,
    }
    speed = measure_extraction()
    print(
        f"extraction, same pages, same run: warta {speed['extract_ms_per_page']} ms/page, "
        f"trafilatura {speed['trafilatura_ms_per_page']} ms/page",
        flush=True,
    )
    result.update(speed)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
