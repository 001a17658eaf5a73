"""The explorer's questions to the research index, each one SQL statement with bound values.

The index is the one ``warta archives query`` reads (:func:`flows.archives.query.connect`:
every crawl's Parquet files as DuckDB views, nothing copied out of the archive). On top of
it sits one view, ``stories``: an article once per URL, its latest capture, with ``day``,
its publication day in the site's own calendar (the export's rule,
:data:`flows.archives.export.LATEST_ARTICLES`). Every count here is a count of stories.

One DuckDB connection serves the whole app behind a lock: the queries are short, and the
connection is re-opened when the archive's listing is older than ``refresh`` seconds, so
a crawl stored while the explorer runs appears without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

import duckdb
import pyarrow as pa

from flows.archives.export import LATEST_ARTICLES
from flows.archives.query import IndexFiles, connect
from flows.explore.search import Search, matching, scope, where
from flows.storage.base import Storage

STORIES_VIEW = (
    "CREATE OR REPLACE TEMP VIEW stories AS "
    f"SELECT *, TRY_CAST(pub_day AS DATE) AS day FROM ({LATEST_ARTICLES})"
)
SAMPLE_COLUMNS = (
    "a.url, a.site, c.day, a.title, a.section, a.authors, a.captions, a.fetch_time, "
    "a.word_count, left(coalesce(a.text, ''), 600) AS opening"
)
EXPORT_COLUMNS = (
    "url, site, day, title, section, authors, editor, source, dateline, tags, published, "
    "word_count, fetch_time, crawl_id, captures, warc_key, warc_offset, warc_length"
)
WORD = r"\pL[\pL\-]+\pL"  # a word of three letters or more (a hyphen inside is kept)


@dataclass(frozen=True)
class Point:
    period: date
    site: str
    matching: int
    total: int

    @property
    def share(self) -> float:
        return self.matching / self.total if self.total else 0.0


class ArchiveIndex:
    """The research index of one archive, ready for the explorer's queries."""

    def __init__(self, storage: Storage, refresh: float = 60.0) -> None:
        self.storage = storage
        self.refresh = refresh
        self._lock = threading.RLock()  # _fact asks rows() while holding it
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened = 0.0
        self._facts: dict[str, Any] = {}  # what no search changes, kept until the re-open
        self.files = IndexFiles()

    def _open(self) -> duckdb.DuckDBPyConnection:
        con, self.files = connect(self.storage)
        con.execute(STORIES_VIEW)
        return con

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._con is None or time.monotonic() - self._opened > self.refresh:
                old, self._con = self._con, self._open()
                self._opened = time.monotonic()
                self._facts = {}
                if old is not None:
                    old.close()
            yield self._con

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        with self.connection() as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def arrow(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        with self.connection() as con:
            return con.sql(sql, params=params or []).to_arrow_table()

    def _fact(self, name: str, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows that depend on the archive only, asked once per opening of the index."""
        with self.connection():  # re-opens (and forgets the facts) when due
            if name not in self._facts:
                self._facts[name] = self.rows(sql, params)
            found: list[dict[str, Any]] = self._facts[name]
            return found

    # ---- what the form offers ---------------------------------------------------------
    def warm(self) -> None:
        """Ask what the form offers now, so that the first page waits only for its search."""
        self.sites(), self.span(), self.choices("section"), self.choices("author")
        stop_words()

    def sites(self) -> list[tuple[str, int]]:
        """Every site in the archive and its number of stories."""
        sql = "SELECT site, count(*) AS n FROM stories GROUP BY site ORDER BY site"
        return [(r["site"], r["n"]) for r in self._fact("sites", sql)]

    def choices(self, column: str, limit: int = 200) -> list[str]:
        """The commonest values of ``section`` or of the authors, for the form's suggestions."""
        source = {"section": "section", "author": "unnest(authors)"}[column]  # no other SQL
        sql = (
            f"SELECT {source} AS v, count(*) AS n FROM stories GROUP BY v HAVING v IS NOT NULL "
            "ORDER BY n DESC, v LIMIT ?"
        )
        return [r["v"] for r in self._fact(column, sql, [limit])]

    def span(self) -> tuple[date | None, date | None]:
        sql = "SELECT min(day) AS first, max(day) AS last FROM stories"
        [row] = self._fact("span", sql)
        return row["first"], row["last"]

    # ---- the answers ------------------------------------------------------------------
    def attention(self, search: Search, groups: dict[str, list[str]]) -> list[Point]:
        """Matching and all stories per period and site, every period of the range present
        (zeros where a site published nothing), so a chart's line does not skip days."""
        scope_sql, scope_params = scope(search, groups)
        match_sql, match_params = matching(search)
        rows = self.rows(
            f"SELECT date_trunc(?, day)::DATE AS period, site, "
            f"count(*) FILTER (WHERE {match_sql}) AS matching, count(*) AS total "
            f"FROM stories WHERE day IS NOT NULL AND {scope_sql} GROUP BY ALL ORDER BY ALL",
            [search.every, *match_params, *scope_params],
        )
        found = {(r["period"], r["site"]): r for r in rows}
        sites = sorted({r["site"] for r in rows})
        points = []
        for period in periods(min(found)[0], max(found)[0], search.every) if found else []:
            for site in sites:
                row = found.get((period, site))
                points.append(
                    Point(period, site, int(row["matching"]) if row else 0,
                          int(row["total"]) if row else 0)
                )  # fmt: skip
        return points

    def top_words(
        self, search: Search, groups: dict[str, list[str]], limit: int = 40, sample: int = 2000
    ) -> list[tuple[str, int]]:
        """The commonest words of the matching stories (the newest ``sample`` of them), with
        the Indonesian stop words left out: (word, occurrences)."""
        sql, params = where(search, groups)
        rows = self.rows(
            "WITH chosen AS (SELECT title, text FROM stories WHERE "
            f"{sql} ORDER BY day DESC NULLS LAST, url LIMIT ?), "
            "words AS (SELECT unnest(regexp_extract_all(lower(coalesce(title, '') || ' ' || "
            "coalesce(text, '')), ?)) AS word FROM chosen) "
            "SELECT word, count(*) AS n FROM words WHERE NOT list_contains(?, word) "
            "GROUP BY word ORDER BY n DESC, word LIMIT ?",
            [*params, sample, WORD, sorted(stop_words()), limit],
        )
        return [(r["word"], int(r["n"])) for r in rows]

    def samples(
        self, search: Search, groups: dict[str, list[str]], limit: int = 20, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Matching stories, newest first: what the page lists under "sample stories".

        The stories are chosen first and only theirs are read in full: the view's window
        then never carries the text of every article (4 s against 1.5 s on 80,000 rows).
        """
        sql, params = where(search, groups)
        return self.rows(
            "WITH c AS (SELECT url, crawl_id, fetch_time, day FROM stories WHERE "
            f"{sql} ORDER BY day DESC NULLS LAST, fetch_time DESC, url LIMIT ? OFFSET ?) "
            f"SELECT {SAMPLE_COLUMNS} FROM articles a JOIN c ON a.url = c.url "
            "AND a.crawl_id = c.crawl_id AND a.fetch_time IS NOT DISTINCT FROM c.fetch_time "
            "QUALIFY row_number() OVER (PARTITION BY a.url) = 1 "
            "ORDER BY c.day DESC NULLS LAST, a.fetch_time DESC, a.url",
            [*params, limit, offset],
        )

    def export(self, search: Search, groups: dict[str, list[str]], text: bool) -> pa.Table:
        """Every matching story, for the CSV and Parquet downloads (Parquet adds the text
        and the captions)."""
        sql, params = where(search, groups)
        columns = EXPORT_COLUMNS + (", captions, text" if text else "")
        return self.arrow(
            f"SELECT {columns} FROM stories WHERE {sql} ORDER BY day, site, url", params
        )

    def story(self, url: str) -> dict[str, Any] | None:
        found = self.rows("SELECT * FROM stories WHERE url = ?", [url])
        return found[0] if found else None

    def pointers(
        self, search: Search, groups: dict[str, list[str]], limit: int, urls: list[str]
    ) -> list[dict[str, Any]]:
        """Where the response records lie of the matching stories, or of those among them
        whose URL is in ``urls`` (the stories ticked on the page), for the WARC download."""
        sql, params = where(search, groups)
        if urls:
            sql, params = f"{sql} AND list_contains(?, url)", [*params, urls]
        return self.rows(
            "SELECT url, warc_key, warc_offset, warc_length FROM stories WHERE "
            f"{sql} AND warc_key IS NOT NULL ORDER BY day, site, url LIMIT ?",
            [*params, limit],
        )


def site_totals(points: list[Point]) -> list[Point]:
    """Total attention: the periods of each site added up (``period`` is the first),
    most matching stories first."""
    sums: dict[str, list[Any]] = {}
    for p in points:
        first, matching, total = sums.setdefault(p.site, [p.period, 0, 0])
        sums[p.site] = [min(first, p.period), matching + p.matching, total + p.total]
    found = [Point(first, site, m, t) for site, (first, m, t) in sums.items()]
    return sorted(found, key=lambda p: (-p.matching, p.site))


@cache
def stop_words() -> frozenset[str]:
    """Indonesian stop words, from the list shipped in the package (assets/)."""
    text = files("flows.explore").joinpath("assets/stopwords-id.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return frozenset(word for line in lines for word in line.split())


def periods(first: date, last: date, every: str) -> list[date]:
    """The start of every day, ISO week (Monday) or month from ``first`` to ``last``."""
    found = []
    current = first
    while current <= last:
        found.append(current)
        if every == "day":
            current += timedelta(days=1)
        elif every == "week":
            current += timedelta(days=7)
        else:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found
