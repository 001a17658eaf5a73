"""``warta replica`` and ``python -m replica`` as real processes: one ``serving`` line, then
serve until a signal."""

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


# Runs ``python -m replica`` with the crawler and flows packages made unimportable, so the
# replica stays usable (and testable) on its own.
STANDALONE = (
    "import runpy, sys\n"
    "sys.modules['crawler'] = sys.modules['flows'] = None\n"
    "runpy.run_module('replica', run_name='__main__', alter_sys=True)\n"
)


def test_python_m_replica_runs_without_crawler_or_flows() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", STANDALONE, "--port", "0", "--articles", "10", "--site", "portal"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"serving (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        with urllib.request.urlopen(f"{match.group(1)}/", timeout=30) as response:
            assert response.status == 200
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err


def test_python_m_replica_names_itself_in_errors() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "replica", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("python -m replica: refusing") and "--public" in proc.stderr
