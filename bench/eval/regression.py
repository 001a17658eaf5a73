"""``python -m bench.eval.regression``: the self-written pages, now regression checks only.

They were written by the same hands as the site rules, so they say whether a rule still
works, not how good extraction is: that is ``make eval`` on real pages (``bench.eval.run``).

Prints one table per group of pages (niaga replica, portal replica, hand-made layouts) and
overall, then, as its last line, one JSON object with the headline numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.eval.dataset import EvalArticle, build_dataset
from bench.eval.metrics import Score, Summary, score, summarise
from bench.eval.systems import SYSTEMS

COLUMNS = (
    ("body_p", "body P"),
    ("body_r", "body R"),
    ("body_f1", "body F1"),
    ("title", "title"),
    ("date", "date"),
    ("timestamp", "time"),
    ("caption_recall", "capt R"),
    ("caption_credit", "credit"),
    ("editor", "editor"),
    ("tags", "tags"),
    ("caption_leaks", "leaks"),
)
OVERALL = "all pages"


@dataclass
class Results:
    """Summaries by group (and ``OVERALL``), then by system name."""

    by_group: dict[str, dict[str, Summary]]

    def value(self, group: str, system: str, key: str) -> float | None:
        return self.by_group[group][system].values[key]


def evaluate(articles: Sequence[EvalArticle]) -> Results:
    scores: dict[str, dict[str, list[Score]]] = {}
    for article in articles:
        for name, system in SYSTEMS.items():
            prediction = system(article)
            for group in (article.group, OVERALL):
                scores.setdefault(group, {}).setdefault(name, []).append(
                    score(prediction, article.label)
                )
    order = [g for g in scores if g != OVERALL] + [OVERALL]
    return Results({g: {n: summarise(s) for n, s in scores[g].items()} for g in order})


def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    if key == "caption_leaks":
        return f"{value:.0f}"
    return f"{value:.3f}"


def table(results: Results) -> str:
    """A Markdown table: one row per (group, system)."""
    head = ["pages", "system", "n", *(label for _, label in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for group, systems in results.by_group.items():
        for name, summary in systems.items():
            cells = [_cell(key, summary.values[key]) for key, _ in COLUMNS]
            lines.append(f"| {group} | {name} | {summary.articles} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def headline(results: Results) -> dict[str, Any]:
    def pick(group: str) -> dict[str, dict[str, float | None]]:
        return {
            name: {k: (round(v, 4) if v is not None else None) for k, v in s.values.items()}
            for name, s in results.by_group[group].items()
        }

    overall = results.by_group[OVERALL]
    return {
        "articles": next(iter(overall.values())).articles,
        "overall": pick(OVERALL),
        "hand_made": pick("hand-made") if "hand-made" in results.by_group else None,
        "generic_f1_minus_trafilatura": round(
            (overall["warta generic"].values["body_f1"] or 0)
            - (overall["trafilatura"].values["body_f1"] or 0),
            4,
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval.regression", description=__doc__)
    parser.add_argument("--niaga", type=int, default=30, help="niaga replica articles")
    parser.add_argument("--portal", type=int, default=30, help="portal replica articles")
    args = parser.parse_args(argv)
    articles = build_dataset(args.niaga, args.portal)
    pages = sum(len(a.pages) for a in articles)
    results = evaluate(articles)
    print(f"warta extraction evaluation: {len(articles)} articles on {pages} pages")
    print()
    print(table(results))
    print()
    print(
        "body: word-level precision/recall/F1 (mean over articles); title, date (day), time "
        "(full timestamp), editor and tags: share exactly right; capt R: caption recall; "
        "credit: right credit among recalled captions; leaks: caption texts found in the body; "
        "–: the system does not produce the field."
    )
    print(json.dumps(headline(results), ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
