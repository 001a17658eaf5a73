"""Real article pages with reference text, read from ``../shared/realpages/`` (never copied).

A set is any folder holding ``ground-truth.json`` whose records name an ``html/`` file
(gzipped or not), the page ``url`` and its ``articleBody``; ``title``, ``date_day``,
``date_epoch_ms``, ``captions`` and ``caption_starts`` (the first characters of one caption the
page shows) are used where a set gives them. The folder's README
(one level up) describes the format and the licences. Caption labels the sets lack are
merged in from ``bench/eval/labels/captions.json`` (hand-made; see the README there).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.config.sites import PACKAGE_ROOT

DEFAULT_ROOT = PACKAGE_ROOT.parent / "shared" / "realpages"
GROUND_TRUTH = "ground-truth.json"
CAPTION_LABELS = Path(__file__).parent / "labels" / "captions.json"


class MissingPages(RuntimeError):
    """The real pages are not where the evaluation looks for them."""


@dataclass
class RealPage:
    """One page and what is known about it; the HTML is read only when asked for."""

    set_name: str
    key: str
    url: str
    path: Path
    body: str
    title: str | None = None
    date_day: str | None = None  # the publisher's calendar day, YYYY-MM-DD
    date_instant: datetime | None = None  # from date_epoch_ms, when a set gives instants
    captions: list[str] | None = None  # None: the set does not label captions
    caption_starts: bool = False  # the labels are only each caption's first characters
    extra: dict[str, Any] = field(default_factory=dict)

    def html(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _captions(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if isinstance(item, dict):
            item = " ".join(str(item.get(k) or "") for k in ("text", "credit"))
        if str(item).strip():
            out.append(str(item))
    return out


def _page(set_name: str, folder: Path, key: str, record: dict[str, Any]) -> RealPage:
    captions, starts = _captions(record.get("captions")), False
    if captions is None and record.get("caption_starts"):
        value = record["caption_starts"]
        captions, starts = _captions(value if isinstance(value, list) else [value]), True
    instant = None
    if isinstance(record.get("date_epoch_ms"), int | float):
        instant = datetime.fromtimestamp(record["date_epoch_ms"] / 1000, tz=UTC)
    return RealPage(
        set_name=set_name,
        key=key,
        url=str(record.get("url") or f"https://example.invalid/{key}"),
        path=folder / str(record["file"]),
        body=str(record.get("articleBody") or ""),
        title=record.get("title") or None,
        date_day=record.get("date_day") or None,
        date_instant=instant,
        captions=captions,
        caption_starts=starts,
    )


def find_sets(root: Path) -> list[str]:
    """Names of the folders under ``root`` that are sets in the realpages format."""
    if not root.is_dir():
        raise MissingPages(
            f"no real pages at {root}: the evaluation reads them from ../shared/realpages/ "
            "beside the repository (see that folder's README); pass --pages DIR to look elsewhere"
        )
    names = sorted(p.parent.name for p in root.glob(f"*/{GROUND_TRUTH}"))
    if not names:
        raise MissingPages(f"{root} holds no set (no */{GROUND_TRUTH})")
    return names


def caption_labels(name: str, path: Path = CAPTION_LABELS) -> dict[str, list[str]]:
    """The project's own caption labels for a set: page key -> captions (credit included)."""
    if not path.is_file():
        return {}
    labels = json.loads(path.read_text(encoding="utf-8")).get(name) or {}
    return {key: list(map(str, caps)) for key, caps in labels.items() if isinstance(caps, list)}


def load_set(
    root: Path, name: str, limit: int | None = None, labels: Path = CAPTION_LABELS
) -> list[RealPage]:
    """The set's pages in key order; with ``limit``, an even spread of that many.

    A page the set gives no ``captions`` takes those of the project's label file, if any.
    """
    folder = root / name
    records = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
    pages = [_page(name, folder, key, records[key]) for key in sorted(records)]
    extra = caption_labels(name, labels)
    for page in pages:
        if page.captions is None and page.key in extra:
            page.captions = extra[page.key]
    pages = [p for p in pages if p.body.strip()]
    if limit is not None and 0 < limit < len(pages):
        step = len(pages) / limit
        pages = [pages[int(i * step)] for i in range(limit)]
    return pages
