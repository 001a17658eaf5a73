"""The crawl's socket-fed extraction workers keep the executor pool's guarantees: the same
results, a page deadline that costs a worker and not the crawl, a worker killed from outside
replaced, at most ``max_in_flight`` pages held, and a close that ends every worker."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from crawler.extraction.page import read_page
from crawler.extraction.socket_pool import DEPTH, SocketPool
from crawler.extraction.workers import PageDeadlineExceeded
from tests.waiting import wait_until

# Worker processes and a fork server: slow, and kept out of make mutate, whose forked test
# runs must not share a fork server.
pytestmark = pytest.mark.slow

PAGE = (
    "<html><head><title>Warga menanam pohon {n}</title></head><body><article>"
    "<h1>Warga menanam pohon {n}</h1><p>"
    + "Warga Samarinda menanam pohon di tepi sungai, kata Ñoño – “bagus”. " * 15
    + "</p></article></body></html>"
)
HUGE = "<html><body>" + "<div><p>kata lain di sini</p></div>" * 3_000 + "</body></html>"  # ~3 s


def _url(n: int) -> str:
    return f"http://x.example/berita/{n}/"


def test_results_are_those_of_inline_extraction_in_order() -> None:
    pages = [PAGE.format(n=n) for n in range(40)]

    async def run() -> list[object]:
        pool = SocketPool(None, workers=2)
        try:
            jobs = [
                pool.classify(page.encode(), _url(n), None, "utf-8")
                if n % 2
                else pool.classify(page, _url(n))
                for n, page in enumerate(pages)
            ]
            return list(await asyncio.gather(*jobs))
        finally:
            pool.close()

    results = asyncio.run(run())
    expected = [read_page(page, _url(n), None, check_marker=True) for n, page in enumerate(pages)]
    assert results == expected
    assert all(r.article is not None for r in expected)


def test_a_slow_page_is_given_up_and_the_pool_carries_on() -> None:
    async def run() -> tuple[float, bool, set[int | None], set[int | None]]:
        pool = SocketPool(None, workers=1, page_deadline=0.5)
        try:
            await pool.classify(PAGE.format(n=0), _url(0))
            before = {link.process.pid for link in pool._links}
            started = time.monotonic()
            with pytest.raises(PageDeadlineExceeded, match="deadline"):
                await pool.classify(HUGE, "http://x.example/huge")
            elapsed = time.monotonic() - started
            after = await pool.classify(PAGE.format(n=1), _url(1))
            return elapsed, after.article is not None, before, {w.process.pid for w in pool._links}
        finally:
            pool.close()

    elapsed, extracted_after, before, now = asyncio.run(run())
    assert elapsed < 20, elapsed  # two attempts of 0.5 s plus two worker start-ups
    assert extracted_after
    assert before and now and not before & now  # the worker was replaced


def test_a_worker_killed_from_outside_is_replaced_and_its_page_read() -> None:
    async def run() -> bool:
        pool = SocketPool(None, workers=1, page_deadline=0)
        try:
            await pool.classify(PAGE.format(n=0), _url(0))
            (link,) = pool._links
            job = asyncio.ensure_future(pool.classify(HUGE, "http://x.example/huge"))
            await asyncio.sleep(0.3)  # the worker is inside the page
            assert link.process.pid is not None
            os.kill(link.process.pid, signal.SIGKILL)
            result = await job  # read again by the fresh worker
            return result.is_article
        finally:
            pool.close()

    assert asyncio.run(run())


def test_at_most_max_in_flight_pages_are_held() -> None:
    held: list[int] = []

    async def run() -> None:
        pool = SocketPool(None, workers=2, max_in_flight=5)
        try:

            async def watch() -> None:
                while True:
                    held.append(len(pool._waiting) + sum(len(w.in_flight) for w in pool._links))
                    busiest = max((len(w.in_flight) for w in pool._links), default=0)
                    assert busiest <= DEPTH
                    await asyncio.sleep(0)

            watcher = asyncio.ensure_future(watch())
            await asyncio.gather(*(pool.classify(PAGE.format(n=n), _url(n)) for n in range(60)))
            watcher.cancel()
        finally:
            pool.close()

    asyncio.run(run())
    assert max(held) == 5


def test_close_ends_every_worker_and_a_page_then_is_refused() -> None:
    async def run() -> list[int | None]:
        pool = SocketPool(None, workers=2)
        await asyncio.gather(*(pool.classify(PAGE.format(n=n), _url(n)) for n in range(4)))
        processes = [link.process for link in pool._links]
        pool.close()
        pool.close()  # idempotent
        with pytest.raises(RuntimeError, match="closed"):
            await pool.classify(PAGE.format(n=9), _url(9))
        return [p.exitcode for p in processes]

    assert asyncio.run(run()) == [0, 0]  # each saw its socket end and returned


def test_close_with_a_page_in_flight_does_not_leave_its_caller_waiting() -> None:
    async def run() -> None:
        pool = SocketPool(None, workers=1, page_deadline=0)
        await pool.classify(PAGE.format(n=0), _url(0))
        (link,) = pool._links
        job = asyncio.ensure_future(pool.classify(HUGE, "http://x.example/huge"))
        await asyncio.sleep(0.3)
        pool.close(cancel=True)
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(job, 10)
        wait_until(lambda: not link.process.is_alive(), 10, what="the worker to end")

    asyncio.run(run())
