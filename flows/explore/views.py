"""The explorer's pages: Jinja templates shipped with the package, autoescaped.

Every value a page shows (a title, a query, a caption, an error message) goes through
Jinja's HTML escaping, so text from the archive or from the address bar is shown as text.
The views gather what a page needs from :mod:`flows.explore.queries` and hand it over.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape

from crawler import __version__
from flows.explore.chart import Chart, line_chart
from flows.explore.downloads import RECORD_LIMIT
from flows.explore.queries import ArchiveIndex, Point, site_totals
from flows.explore.replay import replay_address
from flows.explore.search import INTERVALS, MEASURES, Search

SAMPLES = 20
WORD_SAMPLE = 2000


def opening(text: str | None, limit: int = 320) -> str:
    """The first lines of a story: its first paragraphs, cut at a word near ``limit``."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


_env = Environment(
    loader=PackageLoader("flows.explore", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["opening"] = opening


def prepare() -> None:
    for name in ("search.html", "story.html", "error.html"):
        _env.get_template(name)  # compiled once, then cached by the environment


def render(template: str, **values: Any) -> bytes:
    values.setdefault("version", __version__)
    return _env.get_template(template).render(**values).encode("utf-8")


@dataclass
class Results:
    count: int
    chart: Chart
    totals: list[Point]
    words: list[tuple[str, int]]
    samples: list[dict[str, Any]]
    scope: str
    seconds: float


def scope_text(search: Search, groups: dict[str, list[str]]) -> str:
    chosen = search.chosen_sites(groups)
    where = ", ".join(chosen) if chosen else "every site"
    if search.since or search.until:
        where += f", from {search.since or 'the first day'} to {search.until or 'the last day'}"
    return where


def search_page(
    index: ArchiveIndex, search: Search, groups: dict[str, list[str]], archive: str
) -> bytes:
    started = time.monotonic()
    results = None
    if search.ok:
        points = index.attention(search, groups)  # one query for the chart and the totals
        totals = site_totals(points)
        results = Results(
            count=sum(p.matching for p in totals),
            chart=line_chart(points, search.measure, search.every),
            totals=totals,
            words=index.top_words(search, groups, sample=WORD_SAMPLE),
            samples=index.samples(search, groups, SAMPLES),
            scope=scope_text(search, groups),
            seconds=0.0,
        )
    first, last = index.span()
    page = dict(
        search=search,
        results=results,
        sites=index.sites(),
        groups=groups,
        sections=index.choices("section"),
        authors=index.choices("author"),
        first=first,
        last=last,
        intervals=INTERVALS,
        measures=MEASURES,
        qs=search.query_string(),
        archive=archive,
        record_limit=RECORD_LIMIT,
        word_sample=WORD_SAMPLE,
    )
    if results is not None:
        results.seconds = time.monotonic() - started
    return render("search.html", **page)


def capture_stamp(when: datetime | None) -> str:
    return when.strftime("%Y%m%d%H%M%S") if when else "99991231235959"  # then the latest


def story_page(story: dict[str, Any], back: str, archive: str) -> bytes:
    fetched: datetime | None = story.get("fetch_time")
    stamp = capture_stamp(fetched)
    text = story.get("text") or ""
    return render(
        "story.html",
        story=story,
        paragraphs=[p.strip() for p in text.split("\n\n") if p.strip()],
        captured=fetched.strftime("%Y-%m-%d %H:%M:%S") if fetched else "unknown",
        replay=replay_address(stamp, story["url"]),
        raw=replay_address(stamp, story["url"], raw=True),
        back=back,
        archive=archive,
    )


def error_page(status: int, reason: str, message: str, archive: str) -> bytes:
    return render("error.html", status=status, reason=reason, message=message, archive=archive)


def story_link(url: str) -> str:
    return "/story?" + urlencode({"url": url})
