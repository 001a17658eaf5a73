"""The order of a mutant's tests under ``make mutate``: likeliest killers first.

mutmut runs each mutant's covering tests with ``-x``: the run ends at the first failure, so
a mutant costs what runs before the test that kills it. In the order pytest would choose, a
mutant of ``captions.py`` may first run a hundred whole-page extractions from other modules'
tests before it reaches ``test_captions.py``. Here the tests that mirror the mutated module
come first, then the other modules by their cheapest test; inside a module, cheapest first.
A module's tests stay together, so its fixtures are still made once. A survivor runs every
test either way: the order changes only how soon a killed mutant stops.

The durations are mutmut's own (``mutmut-stats.json``, in the folder the tests run from),
read once by the fork server and inherited by every mutant's process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol, TypeVar

from bench.mutate import mirror_prefix

STATS = Path("mutmut-stats.json")  # relative: mutmut runs the tests inside mutants/
_read: tuple[float, dict[str, float]] | None = None


class Item(Protocol):
    @property
    def nodeid(self) -> str: ...


T = TypeVar("T", bound=Item)


def mutant_under_test() -> str | None:
    """The mutant this process runs the tests of (mutmut's name for it), else None."""
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return name if "__mutmut_" in name else None


def durations(stats: Path = STATS) -> dict[str, float]:
    """Seconds per test id from the stats file, read again only when it changed."""
    global _read
    try:
        changed = stats.stat().st_mtime
    except OSError:
        return {}
    if _read is None or _read[0] != changed:
        found = json.loads(stats.read_bytes()).get("duration_by_test", {})
        _read = (changed, {str(k): float(v) for k, v in found.items()})
    return _read[1]


def likeliest_first(items: list[T], mutant: str, seconds: dict[str, float]) -> list[T]:
    """``items`` reordered: the mutated module's own tests, then every other module by its
    cheapest test; cheapest first within a module; ties keep pytest's order."""
    by_module: dict[str, list[T]] = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def cost(item: T) -> float:
        return seconds.get(item.nodeid, 0.0)

    for tests in by_module.values():
        tests.sort(key=cost)
    own = mirror_prefix(mutant)
    modules = sorted(
        by_module.items(),
        key=lambda module: (not module[0].startswith(own), cost(module[1][0])),
    )
    return [item for _path, tests in modules for item in tests]
