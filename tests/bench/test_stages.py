"""The stage profiler's parts: which stage a stack belongs to, and CPU charged to stacks."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from types import FrameType

import pytest

from bench.stages import Sampler, stage_of
from crawler.config.sites import PACKAGE_ROOT


def test_innermost_known_module_names_the_stage() -> None:
    gzip = [("warcio.warcwriter", "GzippingWrapper.write"), ("crawler.warc.writer", "x")]
    assert stage_of(gzip) == "warc_gzip"
    # warcio's other code counts for its caller: record building, or the writer
    digest = [("hashlib", "new"), ("warcio.recordbuilder", "ensure_digest")]
    assert stage_of([*digest, ("crawler.warc.records", "response")]) == "warc_records"
    assert stage_of([("json", "dumps"), ("crawler.pipelines", "process_item")]) == (
        "article_output"
    )
    parser = [("twisted.web._newclient", "dataReceived"), ("crawler.warc.wire", "dataReceived")]
    assert stage_of(parser) == "http_client"
    assert stage_of([("sqlite3", "execute"), ("crawler.spiders.news", "parse")]) == "state"
    assert stage_of([("json", "loads")]) == "other"


def _busy(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        sum(range(1000))


def test_sampler_charges_cpu_to_the_busy_function() -> None:
    sampler = Sampler(interval=0.002)
    sampler.start()
    try:
        _busy(0.3)
        time.sleep(0.2)  # asleep: charged nothing
    finally:
        sampler.stop()
    charged = sum(sampler.stacks.values())
    busy = sum(
        seconds
        for (_, stack), seconds in sampler.stacks.items()
        if any(name == "_busy" for _, name in stack)
    )
    assert 0.2 < charged < 0.45
    assert busy > 0.8 * charged
    assert all(line.rsplit(" ", 1)[1].isdigit() for line in sampler.collapsed())


def test_no_collection_while_the_frames_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """sys._current_frames() holds the thread list's lock while it makes frame objects; a
    collection started there deadlocks CPython 3.11 (gh-106883): the profiled crawls that
    hung at their end. The sampler reads the frames with collection off, and turns it back
    on after."""
    seen: list[bool] = []
    real = sys._current_frames

    def frames() -> dict[int, FrameType]:
        seen.append(gc.isenabled())
        return real()

    monkeypatch.setattr(sys, "_current_frames", frames)
    sampler = Sampler(interval=0.002)
    sampler.start()
    try:
        _busy(0.1)
    finally:
        sampler.stop()
    assert seen and not any(seen)
    assert gc.isenabled()


HAZARD = """
import _thread, gc, signal, sys, threading, time
from bench.stages import Sampler

stop = threading.Event()

def inner():
    time.sleep(0.00005)

def busy():  # a new frame all the time: sys._current_frames() must make frame objects
    while not stop.is_set():
        inner()

for _ in range(4):
    threading.Thread(target=busy, daemon=True).start()
sampler = Sampler()
gc.set_threshold(1, 1, 1)
for _ in range(20000):
    cycle = [_thread._local()]
    cycle[0].x = 1
    cycle.append(cycle)  # garbage only a collection frees, holding a thread-local
    del cycle
    sampler._sample(signal.SIGPROF, None)
stop.set()
print("finished")
"""


def test_the_sampler_survives_collections_that_free_thread_locals() -> None:
    """Without the fix this script deadlocks at once on CPython 3.11 (a bare
    sys._current_frames() in its place never finishes); with it, it takes a second."""
    done = subprocess.run(
        [sys.executable, "-c", HAZARD],
        cwd=PACKAGE_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "finished"
