"""Ctrl-C stops ``warta archive`` in seconds with default politeness, and exits 130.

Default politeness (a delay per host, AutoThrottle) keeps a dozen requests waiting in the
downloader; Scrapy's graceful stop used to fetch them all first (20 s). Two ways a user
stops it: Ctrl-C typed at a terminal (a pseudo-terminal here, whose line discipline sends
SIGINT to the foreground group), and SIGINT sent to a command a script started in the
background (which inherits SIGINT *ignored* from the shell).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
WARTA = Path(sys.executable).parent / "warta"
LIMIT = 5.0  # seconds from Ctrl-C to the prompt


@pytest.fixture(scope="module")
def big_replica() -> Iterator[str]:
    from replica.content import build_site
    from replica.server import ReplicaServer

    with ReplicaServer(build_site(300)) as server:
        yield server.base_url


def archive_command(base_url: str, root: Path) -> list[str]:
    return [str(WARTA), "archive", "niaga", "--base-url", base_url,
            "--data-dir", str(root / "data"), "--storage", str(root / "archive")]  # fmt: skip


def pages_fetched(root: Path) -> int:
    for path in (root / "data" / "crawls" / "niaga").glob("*/.crawl-progress.json"):
        try:
            return int(json.loads(path.read_text()).get("pages", 0))
        except (OSError, ValueError):
            continue
    return 0


def wait_for_pages(root: Path, alive: object, pages: int = 5, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while pages_fetched(root) < pages:
        assert callable(alive) and alive(), "the command ended before its crawl fetched"
        assert time.monotonic() < deadline, f"no {pages} pages fetched in {timeout} s"
        time.sleep(0.2)


def _controlling_terminal() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_at_a_terminal(big_replica: str, tmp_path: Path) -> None:
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    proc = subprocess.Popen(
        archive_command(big_replica, tmp_path), stdin=child, stdout=child, stderr=child,
        env=env, preexec_fn=_controlling_terminal,
    )  # fmt: skip
    os.close(child)
    shown = bytearray()

    def drain(wait: float) -> None:
        ready, _, _ = select.select([main], [], [], wait)
        if ready:
            with contextlib.suppress(OSError):
                shown.extend(os.read(main, 65536))

    try:
        deadline = time.monotonic() + 600
        while pages_fetched(tmp_path) < 5:
            assert proc.poll() is None, shown.decode(errors="replace")[-3000:]
            assert time.monotonic() < deadline
            drain(0.2)
        os.write(main, b"\x03")  # Ctrl-C, as typed
        sent = time.monotonic()
        while proc.poll() is None and time.monotonic() - sent < 60:
            drain(0.1)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        os.close(main)
    text = shown.decode(errors="replace")
    print(f"Ctrl-C at a terminal: exit {proc.returncode} after {took:.1f} s")
    assert proc.returncode == 130, text[-3000:]
    assert took < LIMIT, f"Ctrl-C took {took:.1f} s"
    assert "Traceback" not in text


def test_sigint_to_a_command_started_in_the_background_by_a_script(
    big_replica: str, tmp_path: Path
) -> None:
    script = (
        " ".join(f"'{part}'" for part in archive_command(big_replica, tmp_path))
        + f" > '{tmp_path}/out.log' 2>&1 &\n"
        + f"echo $! > '{tmp_path}/pid'\nwait $!\necho $? > '{tmp_path}/rc'\n"
    )
    shell = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    try:
        while not (tmp_path / "pid").is_file() or not (tmp_path / "pid").read_text().strip():
            time.sleep(0.05)
        pid = int((tmp_path / "pid").read_text())
        wait_for_pages(tmp_path, lambda: shell.poll() is None)
        os.kill(pid, signal.SIGINT)
        sent = time.monotonic()
        shell.wait(60)
        took = time.monotonic() - sent
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait(30)
    code = int((tmp_path / "rc").read_text())
    print(f"SIGINT to a background command: exit {code} after {took:.1f} s")
    assert code == 130, (tmp_path / "out.log").read_text()[-3000:]
    assert took < LIMIT, f"SIGINT took {took:.1f} s"
