"""mypy as ``make mutate``'s first test: a mutant the type checker rejects is never run.

``make test`` runs mypy before pytest, so a mutant that mypy rejects is caught by the suite
without running a test. mutmut (``type_check_command``) runs a checker once over its
mutated copy of the code, where every mutant is a function of its own, and counts each
mutant with an error inside its function as caught. This wrapper runs mypy there and passes
on only what that count can trust:

- errors inside a mutant's function (``x_<name>__mutmut_<n>``), as mypy's JSON lines;
- not ``unused-ignore`` (the copy's dispatch code repeats the original's ``type: ignore``
  comments), nor ``no-redef`` (every mutant of an ``__init__`` declares the same annotated
  attributes again): both come from how mutmut lays out the copy, not from the mutation;
- not errors outside any mutant's function: mutmut stops the whole run on one of those, and
  such an error says nothing about a single mutant. They are counted on stderr.

    python -m bench.mutant_types mypy crawler/fetch     # run by mutmut inside mutants/

mutmut chooses how to read the checker's output by finding the word ``mypy`` in the
command, hence the first argument.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

# As [tool.mypy] in pyproject.toml, which the mutated copy does not carry.
MYPY_FLAGS = ["--output", "json", "--python-version", "3.11", "--ignore-missing-imports",
              "--check-untyped-defs", "--follow-imports", "silent"]  # fmt: skip
LAYOUT_CODES = {"unused-ignore", "no-redef"}


def mutant_spans(path: Path) -> list[tuple[int, int]]:
    """First and last line of every mutant's function in a mutated file (orig included:
    an error there is no mutant's, and mutmut finds no mutant of that name)."""
    spans = []
    for node in ast.walk(ast.parse(path.read_bytes())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith(("x_", "xǁ")) and "__mutmut" in node.name:
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


def inside_mutants(errors: list[dict[str, object]]) -> tuple[list[dict[str, object]], int]:
    """The errors mutmut can charge to one mutant, and how many others were dropped."""
    kept: list[dict[str, object]] = []
    dropped = 0
    spans: dict[str, list[tuple[int, int]]] = {}
    for error in errors:
        file, line = str(error.get("file")), error.get("line")
        if error.get("code") in LAYOUT_CODES or not isinstance(line, int):
            continue
        if file not in spans:
            spans[file] = mutant_spans(Path(file)) if Path(file).is_file() else []
        if any(first <= line <= last for first, last in spans[file]):
            kept.append(error)
        else:
            dropped += 1
    return kept, dropped


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "mypy":
        print("usage: python -m bench.mutant_types mypy <package or module>...", file=sys.stderr)
        return 2
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *MYPY_FLAGS, *argv[1:]], capture_output=True, text=True
    )
    errors = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode not in (0, 1):  # mypy itself failed: no mutant is caught, all run
        print(f"mypy exited {done.returncode}: {done.stderr[-2000:]}", file=sys.stderr)
    kept, dropped = inside_mutants(errors)
    for error in kept:
        print(json.dumps(error))
    print(f"mypy: {len(kept)} errors inside mutants, {dropped} outside any (ignored)",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
