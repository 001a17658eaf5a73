"""Durations and byte sizes as people type and read them, in one convention for all of warta.

Durations: a number with a unit of w, d, h, m or s, parts may be combined (``1d12h``), and
a bare number counts seconds. Sizes are shown in binary units (KiB, MiB, GiB: powers of
1024), as the download progress bar and ``ls -h`` show them.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms]?)", re.IGNORECASE)
_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}
_SIZE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def parse_duration(text: str) -> timedelta:
    """``7d``, ``36h``, ``1d12h``, ``90m``, ``1w`` or ``3600`` (seconds); ValueError if not."""
    compact = text.strip().replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts).lower() != compact.lower():
        raise ValueError(f"{text!r} is not a duration like 7d, 36h, 1d12h, 30m or 3600")
    if any(not unit for _, unit in parts) and len(parts) > 1:
        raise ValueError(f"{text!r} mixes a bare number with units; give every part a unit")
    return timedelta(seconds=sum(float(n) * _SECONDS[u.lower()] for n, u in parts))


def format_bytes(size: float) -> str:
    """``512 B``, ``1.5 KiB``, ``12.3 MiB``: one decimal from KiB on."""
    for unit in _SIZE_UNITS:
        if size < 1024 or unit == _SIZE_UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover
