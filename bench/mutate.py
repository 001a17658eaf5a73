"""``make mutate``: mutation testing of the modules where a silent regression loses data.

mutmut (pinned in the dev extra) copies the code to ``mutants/``, changes one thing at a
time and runs only the fast tests that call the changed function (it maps mutants to tests
from one instrumented run; crawls and servers are left out with ``-m "not slow"``). This
script runs it, prints every surviving mutant as a diff, and ends with one JSON line:
``{"mutants": N, "killed": K, "survived": S, "equivalent": E}``. A survivor is
*equivalent* when ``bench/mutation-equivalent.txt`` lists it with the reason no test can
tell it apart; every other survivor is a missing test.

    python -m bench.mutate                               # every module in [tool.mutmut]
    python -m bench.mutate crawler/warc/verify.py -j 2   # one module, two workers
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = ROOT / "bench" / "mutation-equivalent.txt"
MUTMUT = Path(sys.executable).parent / "mutmut"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def mutant_prefix(module: str) -> str:
    """``crawler/warc/verify.py`` -> ``crawler.warc.verify.`` (mutmut names start so)."""
    return module.removesuffix(".py").replace("/", ".") + "."


def equivalents(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """Mutant name -> reason, from lines ``<name>  <reason>`` (``#`` starts a comment)."""
    found: dict[str, str] = {}
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path}: {name} is listed without a reason")
        found[name] = reason.strip()
    return found


def statuses() -> dict[str, str]:
    """Every mutant mutmut knows, with its status (``mutmut results --all true``)."""
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def summarize(found: dict[str, str], known: dict[str, str]) -> dict[str, int]:
    """Counts for the JSON line; a mutant with no covering test counts as a survivor."""
    killed = sum(status in KILLED for status in found.values())
    survivors = [name for name, status in found.items() if status not in KILLED]
    return {
        "mutants": len(found),
        "killed": killed,
        "survived": len(survivors),
        "equivalent": sum(name in known for name in survivors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="limit to these files (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel mutant runs")
    args = parser.parse_args(argv)
    prefixes = [mutant_prefix(m) for m in args.modules]
    names = [p + "*" for p in prefixes]
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(args.jobs), *names], cwd=ROOT, check=False
    )
    found = {
        name: status
        for name, status in statuses().items()
        if not prefixes or name.startswith(tuple(prefixes))
    }
    known = equivalents()
    for name, status in sorted(found.items()):
        if status in KILLED:
            continue
        reason = known.get(name)
        print(f"\n{'EQUIVALENT' if reason else 'SURVIVED'} {name} ({status})"
              + (f": {reason}" if reason else ""))  # fmt: skip
        if not reason:
            shown = subprocess.run(
                [str(MUTMUT), "show", name], cwd=ROOT, capture_output=True, text=True
            )
            print(shown.stdout.rstrip())
    counts = summarize(found, known)
    print(json.dumps(counts))
    return 0 if counts["survived"] == counts["equivalent"] else 1


if __name__ == "__main__":
    sys.exit(main())
