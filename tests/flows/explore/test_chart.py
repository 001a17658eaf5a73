"""The attention chart's geometry and the numbers behind it (no servers)."""

from __future__ import annotations

from datetime import date

from flows.explore.chart import (
    BOTTOM,
    COLOURS,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    line_chart,
    nice_ceiling,
)
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


def test_the_lines_span_the_plot_from_axis_to_axis() -> None:
    chart = line_chart(POINTS, "count", "day")
    assert (chart.measure, chart.left, chart.bottom) == ("count", LEFT, HEIGHT - BOTTOM)
    right, middle = WIDTH - RIGHT, (LEFT + WIDTH - RIGHT) / 2
    kabarbenua, niaga = chart.series
    assert [kabarbenua.colour, niaga.colour] == list(COLOURS[:2])  # one colour per site
    # The first period on the y axis, the last at the right edge; 0 on the x axis, the
    # top tick (10 for a largest value of 7) at the top of the plot.
    assert [(d.x, d.y) for d in niaga.dots] == [
        (LEFT, 181.6), (middle, HEIGHT - BOTTOM), (right, 75.6)
    ]  # fmt: skip
    assert niaga.points == f"{LEFT:.1f},181.6 {middle:.1f},{HEIGHT - BOTTOM:.1f} {right:.1f},75.6"
    assert [(t.position, t.label) for t in chart.y_ticks] == [
        (HEIGHT - BOTTOM, "0"), ((TOP + HEIGHT - BOTTOM) / 2, "5"), (TOP, "10")
    ]  # fmt: skip
    assert [(t.position, t.label) for t in chart.x_ticks] == [
        (LEFT, "03 Mar"), (middle, "04 Mar"), (right, "05 Mar")
    ]  # fmt: skip


def test_share_weeks_months_and_a_single_period() -> None:
    share = line_chart(POINTS, "share", "week")
    assert share.measure == "share"
    dots = share.series[0].dots  # kabarbenua: 1 of 4, 3 of 4, 0 of 0
    assert [d.y for d in dots] == [171.0, 65.0, HEIGHT - BOTTOM]  # 25 %, 75 %, 0 % of 100 %
    assert dots[0].label == "kabarbenua, week of 2023-03-03: 1 of 4 stories (25.0 %)"
    assert [t.label for t in share.y_ticks] == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    one = line_chart([Point(date(2023, 3, 1), "niaga", 3, 4)], "count", "month")
    dot = one.series[0].dots[0]  # alone: in the middle of the plot, not on the axis
    assert (dot.x, dot.label) == (
        (LEFT + WIDTH - RIGHT) / 2,
        "niaga, 2023-03: 3 of 4 stories (75.0 %)",
    )
    assert [(t.position, t.label) for t in one.x_ticks] == [((LEFT + WIDTH - RIGHT) / 2, "2023-03")]
    assert [t.label for t in one.y_ticks] == ["0", "5"]  # 1.25, 2.5, 3.75 are no counts


def test_many_periods_label_every_third() -> None:
    days = [Point(date(2023, 3, d), "a", d, 20) for d in range(1, 18)]  # 17 days: 3rd ones
    chart = line_chart(days, "count", "day")
    assert [t.label for t in chart.x_ticks] == [
        "01 Mar", "04 Mar", "07 Mar", "10 Mar", "13 Mar", "16 Mar"
    ]  # fmt: skip
    assert [t.position for t in chart.x_ticks] == [56.0, 182.4, 308.8, 435.1, 561.5, 687.9]
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10", "15", "20"]
    assert chart.series[0].dots[-1].y == TOP + (HEIGHT - TOP - BOTTOM) * 3 / 20


def test_daily_periods_and_first_days_of_sites() -> None:
    assert periods(date(2023, 3, 30), date(2023, 4, 1), "day") == [
        date(2023, 3, 30), date(2023, 3, 31), date(2023, 4, 1)
    ]  # fmt: skip
    assert periods(date(2023, 11, 1), date(2024, 1, 1), "month")[-1] == date(2024, 1, 1)
    assert [t.period for t in site_totals(POINTS)] == [MARCH[0], MARCH[0]]


def test_two_periods_a_third_and_small_shares() -> None:
    two = line_chart([Point(MARCH[0], "a", 1, 3), Point(MARCH[1], "a", 2, 3)], "share", "day")
    first, second = two.series[0].dots
    assert (first.x, second.x) == (LEFT, WIDTH - RIGHT)  # two days: both edges of the plot
    assert first.y == 153.3  # a third of 100 %, one decimal in the SVG
    tiny = line_chart([Point(MARCH[0], "a", 1, 1000)], "share", "day")  # 0.1 %
    assert [t.label for t in tiny.y_ticks] == ["0 %", "0.025 %", "0.05 %", "0.075 %", "0.1 %"]
    days = [Point(date(2023, 3, d), "a", d, 20) for d in range(1, 18)]
    assert line_chart(days, "count", "day").series[0].dots[3].x == 182.4  # one decimal
