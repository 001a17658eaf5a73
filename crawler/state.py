"""Crawl state between runs: what was fetched, with which validators, archived where.

One SQLite file per site (``<data_dir>/state/<site>.sqlite`` unless ``WARTA_STATE_PATH``
says otherwise), in WAL mode. Writes are batched: a commit happens at most
``commit_interval`` seconds after a write (and at close), so a killed crawl loses at most
those seconds of state. What it loses is won back from the WARC files themselves: each run
is registered with its output directory, and a run that never closed is *reconciled* at the
next open by reading the response records it left (see :meth:`CrawlState.reconcile`). The
archive, not the state, is the source of truth.

Free of Scrapy. The flow engine moves the file between workers with :func:`export_state`
and :func:`import_state`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.canonical import CanonicalError, dedup_key

logger = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
ARTICLES_FILE = "articles.jsonl"  # written by crawler.pipelines beside the WARC files
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,           -- exactly as fetched, = WARC-Target-URI
    canonical_key TEXT NOT NULL,    -- crawler.canonical.dedup_key(url)
    kind TEXT NOT NULL,             -- discovery | article | page
    first_seen TEXT NOT NULL,
    last_fetched TEXT NOT NULL,
    last_status INTEGER NOT NULL,   -- what the server said last time (304 included)
    status INTEGER,                 -- status of the archived response record
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    warc_file TEXT,
    warc_path TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    record_id TEXT,
    warc_date TEXT,
    archived_at TEXT
);
CREATE INDEX IF NOT EXISTS urls_by_key ON urls (canonical_key);
CREATE TABLE IF NOT EXISTS articles (
    canonical_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,              -- canonical URL (rel=canonical if the page names one)
    fetched_url TEXT NOT NULL,
    published TEXT,
    first_archived TEXT NOT NULL,
    last_archived TEXT NOT NULL,
    record_id TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    versions INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    crawl_id TEXT NOT NULL,
    output_dir TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    reason TEXT
);
"""
Clock = Callable[[], datetime]


class StateError(RuntimeError):
    """The state file is not a warta crawl state, or cannot be used."""


def _now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Capture:
    """One URL's row: the last answer and the archived response it resolves to."""

    url: str
    canonical_key: str
    kind: str
    first_seen: str
    last_fetched: str
    last_status: int
    status: int | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    warc_file: str | None
    warc_path: str | None
    warc_offset: int | None
    warc_length: int | None
    record_id: str | None
    warc_date: str | None
    archived_at: str | None

    @property
    def archived(self) -> bool:
        return self.status == 200 and self.record_id is not None

    def local_warc(self) -> Path | None:
        """The WARC file holding the record, if it is on this machine (final or ``.open``)."""
        if not self.warc_path:
            return None
        for candidate in (Path(self.warc_path), Path(self.warc_path + ".open")):
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    canonical_key: str
    url: str
    fetched_url: str
    published: str | None
    first_archived: str
    last_archived: str
    record_id: str | None


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """An archived response read back: status line, headers and the body as stored."""

    protocol: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _key(url: str) -> str:
    try:
        return dedup_key(url)
    except CanonicalError:
        return url


class CrawlState:
    """The state database of one site. Not thread-safe; a crawl uses it from one thread."""

    def __init__(
        self, path: str | os.PathLike[str], commit_interval: float = 2.0, clock: Clock = _now
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.commit_interval = commit_interval
        self.clock = clock
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level="DEFERRED")
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a killed process; fsync at checkpoints.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
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
                    str(warc_path.resolve()),
                    offset,
                    length,
                    record_id,
                    iso(warc_date),
                    when,
                ),
            )
        self._wrote()

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
            for path in _warc_files(folder):
                changed += self._import_warc(path)
            changed += self._import_articles(folder / ARTICLES_FILE)
            self.db.execute(
                "UPDATE runs SET finished=?, reason='interrupted' WHERE id=?",
                (iso(self.clock()), run["id"]),
            )
        self.db.commit()
        if changed:
            logger.info("Crawl state: %d rows recovered from interrupted runs' WARCs", changed)
        return changed

    def _import_articles(self, path: Path) -> int:
        """Article records the interrupted run wrote (one JSON object a line)."""
        if not path.is_file():
            return 0
        changed = 0
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    item = json.loads(line)
                    url = item["url"]
                    key = dedup_key(url)
                except (ValueError, KeyError, TypeError, CanonicalError):
                    continue  # a line cut short by the kill
                if self.article(key) is not None:
                    continue
                warc = item.get("warc") or {}
                self.record_article(
                    key,
                    url,
                    item.get("fetched_url") or url,
                    item.get("published"),
                    warc.get("record_id"),
                    warc.get("file"),
                    warc.get("offset"),
                )
                changed += 1
        return changed

    def _import_warc(self, path: Path) -> int:
        final = path.with_name(path.name.removesuffix(".open"))
        changed = 0
        for offset, length, rec in _responses(path):
            old = self.capture(rec.url)
            if old is not None and old.warc_date and old.warc_date >= rec.date:
                continue
            date = parse_iso(rec.date)
            self.record_response(
                rec.url,
                kind="page",
                status=rec.status,
                etag=rec.etag,
                last_modified=rec.last_modified,
                payload_digest=rec.digest,
                warc_path=final,
                offset=offset,
                length=length,
                record_id=rec.id,
                warc_date=date,
                fetched=date,
            )
            changed += 1
        return changed


