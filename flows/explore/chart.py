"""Attention over time as a line chart: the geometry of an SVG drawn on the server.

The page's template draws what :func:`line_chart` computes (one polyline per site, axis
ticks, a tooltip per point), so the chart needs no script and nothing from outside the
package; its numbers are the ones the CSV download gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flows.explore.queries import Point

COLOURS = ("#1f6fb4", "#d0661c", "#2e8b57", "#b03060", "#6a5acd", "#8b6914", "#20808d", "#555")
WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 30, 12, 36


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    site: str
    colour: str
    points: str  # "x,y x,y ..." for <polyline points=...>
    dots: list[Dot]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    series: list[Series] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    measure: str = "count"
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.series


def nice_ceiling(value: float) -> float:
    """The next round number (1, 2, 5 times a power of ten) at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _value(point: Point, measure: str) -> float:
    return point.share * 100 if measure == "share" else float(point.matching)


def _label(point: Point, measure: str, every: str) -> str:
    when = _period_label(point.period, every)
    return (
        f"{point.site}, {when}: {point.matching} of {point.total} stories "
        f"({point.share * 100:.1f} %)"
    )


def _period_label(day: date, every: str) -> str:
    if every == "month":
        return day.strftime("%Y-%m")
    if every == "week":
        return f"week of {day.isoformat()}"
    return day.isoformat()


def line_chart(points: Sequence[Point], measure: str = "count", every: str = "day") -> Chart:
    """One line per site over the periods of ``points`` (which hold every period)."""
    chart = Chart(measure=measure)
    periods = sorted({p.period for p in points})
    if not periods:
        return chart
    top = nice_ceiling(max(_value(p, measure) for p in points))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(periods) - 1, 1)
    x_of = {period: LEFT + i * step for i, period in enumerate(periods)}
    if len(periods) == 1:  # one week or month: its points in the middle, not on the axis
        x_of = {periods[0]: LEFT + plot_w / 2}

    def y_of(value: float) -> float:
        return TOP + plot_h - value / top * plot_h

    sites = sorted({p.site for p in points})
    for number, site in enumerate(sites):
        mine = sorted((p for p in points if p.site == site), key=lambda p: p.period)
        dots = [
            Dot(round(x_of[p.period], 1), round(y_of(_value(p, measure)), 1),
                _label(p, measure, every))
            for p in mine
        ]  # fmt: skip
        chart.series.append(
            Series(site, COLOURS[number % len(COLOURS)], " ".join(f"{d.x},{d.y}" for d in dots),
                   dots)
        )  # fmt: skip
    unit = " %" if measure == "share" else ""
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        value = top * fraction
        text = f"{value:g}{unit}" if measure == "share" or value == int(value) else ""
        if text:
            chart.y_ticks.append(Tick(round(y_of(value), 1), text))
    every_nth = max(1, math.ceil(len(periods) / 8))
    for i, period in enumerate(periods):
        if i % every_nth == 0:
            label = period.strftime("%Y-%m") if every == "month" else period.strftime("%d %b")
            chart.x_ticks.append(Tick(round(x_of[period], 1), label))
    return chart
