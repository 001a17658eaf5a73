"""Each mutant's tests in two stages (bench/mutant_stages.py): its own module's, then the rest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bench import mutant_stages

MUTANT = "crawler.extraction.captions.x_collect_captions__mutmut_7"
OWN = [
    "tests/crawler/extraction/test_captions.py::test_a",
    "tests/crawler/extraction/test_captions_sources.py::test_b",
]
OTHERS = ["tests/crawler/extraction/test_article.py::test_c", "tests/flows/test_x.py::test_d"]


def test_the_mutated_modules_tests_form_the_first_stage() -> None:
    tests = [OTHERS[0], OWN[0], OTHERS[1], OWN[1]]
    assert mutant_stages.stages(MUTANT, tests) == [OWN, OTHERS]


def test_one_stage_when_the_module_has_no_tests_of_its_own_or_only_its_own() -> None:
    assert mutant_stages.stages(MUTANT, OTHERS) == [OTHERS]
    assert mutant_stages.stages(MUTANT, OWN) == [OWN]


class Runner:
    """Stands in for mutmut's runner: answers each stage with the code it is given."""

    def __init__(self, codes: list[int]) -> None:
        self.codes = codes
        self.runs: list[tuple[str | None, list[str]]] = []

    def run_tests(self, *, mutant_name: str | None, tests: Iterable[str]) -> int:
        self.runs.append((mutant_name, list(tests)))
        return self.codes[len(self.runs) - 1]


def run(codes: list[int], mutant: str | None = MUTANT) -> tuple[int, list[Any]]:
    runner = Runner(codes)
    code = mutant_stages.staged(Runner.run_tests)(runner, mutant_name=mutant, tests=OTHERS + OWN)
    return code, runner.runs


def test_a_mutant_killed_in_the_first_stage_runs_nothing_else() -> None:
    assert run([1]) == (1, [(MUTANT, OWN)])


def test_a_survivor_of_the_first_stage_meets_the_rest() -> None:
    assert run([0, 1]) == (1, [(MUTANT, OWN), (MUTANT, OTHERS)])
    assert run([0, 0])[0] == 0


def test_a_stage_without_tests_is_no_kill_and_no_pass_on_its_own() -> None:
    assert run([5, 0])[0] == 0  # its own tests all deselected: the rest decide
    assert run([0, 5])[0] == 0
    assert run([5, 5])[0] == 5


def test_mutmuts_own_runs_are_left_whole() -> None:
    assert run([0], mutant=None) == (0, [(None, OTHERS + OWN)])