def _warc_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted([*folder.glob("*.warc.gz"), *folder.glob("*.warc.gz.open")])


@dataclass(frozen=True, slots=True)
class _Found:
    url: str
    id: str
    date: str
    digest: str | None
    status: int
    etag: str | None
    last_modified: str | None


def _responses(path: Path) -> Iterator[tuple[int, int, _Found]]:
    """Response records of a WARC file, stopping quietly at a torn tail."""
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                headers = record.rec_headers
                http = record.http_headers
                info = _Found(
                    url=headers.get_header("WARC-Target-URI"),
                    id=headers.get_header("WARC-Record-ID"),
                    date=headers.get_header("WARC-Date"),
                    digest=headers.get_header("WARC-Payload-Digest"),
                    status=int(http.get_statuscode() or 0),
                    etag=http.get_header("ETag"),
                    last_modified=http.get_header("Last-Modified"),
                )
                record.raw_stream.read()
                offset = records.get_record_offset()
                length = records.get_record_length()
                yield offset, length, info
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        logger.warning("Stopped reading %s at a damaged record: %s", path, exc)


def read_archived(capture: Capture) -> ArchivedResponse | None:
    """The archived response a row points at, read from the local WARC; None if it is gone."""
    path = capture.local_warc()
    if path is None or capture.warc_offset is None:
        return None
    try:
        with path.open("rb") as stream:
            stream.seek(capture.warc_offset)
            record = next(iter(ArchiveIterator(stream)))
            if record.rec_headers.get_header("WARC-Record-ID") != capture.record_id:
                return None
            http = record.http_headers
            if http is None:
                return None
            body = record.raw_stream.read()
    except (ArchiveLoadFailed, OSError, EOFError, StopIteration, ValueError) as exc:
        logger.warning("Cannot read archived record for %s: %s", capture.url, exc)
        return None
    return ArchivedResponse(
        protocol=http.protocol or "HTTP/1.1",
        status=int(http.get_statuscode() or 0),
        headers=list(http.headers),
        body=body,
    )


# -- moving the state between workers -------------------------------------------------------


def export_state(db_path: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    """Write a consistent single-file snapshot of the state DB to ``dest`` (atomic replace).

    Safe while a crawl has the DB open: SQLite's backup API copies a consistent view,
    WAL included, so the snapshot needs no ``-wal`` file beside it.
    """
    src_path, dest_path = Path(db_path), Path(dest)
    if not src_path.is_file():
        raise StateError(f"no crawl state at {src_path}")
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest_path.with_name(f".{dest_path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
            out.commit()
        finally:
            out.close()
    finally:
        src.close()
    _check_state_file(tmp)
    os.replace(tmp, dest_path)
    return dest_path


def import_state(
    src: str | os.PathLike[str], db_path: str | os.PathLike[str], *, replace: bool = True
) -> Path:
    """Install a snapshot made by :func:`export_state` as the state DB at ``db_path``.

    The snapshot is checked first, so a broken download never replaces a good state. With
    ``replace=False`` an existing state is kept and :class:`StateError` raised.
    """
    src_path, target = Path(src), Path(db_path)
    _check_state_file(src_path)
    if target.exists() and not replace:
        raise StateError(f"crawl state already exists at {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.copyfile(src_path, tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(tmp, target)
    return target


def _check_state_file(path: Path) -> None:
    if not path.is_file():
        raise StateError(f"no crawl state file at {path}")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            schema = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path}: not a crawl state database: {exc}") from None
    if ok != "ok" or schema is None or schema[0] != SCHEMA_VERSION:
        raise StateError(f"{path}: not a usable crawl state (check={ok!r}, schema={schema!r})")
