"""The extraction pool without worker processes: what it hands its workers, read-ahead,
retries after a worker died, the page deadline's alarm and pages handed over as bytes."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

import pytest

from crawler.config.sites import SiteConfig
from crawler.extraction import workers
from crawler.extraction.page import PageResult
from crawler.extraction.workers import ExtractionPool, _extract_page, _init_worker
from tests.crawler.extraction.test_page import UNMARKED, URL


class FakeExecutor:
    """Stands in for ProcessPoolExecutor: notes how it was made, runs pages inline (no
    initializer), and can fail its first pages as if their worker had died."""

    made: ClassVar[list[FakeExecutor]] = []
    deaths: ClassVar[int] = 0

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        FakeExecutor.made.append(self)

    def submit(self, fn: Callable[..., PageResult], *args: Any) -> Future[PageResult]:
        future: Future[PageResult] = Future()
        if FakeExecutor.deaths:
            FakeExecutor.deaths -= 1
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            future.set_result(fn(*args))
        return future

    def shutdown(self, **kwargs: Any) -> None:
        pass


@pytest.fixture
def fake_executor(monkeypatch: pytest.MonkeyPatch) -> type[FakeExecutor]:
    monkeypatch.setattr(FakeExecutor, "made", [])
    monkeypatch.setattr(FakeExecutor, "deaths", 0)
    monkeypatch.setattr(workers, "ProcessPoolExecutor", FakeExecutor)
    monkeypatch.setattr(workers, "_site", None)  # the fake runs no initializer
    return FakeExecutor


def test_workers_get_the_site_priority_deadline_and_recycling(
    fake_executor: type[FakeExecutor], niaga: SiteConfig
) -> None:
    with ExtractionPool(niaga, workers=1, nice=7, page_deadline=2.5, max_tasks_per_child=9):
        pass
    (made,) = fake_executor.made
    site_json, nice, owner, deadline = made.kwargs["initargs"]
    assert SiteConfig.model_validate_json(site_json) == niaga
    assert (nice, owner, deadline) == (7, os.getpid(), 2.5)
    assert (made.kwargs["max_workers"], made.kwargs["max_tasks_per_child"]) == (1, 9)


def test_the_default_is_a_worker_a_core(fake_executor: type[FakeExecutor]) -> None:
    ExtractionPool(None).close()
    assert fake_executor.made[0].kwargs["max_workers"] == workers.default_workers()


def read_ahead(pool: ExtractionPool) -> int:
    """How many pages ``map`` takes from its input before it hands out the first result."""
    taken = 0

    def pages() -> Iterator[tuple[str, str]]:
        nonlocal taken
        for _ in range(20):
            taken += 1
            yield "<p>x</p>", URL

    next(pool.map(pages()))
    return taken


def test_map_reads_ahead_four_pages_a_worker(fake_executor: type[FakeExecutor]) -> None:
    with ExtractionPool(None, workers=0) as pool:
        assert read_ahead(pool) == 4
    with ExtractionPool(None, workers=3) as pool:
        assert read_ahead(pool) == 12
    with ExtractionPool(None, workers=0, max_in_flight=2) as pool:
        assert read_ahead(pool) == 2


def test_a_page_whose_worker_died_is_tried_again_on_a_new_pool(
    fake_executor: type[FakeExecutor], niaga: SiteConfig
) -> None:
    fake_executor.deaths = 1

    async def run() -> PageResult:
        with ExtractionPool(niaga, workers=1) as pool:
            return await pool.classify(UNMARKED, URL)

    assert asyncio.run(run()).article is not None  # read on the second attempt
    assert len(fake_executor.made) == 2


def test_inline_classify_and_extract(niaga: SiteConfig) -> None:
    async def run() -> tuple[PageResult, bool]:
        with ExtractionPool(niaga, workers=0) as pool:
            result = await pool.classify(UNMARKED, URL)
            return result, await pool.extract(UNMARKED, URL) is not None

    result, extracted = asyncio.run(run())
    assert result.is_article is False and extracted


def test_a_closed_pool_says_so() -> None:
    pool = ExtractionPool(None, workers=0)
    pool.close()
    with pytest.raises(RuntimeError, match=r"^ExtractionPool is closed$"):
        pool.submit("<p>x</p>", URL)


def test_a_later_page_is_read_as_part_of_its_first_pages_article(niaga: SiteConfig) -> None:
    first = URL.rstrip("/")
    html = UNMARKED.replace("</article>", f'<a href="{first}/3">3</a></article>')
    with ExtractionPool(niaga, workers=0) as pool:
        assert pool.submit(html, f"{first}/2", first_url=first).result().next_page == (f"{first}/3")
        assert pool.submit(html, f"{first}/2").result().next_page is None


def test_a_page_handed_over_as_bytes_is_decoded_with_its_encoding(niaga: SiteConfig) -> None:
    html = UNMARKED.replace("Bagian 1.", "Harga 5 €.")
    with ExtractionPool(niaga, workers=0) as pool:
        article = pool.submit(html.encode("iso-8859-15"), URL, encoding="iso-8859-15").result()
        assert article.article is not None and "Harga 5 €." in article.article.text
        assert pool.submit(html, URL, encoding="utf-8").result().article is not None


@pytest.fixture
def quiet_alarm() -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, lambda *_: None)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.usefixtures("quiet_alarm")
def test_the_page_deadline_is_armed_while_a_page_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    armed: list[float] = []

    def read_page(*args: Any) -> PageResult:
        armed.append(signal.getitimer(signal.ITIMER_REAL)[0])
        return PageResult(False, None)

    monkeypatch.setattr(workers, "read_page", read_page)
    monkeypatch.setattr(workers, "_deadline", 0.5)
    _extract_page("<p>x</p>", URL, False)
    assert 0 < armed[0] <= 0.5
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # disarmed once the page is read


@pytest.mark.usefixtures("quiet_alarm")
def test_without_a_deadline_the_callers_alarm_is_left_alone() -> None:
    signal.setitimer(signal.ITIMER_REAL, 100)
    with ExtractionPool(None, workers=0) as pool:
        pool.submit("<p>x</p>", URL).result()
    assert signal.getitimer(signal.ITIMER_REAL)[0] > 90


def test_a_worker_lowers_its_priority_by_nice(monkeypatch: pytest.MonkeyPatch) -> None:
    niceness = [0]

    def nice(increment: int) -> int:
        niceness[0] += increment
        return niceness[0]

    monkeypatch.setattr(workers.os, "nice", nice)
    _init_worker(None, nice=1)
    assert niceness == [1]
    _init_worker(None, nice=0)
    assert niceness == [1]


def test_a_worker_a_core_and_one_when_the_count_is_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 6)
    assert workers.default_workers() == 6
    monkeypatch.setattr(workers.os, "cpu_count", lambda: None)
    assert workers.default_workers() == 1


@pytest.mark.parametrize(
    ("methods", "expected"),
    [(["fork", "spawn", "forkserver"], "forkserver"), (["spawn"], "spawn"), (["fork"], "spawn")],
)
def test_workers_start_by_forkserver_else_spawn_never_fork(
    monkeypatch: pytest.MonkeyPatch, methods: list[str], expected: str
) -> None:
    monkeypatch.setattr(workers.multiprocessing, "get_all_start_methods", lambda: methods)
    assert workers.start_method() == expected


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_workers_start_the_platforms_way_and_the_fork_server_preloads_extraction(
    fake_executor: type[FakeExecutor], monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    preloaded: list[list[str]] = []

    class Context:
        def __init__(self, name: str) -> None:
            self.name = name

        def set_forkserver_preload(self, modules: list[str]) -> None:
            preloaded.append(modules)

    monkeypatch.setattr(workers, "start_method", lambda: method)
    monkeypatch.setattr(workers.multiprocessing, "get_context", Context)
    ExtractionPool(None, workers=1).close()
    (made,) = fake_executor.made
    assert made.kwargs["mp_context"].name == method
    assert made.kwargs["initializer"] is _init_worker
    assert preloaded == ([["crawler.extraction.page"]] if method == "forkserver" else [])


def test_extract_alone_reads_a_known_article() -> None:
    async def run() -> bool:
        with ExtractionPool(None, workers=0) as pool:
            return await pool.extract(UNMARKED, URL) is not None

    assert asyncio.run(run())


def test_workers_get_the_marker_check_first_page_and_encoding(
    fake_executor: type[FakeExecutor], monkeypatch: pytest.MonkeyPatch, niaga: SiteConfig
) -> None:
    monkeypatch.setattr(workers, "_site", niaga)  # what the initializer gives a worker
    first = URL.rstrip("/")
    html = UNMARKED.replace("Bagian 1.", "Harga 5 €.").replace(
        "</article>", f'<a href="{first}/3">3</a></article>'
    )
    marked = html.replace("<head>", '<head><meta property="og:type" content="article">')
    latin9 = "iso-8859-15"

    async def run(page: str) -> PageResult:
        with ExtractionPool(niaga, workers=1) as pool:
            return await pool.classify(page.encode(latin9), f"{first}/2", first, latin9)

    assert asyncio.run(run(html)) == PageResult(False, None)  # the marker was checked
    with ExtractionPool(niaga, workers=1) as pool:
        submitted = pool.submit(html.encode(latin9), f"{first}/2", False, first, latin9)
    for page in (asyncio.run(run(marked)), submitted.result()):
        assert page.next_page == f"{first}/3"
        assert page.article is not None and "Harga 5 €." in page.article.text


class RecordingExecutor(FakeExecutor):
    shutdowns: ClassVar[list[dict[str, Any]]] = []

    def shutdown(self, **kwargs: Any) -> None:
        RecordingExecutor.shutdowns.append(kwargs)


def test_each_death_replaces_the_pool_once_and_the_broken_one_is_dropped_at_once(
    fake_executor: type[FakeExecutor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecordingExecutor, "shutdowns", [])
    monkeypatch.setattr(workers, "ProcessPoolExecutor", RecordingExecutor)

    async def two_pages(pool: ExtractionPool) -> None:
        await asyncio.gather(pool.classify("<p>x</p>", URL), pool.classify("<p>y</p>", URL))

    async def run() -> None:
        with ExtractionPool(None, workers=1) as pool:
            fake_executor.deaths = 2  # both pages die on the same pool: one replacement
            await two_pages(pool)
            assert len(fake_executor.made) == 2
            fake_executor.deaths = 2  # and again on the new pool: one more
            await two_pages(pool)
            assert len(fake_executor.made) == 3

    asyncio.run(run())
    # The broken pools are left without waiting for them, their queued pages cancelled.
    assert RecordingExecutor.shutdowns[:2] == [{"wait": False, "cancel_futures": True}] * 2


def test_a_closing_pool_starts_no_new_workers(fake_executor: type[FakeExecutor]) -> None:
    pool = ExtractionPool(None, workers=1)
    executor = fake_executor.made[0]

    def shutdown(**kwargs: Any) -> None:  # a worker's death noticed while closing
        pool._replace_executor(pool._generation)

    executor.shutdown = shutdown  # type: ignore[method-assign]
    pool.close()
    assert len(fake_executor.made) == 1
