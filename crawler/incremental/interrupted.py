"""What a crawl run that never closed left in its folder, read back for the crawl state.

A killed crawl loses the state rows written after its last commit, but not the archive:
its WARC files (final or still ``.open``) hold every response it fetched, and
``articles.jsonl`` every article record it produced. :meth:`CrawlState.reconcile
<crawler.incremental.store.CrawlState.reconcile>` turns what these functions find into
rows again. Reading stops quietly at a torn tail: a kill leaves one, and everything
before it is whole.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.canonical import CanonicalError, dedup_key
from crawler.layout import ARTICLES_FILE, OPEN_SUFFIX, warc_files
from crawler.warc.reader import WarcReader, WarcReadError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FoundResponse:
    """A response record found in a WARC file, with the validators the server sent."""

    url: str
    record_id: str
    date: str
    payload_digest: str | None
    status: int
    etag: str | None
    last_modified: str | None
    warc_path: Path  # the file's final name, even when it was read as ``.open``
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class WrittenArticle:
    """One line of ``articles.jsonl``: the article record and where its response lies."""

    key: str
    url: str
    fetched_url: str
    published: str | None
    record_id: str | None
    warc_file: str | None
    warc_offset: int | None


def archived_responses(folder: Path) -> Iterator[FoundResponse]:
    """Response records of every WARC file in ``folder``, in file and record order."""
    for path in warc_files(folder, include_open=True):
        yield from _responses(path)


def _responses(path: Path) -> Iterator[FoundResponse]:
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    try:
        # No start check: a kill can leave an empty .open file, which simply holds nothing.
        with WarcReader(path, check_start=False) as reader:
            for entry in reader:
                http = entry.http_headers
                if entry.rec_type != "response" or http is None:
                    continue
                found = FoundResponse(
                    url=entry.target_uri or "",
                    record_id=entry.record_id or "",
                    date=entry.date or "",
                    payload_digest=entry.header("WARC-Payload-Digest"),
                    status=int(http.get_statuscode() or 0),
                    etag=http.get_header("ETag"),
                    last_modified=http.get_header("Last-Modified"),
                    warc_path=final,
                    offset=entry.offset,
                    length=entry.length,
                )
                yield found
    except (WarcReadError, OSError) as exc:
        logger.warning("Stopped reading %s at a damaged record: %s", path, exc)


def written_articles(folder: Path) -> Iterator[WrittenArticle]:
    """The article records of ``folder/articles.jsonl``; lines cut short are skipped."""
    path = folder / ARTICLES_FILE
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                item: dict[str, Any] = json.loads(line)
                url = item["url"]
                key = dedup_key(url)
            except (ValueError, KeyError, TypeError, CanonicalError):
                continue  # a line cut short by the kill
            warc = item.get("warc") or {}
            yield WrittenArticle(
                key=key,
                url=url,
                fetched_url=item.get("fetched_url") or url,
                published=item.get("published"),
                record_id=warc.get("record_id"),
                warc_file=warc.get("file"),
                warc_offset=warc.get("offset"),
            )


__all__ = [
    "FoundResponse",
    "WrittenArticle",
    "archived_responses",
    "written_articles",
]


QUEUE_HEADER_BYTES = 4  # queuelib's disk queues start with a 4-byte record count


def set_aside_damaged_queue(job_dir: Path) -> Path | None:
    """Move a pending-request queue that a kill left half-written out of the way.

    A crawl killed while Scrapy wrote its disk queue (JOBDIR) can leave a queue file shorter
    than its header; Scrapy then fails on every request it schedules and never exits. The
    queue only saves rediscovery: the crawl state still says what was archived, so the
    resumed crawl starts discovery afresh. Returns where the damaged queue went, or None.
    """
    queue = job_dir / "requests.queue"
    if not queue.is_dir():
        return None
    damaged = [
        p for p in queue.rglob("*")  # one folder per download slot, one file per priority
        if p.is_file() and p.suffix != ".json" and p.stat().st_size < QUEUE_HEADER_BYTES
    ]  # fmt: skip
    if not damaged:
        return None
    aside = job_dir.with_name(f"{job_dir.name}.damaged")
    if aside.exists():
        import shutil

        shutil.rmtree(aside, ignore_errors=True)
    job_dir.rename(aside)
    logger.warning(
        "The pending-request queue in %s was damaged by an interrupted crawl (%s); "
        "set aside as %s, discovery starts afresh", job_dir, damaged[0].name, aside.name,
    )  # fmt: skip
    return aside
