"""The runs ``make bench`` measures, each a process tree of its own: the replica, its warm-up,
a crawl (of this checkout or another revision), the extraction and stage ceilings, wget."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from lxml import html as lxml_html

from bench.measure import Measured, process_cpu, run_measured
from bench.revision import Checkout
from crawler import keys
from crawler.config.arguments import RUN_SETTINGS
from crawler.config.sites import PACKAGE_ROOT
from crawler.extraction.requisites import page_requisites, stylesheet_requisites
from crawler.process.runner import crawl_command
from crawler.settings import POLITENESS_OFF

SITE = "niaga"
BENCH_EXTENSIONS = {"bench.spider.StatsDump": 600}
PROFILER = {"bench.stages.StageProfiler": 610}


def load() -> float:
    """The 1-minute load average: how many other runnable tasks a run shared the cores with."""
    return round(os.getloadavg()[0], 2)


def crawl_settings(
    concurrency: int,
    extract: bool,
    warc: bool,
    workers: int | None,
    requisites: bool = True,
) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "SPIDER_LOADER_CLASS": "bench.spider.BenchSpiderLoader",
        **POLITENESS_OFF,
        "CONCURRENT_REQUESTS": max(16, concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "WARTA_PROGRESS_INTERVAL": 0,
        "WARTA_WARC_ENABLED": warc,
        "WARTA_EXTRACT_ENABLED": extract,
        "WARTA_PAGE_REQUISITES": requisites,
        "LOG_LEVEL": "INFO",
    }
    if workers is not None:
        settings["WARTA_EXTRACT_WORKERS"] = workers
    return settings


@dataclass
class Replica:
    base: str
    pid: int

    def cpu(self) -> float:
        return process_cpu(self.pid)


@contextmanager
def replica(articles: int, delay: float, workdir: Path) -> Iterator[Replica]:
    """``warta replica`` in a process (and session) of its own."""
    cache_mb = max(256, articles // 4)
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
        yield Replica(line.split(" ", 1)[1], proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _get(url: str) -> tuple[str, bytes]:
    request = Request(url, headers={"Accept-Encoding": "gzip"})
    with urlopen(request, timeout=60) as answer:
        data = answer.read()
        kind = answer.headers.get("Content-Type") or ""
    return kind, gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def warm_up(base: str, threads: int = 2) -> tuple[int, list[str]]:
    """Have the replica render and gzip every article and page requisite once, so no run
    pays for that; returns the article count and the requisites' URLs (on the site's host),
    found as the extraction workers find them."""
    loc = re.compile(r"<loc>([^<]+)</loc>")
    index = _get(base + "/sitemap_index.xml")[1].decode()
    sitemaps = [u for u in loc.findall(index) if "post-sitemap" in u]
    urls = [u for sm in sitemaps for u in loc.findall(_get(sm)[1].decode()) if u.endswith("/")]
    host = urlsplit(base).hostname
    found: dict[str, None] = {}
    with ThreadPoolExecutor(threads) as pool:
        for url, (_, page) in zip(urls, pool.map(_get, urls), strict=True):
            for req in page_requisites(lxml_html.fromstring(page), url):
                found[req] = None
        wanted = [u for u in found if urlsplit(u).hostname == host]
        for url, (kind, body) in zip(wanted, pool.map(_get, wanted), strict=True):
            if "css" in kind:
                for req in stylesheet_requisites(body.decode("utf-8", "replace"), url):
                    if urlsplit(req).hostname == host and req not in found:
                        found[req] = None
                        _get(req)
    return len(urls), [u for u in found if urlsplit(u).hostname == host]


def crawl(
    site: Replica,
    out: Path,
    settings: dict[str, Any],
    timeout: float,
    code: Checkout,
    profile: bool = False,
) -> dict[str, Any]:
    """One crawl of ``code`` (this checkout or a baseline revision), measured."""
    extensions = {**code.settings_value("EXTENSIONS"), **BENCH_EXTENSIONS}
    if profile:
        extensions |= PROFILER
        settings = {**settings, "BENCH_PROFILE": True}
    settings = {
        **settings,
        "EXTENSIONS": extensions,
        "WARTA_STATE_PATH": str(out / "state.sqlite"),  # a fresh crawl
    }
    out.mkdir(parents=True, exist_ok=True)
    # A run may change only some Scrapy settings on its command line (RUN_SETTINGS); the
    # bench's own spider loader and extensions go into a settings module of the crawl's.
    own = {k: v for k, v in settings.items() if k.startswith("WARTA_") or k in RUN_SETTINGS}
    (out / "bench_settings.py").write_text(
        "from crawler.settings import *  # noqa: F403\n"
        + "".join(f"{k} = {v!r}\n" for k, v in settings.items() if k not in own)
    )
    cmd = crawl_command(SITE, out, "bench", base_url=site.base, settings=own)
    paths = [str(out), code.env()["PYTHONPATH"]]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "SCRAPY_SETTINGS_MODULE": "bench_settings",
        "WARTA_DATA_DIR": str(out),
    }
    server_before, load_before = site.cpu(), load()
    m = run_measured(cmd, cwd=code.root, env=env, log=out / "crawl.log", timeout=timeout)
    server_cpu = site.cpu() - server_before
    stats_file = out / "bench-stats.json"
    if m.returncode != 0 or not stats_file.exists():
        raise RuntimeError(f"crawl failed ({m.returncode}); see {out / 'crawl.log'}")
    stats = json.loads(stats_file.read_text())
    seconds = stats["bench/crawl_seconds"]
    pages = stats.get("downloader/response_count", 0)
    articles = stats.get("item_scraped_count") or stats.get(keys.ARTICLE_PAGES, 0)
    return _row(m, pages, articles, seconds) | {
        "reactor_cpu_s": round(stats["bench/reactor_cpu_seconds"], 2),
        "server_cpu_s": round(server_cpu, 2),
        "load": [load_before, load()],
        "warc": sorted(str(p) for p in out.glob("*.warc.gz")),
    }


def extract_ceiling(warcs: list[str], workers: int, out: Path, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ceiling", "--workers", str(workers), "--site", SITE]
    cmd += ["--stats", str(out / "ceiling.json"), *warcs]
    out.mkdir(parents=True, exist_ok=True)
    load_before = load()
    m = run_measured(cmd, cwd=PACKAGE_ROOT, log=out / "ceiling.log", timeout=timeout)
    if m.returncode != 0:
        raise RuntimeError(f"extraction ceiling run failed; see {out / 'ceiling.log'}")
    stats = json.loads((out / "ceiling.json").read_text())
    return _row(m, stats["pages"], stats["records"], stats["seconds"]) | {
        "load": [load_before, load()]
    }


def stage_ceilings(warcs: list[str], out: Path, timeout: float) -> dict[str, Any]:
    """WARC writing and state writes of (a), replayed alone (bench/stage_ceilings.py)."""
    cmd = [sys.executable, "-m", "bench.stage_ceilings", "--stats", str(out / "stages.json")]
    out.mkdir(parents=True, exist_ok=True)
    m = run_measured([*cmd, *warcs], cwd=PACKAGE_ROOT, log=out / "stages.log", timeout=timeout)
    if m.returncode != 0:
        raise RuntimeError(f"stage ceiling run failed; see {out / 'stages.log'}")
    result: dict[str, Any] = json.loads((out / "stages.json").read_text())
    return result


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
