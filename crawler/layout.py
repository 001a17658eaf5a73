"""Where warta puts things: the crawl folder, the local data folders and the storage keys.

This is the only module that spells these names, so a reader finds the whole layout here
and a change of name is a change of one line. Locally::

    <data_dir>/crawls/<site>/<crawl_id>/     one crawl: WARCs, articles.jsonl, summary, log
    <data_dir>/state/<state_name>.sqlite     what earlier crawls of a site fetched

In storage, relative to the storage URI (for S3 the object key is ``<prefix>/`` + key)::

    <site>/<YYYY>/<MM>/<DD>/<file>                      a crawl's files, by its UTC day
    <site>/<YYYY>/<MM>/<DD>/<crawl_id>.manifest.json    written last: the crawl is complete
    <site>/state/<state_name>.json                      the newest crawl state: generation,
                                                        crawl, snapshot key (written last)
    <site>/state/<state_name>/<generation>.sqlite       one snapshot per generation, never
                                                        overwritten
    <site>/state/<state_name>.sqlite                    the older single snapshot (read only)
    <site>/lease.json                                   who crawls the site now (flows.lease)
    _index/current.json                                 the compacted index's pointer: names
                                                        the current snapshot (written last)
    _index/snapshots/<generation>-<token>.json          one snapshot: every compacted file and
                                                        the crawls it holds; never overwritten
    _index/<table>/site=<site>/month=<YYYY-MM>/part-<generation>-<token>.parquet
                                                        compacted ``captures`` / ``articles``
                                                        rows of one site and month (Hive style)
    _index/arrivals/<YYYY-MM-DD>/<site>/<YYYY-MM-DD>/<crawl_id>.<indexed|unindexed>
                                                        a crawl stored that day (UTC; the
                                                        second day is the crawl's): lets
                                                        readers find new crawls without a
                                                        listing of every crawl

A crawl's research index is two of its files, ``<crawl_id>-captures.parquet`` and
``<crawl_id>-articles.parquet``, listed in its manifest like every other file.

``_index`` cannot clash with a site: site names start with a letter or digit (``SAFE_ID``).
Compacted files are written under fresh names and never replaced; a snapshot lists the live
ones, so a file no snapshot names (a killed or a lost compaction) is ignored.

A crawl id is the crawl's UTC start time, ``20260101T120000Z``; ids from elsewhere (a
resumed folder, a test) need only be safe as one path segment.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# ---- files inside one crawl folder ---------------------------------------------------------
ARTICLES_FILE = "articles.jsonl"  # one JSON record per article (crawler.pipelines)
SUMMARY_FILE = "crawl-summary.json"  # counts and times, written when the crawl ends
PROGRESS_FILE = ".crawl-progress.json"  # live counts, rewritten every second; hidden: not uploaded
LOG_FILE = "crawl.log"  # the crawl process's output (crawler.process.runner)
SEEN_URLS_FILE = "seen-urls.txt.gz"  # every article URL the archive held after this crawl
CAPTURES_INDEX = "captures.parquet"  # one row per request/response/revisit record
ARTICLES_INDEX = "articles.parquet"  # one row per article, with its text and WARC pointers
JOB_DIR = ".scrapy-job"  # Scrapy's JOBDIR: the pending-request queue; hidden, never uploaded
FAILURES_FILE = "failures.jsonl"  # one line per fetch that finally failed (crawler.fetch.failures)
CRAWL_LOCK_FILE = ".crawl.lock"  # held by the crawl writing into the folder (and its state lock)
LOCK_SUFFIX = ".lock"  # beside the state file: one crawl of a site (and state) at a time
WARC_GZ_SUFFIX = ".warc.gz"  # what warta writes
WARC_SUFFIXES = (WARC_GZ_SUFFIX, ".warc")  # what it reads
OPEN_SUFFIX = ".open"  # a WARC being written; renamed when complete (crawler.warc.writer)
CORRUPT_SUFFIX = ".corrupt"  # an .open file recovery could not read (crawler.warc.recovery)
OWNER_FILE = ".crawl-owner.json"  # who the folder belongs to (crawler.process.ownership); hidden
FOLDER_BOOKKEEPING = (OWNER_FILE, CRAWL_LOCK_FILE, JOB_DIR)  # never uploaded; go with the folder
CDXJ_SUFFIX = ".cdxj"
WACZ_SUFFIX = ".wacz"
MANIFEST_SUFFIX = ".manifest.json"
PARQUET_SUFFIX = ".parquet"

# ---- crawl ids -------------------------------------------------------------------------
CRAWL_ID_FORMAT = "%Y%m%dT%H%M%SZ"
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def new_crawl_id(now: datetime | None = None, taken: Callable[[str], bool] | None = None) -> str:
    """The id of a crawl starting at ``now`` (default: this moment), in UTC.

    ``taken`` says whether an id is in use (its crawl folder exists): two crawls started
    within one second then get ids one second apart instead of sharing a folder.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    crawl_id = moment.strftime(CRAWL_ID_FORMAT)
    while taken is not None and taken(crawl_id):
        moment += timedelta(seconds=1)
        crawl_id = moment.strftime(CRAWL_ID_FORMAT)
    return crawl_id


