"""The attention chart's geometry and the numbers behind it (no servers)."""

from __future__ import annotations

from datetime import date

from flows.explore.chart import HEIGHT, LEFT, WIDTH, line_chart, nice_ceiling
from flows.explore.queries import Point, periods, site_totals

MARCH = [date(2023, 3, d) for d in (3, 4, 5)]
POINTS = [
    Point(MARCH[0], "niaga", 2, 8), Point(MARCH[1], "niaga", 0, 8), Point(MARCH[2], "niaga", 7, 8),
    Point(MARCH[0], "kabarbenua", 1, 4), Point(MARCH[1], "kabarbenua", 3, 4),
    Point(MARCH[2], "kabarbenua", 0, 0),
]  # fmt: skip


def test_one_line_per_site_inside_the_frame() -> None:
    chart = line_chart(POINTS, "count", "day")
    assert [s.site for s in chart.series] == ["kabarbenua", "niaga"]
    for series in chart.series:
        assert len(series.dots) == 3
        assert all(LEFT <= d.x <= WIDTH and 0 <= d.y <= HEIGHT for d in series.dots)
    niaga = chart.series[1].dots
    assert niaga[2].y < niaga[0].y < niaga[1].y  # 7 above 2 above 0
    assert niaga[0].label == "niaga, 2023-03-03: 2 of 8 stories (25.0 %)"
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10"]  # 7 rounds up to 10
    share = line_chart(POINTS, "share", "day")
    assert share.series[0].dots[1].label.endswith("3 of 4 stories (75.0 %)")
    assert [t.label for t in share.y_ticks][-1] == "100 %"
    assert line_chart([], "count", "day").empty


def test_periods_and_totals() -> None:
    assert periods(date(2022, 12, 1), date(2023, 2, 1), "month") == [
        date(2022, 12, 1), date(2023, 1, 1), date(2023, 2, 1)
    ]  # fmt: skip
    assert periods(date(2023, 3, 6), date(2023, 3, 20), "week") == [
        date(2023, 3, 6), date(2023, 3, 13), date(2023, 3, 20)
    ]  # fmt: skip
    totals = site_totals(POINTS)
    assert [(t.site, t.matching, t.total) for t in totals] == [("niaga", 9, 24),
                                                                ("kabarbenua", 4, 8)]  # fmt: skip
    assert [nice_ceiling(v) for v in (0, 0.3, 7, 10, 11, 250)] == [1, 0.5, 10, 10, 20, 500]
