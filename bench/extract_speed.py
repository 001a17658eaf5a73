"""warta's extraction ms/page beside trafilatura's default, same pages, same process, same run.

Both get the same decoded HTML; the order alternates page by page so neither always runs on
a warm cache. Pages: an even spread of the real pages (``../shared/realpages/``) when they
are there, else rendered niaga replica articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from statistics import fmean

import trafilatura

from crawler.extraction.article import decode_html, extract_article


def _pages(count: int, root: Path | None = None) -> list[tuple[str, str]]:
    from bench.eval.realpages import DEFAULT_ROOT, MissingPages, find_sets, load_set

    root = root or DEFAULT_ROOT
    try:
        sets = find_sets(root)
    except MissingPages:
        from bench.eval.dataset import niaga_articles

        return [(a.pages[a.url], a.url) for a in niaga_articles(count)]
    per_set = max(1, count // len(sets))
    return [(decode_html(p.html()), p.url) for name in sets for p in load_set(root, name, per_set)]


def measure(count: int = 60, root: Path | None = None) -> dict[str, float]:
    pages = _pages(count, root)
    extract_article(*pages[0])  # word lists and caches load once, outside the timing
    trafilatura.extract(pages[0][0])
    wall: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for i, (html, url) in enumerate(pages):
        for warta_turn in (True, False) if i % 2 == 0 else (False, True):
            start, start_cpu = time.perf_counter(), time.process_time()
            if warta_turn:
                extract_article(html, url)
            else:
                trafilatura.extract(html, url=url)
            wall[warta_turn].append((time.perf_counter() - start) * 1000)
            cpu[warta_turn].append((time.process_time() - start_cpu) * 1000)
    return {
        "extract_pages": float(len(pages)),
        "extract_ms_per_page": round(fmean(wall[True]), 2),
        "trafilatura_ms_per_page": round(fmean(wall[False]), 2),
        # CPU time of this one process: on a shared box the wall clock also counts waiting.
        "extract_cpu_ms_per_page": round(fmean(cpu[True]), 2),
        "trafilatura_cpu_ms_per_page": round(fmean(cpu[False]), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract_speed", description=__doc__)
    parser.add_argument("--pages", type=int, default=60, help="how many pages to time")
    parser.add_argument(
        "--root", type=Path, default=None, help="the realpages folder (default ../shared/realpages)"
    )
    args = parser.parse_args(argv)
    result = measure(args.pages, args.root)
    print(
        f"extraction: warta {result['extract_ms_per_page']:.1f} ms/page, trafilatura "
        f"{result['trafilatura_ms_per_page']:.1f} ms/page ({result['extract_pages']:.0f} pages); "
        f"CPU: warta {result['extract_cpu_ms_per_page']:.1f}, trafilatura "
        f"{result['trafilatura_cpu_ms_per_page']:.1f} ms/page"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
