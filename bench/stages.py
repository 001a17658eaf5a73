"""Where a crawl process's CPU goes: a sampling profiler weighted by each thread's CPU clock.

``StageProfiler`` is a Scrapy extension for benchmark crawls (``BENCH_PROFILE``). After every
few milliseconds of the process's CPU (``SIGPROF``) it reads each thread's CPU clock
(``pthread_getcpuclockid``) and charges the CPU each used since the last look to that
thread's current Python stack. A thread asleep in ``epoll`` or on a lock uses no CPU, so it
is charged nothing: the result is CPU seconds, not wall time. The looks' own CPU is left out
and reported as ``profiler``.

Each stack is put in a *stage* by its innermost frame from a module that says which stage it
is (:data:`STAGE_RULES`); frames from helper modules (``json``, ``re``, ``hashlib``, most of
warcio) count for the code that called them. At spider close the extension writes
``profile-stacks.txt`` (collapsed stacks, one ``frame;frame;... microseconds`` per line: the
input of flamegraph.pl or speedscope) and ``profile-stages.json`` into the crawl folder.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import logging
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

STACKS_FILE = "profile-stacks.txt"
STAGES_FILE = "profile-stages.json"
INTERVAL = 0.005  # seconds of the process's CPU between looks

# (module prefix, qualified-name prefix or "", stage): the innermost frame that matches one
# decides the stack's stage. Order matters where prefixes nest.
STAGE_RULES: tuple[tuple[str, str, str], ...] = (
    ("warcio.warcwriter", "GzippingWrapper", "warc_gzip"),
    ("zlib", "", "warc_gzip"),
    ("crawler.warc.writer", "", "warc_write"),
    ("crawler.warc.records", "", "warc_records"),
    ("crawler.warc.capture", "", "warc_capture"),
    ("crawler.warc.tape", "", "wire_tape"),
    ("crawler.warc.wire", "", "wire_tape"),
    ("crawler.warc", "", "warc_other"),
    ("crawler.incremental", "", "state"),
    ("sqlite3", "", "state"),
    ("crawler.spiders.requisites", "", "requisites"),
    ("crawler.extraction.requisites", "", "requisites"),
    ("crawler.process.progress", "", "progress"),
    ("crawler.extraction.workers", "", "extraction_handoff"),
    ("concurrent.futures", "", "extraction_handoff"),
    ("multiprocessing", "", "extraction_handoff"),
    ("crawler.pipelines", "", "article_output"),
    ("crawler.fetch", "", "fetch_middlewares"),
    ("crawler", "", "spider"),
    ("scrapy.core.downloader.handlers", "", "http_client"),
    ("twisted.web", "", "http_client"),
    ("twisted.internet.tcp", "", "http_client"),
    ("twisted.internet.endpoints", "", "http_client"),
    ("scrapy.core.scheduler", "", "scheduler"),
    ("scrapy.squeues", "", "scheduler"),
    ("scrapy.pqueues", "", "scheduler"),
    ("scrapy.dupefilters", "", "scheduler"),
    ("scrapy.utils.request", "", "scheduler"),
    ("queuelib", "", "scheduler"),
    ("pickle", "", "scheduler"),
    ("scrapy.downloadermiddlewares", "", "scrapy_middlewares"),
    ("scrapy.spidermiddlewares", "", "scrapy_middlewares"),
    ("scrapy.core.downloader.middleware", "", "scrapy_middlewares"),
    ("scrapy.core.spidermw", "", "scrapy_middlewares"),
    ("scrapy.http", "", "scrapy_http"),
    ("w3lib", "", "scrapy_http"),
    ("logging", "", "logging_stats"),
    ("scrapy.logformatter", "", "logging_stats"),
    ("scrapy.statscollectors", "", "logging_stats"),
    ("bench", "", "bench"),
    ("scrapy", "", "engine"),
    ("twisted", "", "engine"),
    ("asyncio", "", "engine"),
)


# Threads that do one stage's work and nothing else. Their stacks are looked at when the
# reactor takes a sample, which can be just after a burst of work, with the thread back
# asleep in its queue: by stack, that burst would look like the queue's.
THREAD_STAGES = {"warc": "warc_thread", "QueueFeederThread": "extraction_handoff"}


def _module_matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def stage_of(frames: list[tuple[str, str]]) -> str:
    """The stage of a stack given innermost first as (module, qualified name) pairs."""
    for module, qualname in frames:
        for prefix, name, stage in STAGE_RULES:
            if _module_matches(module, prefix) and qualname.startswith(name):
                return stage
    return "other"


class _Labels:
    """(module, qualname) of a code object, cached: frames repeat all the time."""

    def __init__(self) -> None:
        self._cache: dict[CodeType, tuple[str, str]] = {}

    def __call__(self, frame: FrameType) -> tuple[str, str]:
        code = frame.f_code
        found = self._cache.get(code)
        if found is None:
            module = str(frame.f_globals.get("__name__", "?"))
            found = (module, code.co_qualname)
            self._cache[code] = found
        return found


class Sampler:
    """Charges each thread's CPU to its stacks; ``stacks`` maps stack → CPU seconds.

    The looks are driven by ``SIGPROF`` after every ``interval`` of the process's CPU, and
    taken by the main (reactor) thread at its next bytecode: a sampler *thread* would see
    the reactor's stack only when the reactor lets go of the GIL (in sqlite, zlib or a
    system call) and charge it the Python work done in between. The handler takes no lock
    (the interrupted code may hold it): no ``threading.enumerate``, no logging.
    """

    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self.stacks: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
        self.own_cpu = 0.0
        self._labels = _Labels()
        self._last: dict[int, float] = {}
        self._names: dict[int, str] = {}
        self._main = threading.main_thread().ident or 0
        self._previous: Any = None

    def start(self) -> None:
        self._previous = signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        # a SIGPROF still on its way must not meet the default action, which ends the process
        signal.signal(signal.SIGPROF, self._previous or signal.SIG_IGN)

    def _cpu(self, ident: int) -> float | None:
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(ident))
        except (OSError, ValueError):
            return None

    def _sample(self, signum: int, frame: FrameType | None) -> None:
        began = time.thread_time()
        # sys._current_frames() makes frame objects while it holds the interpreter's thread
        # list lock, and in CPython 3.11 making one can start a garbage collection; freeing a
        # thread-local object there takes that lock again, or a finalizer lets go of the
        # GIL to a thread that waits for the lock: the crawl stops for good, its main thread
        # waiting on a lock (CPython gh-106883, not fixed in 3.11; 2 of 3 profiled crawls of
        # 1,000 articles hung so). No collection may start in between.
        collecting = gc.isenabled()
        gc.disable()
        try:
            frames = sys._current_frames()
        finally:
            if collecting:
                gc.enable()
        if frame is not None:
            frames[self._main] = frame  # where the signal found it, not this handler
        if any(ident not in self._names for ident in frames):
            # threading.enumerate() takes a lock the interrupted code may hold: read the
            # registry as it is (a dict copy is atomic under the GIL)
            active: dict[int, threading.Thread] = dict(getattr(threading, "_active", {}))
            self._names = {ident: _thread_kind(t.name) for ident, t in active.items()}
        for ident, top in frames.items():
            cpu = self._cpu(ident)
            if cpu is None:
                continue
            used = cpu - self._last.get(ident, cpu)
            self._last[ident] = cpu
            if used <= 0:
                continue
            stack: list[tuple[str, str]] = []
            walk: FrameType | None = top
            while walk is not None:
                stack.append(self._labels(walk))
                walk = walk.f_back
            self.stacks[(self._names.get(ident, "thread"), tuple(stack))] += used
        spent = time.thread_time() - began
        self.own_cpu += spent
        self._last[self._main] = self._last.get(self._main, 0.0) + spent  # not charged on

    def stages(self) -> dict[str, float]:
        out: Counter[str] = Counter()
        for (thread, stack), seconds in self.stacks.items():
            stage = THREAD_STAGES.get(thread) or stage_of(list(stack))
            if stage == "other" and thread != "MainThread":
                stage = f"thread:{thread}"
            out[stage] += seconds
        return {k: round(v, 3) for k, v in out.most_common()}

    def collapsed(self) -> list[str]:
        """Collapsed stacks, outermost frame first, weights in CPU microseconds."""
        lines: Counter[str] = Counter()
        for (thread, stack), seconds in self.stacks.items():
            frames = [thread] + [f"{m}:{q}" for m, q in reversed(stack)]
            lines[";".join(f.replace(";", ",").replace(" ", "_") for f in frames)] += seconds
        return [f"{stack} {round(us * 1e6)}" for stack, us in lines.most_common() if us >= 1e-6]


def _thread_kind(name: str) -> str:
    """Thread names without their serial numbers, so stacks of a pool's threads merge."""
    return name.split("-")[0].split("_")[0] if name != "MainThread" else name


