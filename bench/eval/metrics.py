"""Scores of one prediction against one label, and their aggregation per system and group.

Body text is scored on words (lower-cased ``\\w+`` tokens, as a bag): precision is the share
of extracted words that belong to the body, recall the share of body words extracted.
Dates are compared as days in the label's own offset and, where the extractor gives one, as
instants. A caption counts as recalled when an extracted caption has the same words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any

from bench.eval.systems import Prediction

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold())


def norm(text: str | None) -> str:
    return " ".join(words(text))


def prf(predicted: str, expected: str) -> tuple[float, float, float]:
    got, want = Counter(words(predicted)), Counter(words(expected))
    overlap = sum((got & want).values())
    p = overlap / sum(got.values()) if got else 0.0
    r = overlap / sum(want.values()) if want else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _day_in_label_zone(pred: Prediction, published: str) -> str | None:
    if pred.timestamp:
        want = datetime.fromisoformat(published)
        return datetime.fromisoformat(pred.timestamp).astimezone(want.tzinfo).date().isoformat()
    return pred.day


@dataclass
class Score:
    p: float
    r: float
    f1: float
    title: bool
    day: bool
    timestamp: bool | None  # None: the system gives no time of day
    captions_found: int | None  # None: the system gives no captions
    captions_total: int
    credits_right: int | None
    editor: bool | None
    tags: bool
    caption_leaks: int  # GT captions whose words appear in the extracted body


def score(pred: Prediction, label: dict[str, Any]) -> Score:
    body = "\n\n".join(label["paragraphs"])
    p, r, f = prf(pred.text, body)
    want_time = datetime.fromisoformat(label["published"])
    timestamp = None
    if pred.timestamp is not None or pred.captions is not None:  # warta: a missing time is wrong
        timestamp = (
            pred.timestamp is not None and datetime.fromisoformat(pred.timestamp) == want_time
        )
    captions = label["captions"]
    found = credits = None
    if pred.captions is not None:
        found = credits = 0
        for caption in captions:
            same = [c for c in pred.captions if norm(c[0]) == norm(caption["text"])]
            right = [c for c in same if norm(c[1]) == norm(caption["credit"])]
            if right or same:
                match = (right or same)[0]
                found += 1
                credits += norm(match[1]) == norm(caption["credit"])
    body_norm = norm(pred.text)
    leaks = sum(1 for c in captions if norm(c["text"]) and norm(c["text"]) in body_norm)
    return Score(
        p=p,
        r=r,
        f1=f,
        title=norm(pred.title) == norm(label["title"]),
        day=_day_in_label_zone(pred, label["published"]) == want_time.date().isoformat(),
        timestamp=timestamp,
        captions_found=found,
        captions_total=len(captions),
        credits_right=credits,
        editor=(norm(pred.editor) == norm(label["editor"])) if pred.has_editor else None,
        tags=sorted(map(norm, pred.tags)) == sorted(map(norm, label["tags"])),
        caption_leaks=leaks,
    )


@dataclass
class Summary:
    """Means over articles (micro over captions); None where the system lacks the field."""

    articles: int = 0
    values: dict[str, float | None] = field(default_factory=dict)


def _mean(values: list[bool] | list[float]) -> float:
    return fmean(float(v) for v in values) if values else 0.0


def summarise(scores: list[Score]) -> Summary:
    total_captions = sum(s.captions_total for s in scores)
    has_captions = all(s.captions_found is not None for s in scores)
    timestamps = [s.timestamp for s in scores if s.timestamp is not None]
    editors = [s.editor for s in scores if s.editor is not None]
    found = sum(s.captions_found or 0 for s in scores)
    values: dict[str, float | None] = {
        "body_p": _mean([s.p for s in scores]),
        "body_r": _mean([s.r for s in scores]),
        "body_f1": _mean([s.f1 for s in scores]),
        "title": _mean([s.title for s in scores]),
        "date": _mean([s.day for s in scores]),
        "timestamp": _mean(timestamps) if len(timestamps) == len(scores) else None,
        "caption_recall": found / total_captions if has_captions and total_captions else None,
        "caption_credit": (
            sum(s.credits_right or 0 for s in scores) / found if has_captions and found else None
        ),
        "editor": _mean(editors) if len(editors) == len(scores) else None,
        "tags": _mean([s.tags for s in scores]),
        "caption_leaks": float(sum(s.caption_leaks for s in scores)),
    }
    return Summary(articles=len(scores), values=values)