def parse_crawl_id(crawl_id: str) -> datetime | None:
    """The UTC start time a crawl id spells, or None if it is not a timestamp id."""
    try:
        return datetime.strptime(crawl_id, CRAWL_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def check_id(value: str, what: str) -> str:
    """A site name or crawl id that is safe as one folder name and one key segment."""
    if not SAFE_ID.match(value):
        raise ValueError(
            f"invalid {what} {value!r}: use letters, digits, '.', '_' or '-' (max 128)"
        )
    return value


# ---- local folders ---------------------------------------------------------------------
def crawl_folder(data_dir: Path, site: str, crawl_id: str) -> Path:
    """``<data_dir>/crawls/<site>/<crawl_id>``; each part one safe path segment, always."""
    return Path(data_dir) / "crawls" / check_id(site, "site") / check_id(crawl_id, "crawl id")


def state_path(data_dir: Path, state_name: str) -> Path:
    """The crawl state lives beside the crawl folders, one SQLite file per site and host."""
    return Path(data_dir) / "state" / f"{state_name}.sqlite"


def index_name(file_prefix: str, site: str, crawl_id: str) -> str:
    return f"{file_prefix}-{site}-{crawl_id}{CDXJ_SUFFIX}"


def wacz_name(file_prefix: str, site: str, crawl_id: str) -> str:
    return f"{file_prefix}-{site}-{crawl_id}{WACZ_SUFFIX}"


def is_warc(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def is_open_warc(name: str) -> bool:
    """A WARC still being written, or left by a killed crawl (``<name>.warc.gz.open``)."""
    return name.endswith(OPEN_SUFFIX) and is_warc(name.removesuffix(OPEN_SUFFIX))


def warc_files(folder: str | os.PathLike[str], *, include_open: bool = False) -> list[Path]:
    """The WARC files of a crawl folder (``.warc.gz`` or ``.warc``), sorted by name, with the
    ``.open`` ones if asked; the one lister every reader of a crawl folder uses."""
    directory = Path(folder)
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if (is_warc(p.name) or (include_open and is_open_warc(p.name))) and p.is_file()
    )


def open_warc_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The ``.open`` WARC files of a folder: a crawl running, or one killed, left them."""
    return [p for p in warc_files(folder, include_open=True) if p.name.endswith(OPEN_SUFFIX)]


def crawl_lock_path(
    state_file: str | os.PathLike[str] | None, output_dir: str | os.PathLike[str]
) -> Path:
    """The lock beside the site's state file, or in the crawl folder when state is off."""
    if state_file:
        return Path(f"{state_file}{LOCK_SUFFIX}")
    return Path(output_dir) / CRAWL_LOCK_FILE


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename (or a new file) in ``folder`` durable: the one folder-fsync helper.

    Not every file system lets a folder be synced; there it is skipped.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---- storage keys ----------------------------------------------------------------------
_MANIFEST_KEY = re.compile(
    r"^(?P<site>[^/]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<crawl>[^/]+)"
    + re.escape(MANIFEST_SUFFIX)
    + "$"
)


_DAY_KEY = re.compile(r"^[^/]+/\d{4}/\d{2}/\d{2}/")


def in_day_folder(key: str) -> bool:
    """A crawl's file (not the state, not the lease): under ``<site>/<YYYY>/<MM>/<DD>/``."""
    return _DAY_KEY.match(key) is not None


def day_prefix(site: str, day: date) -> str:
    return f"{site}/{day:%Y}/{day:%m}/{day:%d}"


def manifest_name(crawl_id: str) -> str:
    return f"{crawl_id}{MANIFEST_SUFFIX}"


def manifest_key(site: str, crawl_id: str, day: date) -> str:
    return f"{day_prefix(site, day)}/{manifest_name(crawl_id)}"


def parse_manifest_key(key: str) -> tuple[str, date, str] | None:
    """(site, day, crawl_id) of a manifest key, or None if the key is not one."""
    match = _MANIFEST_KEY.match(key)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return match["site"], day, match["crawl"]


def stored_name(crawl_id: str, name: str) -> str:
    """Object name for a crawl file. Day folders hold every crawl of that day, so generic
    names such as ``articles.jsonl`` get the crawl id in front. WARC names are kept exactly:
    they are unique by construction (timestamp and serial), and CDXJ indexes and WACZ
    packages refer to WARCs by file name, so a renamed WARC would orphan its index lines."""
    if crawl_id in name or is_warc(name):
        return name
    return f"{crawl_id}-{name}"


def file_key(site: str, day: date, crawl_id: str, name: str) -> str:
    """The key of one file of a crawl folder (``name`` relative to the folder)."""
    return f"{day_prefix(site, day)}/{stored_name(crawl_id, name)}"


def state_key(site: str, state_name: str) -> str:
    return f"{site}/state/{state_name}.sqlite"


def state_head_key(site: str, state_name: str) -> str:
    """The small JSON object naming the newest state snapshot; replaced conditionally."""
    return f"{site}/state/{state_name}.json"


def state_snapshot_key(site: str, state_name: str, generation: int) -> str:
    return f"{site}/state/{state_name}/{generation:08d}.sqlite"


def lease_key(site: str) -> str:
    """Held while a run of the site crawls and stores, by whichever worker it runs on."""
    return f"{site}/lease.json"


# ---- the compacted index (flows.archives.compact) ---------------------------------------
INDEX_ROOT = "_index"
INDEX_POINTER_KEY = f"{INDEX_ROOT}/current.json"
SNAPSHOT_PREFIX = f"{INDEX_ROOT}/snapshots/"


def snapshot_key(generation: int, token: str) -> str:
    return f"{SNAPSHOT_PREFIX}{generation:08d}-{token}.json"


def compacted_prefix(table: str, site: str | None = None) -> str:
    """Where one table's compacted files lie (of one site, when given)."""
    base = f"{INDEX_ROOT}/{table}/"
    return f"{base}site={site}/" if site else base


def compacted_key(table: str, site: str, month: str, generation: int, token: str) -> str:
    """One compacted file of ``table`` for ``site`` and ``month`` (``YYYY-MM``, UTC crawl day)."""
    return f"{compacted_prefix(table, site)}month={month}/part-{generation:08d}-{token}.parquet"


def month_of(day: date) -> str:
    """The partition a crawl's rows are compacted into: the month of its UTC day."""
    return f"{day:%Y-%m}"


ARRIVALS_PREFIX = f"{INDEX_ROOT}/arrivals/"
_ARRIVAL = re.compile(
    r"^" + re.escape(ARRIVALS_PREFIX) + r"\d{4}-\d{2}-\d{2}/(?P<site>[^/]+)/"
    r"(?P<day>\d{4}-\d{2}-\d{2})/(?P<crawl>[^/]+)\.(?P<kind>indexed|unindexed)$"
)


def arrivals_prefix(stored: date) -> str:
    """Every crawl whose manifest was stored on ``stored`` (UTC) has a marker under here."""
    return f"{ARRIVALS_PREFIX}{stored:%Y-%m-%d}/"


def arrival_key(stored: date, site: str, day: date, crawl_id: str, indexed: bool) -> str:
    kind = "indexed" if indexed else "unindexed"
    return f"{arrivals_prefix(stored)}{site}/{day:%Y-%m-%d}/{crawl_id}.{kind}"


def parse_arrival_key(key: str) -> tuple[str, date, str, bool] | None:
    """(site, crawl day, crawl id, has an index) of an arrival marker, or None."""
    match = _ARRIVAL.match(key)
    if not match:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    return match["site"], day, match["crawl"], match["kind"] == "indexed"
