"""``make bench``: how close a crawl of the replica comes to the machine's limits.

For each size N the replica (its own process, so its CPU is counted apart) serves N articles
on loopback, politeness off, and four runs are measured, each in a process tree of its own:

(a) the full crawl: exact capture into the WARC, page requisites, crawl state, extraction in
    the worker pool; ``--baseline REV`` runs the same crawl of another revision beside it;
(b) the same crawl with WARTA_WARC_ENABLED and WARTA_EXTRACT_ENABLED off, fetching the page
    requisites from a list: the fetch ceiling ((b0): the articles only);
(c) extraction alone over (a)'s WARC with one worker per core (``warta reextract``'s path):
    the extraction ceiling; (s) WARC writing and state writes replayed alone
    (bench/stage_ceilings.py);
(d) ``wget --recursive --warc-file`` at its only concurrency, 1 (network-like regime only).

A profiled copy of (a) (bench/stages.py) says where the crawl process's CPU goes by stage.

The CPU-bound regime has the replica answer at once; the network-like one delays every
answer by ``--delay`` s, where concurrency is what counts. The last line printed is one JSON
object (see docs/performance.md for the keys and the model behind ``L``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from statistics import median
from typing import Any

from bench import model
from bench.extract_speed import measure as measure_extraction
from bench.measure import become_subreaper
from bench.revision import Checkout, checkout, this_checkout
from bench.runs import (
    Replica,
    crawl,
    crawl_settings,
    extract_ceiling,
    load,
    replica,
    stage_ceilings,
    warm_up,
    wget,
)
from bench.spider import FETCH_LIST_SETTING
from bench.stages import STACKS_FILE, STAGES_FILE
from crawler.config.sites import PACKAGE_ROOT

CONCURRENCY = 8  # per domain, the demo's and tests' value; the site's polite default is 2
RESULTS = Path(PACKAGE_ROOT) / "bench" / "results"  # the JSON and the collapsed stacks


def _say(label: str, row: dict[str, Any]) -> None:
    shown = {k: v for k, v in row.items() if k != "warc"}
    print(f"  {label:<28} {json.dumps(shown)}", flush=True)


def _key(run: str, turn: int) -> str:
    """Row names of a turn's runs: a, a2, a3; c, c2, c3; base1, base2, base3."""
    if run == "base":
        return f"base{turn + 1}"
    return run if turn == 0 else f"{run}{turn + 1}"


def median_rate(res: dict[str, Any], run: str, turns: int) -> float:
    return round(median(res[_key(run, t)]["articles_per_s"] or 0.0 for t in range(turns)), 1)


def turn_runs(
    turn: int,
    site: Replica,
    a_set: dict[str, Any],
    args: argparse.Namespace,
    work: Path,
    size: int,
    base: Checkout | None,
    res: dict[str, Any],
) -> None:
    """One turn: (a), then (c) over its WARC at once, so the two share the machine's load
    (L's largest term, extraction, is a rate like (a)); the baseline's (a) beside them,
    before (a) in every other turn so neither always runs first."""
    cores = os.cpu_count() or 1

    def run_a() -> None:
        key = _key("a", turn)
        res[key] = crawl(site, work / f"{key}-{size}", a_set, args.timeout, this_checkout())
        _say(f"(a) full crawl, {args.workers or cores} workers", res[key])
        ckey = _key("c", turn)
        res[ckey] = extract_ceiling(res[key]["warc"], cores, work / f"{ckey}-{size}", args.timeout)
        _say(f"(c) extraction ceiling, {cores} w", res[ckey])

    def run_base() -> None:
        if base is not None:
            key = _key("base", turn)
            res[key] = crawl(site, work / f"{key}-{size}", a_set, args.timeout, base)
            _say(f"(a) of {base.revision} ({base.commit})", res[key])

    for step in (run_a, run_base) if turn % 2 == 0 else (run_base, run_a):
        step()


