"""Durations and byte sizes as people type and read them (one convention for all of warta)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.config.units import format_bytes, parse_duration


def test_durations() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("1d12h") == timedelta(hours=36)
    assert parse_duration("1.5H") == timedelta(minutes=90)
    assert parse_duration("3600") == timedelta(hours=1)
    for bad in ("", "soon", "-1h", "1d2", "h"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_every_unit_and_spaced_parts() -> None:
    assert parse_duration("1w") == timedelta(weeks=1)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("45s") == timedelta(seconds=45)
    assert parse_duration(" 1d 2h 3m 4S ") == timedelta(days=1, hours=2, minutes=3, seconds=4)


def test_a_bad_duration_says_what_would_be_right() -> None:
    with pytest.raises(ValueError, match=r"'soon' is not a duration like 7d, 36h"):
        parse_duration("soon")
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration("   ")
    with pytest.raises(ValueError, match=r"'2h30' mixes a bare number with units"):
        parse_duration("2h30")
    assert parse_duration("30") == timedelta(seconds=30)  # one bare number alone is seconds


def test_byte_sizes_are_binary() -> None:
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(3 * 1024**3) == "3.0 GiB"
    assert format_bytes(2 * 1024**5) == "2048.0 TiB"


def test_byte_sizes_switch_unit_at_1024() -> None:
    assert format_bytes(1023) == "1023 B"
    assert format_bytes(1024) == "1.0 KiB"
    assert format_bytes(5 * 1024**2 + 1024**2 // 2) == "5.5 MiB"
    assert format_bytes(1024**4) == "1.0 TiB"
