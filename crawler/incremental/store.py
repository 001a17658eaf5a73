"""Crawl state between runs: what was fetched, with which validators, archived where.

One SQLite file per site (``<data_dir>/state/<site>.sqlite`` unless ``WARTA_STATE_PATH``
says otherwise), in WAL mode. Writes are batched: a commit happens at most
``commit_interval`` seconds after a write (and at close), so a killed crawl loses at most
those seconds of state. What it loses is won back from the WARC files themselves: each run
is registered with its output directory, and a run that never closed is *reconciled* at the
next open by reading the response records it left (see :meth:`CrawlState.reconcile`). The
archive, not the state, is the source of truth.

Free of Scrapy. The tables are in :mod:`crawler.incremental.schema`; the flow engine moves
the file between workers with :mod:`crawler.incremental.snapshot`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from crawler.canonical import CanonicalError, link_key
from crawler.incremental import sqlite_guard
from crawler.incremental.interrupted import (
    FoundResponse,
    WrittenArticle,
    archived_responses,
    written_articles,
)
from crawler.incremental.schema import (
    SCHEMA,
    SCHEMA_VERSION,
    ArticleEntry,
    Capture,
    Clock,
    StateError,
    iso,
    parse_iso,
)

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _key(url: str) -> str:
    try:
        return link_key(url)
    except CanonicalError:
        return url


class CrawlState:
    """The state database of one site. Not thread-safe; a crawl uses it from one thread."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        commit_interval: float = 2.0,
        clock: Clock = _now,
        statement_seconds: float = sqlite_guard.STATEMENT_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.commit_interval = commit_interval
        self.clock = clock
        try:
            # every statement has a deadline: a state from shared storage may be hostile
            self.db = sqlite_guard.connect(
                str(self.path), statement_seconds, timeout=30, isolation_level="DEFERRED"
            )
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a killed process; fsync at checkpoints.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            problem = sqlite_guard.schema_problem(self.db)
            if problem is not None:
                self.db.close()
                raise StateError(f"{self.path}: {problem}")
            found = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: not a usable crawl state database: {exc}") from None
        if found is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            raise StateError(f"{self.path}: state schema {found[0]}, expected {SCHEMA_VERSION}")
        self.db.commit()
        self._dirty = False
        self._last_commit = time.monotonic()
        self._resolved: dict[Path, str] = {}  # WARC path → absolute path (one realpath each)
        self.run_id: int | None = None
        self.run_started: str | None = None

    # -- durability ---------------------------------------------------------------------------
    def _wrote(self) -> None:
        self._dirty = True
        if time.monotonic() - self._last_commit >= self.commit_interval:
            self.flush()

    def flush(self) -> None:
        """Commit what is pending (called by a timer, at close, and after batches)."""
        if self._dirty:
            self.db.commit()
            self._dirty = False
        self._last_commit = time.monotonic()

    def close(self) -> None:
        self.flush()
        self.db.close()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, crawl_id: str, output_dir: str | os.PathLike[str]) -> int:
        """Reconcile runs that never closed, then register this one (committed at once)."""
        self.reconcile()
        self.run_started = iso(self.clock())
        cur = self.db.execute(
            "INSERT INTO runs (crawl_id, output_dir, started) VALUES (?, ?, ?)",
            (crawl_id, str(Path(output_dir).resolve()), self.run_started),
        )
        self.db.commit()
        self.run_id = cur.lastrowid
        return int(cur.lastrowid or 0)

    def finish_run(self, reason: str) -> None:
        if self.run_id is not None:
            self.db.execute(
                "UPDATE runs SET finished=?, reason=? WHERE id=?",
                (iso(self.clock()), reason, self.run_id),
            )
        self._dirty = True
        self.flush()

    # -- reading ------------------------------------------------------------------------------
    def capture(self, url: str) -> Capture | None:
        row = self.db.execute("SELECT * FROM urls WHERE url=?", (url,)).fetchone()
        return Capture(**dict(row)) if row else None

    def is_archived(self, key: str) -> bool:
        """An article or any page under this dedup key already has an archived 200 response."""
        if self.db.execute("SELECT 1 FROM articles WHERE canonical_key=?", (key,)).fetchone():
            return True
        found = self.db.execute(
            "SELECT 1 FROM urls WHERE canonical_key=? AND status=200 AND record_id IS NOT NULL",
            (key,),
        ).fetchone()
        return found is not None

    def archived_capture(self, key: str) -> Capture | None:
        """The newest archived 200 response under this dedup key, if any."""
        row = self.db.execute(
            "SELECT * FROM urls WHERE canonical_key=? AND status=200 AND record_id IS NOT NULL "
            "ORDER BY archived_at DESC LIMIT 1",
            (key,),
        ).fetchone()
        return Capture(**dict(row)) if row else None

    def archived_before_run(self, key: str) -> bool:
        """Archived by an earlier run (not this one): what decides when paging stops."""
        started = self.run_started or iso(self.clock())
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE canonical_key=? AND first_archived < ? UNION ALL "
            "SELECT 1 FROM urls WHERE canonical_key=? AND status=200 AND archived_at < ?",
            (key, started, key, started),
        ).fetchone()
        return row is not None

    def article(self, key: str) -> ArticleEntry | None:
        row = self.db.execute(
            "SELECT canonical_key, url, fetched_url, published, first_archived, last_archived, "
            "record_id FROM articles WHERE canonical_key=?",
            (key,),
        ).fetchone()
        return ArticleEntry(**dict(row)) if row else None

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "urls": one("SELECT COUNT(*) FROM urls").fetchone()[0],
            "archived": one("SELECT COUNT(*) FROM urls WHERE status=200").fetchone()[0],
            "articles": one("SELECT COUNT(*) FROM articles").fetchone()[0],
            "runs": one("SELECT COUNT(*) FROM runs").fetchone()[0],
        }

    # -- writing ------------------------------------------------------------------------------
    def record_response(
        self,
        url: str,
        *,
        kind: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
        payload_digest: str | None,
        warc_path: Path,
        offset: int,
        length: int,
        record_id: str,
        warc_date: datetime,
        fetched: datetime | None = None,
    ) -> None:
        """A full response record was archived for ``url``.

        A non-200 answer never replaces an archived 200: the row keeps pointing at the last
        good copy and only notes what the server said.
        """
        when = iso(fetched or self.clock())
        old = self.capture(url)
        if old is not None and old.archived and status != 200:
            self.db.execute(
                "UPDATE urls SET last_fetched=?, last_status=? WHERE url=?", (when, status, url)
            )
        else:
            self.db.execute(
                "INSERT INTO urls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(url) DO UPDATE SET kind=CASE WHEN urls.kind='article' "
                "THEN 'article' ELSE excluded.kind END, last_fetched=excluded.last_fetched, "
                "last_status=excluded.last_status, status=excluded.status, etag=excluded.etag, "
                "last_modified=excluded.last_modified, payload_digest=excluded.payload_digest, "
                "warc_file=excluded.warc_file, warc_path=excluded.warc_path, "
                "warc_offset=excluded.warc_offset, warc_length=excluded.warc_length, "
                "record_id=excluded.record_id, warc_date=excluded.warc_date, "
                "archived_at=excluded.archived_at",
                (
                    url,
                    _key(url),
                    kind,
                    when,
                    when,
                    status,
                    status,
                    etag,
                    last_modified,
                    payload_digest,
                    warc_path.name,
                    self._absolute(warc_path),
                    offset,
                    length,
                    record_id,
                    iso(warc_date),
                    when,
                ),
            )
        self._wrote()

    def _absolute(self, path: Path) -> str:
        found = self._resolved.get(path)
        if found is None:
            found = self._resolved[path] = str(path.resolve())
        return found

    def record_revisit(
        self,
        url: str,
        *,
        status: int,
        etag: str | None,
        last_modified: str | None,
        fetched: datetime | None = None,
    ) -> None:
        """A revisit was archived: the original stays the reference; validators are renewed."""
        self.db.execute(
            "UPDATE urls SET last_fetched=?, last_status=?, etag=COALESCE(?, etag), "
            "last_modified=COALESCE(?, last_modified) WHERE url=?",
            (iso(fetched or self.clock()), status, etag, last_modified, url),
        )
        self._wrote()

    def record_article(
        self,
        key: str,
        url: str,
        fetched_url: str,
        published: str | None,
        record_id: str | None,
        warc_file: str | None,
        warc_offset: int | None,
    ) -> None:
        """An article record was produced for ``key`` (first time, or a changed version)."""
        when = iso(self.clock())
        self.db.execute(
            "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,1) ON CONFLICT(canonical_key) DO "
            "UPDATE SET url=excluded.url, fetched_url=excluded.fetched_url, "
            "published=COALESCE(excluded.published, articles.published), "
            "last_archived=excluded.last_archived, record_id=excluded.record_id, "
            "warc_file=excluded.warc_file, warc_offset=excluded.warc_offset, "
            "versions=articles.versions+1",
            (key, url, fetched_url, published, when, when, record_id, warc_file, warc_offset),
        )
        self.db.execute("UPDATE urls SET kind='article' WHERE url=?", (fetched_url,))
        self._wrote()

    def set_kind(self, url: str, kind: str) -> None:
        """Note what the spider found a page to be (e.g. ``not-article``)."""
        self.db.execute("UPDATE urls SET kind=? WHERE url=?", (kind, url))
        self._wrote()

    # -- recovery -----------------------------------------------------------------------------
    def reconcile(self) -> int:
        """Import the response records of runs that never closed (killed, crashed).

        Rows committed before the kill are already here; the seconds after the last commit
        are read back from the WARC files. Returns how many rows were added or updated.
        """
        runs = self.db.execute("SELECT id, output_dir FROM runs WHERE finished IS NULL").fetchall()
        changed = 0
        for run in runs:
            folder = Path(run["output_dir"])
            for found in archived_responses(folder):
                changed += self._import_response(found)
            for article in written_articles(folder):
                changed += self._import_article(article)
            self.db.execute(
                "UPDATE runs SET finished=?, reason='interrupted' WHERE id=?",
                (iso(self.clock()), run["id"]),
            )
        self.db.commit()
        if changed:
            logger.info("Crawl state: %d rows recovered from interrupted runs' WARCs", changed)
        return changed

    def _import_article(self, article: WrittenArticle) -> int:
        if self.article(article.key) is not None:
            return 0
        self.record_article(
            article.key,
            article.url,
            article.fetched_url,
            article.published,
            article.record_id,
            article.warc_file,
            article.warc_offset,
        )
        return 1

    def _import_response(self, found: FoundResponse) -> int:
        old = self.capture(found.url)
        if old is not None and old.warc_date and old.warc_date >= found.date:
            return 0
        date = parse_iso(found.date)
        self.record_response(
            found.url,
            kind="page",
            status=found.status,
            etag=found.etag,
            last_modified=found.last_modified,
            payload_digest=found.payload_digest,
            warc_path=found.warc_path,
            offset=found.offset,
            length=found.length,
            record_id=found.record_id,
            warc_date=date,
            fetched=date,
        )
        return 1