def stage_breakdown(run: dict[str, Any], out: Path) -> dict[str, float]:
    """CPU seconds by stage of a profiled crawl (bench/stages.py), plus what its extraction
    workers (and the interpreters' start-up) used outside the crawl process."""
    stages: dict[str, float] = json.loads((out / STAGES_FILE).read_text())
    stages["extraction_workers_and_startup"] = round(run["cpu_s"] - run["reactor_cpu_s"], 3)
    return stages


def print_stages(stages: dict[str, float], articles: int) -> None:
    outside = "extraction_workers_and_startup"
    total = sum(v for k, v in stages.items() if k != outside)
    print(f"  crawl process CPU by stage ({total:.2f} s sampled, {articles} articles):")
    for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        share = (
            "(other processes)"
            if stage == outside
            else f"{100 * seconds / max(total, 1e-9):5.1f} %"
        )
        ms = 1000 * seconds / max(articles, 1)
        print(f"    {stage:<32} {seconds:8.3f} s {ms:7.3f} ms/article  {share}")


def profiled(
    site: Replica,
    settings: dict[str, Any],
    args: argparse.Namespace,
    out: Path,
    code: Checkout,
    suffix: str,
) -> dict[str, Any]:
    """A profiled copy of run (a): CPU by stage and the collapsed stacks behind it.

    Such a run has hung now and then near its end (the SIGPROF sampling is the suspect), so
    it gets three times an unprofiled (a)'s wall time, and its failure is not fatal."""
    timeout = min(args.timeout, max(120.0, 3 * args.a_wall_s))
    row = crawl(site, out, settings, timeout, code, profile=True)
    _say(f"(a) of {code.commit}, profiled", row)
    stages = stage_breakdown(row, out)
    print_stages(stages, row["articles"])
    args.results.mkdir(parents=True, exist_ok=True)
    flame = args.results / f"{args.stamp}-profile-{code.commit}.collapsed"
    shutil.copyfile(out / STACKS_FILE, flame)
    print(f"  collapsed stacks (flamegraph.pl, speedscope): {flame}", flush=True)
    return {f"prof{suffix}": row, f"stage_cpu_s{suffix}": stages, f"flame{suffix}": str(flame)}


