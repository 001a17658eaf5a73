"""Loopback ports for the external test servers (SeaweedFS, Prefect, pywb).

Servers of our own bind port 0 and keep the socket, so no port is ever free between a choice
and its use. External servers take a port number on their command line, so the number is
chosen first; ``fresh_ports`` never hands out a number twice in one session (a restarted
server gets new ones), and ``start_on_fresh_ports`` starts again on other numbers when
another process took the chosen ones in between.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
ATTEMPTS = 4
_handed_out: set[int] = set()
_lock = threading.Lock()


class PortTaken(RuntimeError):
    """The server could not bind a port it was given; start it again on other ports."""


def fresh_ports(count: int) -> list[int]:
    """``count`` different ports the OS reports free now, none handed out before."""
    chosen: list[int] = []
    held: list[socket.socket] = []
    try:
        with _lock:
            while len(chosen) < count:
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
                if port not in _handed_out:
                    chosen.append(port)
                    _handed_out.add(port)
    finally:
        for sock in held:
            sock.close()
    return chosen


def bind_failed(log_text: str) -> bool:
    """Whether a server's log says it could not bind its address."""
    text = log_text.lower()
    return "address already in use" in text or "errno 98" in text or "bind:" in text


def start_on_fresh_ports(start: Callable[[list[int]], T], count: int) -> T:
    """``start(ports)`` with fresh ports, again with new ones while it raises PortTaken."""
    for attempt in range(ATTEMPTS):
        try:
            return start(fresh_ports(count))
        except PortTaken:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
