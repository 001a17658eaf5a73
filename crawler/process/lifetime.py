"""Processes that die with their parent, so a killed crawl leaves nothing running.

A crawl is a tree: a Prefect worker or ``warta archive`` starts ``scrapy crawl``, which
starts a fork server, which starts extraction workers. When a parent is killed with
SIGKILL it cannot clean up, and before this its children ran on, held the crawl's files
open and used its cores. On Linux each child asks the kernel for a signal when its parent
dies (``PR_SET_PDEATHSIG``); elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys

LOG = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Set by crawler.process.runner for the crawls it starts. A crawl started by hand (say under nohup)
# must outlive its shell, so it does not ask.
DIE_WITH_PARENT_ENV = "WARTA_DIE_WITH_PARENT"


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Ask for ``sig`` when the parent process dies; True when the kernel agreed.

    If the parent is already gone (we were re-parented before the call), exit at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        LOG.debug("prctl(PR_SET_PDEATHSIG) unavailable")
        return False
    if parent == 1 or os.getppid() != parent:
        os._exit(1)  # the parent died before we asked: nobody will collect our work
    return True


def exit_when_gone(pid: int) -> None:
    """Exit this process as soon as process ``pid`` ends (a daemon thread waits for it).

    For workers whose real owner is not their parent: a fork server's children wait on the
    fork server, and the fork server waits on its children (they hold its "alive" pipe), so
    neither notices that the crawl that started them was killed. Each worker therefore
    watches the crawl itself, with a pidfd where Linux has one.
    """
    import select
    import threading
    import time

    def wait_pidfd(fd: int) -> None:
        select.select([fd], [], [])
        os._exit(0)

    def poll() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                continue

    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        threading.Thread(target=poll, name="exit-when-gone", daemon=True).start()
        return
    threading.Thread(target=wait_pidfd, args=(fd,), name="exit-when-gone", daemon=True).start()