def cpu_bound(
    size: int, args: argparse.Namespace, work: Path, first: bool, base: Checkout | None
) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    here = this_checkout()
    res: dict[str, Any] = {"size": size, "load_before": load()}
    c8 = args.concurrency
    with replica(size, 0.0, work) as site:
        t = time.monotonic()
        warmed, requisites = warm_up(site.base)
        fetch_list = work / f"requisites-{size}.txt"
        fetch_list.write_text("\n".join(requisites) + "\n")
        res["requisites"] = len(requisites)
        print(
            f"N={size}: replica {site.base}, {warmed} articles and {len(requisites)} page "
            f"requisites warmed in {time.monotonic() - t:.1f}s",
            flush=True,
        )
        b0_set = crawl_settings(c8, extract=False, warc=False, workers=None, requisites=False)
        res["b0"] = crawl(site, work / f"b0-{size}", b0_set, args.timeout, here)
        _say("(b0) fetch, articles only", res["b0"])
        b_set = crawl_settings(c8, extract=False, warc=False, workers=None)
        b_set[FETCH_LIST_SETTING] = str(fetch_list)
        res["b"] = crawl(site, work / f"b-{size}", b_set, args.timeout, here)
        _say("(b) fetch ceiling", res["b"])
        a_set = crawl_settings(c8, extract=True, warc=True, workers=args.workers)
        for turn in range(args.repeat):
            turn_runs(turn, site, a_set, args, work, size, base, res)
        if first and not args.no_profile:
            args.a_wall_s = res["a"]["wall_s"]
            try:
                res |= profiled(site, a_set, args, work / f"prof-{size}", here, "")
                if base is not None:
                    base.add_profiler()
                    out = work / f"prof-base-{size}"
                    res |= profiled(site, a_set, args, out, base, "_baseline")
            except RuntimeError as exc:  # the figures above stand without the profile
                print(f"  profiled run failed: {exc}", flush=True)
        if first and args.inline:
            inline = crawl_settings(c8, extract=True, warc=True, workers=0)
            res["a_inline"] = crawl(site, work / f"a0-{size}", inline, args.timeout, here)
            _say("(a0) full crawl, inline", res["a_inline"])
    res["s"] = stage_ceilings(res["a"]["warc"], work / f"s-{size}", args.timeout)
    _say("(s) WARC + state replayed", res["s"])
    pairs = []
    for turn in range(args.repeat):
        a, c = res[_key("a", turn)], res[_key("c", turn)]
        costs = model.per_article_costs(a, res["b0"], res["b"], c, res["s"], cores)
        limit = model.model_limit(costs, cores)
        pairs.append({
            "a": a["articles_per_s"], "c": c["articles_per_s"], "L": round(limit, 1),
            "a_over_L": round((a["articles_per_s"] or 0) / limit, 3),
            "load": a["load"] + c["load"], "costs": costs,
            "reactor_limit": model.reactor_limit(a),
        })  # fmt: skip
    middle = sorted(pairs, key=lambda p: p["a_over_L"])[(len(pairs) - 1) // 2]
    res["pairs"] = [{k: v for k, v in p.items() if k != "costs"} for p in pairs]
    res["costs_ms"] = {k: round(1000 * v, 3) for k, v in middle["costs"].items()}
    res["ceilings"] = model.ceilings(middle["costs"], cores)
    res["L"] = middle["L"]
    res["load_after"] = load()
    res["a_over_L"] = round(median(p["a_over_L"] for p in pairs), 3)
    a_rate = res["a_median"] = median_rate(res, "a", args.repeat)
    res["c_median"] = median_rate(res, "c", args.repeat)
    print(f"  CPU ms per article by stage: {json.dumps(res['costs_ms'])}")
    print(f"  stage ceilings, articles/s on {cores} cores: {json.dumps(res['ceilings'])}")
    for n, p in enumerate(res["pairs"]):
        print(f"  pair {n + 1}: a = {p['a']}, c = {p['c']}, L = {p['L']}, a/L = "
              f"{p['a_over_L']}; (a)'s reactor thread alone allows {p['reactor_limit']} "
              f"(load average {p['load']})")  # fmt: skip
    print(
        f"  a/L = {res['a_over_L']}, the median of {len(pairs)} same-load pairs; a = {a_rate} "
        f"(median); load average {res['load_before']} before, {res['load_after']} after",
        flush=True,
    )
    if base is not None:
        b_rate = res["base_median"] = median_rate(res, "base", args.repeat)
        res["a_over_baseline"] = round(a_rate / b_rate, 3)
        ratios = [
            round((res[_key("a", t)]["articles_per_s"] or 0) / b, 3)
            for t in range(args.repeat)
            if (b := res[_key("base", t)]["articles_per_s"])
        ]
        res["a_over_baseline_pairs"] = ratios
        print(
            f"  a / baseline {base.revision} = {a_rate} / {b_rate} = {res['a_over_baseline']}"
            f" (medians; pair by pair {ratios})"
        )
    return res


def network_like(size: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"size": size, "delay": args.delay, "concurrency": args.concurrency}
    with replica(size, args.delay, work) as site:
        print(f"N={size}, delay {args.delay}s: replica {site.base}", flush=True)
        a_set = crawl_settings(args.concurrency, True, True, args.workers)
        res["a"] = crawl(site, work / f"lat-a-{size}", a_set, args.timeout, this_checkout())
        _say(f"(a) full crawl, concurrency {args.concurrency}", res["a"])
        res["d"] = wget(site.base, work / f"lat-d-{size}", args.wget_seconds)
        _say("(d) wget -r, concurrency 1", res["d"])
    res["a_over_d"] = round(res["a"]["pages_per_s"] / res["d"]["pages_per_s"], 2)
    print(f"  a/d = {res['a_over_d']} (pages/s)", flush=True)
    return res


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl_bench", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--baseline", default="", help="git revision to crawl beside this one")
    parser.add_argument("--repeat", type=int, default=1, help="(a) runs (and baseline runs)")
    parser.add_argument("--latency-size", type=int, default=None, help="N for the delay regime")
    parser.add_argument("--no-latency", action="store_true", help="skip the delay regime")
    parser.add_argument("--delay", type=float, default=0.1, help="network-like delay, seconds")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="per domain")
    parser.add_argument("--workers", type=int, default=None, help="extraction workers (a)")
    parser.add_argument("--wget-seconds", type=float, default=30.0, help="how long wget runs")
    parser.add_argument("--inline", action="store_true", help="also (a0): extraction inline")
    parser.add_argument("--no-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled run")
    parser.add_argument("--workdir", type=Path, default=None, help="keep outputs here")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON and profile here")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per run, seconds")
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1:
        parser.error("--sizes needs positive article counts, --repeat at least 1")
    args.stamp = time.strftime("%Y%m%dT%H%M%S")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    become_subreaper()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="warta-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    print(f"warta crawl benchmark: {cores} cores, sizes {args.sizes}, work in {work}", flush=True)
    with ExitStack() as stack:
        base = stack.enter_context(checkout(args.baseline)) if args.baseline else None
        try:
            runs = [cpu_bound(n, args, work, i == 0, base) for i, n in enumerate(args.sizes)]
            latency = None
            if not args.no_latency:
                latency = network_like(args.latency_size or args.sizes[0], args, work)
        finally:
            if args.workdir is None:
                shutil.rmtree(work, ignore_errors=True)
    small, large = runs[0], runs[-1]
    result: dict[str, Any] = {
        "articles_per_s": large["a_median"],
        "articles_per_s_runs": [large[_key("a", t)]["articles_per_s"] for t in range(args.repeat)],
        "pages_per_s": large["a"]["pages_per_s"],
        "fetch_ceiling_articles_per_s": large["ceilings"]["fetch"],
        "extract_ceiling_articles_per_s": large["c_median"],
        "stage_ceilings_articles_per_s": large["ceilings"],
        "stage_ms_per_article": large["costs_ms"],
        "model_limit_articles_per_s": large["L"],
        "a_over_L": large["a_over_L"],
        "a_over_L_pairs": large["pairs"],
        "reactor_limit_articles_per_s": median(p["reactor_limit"] for p in large["pairs"]),
        "requisite_pages": large["requisites"],
        "stage_cpu_s": small.get("stage_cpu_s"),
        "profiled_articles": small.get("prof", {}).get("articles"),
        "flame_graph": small.get("flame"),
        "stage_cpu_s_baseline": small.get("stage_cpu_s_baseline"),
        "flame_graph_baseline": small.get("flame_baseline"),
        "latency_pages_per_s": latency["a"]["pages_per_s"] if latency else None,
        "wget_latency_pages_per_s": latency["d"]["pages_per_s"] if latency else None,
        "latency_concurrency_per_domain": args.concurrency,
        "peak_rss_mb_small": small["a"]["peak_rss_mb"],
        "peak_rss_mb_large": large["a"]["peak_rss_mb"],
        "load_average": [small["load_before"], large["load_after"]],
        "cores": cores,
    }
    if base is not None:
        result["baseline"] = f"{base.revision} ({base.commit})"
        result["baseline_articles_per_s"] = large["base_median"]
        result["baseline_articles_per_s_runs"] = [
            large[_key("base", t)]["articles_per_s"] for t in range(args.repeat)
        ]
        result["a_over_baseline"] = large["a_over_baseline"]
        result["a_over_baseline_pairs"] = large["a_over_baseline_pairs"]
    speed = measure_extraction()
    print(
        f"extraction, same pages, same run: warta {speed['extract_ms_per_page']} ms/page, "
        f"trafilatura {speed['trafilatura_ms_per_page']} ms/page (CPU: warta "
        f"{speed['extract_cpu_ms_per_page']}, trafilatura {speed['trafilatura_cpu_ms_per_page']})",
        flush=True,
    )
    result.update(speed)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{args.stamp}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
