"""Run a command on a pseudo-terminal, as if typed in one, and collect what it shows."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

from crawler.config.sites import PACKAGE_ROOT


def read_pty(cmd: list[str], timeout: float = 300) -> tuple[int, str]:
    """Run ``cmd`` on a pseudo-terminal, as if typed in one; its exit code and output."""
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    proc = subprocess.Popen(cmd, cwd=PACKAGE_ROOT, stdin=child, stdout=child, stderr=child,
                            env=env, close_fds=True)  # fmt: skip
    os.close(child)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1.0)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(main)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()  # past the deadline: never leave it running
        code = proc.wait()
    return code, b"".join(chunks).decode("utf-8", "replace")
