"""Article extraction in worker processes, so parsing never stalls fetching.

Extraction is CPU work (lxml, trafilatura: several ms a page); on Scrapy's reactor thread it
blocks every download and WARC write while it runs, and one process uses one core. The pool
moves it to ``workers`` processes (default: every core) and gives two ways in:

- ``await pool.classify(html, url)`` from an ``async def`` Scrapy callback (the asyncio
  reactor runs the asyncio loop, so ``asyncio.wrap_future`` works there), and
- ``pool.map(pages)`` for batch work such as ``warta reextract``.

Both keep at most ``max_in_flight`` pages queued, so memory stays flat however large the crawl.
Workers start with ``forkserver`` (``spawn`` where that is missing): forking a process that
runs Twisted, asyncio and Scrapy's DNS threads copies locks in unknown states, and the fork
server, which imports the extraction modules once, makes each new worker cheap anyway.
``workers=0`` extracts inline in the calling thread (the old behaviour, for comparisons).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.config.sites import SiteConfig
from crawler.extraction.article_record import Article
from crawler.extraction.page import PageResult, page_text, read_page
from crawler.process.lifetime import exit_when_gone

LOG = logging.getLogger(__name__)

# Workers live for the whole crawl by default: Python 3.11's ProcessPoolExecutor can hang when
# ``max_tasks_per_child`` retires a worker while work is queued (CPython gh-115634), and the
# benchmark shows worker memory flat without it. Pass a number to recycle workers anyway.
MAX_TASKS_PER_CHILD: int | None = None
WORKER_NICE = 10  # see _init_worker
_PRELOAD = ["crawler.extraction.page"]

_site: SiteConfig | None = None
_deadline = 0.0  # seconds a worker may spend on one page; 0 = no limit (inline extraction)
DEFAULT_PAGE_DEADLINE = 30.0  # WARTA_EXTRACT_TIMEOUT
ATTEMPTS = 2  # a page whose worker died is tried once more on the fresh pool


class PageDeadlineExceeded(RuntimeError):
    """Extracting one page took longer than the deadline, twice; its worker was replaced."""


def default_workers() -> int:
    return os.cpu_count() or 1


def start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn``; never plain ``fork``."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _init_worker(
    site_json: str | None, nice: int = 0, owner_pid: int | None = None, deadline: float = 0.0
) -> None:
    """Runs once per worker: the site config is parsed here, not sent with every page.

    ``nice`` lowers the worker's CPU priority. The reactor is the one serial stage of a crawl
    (fetching, WARC writing, records); when it and the workers want the same core, it should
    win, and the workers take whatever cycles are left. Queued pages wait a little longer,
    which the bounded queue absorbs.
    """
    global _site, _deadline
    if owner_pid is not None:  # a worker process, not inline extraction
        exit_when_gone(owner_pid)  # the crawl, not the fork server that is our parent
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's; it stops us
        # SIGALRM's default action ends the process wherever it is, inside lxml or a regex
        # engine too, where a Python exception would never be raised.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        _deadline = deadline
    _site = SiteConfig.model_validate_json(site_json) if site_json else None
    if nice > 0:
        try:
            os.nice(nice)
        except OSError:
            LOG.debug("could not lower extraction worker priority")


def _extract_page(
    html: str | bytes,
    url: str,
    check_marker: bool,
    first_url: str | None = None,
    encoding: str | None = None,
) -> PageResult:
    if _deadline > 0:
        signal.setitimer(signal.ITIMER_REAL, _deadline)
    try:
        if encoding is not None and isinstance(html, bytes):
            html = page_text(html, encoding)
        return read_page(html, url, _site, check_marker, first_url)
    finally:
        if _deadline > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)


class ExtractionPool:
    """A process pool for ``extract_article`` bound to one site config.

    Create it when the crawl starts and :meth:`close` it when the spider closes. Not meant to
    be shared between event loops.
    """

    def __init__(
        self,
        site: SiteConfig | None,
        workers: int | None = None,
        max_in_flight: int | None = None,
        max_tasks_per_child: int | None = MAX_TASKS_PER_CHILD,
        nice: int = WORKER_NICE,
        page_deadline: float = DEFAULT_PAGE_DEADLINE,
    ) -> None:
        self.site = site
        self.nice = nice
        self.page_deadline = page_deadline
        self.max_tasks_per_child = max_tasks_per_child
        self._generation = 0
        self.workers = default_workers() if workers is None else workers
        if self.workers < 0:
            raise ValueError(f"workers must be >= 0, got {self.workers}")
        self.max_in_flight = max_in_flight or max(4, 4 * self.workers)
        self._executor: ProcessPoolExecutor | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._closed = False
        if self.workers > 0:
            self._executor = self._new_executor()
        else:
            _init_worker(site.model_dump_json() if site else None)

    def _new_executor(self) -> ProcessPoolExecutor:
        method = start_method()
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(_PRELOAD)
        site_json = self.site.model_dump_json() if self.site else None
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(site_json, self.nice, os.getpid(), self.page_deadline),
            max_tasks_per_child=self.max_tasks_per_child,
        )

    def _replace_executor(self, generation: int) -> None:
        """A worker died (the page deadline, or worse): start a fresh pool, once per death."""
        if generation != self._generation or self._closed or self._executor is None:
            return
        broken = self._executor
        self._generation += 1
        self._executor = self._new_executor()
        broken.shutdown(wait=False, cancel_futures=True)
        LOG.warning("An extraction worker died; the pool was replaced")

    # -- single pages -----------------------------------------------------------------------
    def submit(
        self,
        html: str | bytes,
        url: str,
        check_marker: bool = False,
        first_url: str | None = None,
        encoding: str | None = None,
    ) -> Future[PageResult]:
        """Queue one page (unbounded: callers bound it, as :meth:`classify` and :meth:`map` do).

        ``html`` is text, or the body's bytes with the ``encoding`` it declares
        (:func:`crawler.extraction.page.page_text` decodes them in the worker)."""
        if self._closed:
            raise RuntimeError("ExtractionPool is closed")
        if self._executor is None:
            done: Future[PageResult] = Future()
            done.set_result(_extract_page(html, url, check_marker, first_url, encoding))
            return done
        return self._executor.submit(_extract_page, html, url, check_marker, first_url, encoding)

    async def classify(
        self,
        html: str | bytes,
        url: str,
        first_url: str | None = None,
        encoding: str | None = None,
    ) -> PageResult:
        """Marker check and extraction, awaited from a coroutine on the running loop.

        ``first_url`` is the article's first page when ``url`` is one of its later pages;
        ``encoding`` goes with a body handed over as bytes (see :meth:`submit`).
        """
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
        async with self._semaphore:
            for _attempt in range(ATTEMPTS):
                generation = self._generation
                future = self.submit(html, url, True, first_url, encoding)
                try:
                    return await asyncio.wrap_future(future)
                except BrokenProcessPool:
                    self._replace_executor(generation)
        raise PageDeadlineExceeded(
            f"extracting {url} outlived its worker {ATTEMPTS} times "
            f"(deadline {self.page_deadline:g} s, WARTA_EXTRACT_TIMEOUT)"
        )

    async def extract(self, html: str, url: str) -> Article | None:
        """The article on a page already known to be one (no marker check)."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
        async with self._semaphore:
            result = await asyncio.wrap_future(self.submit(html, url, check_marker=False))
        return result.article

    # -- batches ----------------------------------------------------------------------------
    def map(
        self, pages: Iterable[tuple[str, str]], check_marker: bool = False
    ) -> Iterator[PageResult]:
        """Results in input order for ``(html, url)`` pairs; at most ``max_in_flight`` pages
        are read ahead, so a 10 GB archive is processed in constant memory."""
        pending: collections.deque[Future[PageResult]] = collections.deque()
        for html, url in pages:
            pending.append(self.submit(html, url, check_marker))
            if len(pending) >= self.max_in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    # -- lifetime ---------------------------------------------------------------------------
    def close(self, cancel: bool = False) -> None:
        """Stop the workers; waits for queued pages unless ``cancel``. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=cancel)
            self._executor = None

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)


__all__ = [
    "ExtractionPool",
    "PageDeadlineExceeded",
    "PageResult",
    "default_workers",
    "start_method",
]
