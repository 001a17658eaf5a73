"""Ctrl-C for the long commands (``warta archive``, ``warta demo``): stop soon, lose nothing.

A Ctrl-C at the terminal goes to every process of the foreground group. For a flow run that
is the flow, Prefect's temporary API server and the crawl: the server died at once and the
flow flooded the screen with connection errors while the crawl was killed with its WARC
open. So the command runs itself again as a child in a session of its own, which the
terminal cannot signal, and passes each Ctrl-C on to that child alone:

1. first Ctrl-C: the child stops the crawl gracefully (Scrapy closes the spider and the
   WARC), Prefect records the run as crashed, the temporary server stops cleanly;
2. second Ctrl-C: the crawl stops at once; if the child still runs a few seconds later,
   its whole session is killed. What was fetched is in a ``.open`` WARC, which the next
   run recovers and stores (:mod:`flows.unfinished`).

The child dies with its parent, so ``kill -9`` of the command leaves nothing running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

CHILD_ENV = "WARTA_SUPERVISED"
FORCE_GRACE_SECONDS = 5.0


def is_child() -> bool:
    return os.environ.get(CHILD_ENV) == "1"


def run_supervised(argv: Sequence[str]) -> int:
    """Run ``warta ARGV`` as a child in its own session; forward SIGINT/SIGTERM; its code."""
    env = {**os.environ, CHILD_ENV: "1"}
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # a background job of a script
        signal.signal(signal.SIGINT, signal.default_int_handler)
    child = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *argv], env=env, start_new_session=True
    )
    signals: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        signals.append(signum)
        if child.poll() is not None:
            return
        if len(signals) == 1:
            print("\nstopping the crawl cleanly (Ctrl-C again to stop at once) ...",
                  file=sys.stderr, flush=True)  # fmt: skip
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        forced_at: float | None = None
        while True:
            try:
                return child.wait(0.2)
            except subprocess.TimeoutExpired:
                pass
            if len(signals) >= 2 and forced_at is None:
                forced_at = time.monotonic()
            if forced_at is not None and time.monotonic() - forced_at > FORCE_GRACE_SECONDS:
                kill_session(child.pid)
                return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def kill_session(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def become_child() -> None:
    """In the child: die with the supervisor, and treat SIGTERM like an orderly exit."""
    from crawler.process.lifetime import die_with_parent

    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    # Started from a script in the background, the command inherits SIGINT ignored (the
    # shell's doing) and so would this child: the supervisor's forwarded Ctrl-C would be
    # lost. Python's own handler makes it a KeyboardInterrupt again.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, leave)
    die_with_parent(signal.SIGTERM)


def stop_temporary_server(grace: float = 2.0) -> None:
    """After an interrupt: stop Prefect's temporary server now, not at exit.

    Its own stop waits 5 s for uvicorn to drain, which on a busy machine is most of the
    time a user grants a Ctrl-C. The run is already recorded as crashed when this runs.
    """
    from crawler.process.runner import stop_crawl

    module = sys.modules.get("prefect.server.api.server")  # loaded only if a server was started
    server_class = getattr(module, "SubprocessASGIServer", None)
    for server in list(getattr(server_class, "_instances", {}).values()):
        process = getattr(server, "server_process", None)
        if process is not None:
            stop_crawl(process, grace)


__all__ = ["CHILD_ENV", "become_child", "is_child", "run_supervised", "stop_temporary_server"]
