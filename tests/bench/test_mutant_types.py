"""mypy as make mutate's first test (bench/mutant_types.py), on a small mutated copy laid
out as mutmut lays it out: the original and each mutant a function of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import mutant_types

MUTATED = """\
def double(n: int) -> int:  # the dispatcher mutmut writes
    return x_double__mutmut_orig(n)


def x_double__mutmut_orig(n: int) -> int:
    return n * 2


def x_double__mutmut_1(n: int) -> int:
    return n * 3


def x_double__mutmut_2(n: int) -> int:
    return None


class Box:
    def xǁBoxǁ__init____mutmut_1(self) -> None:
        self.size: int = "big"


ANSWER: int = "forty-two"  # outside every mutant
"""


def run_in(folder: Path) -> tuple[list[dict[str, object]], str]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.mutant_types", "mypy", "pkg"],
        cwd=folder, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(Path(mutant_types.__file__).parent.parent), "PATH": ""},
    )  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_only_errors_inside_a_mutants_function_reach_mutmut(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "mod.py").write_text(MUTATED)
    errors, stderr = run_in(tmp_path)
    lines = sorted(int(str(e["line"])) for e in errors)
    assert lines == [14, 19]  # mutant 2's None, and the __init__ mutant's str for an int
    assert all(e["file"] == "pkg/mod.py" and e["severity"] == "error" for e in errors)
    assert "2 errors inside mutants, 1 outside any" in stderr  # ANSWER's, dropped


def test_layout_errors_are_dropped_and_counted_nowhere(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(MUTATED)
    file = str(source)
    errors = [
        {"file": file, "line": 14, "code": "return-value", "severity": "error"},
        {"file": file, "line": 19, "code": "no-redef", "severity": "error"},
        {"file": file, "line": 2, "code": "unused-ignore", "severity": "error"},
        {"file": file, "line": 22, "code": "assignment", "severity": "error"},
        {"file": str(tmp_path / "gone.py"), "line": 1, "code": "misc", "severity": "error"},
    ]
    kept, dropped = mutant_types.inside_mutants(errors)
    assert [e["line"] for e in kept] == [14]
    assert dropped == 2  # line 22 (ANSWER) and the file that is not there


def test_mutant_spans_cover_the_original_and_every_mutant(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(MUTATED)
    assert mutant_types.mutant_spans(source) == [(5, 6), (9, 10), (13, 14), (18, 19)]


def test_without_the_word_mypy_it_explains_itself() -> None:
    assert mutant_types.main(["crawler"]) == 2
