"""Regular expressions from site files run on RE2: linear time, whatever a site file says.

A site file is data, and a pattern in it is code that runs on every page a stranger's
server sends. Python's ``re`` backtracks: ``(a+)+$`` takes exponential time on a line of
``a``s, and one such page can hang a crawl. RE2 (Google's engine, the established answer)
matches in time linear in the input and refuses the features that need backtracking
(backreferences, lookaround). Site files are checked with it when they load, so a pattern
RE2 cannot run is a config error naming the file and the field, not a surprise mid-crawl.

Built-in patterns stay on ``re`` and are written to be linear or run on bounded input.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the error goes into our exception, not to stderr


class PatternError(ValueError):
    """A site-file pattern that RE2 cannot compile."""


@lru_cache(maxsize=512)
def site_pattern(pattern: str, dotall: bool = False, ignorecase: bool = False) -> Any:
    """The RE2 program for ``pattern`` (cached: site rules are compiled once per process).

    The returned object has ``search``, ``match``, ``fullmatch``, ``sub`` and ``groupdict``
    on its matches, like a compiled ``re`` pattern.
    """
    flags = ("s" if dotall else "") + ("i" if ignorecase else "")
    source = f"(?{flags}){pattern}" if flags else pattern
    try:
        return re2.compile(source, options=_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise PatternError(
            f"{pattern!r} is not a linear-time (RE2) regular expression: {detail}"
        ) from None


def check_patterns(patterns: list[str]) -> list[str]:
    """Validator for site-file fields: each pattern must compile under RE2."""
    for pattern in patterns:
        site_pattern(pattern)
    return patterns
