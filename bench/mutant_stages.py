"""mutmut, with each mutant's tests run in two stages: its own module's tests, then the rest.

A mutant's process spends more on pytest's collection than on most tests: it collects every
module that holds one of the mutant's covering tests (a mutant of ``captions.py`` is
covered by tests in fifteen modules, four hundred items) before running the first test. Most
mutants are killed by the tests of their own module (``tests/.../test_<module>*.py``), so
those run first, in a pytest session of their own; the other modules are collected and run
only when the first stage passes. A survivor pays one more pytest start (a tenth of a second
next to seconds of tests); a mutant killed in the first stage is spared the rest.

    python -m bench.mutant_stages run --max-children 2 'crawler.fetch.*'   # as ``mutmut``

Only the runner's ``run_tests`` is wrapped, and only for a mutant's run: mutmut's clean run,
forced-failure run and test map are unchanged. mutmut is pinned (pyproject.toml): a version
whose runner has another shape is run as it is, in one stage.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from bench.mutate import mirror_prefix

NO_TESTS = 5  # pytest's exit code when a selection holds no test: not a kill


def stages(mutant: str, tests: Iterable[str]) -> list[list[str]]:
    """The mutant's own module's tests, then the others (one stage when either is empty)."""
    own = mirror_prefix(mutant)
    tests = list(tests)
    first = [t for t in tests if t.startswith(own)]
    rest = [t for t in tests if not t.startswith(own)]
    return [first, rest] if first and rest else [tests]


def staged(run_tests: Callable[..., int]) -> Callable[..., int]:
    """``run_tests`` running a mutant's stages in turn, stopping at the first that fails."""

    def run(self: Any, *, mutant_name: str | None, tests: Iterable[str]) -> int:
        if mutant_name is None:
            return run_tests(self, mutant_name=mutant_name, tests=tests)
        result = NO_TESTS
        for stage in stages(mutant_name, tests):
            code = run_tests(self, mutant_name=mutant_name, tests=stage)
            if code not in (0, NO_TESTS):
                return code  # killed (or broken): the later stages cannot change that
            result = 0 if code == 0 else result
        return result

    return run


def main(argv: list[str]) -> int:
    from mutmut.__main__ import cli
    from mutmut.runners.harness import PytestRunner

    if "run_tests" in vars(PytestRunner):
        PytestRunner.run_tests = staged(PytestRunner.run_tests)  # type: ignore[method-assign]
    return int(cli.main(argv, standalone_mode=False) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
