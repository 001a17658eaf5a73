"""``warta replica`` as a real process: one ``serving`` line, then serve until a signal."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "replica", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signalled_and_exits_zero(stop_signal: signal.Signals) -> None:
    proc = start("--port", "0", "--articles", "12", "--crawl-delay", "1")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, line
        with urllib.request.urlopen(f"{match.group(1)}/robots.txt", timeout=30) as response:
            assert "Crawl-delay: 1" in response.read().decode()
        with urllib.request.urlopen(f"{match.group(1)}/", timeout=30) as response:
            assert response.status == 200
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out == "" and err == ""


def test_refuses_a_public_host_without_flag() -> None:
    proc = start("--host", "0.0.0.0", "--port", "0")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert out == "" and "--public" in err


def test_rejects_bad_arguments() -> None:
    proc = start("--articles", "0", "--port", "0")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--articles" in err
