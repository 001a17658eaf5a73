"""Scores on real pages: the realpages README's bag-of-words body metric, titles, days, captions.

Body: both texts lower-cased and split into Unicode ``\\w+`` words; the overlap is the sum of
the smaller count of each word; P = overlap / extracted words, R = overlap / reference words,
F1 their harmonic mean (0 without overlap), averaged over the pages of a set.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from statistics import fmean

from bench.eval.peers import Prediction
from bench.eval.realpages import RealPage

_WORD = re.compile(r"\w+")
CAPTION_COVER = 0.8  # share of a labelled caption's words a found caption must hold
STARTS_LENGTH = 40  # a ``caption_starts`` label this long may end inside a word
WIB = timezone(timedelta(hours=7), "WIB")  # the day of a set's instants is the publisher's


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def bag_prf(extracted: str, reference: str) -> tuple[float, float, float]:
    got, want = Counter(words(extracted)), Counter(words(reference))
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    p, r = overlap / sum(got.values()), overlap / sum(want.values())
    return p, r, 2 * p * r / (p + r)


def _parse(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _predicted_day(published: str | None, page: RealPage) -> date | None:
    """The predicted day: in the prediction's own offset for a ``date_day`` reference (the
    publisher's calendar day), in WIB for an instant (Indonesian publishers write WIB)."""
    value = _parse(published)
    if value is None:
        return None
    if page.date_day is None and page.date_instant is not None and value.tzinfo is not None:
        value = value.astimezone(WIB)
    return value.date()


def _true_day(published: str | None, page: RealPage) -> date | None:
    if page.date_day:
        return date.fromisoformat(page.date_day)
    if page.date_instant is None:
        return None
    return page.date_instant.astimezone(WIB).date()


@dataclass
class PageScore:
    key: str
    url: str
    p: float
    r: float
    f1: float
    ms: float
    title: bool | None  # None: the page has no reference title
    day: bool | None  # None: the page has no reference date
    captions_found: int | None  # None: no caption labels, or the system has no captions
    captions_total: int
    extractor: str | None = None
    error: str | None = None
    title_written: bool | None = None  # the reference title is written in the page (audit.py)
    day_written: bool | None = None  # the reference day is written in the page (audit.py)


def _caption_found(label: str, found: list[str], starts: bool = False) -> bool:
    """A found caption holds most of the label's words; a ``caption_starts`` label may end
    in a cut word, which is then left out."""
    label_words = words(label)
    if starts and len(label) >= STARTS_LENGTH and label[-1:].isalnum() and len(label_words) > 1:
        label_words = label_words[:-1]
    want = Counter(label_words)
    total = sum(want.values())
    if not total:
        return False
    return any(sum((want & Counter(words(f))).values()) >= CAPTION_COVER * total for f in found)


def score_page(page: RealPage, pred: Prediction) -> PageScore:
    p, r, f = bag_prf(pred.text, page.body)
    title = None
    if page.title:
        title = words(pred.title) == words(page.title)
    day = None
    truth = _true_day(pred.published, page)
    if truth is not None:
        day = _predicted_day(pred.published, page) == truth
    found = None
    labels = page.captions or []
    if page.captions is not None and pred.captions is not None:
        found = sum(_caption_found(c, pred.captions, page.caption_starts) for c in labels)
    return PageScore(
        key=page.key,
        url=page.url,
        p=p,
        r=r,
        f1=f,
        ms=pred.ms,
        title=title,
        day=day,
        captions_found=found,
        captions_total=len(labels),
        extractor=pred.extractor,
        error=pred.error,
    )


def _share(values: list[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return fmean(float(v) for v in known) if known else None


def summarise(scores: list[PageScore]) -> dict[str, float | None]:
    """Means over pages; title and date over the pages that have them; captions micro."""
    with_captions = [s for s in scores if s.captions_found is not None and s.captions_total]
    total = sum(s.captions_total for s in with_captions)
    return {
        "pages": float(len(scores)),
        "body_p": fmean(s.p for s in scores) if scores else 0.0,
        "body_r": fmean(s.r for s in scores) if scores else 0.0,
        "body_f1": fmean(s.f1 for s in scores) if scores else 0.0,
        "title": _share([s.title for s in scores]),
        "date": _share([s.day for s in scores]),
        "caption_recall": (
            sum(s.captions_found or 0 for s in with_captions) / total if total else None
        ),
        "ms_per_page": fmean(s.ms for s in scores) if scores else 0.0,
        # The most any extractor reading the page can get right (see audit.py).
        "title_ceiling": _share([s.title_written for s in scores]),
        "date_ceiling": _share([s.day_written for s in scores]),
        "errors": float(sum(1 for s in scores if s.error)),
    }
