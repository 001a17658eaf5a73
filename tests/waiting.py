"""One way for a test to wait: poll a condition until it holds or a deadline passes.

Tests wait on what they need (a server answering, a file growing, a process gone) instead
of sleeping a fixed time, which is either too short on a loaded machine or wasted on an
idle one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T | None], timeout: float, interval: float = 0.05, what: str = ""
) -> T:
    """The first truthy value ``condition()`` returns, polled every ``interval`` seconds.

    Raises AssertionError after ``timeout`` seconds (naming ``what``); an exception raised by
    ``condition`` (a process that exited, say) ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")
        time.sleep(interval)
