"""Date strings as pages write them: which day, which time, which zone, and what is no date."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest

from crawler.extraction.datetext import is_date_line, parse_indonesian, parse_iso, to_iso

WITA = timezone(timedelta(hours=8))


def _iso(found: tuple | None) -> str | None:
    return None if found is None else to_iso(found[0])


@pytest.mark.parametrize(
    ("text", "month_first", "day"),
    [
        ("03/09/2026", False, "2026-09-03"),  # an Indonesian page: day first
        ("03/09/2026", True, "2026-03-09"),  # an en-US page: month first
        ("12/05/2023", False, "2023-05-12"),
        ("12/05/2023", True, "2023-12-05"),  # 12 can be a month
        ("05/12/2023", False, "2023-12-05"),  # 12 can be a month
        ("13/05/2023", True, "2023-05-13"),  # 13 cannot be a month, whatever the page says
        ("05/13/2023", False, "2023-05-13"),
    ],
)
def test_numeric_day_and_month_order(text: str, month_first: bool, day: str) -> None:
    found = parse_iso(text, WITA, month_first=month_first)
    assert found is not None and to_iso(found[0])[:10] == day


def test_numeric_days_are_read_day_first_unless_asked() -> None:
    assert _iso(parse_iso("03/09/2026", WITA)) == "2026-09-03T00:00:00+08:00"
    assert _iso(parse_indonesian("03/09/2026", WITA)) == "2026-09-03T00:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("Dec. 17 2025 at 12:30 pm", "12:30:00"),  # noon is not midnight of the next day
        ("Dec. 17 2025 at 12:05 am", "00:05:00"),
        ("Dec. 17 2025 at 9:46 am", "09:46:00"),
        ("Dec. 17 2025 at 9:46 pm", "21:46:00"),
    ],
)
def test_am_pm_hours(text: str, time: str) -> None:
    found = parse_indonesian(text, WITA)
    assert found is not None and found[0].time().isoformat() == time and found[1]


def test_an_unknown_month_spelling_is_no_date() -> None:
    # "ſ" (long s) matches "s" case-blind, but the word is no month the table knows
    assert parse_indonesian("3 Deſember 2023", WITA) is None


@pytest.mark.parametrize(
    ("value", "year_ok"),
    [
        ("1989-12-31T10:00:00", False),
        ("1990-01-01T10:00:00", True),
        ("2100-12-31T10:00:00", True),
        ("2101-01-01T10:00:00", False),
    ],
)
def test_years_outside_the_webs_lifetime_are_no_date(value: str, year_ok: bool) -> None:
    assert (parse_iso(value, WITA) is not None) == year_ok


@pytest.mark.parametrize("clock", ["01:00:00", "00:01:00", "00:00:01"])
def test_only_exact_midnight_counts_as_no_time(clock: str) -> None:
    found = parse_iso(f"2023-03-03T{clock}", WITA)
    assert found is not None and found[1]
    padded = parse_iso("2023-03-03T00:00:00", WITA)
    assert padded is not None and not padded[1]
    assert to_iso(padded[0]) == "2023-03-03T00:00:00+08:00"  # a bare day, in the site's zone


def test_rfc_2822_keeps_its_own_zone() -> None:
    found = parse_iso("Fri, 03 Mar 2023 14:05:00 +0000", WITA)
    assert found is not None and found[0].utcoffset() == timedelta(0) and found[1]
    assert found[0] == found[0].astimezone(UTC)


def test_text_dates_in_structured_values() -> None:
    assert _iso(parse_iso("3 Maret 2023 14:05 WITA", WITA)) == "2023-03-03T14:05:00+08:00"
    assert parse_iso("-3 Maret 2023", WITA) is None  # a value opening with punctuation
    assert parse_iso("", WITA) is None and parse_iso(None, WITA) is None


def test_date_lines_are_only_a_date_and_at_most_80_characters() -> None:
    assert is_date_line("- Kamis, 05/11/2015 09:25 WIB")
    assert not is_date_line("3 Maret 2023 X")  # something besides the date
    padded = "3" + " " * (80 - len("3Maret 2023")) + "Maret 2023"
    assert len(padded) == 80 and is_date_line(padded)
    assert not is_date_line("3 " + padded[1:])  # 81 characters
