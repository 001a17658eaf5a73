"""Run one command in a process tree of its own and measure it like ``/usr/bin/time -v``.

- **CPU seconds:** user + system of the whole tree. The harness makes itself a child
  subreaper, so orphaned grandchildren (the multiprocessing fork server and the extraction
  workers it forked) are re-parented to it and reaped here; the growth of its
  ``RUSAGE_CHILDREN`` over the run then counts every process the command started.
- **Peak RSS:** ``ru_maxrss`` from ``wait4`` on the command's own process (the crawl process),
  plus the largest *sum* of RSS over the tree, sampled from /proc every 0.2 s, which also
  sees the workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    returncode: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); False where that is not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _session_members(sid: int) -> dict[int, int]:
    """pid → RSS bytes of every process in session ``sid``."""
    members: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[0] is state (field 3); session is field 6, rss (pages) field 24
        if int(fields[3]) == sid:
            members[int(entry.name)] = int(fields[21]) * _PAGE
    return members


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(
    cmd: list[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float | None = None,
    stop_after: float | None = None,
) -> Measured:
    """Run ``cmd`` to completion (or SIGTERM it after ``stop_after`` seconds)."""
    cpu_before = _children_cpu()
    out = log.open("ab") if log else subprocess.DEVNULL
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.wait(0.2):
            peak_tree = max(peak_tree, sum(_session_members(proc.pid).values()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    killer: threading.Timer | None = None
    limit = stop_after if stop_after is not None else timeout
    if limit is not None:
        killer = threading.Timer(limit, lambda: _terminate(proc.pid))
        killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if killer:
            killer.cancel()
        done.set()
        sampler.join()
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    _reap_session(proc.pid)
    return Measured(
        returncode=proc.returncode,
        wall_seconds=wall,
        cpu_seconds=_children_cpu() - cpu_before,
        peak_rss_mb=usage.ru_maxrss / 1024,
        peak_tree_rss_mb=peak_tree / 2**20,
    )


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, 15)


def _reap_session(sid: int, grace: float = 10.0) -> None:
    """Wait for the run's leftover processes (adopted by us as subreaper) so their CPU counts."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        left = _session_members(sid)
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    _terminate(sid)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a running process (all its threads) has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    # utime and stime are fields 14 and 15, in clock ticks
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
