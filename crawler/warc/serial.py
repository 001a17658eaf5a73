"""The crawl's WARC writer, optionally on a thread of its own (``WARTA_WARC_WRITER_THREAD``),
so the reactor goes on while records are built, digested, gzipped and written.

Record building and writing hold the GIL only part of the time: SHA-1 over a body, zlib at
level 9 and the file writes let it go, and that is most of a record's cost. On the reactor
thread that work stops every other download and parse; on a thread the reactor runs beside
it, when a core is free for it. When none is (the extraction workers use them all, or the
machine is shared), the thread only adds hand-offs and GIL switches: on a loaded 2-core
machine, three crawls each way, the same articles/s within noise and about 7 % more CPU
in the crawl process (docs/performance.md). So it is off by default, and the same object
writes in place (``thread=False``).

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
    """A :class:`RotatingWarcWriter` that writes on one thread of its own, in order; with
    ``thread=False``, in place (the awaitable methods then complete at once)."""

    def __init__(self, writer: RotatingWarcWriter, thread: bool = True) -> None:
        self.inner = writer
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer") if thread else None
        )
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
        if self._thread is None:
            self.inner.close()
            return
        try:
            self._thread.submit(self.inner.close).result()
        finally:
            self._thread.shutdown(wait=True)

    # -- internals ----------------------------------------------------------------------
    def _wait(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed or self._thread is None:
            return fn(*args)  # in place (once closed, the writer itself refuses)
        return self._thread.submit(fn, *args).result()

    async def _later(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed or self._thread is None:
            return fn(*args)
        future: Future[T] = self._thread.submit(fn, *args)
        return await asyncio.wrap_future(future)
