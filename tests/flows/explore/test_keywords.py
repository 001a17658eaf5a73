"""The keyword language: how queries parse, what they match, and that nothing typed
reaches the SQL text (run against DuckDB on a handful of documents)."""

from __future__ import annotations

import re

import duckdb
import pytest

from flows.explore.keywords import (
    MAX_DEPTH,
    MAX_TERMS,
    QueryError,
    describe,
    parse_query,
    terms_of,
    to_sql,
)

DOCS = {
    1: "Banjir rob melanda Samarinda, warga mengungsi",
    2: "Kebanjiran lagi: warga Bontang kesal",
    3: "Harga elpiji naik di Balikpapan; banjirnya surut",
    4: "BANJIR, ROB dan longsor di Kutai Kartanegara",
    5: "Kebakaran pasar di Tenggarong; api padam",
    6: "Café di Samarinda buka 24 jam (banjir? tidak)",
    7: "Pemilu 2024: KPU Kaltim siap",
}


def matches(query: str) -> set[int]:
    node = parse_query(query)
    assert node is not None
    sql, params = to_sql(node, "doc")
    con = duckdb.connect()
    con.execute("CREATE TABLE docs (id INTEGER, doc VARCHAR)")
    con.executemany("INSERT INTO docs VALUES (?, ?)", list(DOCS.items()))
    return {row[0] for row in con.execute(f"SELECT id FROM docs WHERE {sql}", params).fetchall()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("banjir", {1, 4, 6}),  # whole words, any case: not "kebanjiran", "banjirnya"
        ("banjir*", {1, 3, 4, 6}),
        ('"banjir rob"', {1, 4}),  # a phrase: the words in order, punctuation between is fine
        ('"rob banjir"', set()),
        ("banjir samarinda", {1, 6}),  # AND is the default
        ("banjir AND samarinda", {1, 6}),
        ("banjir OR kebakaran", {1, 4, 5, 6}),
        ("banjir -samarinda", {4}),
        ("banjir NOT samarinda", {4}),
        ("NOT banjir", {2, 3, 5, 7}),
        ("(banjir OR api) AND NOT (samarinda OR longsor)", {5}),
        ("-(banjir OR harga)", {2, 5, 7}),
        ('banjir -"banjir rob"', {6}),
        ("warga OR harga samarinda", {1, 2}),  # AND binds tighter than OR: warga OR (harga AND ...)
        ("café", {6}),  # letters beyond ASCII are letters
        ("CAFÉ", {6}),
        ("2024", {7}),
        ("kpu", {7}),
    ],
)
def test_matches(query: str, expected: set[int]) -> None:
    assert matches(query) == expected


def test_precedence_is_shown() -> None:
    assert describe(parse_query("a OR b c")) == "(a OR (b AND c))"
    assert describe(parse_query('-"x y" z*')) == '(NOT "x y" AND z*)'
    assert describe(None) == "(every article)"
    assert [str(t) for t in terms_of(parse_query("a -b (c OR d)"))] == ["a", "c", "d"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("banjir OR", "ends after 'OR'"),
        ("(banjir", "never closed"),
        ("banjir)", "unexpected ')'"),
        ('"banjir rob', "no closing quote"),
        ('banjir "  ', "holds no word"),  # a last quote and spaces: as a last quote alone
        ("AND banjir", "'AND' at character 1"),
        ("NOT", "ends after 'NOT'"),
        ("banjir - rob", "holds no word"),
        ("'; DROP TABLE articles; --", "holds no word"),
        ("x" * 501, "longer than 500"),
        (" ".join(["a"] * (MAX_TERMS + 1)), f"more than {MAX_TERMS} terms"),
        ("(" * (MAX_DEPTH + 2) + "a" + ")" * (MAX_DEPTH + 2), "nests deeper"),
        ("NOT " * (MAX_DEPTH + 2) + "a", "nests deeper"),
    ],
)
def test_bad_queries_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_query(query)


def test_empty_query_matches_everything() -> None:
    assert parse_query("") is None and parse_query("   ") is None


TEMPLATE = re.compile(
    r"\(\?i\)\(\?:\^\|\[\^\\pL\\pN_\]\)"  # (?i)(?:^|[^\pL\pN_])
    r"\w+(?:\[\^\\pL\\pN_\]\+\w+)*"  # words joined by [^\pL\pN_]+
    r"(?:\(\?:\[\^\\pL\\pN_\]\|\$\))?"  # (?:[^\pL\pN_]|$) unless a prefix
)


@pytest.mark.parametrize(
    "query",
    [
        "banjir' OR 1=1",
        '"x; SELECT 1 FROM captures" OR y',
        "a.*b|c [x]",
        "doc\\' OR regexp_matches(doc, 'x.y')",
        "banjir' OR (1=1 AND x'--)",
    ],
)
def test_typed_text_never_reaches_the_sql(query: str) -> None:
    node = parse_query(query)
    assert node is not None
    sql, params = to_sql(node, "doc")
    pieces = sql.replace("regexp_matches(doc, ?)", " ").replace("(", " ").replace(")", " ")
    assert set(pieces.split()) <= {"AND", "OR", "NOT"}
    for pattern in params:  # the user's words between warta's fixed pieces, nothing else
        assert TEMPLATE.fullmatch(pattern), pattern
    matches(query)  # and it runs


def test_limits_are_exact_and_positions_count_from_one() -> None:
    assert parse_query(" ".join(["a"] * MAX_TERMS)) is not None
    assert parse_query("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) is not None
    assert parse_query("NOT " * MAX_DEPTH + "a") is not None
    with pytest.raises(QueryError, match=r"^'-' \(character 8\) holds no word to find$"):
        parse_query("banjir - rob")
    with pytest.raises(QueryError, match=r"^unexpected '\)' at character 7$"):
        parse_query("banjir) rob")


def test_edges_of_the_language() -> None:
    assert parse_query("a" * 500) is not None  # 500 characters are allowed
    assert describe(parse_query("banjir   ")) == "banjir"  # trailing spaces end the query
    with pytest.raises(QueryError, match=r"^'\*' \(character 9\) holds no word to find$"):
        parse_query("banjir -*")  # the word after a '-' starts one character later
    with pytest.raises(QueryError, match=r"^'' \(character 9\) holds no word to find$"):
        parse_query('banjir ""')
    with pytest.raises(QueryError, match=r"^'\)' at character 12 where a word was expected$"):
        parse_query("banjir AND )")
    with pytest.raises(QueryError, match=r"^the query ends after '-' where a word was expected$"):
        parse_query("banjir -")
