"""The crawl's extraction workers, each on a socket the crawl's event loop reads itself.

A ``ProcessPoolExecutor`` hands pages over on two threads of the crawl process: a feeder
that pickles and writes them, and a manager that waits on every worker with a selector it
builds anew for each wake-up. Both share the reactor thread's GIL, and the profile of a
crawl charged them 0.6-0.9 ms of CPU per article, with a GIL hand-over for every page and
every result. Here each worker has a Unix socket pair of its own: the asyncio loop writes a
pickled page to it (never blocking: the transport buffers) and reads the pickled result
when the socket is readable, so the crawl process runs no thread for extraction at all.

The guarantees are those of :class:`crawler.extraction.workers.ExtractionPool`: at most
``max_in_flight`` pages awaited at once, a page that outlives its deadline (the worker is
ended by ``SIGALRM``) or whose worker died is tried once more on a fresh worker and then
given up (:class:`PageDeadlineExceeded`), and :meth:`close` ends every worker. It is for
``await classify`` on a running loop only; batch work (``warta reextract``) keeps the
executor pool.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import multiprocessing
import os
import pickle
import socket
import struct
from multiprocessing.process import BaseProcess
from typing import Any

from crawler.config.sites import SiteConfig
from crawler.extraction.page import PageResult
from crawler.extraction.workers import (
    _PRELOAD,
    ATTEMPTS,
    DEFAULT_PAGE_DEADLINE,
    WORKER_NICE,
    PageDeadlineExceeded,
    _extract_page,
    _init_worker,
    default_workers,
    start_method,
)

LOG = logging.getLogger(__name__)

HEADER = struct.Struct("!Q")  # the length of the pickle that follows
DEPTH = 2  # pages sent to one worker ahead of its results, so it never waits for the loop
JOIN_SECONDS = 5.0  # what close() gives a worker to end before it is killed


class WorkerDied(RuntimeError):
    """The worker a page was sent to ended before it answered (its deadline, or worse)."""


def _serve(
    sock: socket.socket, site_json: str | None, nice: int, owner: int, deadline: float
) -> None:
    """A worker process: read a page, answer with its result, until the crawl hangs up."""
    _init_worker(site_json, nice, owner, deadline)
    with sock, sock.makefile("rb") as reader:
        while len(header := reader.read(HEADER.size)) == HEADER.size:
            (size,) = HEADER.unpack(header)
            page = reader.read(size)
            if len(page) < size:  # the crawl hung up while it wrote
                return
            args = pickle.loads(page)
            answer: tuple[bool, Any]
            try:
                answer = (True, _extract_page(*args))
            except Exception as exc:  # the crawl's classify raises it again
                answer = (False, exc)
            try:
                data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # an exception that does not pickle: its words do
                data = pickle.dumps((False, RuntimeError(repr(exc))), pickle.HIGHEST_PROTOCOL)
            try:
                sock.sendall(HEADER.pack(len(data)) + data)
            except OSError:  # the crawl hung up (close): nothing left to answer
                return


class _Link(asyncio.Protocol):
    """One worker as the loop sees it: its process, its socket and its pages in flight."""

    def __init__(self, pool: SocketPool, process: BaseProcess, sock: socket.socket) -> None:
        self.pool = pool
        self.process = process
        self.sock = sock
        self.transport: asyncio.Transport | None = None
        self.in_flight: collections.deque[asyncio.Future[PageResult]] = collections.deque()
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, data: bytes, future: asyncio.Future[PageResult]) -> None:
        assert self.transport is not None
        self.in_flight.append(future)
        self.transport.write(HEADER.pack(len(data)) + data)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(buffer)
            end = HEADER.size + size
            if len(buffer) < end:
                break
            ok, value = pickle.loads(buffer[HEADER.size : end])
            del buffer[:end]
            future = self.in_flight.popleft()
            if future.done():  # its classify was cancelled
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self.pool._dispatch()

    def connection_lost(self, exc: Exception | None) -> None:
        while self.in_flight:
            future = self.in_flight.popleft()
            if not future.done():
                future.set_exception(WorkerDied(f"extraction worker {self.process.pid} ended"))
        self.pool._lost(self)


class SocketPool:
    """``workers`` extraction processes (default: one per core) for one site's crawl.

    Create it on the loop that will await :meth:`classify` (or lazily there: the workers
    start on the first page) and :meth:`close` it when the spider closes.
    """

    def __init__(
        self,
        site: SiteConfig | None,
        workers: int | None = None,
        max_in_flight: int | None = None,
        nice: int = WORKER_NICE,
        page_deadline: float = DEFAULT_PAGE_DEADLINE,
    ) -> None:
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        self.max_in_flight = max_in_flight or max(4, 4 * self.workers)
        self.page_deadline = page_deadline
        self._nice = nice
        self._site_json = site.model_dump_json() if site else None
        self._links: list[_Link] = []
        self._waiting: collections.deque[tuple[bytes, asyncio.Future[PageResult]]] = (
            collections.deque()
        )
        self._semaphore: asyncio.Semaphore | None = None
        self._starting: asyncio.Task[None] | None = None
        self._closed = False
        method = start_method()
        self._context: Any = multiprocessing.get_context(method)
        if method == "forkserver":
            self._context.set_forkserver_preload(_PRELOAD)

    async def _start_one(self) -> None:
        mine, theirs = socket.socketpair()
        args = (theirs, self._site_json, self._nice, os.getpid(), self.page_deadline)
        process = self._context.Process(target=_serve, args=args, daemon=True)
        process.start()
        theirs.close()  # the worker has its copy: its end closes when it ends
        link = _Link(self, process, mine)
        await asyncio.get_running_loop().connect_accepted_socket(lambda: link, sock=mine)
        if self._closed:  # closed while this worker started
            self._end(link, kill=True)
            return
        self._links.append(link)
        self._dispatch()

    async def _fill(self) -> None:
        try:
            while len(self._links) < self.workers and not self._closed:
                await self._start_one()
        except Exception as exc:  # no worker to be had: the pages waiting fail, not hang
            LOG.error("could not start an extraction worker: %s", exc)
            while self._waiting:
                _data, future = self._waiting.popleft()
                if not future.done():
                    future.set_exception(exc)

    def _ensure_workers(self) -> None:
        starting = self._starting is not None and not self._starting.done()
        if len(self._links) < self.workers and not self._closed and not starting:
            self._starting = asyncio.get_running_loop().create_task(self._fill())

    def _dispatch(self) -> None:
        """Pages waiting go to the least busy worker that has room."""
        while self._waiting and self._links:
            link = min(self._links, key=lambda one: len(one.in_flight))
            if len(link.in_flight) >= DEPTH:
                return
            data, future = self._waiting.popleft()
            if not future.done():  # its classify was cancelled meanwhile
                link.send(data, future)

    def _lost(self, link: _Link) -> None:
        """A worker's socket closed: it died (its deadline) or the pool is closing."""
        if link in self._links:
            self._links.remove(link)
            self._end(link, kill=True)
            if not self._closed:
                LOG.warning("An extraction worker died; a fresh one takes its place")
                self._ensure_workers()

    async def classify(
        self,
        html: str | bytes,
        url: str,
        first_url: str | None = None,
        encoding: str | None = None,
    ) -> PageResult:
        """Marker check and extraction in a worker (see ``ExtractionPool.classify``)."""
        if self._closed:
            raise RuntimeError("SocketPool is closed")
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
        data = pickle.dumps((html, url, True, first_url, encoding), pickle.HIGHEST_PROTOCOL)
        loop = asyncio.get_running_loop()
        async with self._semaphore:
            for _attempt in range(ATTEMPTS):
                future: asyncio.Future[PageResult] = loop.create_future()
                self._waiting.append((data, future))
                self._ensure_workers()
                self._dispatch()
                try:
                    return await future
                except WorkerDied:
                    if self._closed:
                        raise
                    continue
        raise PageDeadlineExceeded(
            f"extracting {url} outlived its worker {ATTEMPTS} times "
            f"(deadline {self.page_deadline:g} s, WARTA_EXTRACT_TIMEOUT)"
        )

    def _end(self, link: _Link, kill: bool) -> None:
        with contextlib.suppress(OSError):  # at once: the worker reads the end of its input
            link.sock.shutdown(socket.SHUT_RDWR)
        if link.transport is not None:
            link.transport.abort()
        if kill and link.process.is_alive():
            link.process.kill()
        link.process.join(JOIN_SECONDS)
        if link.process.is_alive():
            link.process.kill()
            link.process.join()

    def close(self, cancel: bool = False) -> None:
        """End every worker (a worker ends after the page it is reading). Idempotent."""
        if self._closed:
            return
        self._closed = True
        links, self._links = self._links, []
        for link in links:
            self._end(link, kill=cancel)
        for _data, future in self._waiting:
            future.cancel()
        self._waiting.clear()
        if self._starting is not None:
            self._starting.cancel()


__all__ = ["SocketPool", "WorkerDied"]
