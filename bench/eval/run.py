"""``python -m bench.eval.run`` (``make eval``): warta against its peers on real pages.

Reads every set under ``--pages`` (default ``../shared/realpages/`` beside the repository),
runs warta, trafilatura (defaults and favor_precision), readability-lxml and newspaper4k on
each page in the same process, and prints per set: body P/R/F1 (the README's bag-of-words
metric), title and date-day accuracy where known, caption recall where labelled, ms/page,
then the worst pages of each system, and as its last line one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from lxml import html

from bench.eval import audit
from bench.eval.peers import predict_all
from bench.eval.realpages import DEFAULT_ROOT, MissingPages, RealPage, find_sets, load_set
from bench.eval.realscore import PageScore, score_page, summarise
from crawler.extraction.article import decode_html

MAX_PROCESSES = 2  # the box has two cores, shared
ALL_SETS = "all sets"
COLUMNS = (
    ("body_p", "body P"),
    ("body_r", "body R"),
    ("body_f1", "body F1"),
    ("title", "title"),
    ("date", "date"),
    ("caption_recall", "capt R"),
    ("ms_per_page", "ms/page"),
    ("errors", "errors"),
)

Scores = dict[str, dict[str, list[PageScore]]]  # set -> system -> page scores


def _score_one(job: tuple[int, RealPage, Path | None]) -> tuple[str, dict[str, PageScore]]:
    index, page, cache = job
    key = f"{page.set_name}.{page.key}"
    data = page.html()
    predictions = predict_all(data, page.url, rotate=index, cache=cache, key=key)
    scores = {name: score_page(page, pred) for name, pred in predictions.items()}
    title_written = day_written = None
    if page.title or page.date_day:
        text = decode_html(data)
        if page.title:
            title_written = audit.title_written(html.document_fromstring(text), page.title)
        if page.date_day:
            day_written = audit.day_written(text, date.fromisoformat(page.date_day))
    for page_score in scores.values():
        page_score.title_written, page_score.day_written = title_written, day_written
    return page.set_name, scores


def _results(jobs: list[tuple[int, RealPage, Path | None]], processes: int) -> Iterator[Any]:
    if processes <= 1:
        yield from map(_score_one, jobs)
        return
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        yield from pool.imap(_score_one, jobs, chunksize=4)


def evaluate(
    pages: Sequence[RealPage], processes: int = MAX_PROCESSES, cache: Path | None = None
) -> Scores:
    scores: Scores = {}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    jobs = [(i, page, cache) for i, page in enumerate(pages)]
    for done, (set_name, by_system) in enumerate(_results(jobs, processes), 1):
        for group in (set_name, ALL_SETS):
            for name, page_score in by_system.items():
                scores.setdefault(group, {}).setdefault(name, []).append(page_score)
        if done % 100 == 0:
            print(f"  {done}/{len(jobs)} pages", file=sys.stderr, flush=True)
    if len({p.set_name for p in pages}) < 2:
        scores.pop(ALL_SETS, None)
    return scores


def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    if key == "ms_per_page":
        return f"{value:.1f}"
    if key == "errors":
        return f"{value:.0f}"
    return f"{value:.3f}"


def table(summaries: dict[str, dict[str, dict[str, float | None]]]) -> str:
    head = ["set", "system", "pages", *(label for _, label in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for group, systems in summaries.items():
        for name, values in systems.items():
            cells = [_cell(key, values[key]) for key, _ in COLUMNS]
            row = [group, name, f"{values['pages']:.0f}", *cells]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def worst_pages(scores: Scores, count: int) -> str:
    lines = []
    for group, systems in scores.items():
        if group == ALL_SETS:
            continue
        for name, page_scores in systems.items():
            worst = sorted(page_scores, key=lambda s: s.f1)[:count]
            cells = ", ".join(
                f"{s.key[:16]} F1 {s.f1:.2f} (P {s.p:.2f} R {s.r:.2f})"
                + (f" [{s.extractor}]" if s.extractor else "")
                for s in worst
            )
            lines.append(f"- {group} / {name}: {cells}")
    return "\n".join(lines)


def ceilings(summaries: dict[str, dict[str, dict[str, float | None]]]) -> str:
    """Per set, the share of reference titles and days the page itself writes."""
    lines = []
    for group, systems in summaries.items():
        values = next(iter(systems.values()))
        cells = [
            f"{label} {values[key]:.3f}"
            for key, label in (("title_ceiling", "titles"), ("date_ceiling", "days"))
            if values[key] is not None
        ]
        if cells:
            lines.append(f"- {group}: " + ", ".join(cells))
    return "\n".join(lines)


def chosen(scores: Scores) -> str:
    """How often each of warta's candidates won, per set."""
    lines = []
    for group, systems in scores.items():
        counts = Counter(s.extractor or "none" for s in systems.get("warta", []))
        lines.append(f"- {group}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval.run", description=__doc__)
    parser.add_argument("--pages", type=Path, default=DEFAULT_ROOT, help="the realpages folder")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages per set")
    parser.add_argument("--processes", type=int, default=MAX_PROCESSES, help="at most 2")
    parser.add_argument(
        "--peer-cache", type=Path, default=None,
        help="reuse the peers' predictions from this folder (for iterating on warta only)",
    )  # fmt: skip
    parser.add_argument("--worst", type=int, default=3, help="worst pages listed per system")
    args = parser.parse_args(argv)
    try:
        available = find_sets(args.pages)
    except MissingPages as exc:
        print(f"make eval: {exc}", file=sys.stderr)
        return 2
    wanted = [s.strip() for s in args.sets.split(",") if s.strip()] or available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; available: {', '.join(available)}")
    pages = [p for name in wanted for p in load_set(args.pages, name, args.limit)]
    processes = max(1, min(args.processes, MAX_PROCESSES))
    print(f"warta extraction on real pages: {len(pages)} pages from {', '.join(wanted)}")
    scores = evaluate(pages, processes, args.peer_cache)
    summaries = {g: {n: summarise(s) for n, s in systems.items()} for g, systems in scores.items()}
    print()
    print(table(summaries))
    print()
    print("references the page itself writes (the most any extractor can get right):")
    print(ceilings(summaries))
    print()
    print("warta's winning candidates:")
    print(chosen(scores))
    print()
    print(f"worst pages (lowest body F1) per system:\n{worst_pages(scores, args.worst)}")
    print()
    print(
        "body: bag-of-words P/R/F1 (realpages README), mean over pages; title: same words as "
        "the reference; date: publication day (in the extractor's own offset against a calendar "
        "day, in WIB against an instant); capt R: labelled captions found (or caption starts); "
        "ms/page: the system's own call, same process, same pages; –: no reference or no such "
        "output."
    )
    rounded = {
        g: {
            n: {k: (round(v, 4) if v is not None else None) for k, v in vals.items()}
            for n, vals in systems.items()
        }
        for g, systems in summaries.items()
    }
    overall = rounded.get(ALL_SETS) or next(iter(rounded.values()))
    print(
        json.dumps(
            {
                "sets": rounded,
                "extract_ms_per_page": overall["warta"]["ms_per_page"],
                "trafilatura_ms_per_page": overall["trafilatura"]["ms_per_page"],
            },
            ensure_ascii=False,
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
