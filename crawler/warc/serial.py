"""The crawl's WARC writer on a thread of its own, so the reactor goes on while records are
built, digested, gzipped and written.

Record building and writing hold the GIL only part of the time: SHA-1 over a body, zlib at
level 9 and the file writes let it go, and that is most of a record's cost. On the reactor
thread that work stops every other download and parse; on this thread the reactor runs
beside it.

One thread, one queue: records are written in the order they were handed over, exactly as
the reactor used to write them, so the files are byte for byte what they were (the record
IDs come from the writer's factory in the same order too). :class:`RotatingWarcWriter` stays
single-threaded: only this thread touches it.

- ``await writer.write_exchange_async(...)`` (and ``write_revisit_async``,
  ``write_records_async``) from the reactor: the coroutine waits, the reactor does not;
- ``write_exchange(...)``, ``write_records(...)``, ... (the plain writer's API) wait for
  the queue to drain and then write, for callers that cannot await (a spider's callback,
  ``process_exception``); they keep the order too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from warcio.recordloader import ArcWarcRecord

from crawler.warc import records
from crawler.warc.records import CapturedRequest, CapturedResponse, RecordSpec
from crawler.warc.writer import RecordLocation, RotatingWarcWriter

T = TypeVar("T")


class SerialWarcWriter:
    """A :class:`RotatingWarcWriter` that writes on one thread of its own, in order."""

    def __init__(self, writer: RotatingWarcWriter) -> None:
        self.inner = writer
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
        self._closed = False

    # -- what the plain writer offers that needs no writing ---------------------------
    @property
    def directory(self) -> Path:
        return self.inner.directory

    @property
    def files_written(self) -> list[Path]:
        return self.inner.files_written

    @property
    def current_file(self) -> Path | None:
        return self._wait(lambda: self.inner.current_file)

    def new_record_id(self) -> str:
        return self.inner.new_record_id()

    def now(self) -> datetime:
        return self.inner.now()

    def spec(self, date: datetime | None = None) -> RecordSpec:
        return self.inner.spec(date)

    # -- writing, awaited on the reactor ------------------------------------------------
    async def write_exchange_async(
        self, request: CapturedRequest, response: CapturedResponse
    ) -> RecordLocation:
        return await self._later(self.inner.write_exchange, request, response)

    async def write_revisit_async(
        self,
        request: CapturedRequest,
        response: CapturedResponse,
        original: records.RevisitOf,
        profile: str,
    ) -> RecordLocation:
        return await self._later(self.inner.write_revisit, request, response, original, profile)

    async def write_records_async(
        self, warc_records: Iterable[ArcWarcRecord]
    ) -> list[RecordLocation]:
        return await self._later(self.inner.write_records, list(warc_records))

    # -- writing, waited for (the plain writer's API) -----------------------------------
    def write_exchange(
        self, request: CapturedRequest, response: CapturedResponse
    ) -> RecordLocation:
        return self._wait(self.inner.write_exchange, request, response)

    def write_revisit(
        self,
        request: CapturedRequest,
        response: CapturedResponse,
        original: records.RevisitOf,
        profile: str,
    ) -> RecordLocation:
        return self._wait(self.inner.write_revisit, request, response, original, profile)

    def write_records(self, warc_records: Iterable[ArcWarcRecord]) -> list[RecordLocation]:
        return self._wait(self.inner.write_records, list(warc_records))

    def close(self) -> None:
        """Write what is queued, then finish the current file. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._submit(self.inner.close).result()
        finally:
            self._thread.shutdown(wait=True)

    # -- internals ----------------------------------------------------------------------
    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._thread.submit(fn, *args)

    def _wait(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            return fn(*args)  # the thread is gone; the writer raises if it is closed
        return self._submit(fn, *args).result()

    async def _later(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            return fn(*args)
        return await asyncio.wrap_future(self._submit(fn, *args))
