"""Ctrl-C's helpers: which process is the supervised child, and stopping Prefect's temporary
server at once (tests/flows/cli/test_ctrl_c.py presses Ctrl-C for real)."""

from __future__ import annotations

import subprocess
import sys
import time
import types

import pytest

from flows.graceful_stop import CHILD_ENV, is_child, stop_temporary_server


def test_only_the_supervised_child_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHILD_ENV, raising=False)
    assert not is_child()
    monkeypatch.setenv(CHILD_ENV, "1")
    assert is_child()
    monkeypatch.setenv(CHILD_ENV, "0")
    assert not is_child()


def test_a_temporary_server_that_will_not_stop_is_killed_after_two_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stubborn = subprocess.Popen(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
         "signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert stubborn.stdout is not None and stubborn.stdout.readline() == "ready\n"
        server = types.SimpleNamespace(server_process=stubborn)
        asgi = type("SubprocessASGIServer", (), {"_instances": {8080: server}})
        module = types.ModuleType("prefect.server.api.server")
        module.SubprocessASGIServer = asgi  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "prefect.server.api.server", module)
        started = time.monotonic()
        stop_temporary_server()
        took = time.monotonic() - started
        assert stubborn.poll() is not None and 1.9 < took < 2.9
    finally:
        stubborn.kill()
        stubborn.wait()


def test_no_temporary_server_is_nothing_to_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "prefect.server.api.server"
    monkeypatch.delitem(sys.modules, name, raising=False)
    stop_temporary_server()  # Prefect never started a server in this process
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)
    stop_temporary_server()  # another Prefect version: no such class
    module.SubprocessASGIServer = type("SubprocessASGIServer", (), {})  # type: ignore[attr-defined]
    stop_temporary_server()  # nor its registry of servers
    server = types.SimpleNamespace()  # a server whose process never started
    module.SubprocessASGIServer._instances = {8080: server}  # type: ignore[attr-defined]
    stop_temporary_server()