class StageProfiler:
    """Profiles the crawl process from spider open to close (``BENCH_PROFILE``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sampler = Sampler()
        self.gc_cpu = 0.0
        self._gc_began = 0.0
        self.gc_runs = [0, 0, 0]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("BENCH_PROFILE"):
            raise NotConfigured("stage profiling is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        # a run stopped for taking too long (SIGTERM) says where each thread was, in its log
        faulthandler.register(signal.SIGTERM, all_threads=True, chain=True)
        self.sampler.start()
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_began = time.thread_time()
        else:
            self.gc_cpu += time.thread_time() - self._gc_began
            self.gc_runs[info.get("generation", 0)] += 1

    def spider_closed(self) -> None:
        self.sampler.stop()
        gc.callbacks.remove(self._gc)
        logger.info("GC: %.3f s CPU, collections by generation %s", self.gc_cpu, self.gc_runs)
        out = self.crawler.settings.get("WARTA_OUTPUT_DIR")
        if not out:
            return
        stages = self.sampler.stages()
        stages["profiler"] = round(self.sampler.own_cpu, 3)
        Path(out, STAGES_FILE).write_text(json.dumps(stages, indent=1))
        Path(out, STACKS_FILE).write_text("\n".join(self.sampler.collapsed()) + "\n")
