"""``warta archives query`` output: what a researcher pipes into a spreadsheet or ``jq``,
checked as exact text on a hand-made result (no archive, no index)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa

from flows.archives.query import format_result


def _result() -> pa.Table:
    """Strings with non-ASCII text, a list, a struct, a timestamp, a sum and times of day,
    as DuckDB returns them."""
    relation = duckdb.connect().sql(
        """
        SELECT * FROM (VALUES
            ('Banjir — Samarinda', ['Banjir', 'Kaltim—2'], {'credit': 'Antara/ä', 'n': 2},
             TIMESTAMPTZ '2023-03-15 13:10:00+00', 10::HUGEINT, TIME '01:30:00', [TIME '07:00:00']),
            ('sembako', [], {'credit': NULL, 'n': 0}, NULL, 3::HUGEINT, NULL, [])
        ) AS t(title, tags, caption, fetch_time, total, took, times)
        """
    )
    assert relation is not None
    return relation.to_arrow_table()


def test_json_is_an_indented_array_of_plain_values() -> None:
    out = format_result(_result(), "json")
    rows = json.loads(out)
    assert rows[0] == {
        "title": "Banjir — Samarinda", "tags": ["Banjir", "Kaltim—2"],
        "caption": {"credit": "Antara/ä", "n": 2}, "fetch_time": "2023-03-15T13:10:00+00:00",
        "total": 10, "took": "01:30:00", "times": ["07:00:00"],
    }  # fmt: skip
    assert rows[1]["caption"] == {"credit": None, "n": 0} and rows[1]["tags"] == []
    assert out.startswith('[\n {\n  "title": "Banjir — Samarinda",\n  "tags": [\n   "Banjir"')


def test_csv_keeps_text_as_is_and_nested_values_as_json() -> None:
    assert format_result(_result(), "csv").split("\n") == [
        "title,tags,caption,fetch_time,total,took,times",
        'Banjir — Samarinda,"[""Banjir"", ""Kaltim—2""]","{""credit"": ""Antara/ä"", ""n"": 2}",'
        '2023-03-15T13:10:00+00:00,10,01:30:00,"[""07:00:00""]"',
        'sembako,[],"{""credit"": null, ""n"": 0}",,3,,[]',
    ]


def test_csv_ends_with_the_last_cell_whole() -> None:
    for last in ("Jl. Sudirman X", "spasi di akhir "):
        table = pa.table({"a": ["1", "2"], "b": ["x", last]})
        assert format_result(table, "csv") == f"a,b\n1,x\n2,{last}"


def test_table_aligns_columns_and_cuts_long_cells() -> None:
    table = pa.table(
        {
            "url": ["u" * 60, "v" * 61, "w"],
            "n": [1, 22, None],
            "when": [datetime(2023, 3, 15, tzinfo=UTC), None, None],
            "day": [date(2023, 3, 15), None, None],
            "raw": [b"\x00\xff", None, None],
            "sum": pa.array([Decimal("2.5"), None, None], pa.decimal128(5, 1)),
            "span": [timedelta(seconds=5), None, None],
        }
    )
    lines = format_result(table, "table").split("\n")
    assert lines[0] == "url" + " " * 57 + "  n   when" + " " * 21 + "  day         raw   sum  span"
    assert lines[1] == (
        "u" * 60 + "  1   2023-03-15T00:00:00+00:00  2023-03-15  00ff  2.5  0:00:05"
    )
    assert lines[2] == "v" * 59 + "…  22"  # cut to the width, the cut shown
    assert lines[3] == "w"  # no trailing blanks
    assert lines[4] == "(3 rows)"
    assert (
        format_result(table.slice(0, 1), "table", max_width=10)
        .split("\n")[1]
        .startswith("u" * 9 + "…  1 ")
    )
    assert format_result(table.slice(2, 1), "table").split("\n")[-1] == "(1 row)"
