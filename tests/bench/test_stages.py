"""The stage profiler's parts: which stage a stack belongs to, and CPU charged to stacks."""

from __future__ import annotations

import gc
import sys
import time
from types import FrameType

import pytest

from bench.stages import Sampler, stage_of


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
