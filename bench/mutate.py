"""``make mutate``: mutation testing of every module of crawler/ and flows/.

mutmut (pinned in the dev extra) copies the code to ``mutants/``, changes one thing at a
time and runs only the fast tests that call the changed function (it maps mutants to tests
from one instrumented run; crawls and servers are left out with ``-m "not slow"``). This
script runs it, prints every surviving mutant as a diff, a table per module, and ends with
one JSON line: ``{"mutants": N, "killed": K, "survived": S, "equivalent": E}``. A survivor
is *equivalent* when ``bench/mutation-equivalent.txt`` lists it with the reason no test can
tell it apart; every other survivor is a missing test.

    python -m bench.mutate                               # crawler/ and flows/ ([tool.mutmut])
    python -m bench.mutate --package crawler/fetch       # one package, in .mutate/crawler.fetch
    python -m bench.mutate crawler/warc/verify.py -j 2   # one module of the whole run

A package run has a work folder of its own, so its mutants, its test map and its results are
kept apart from the whole run's and from other packages': it mutates only that package and
runs only the tests that mirror it (``tests/crawler/fetch`` for ``crawler/fetch``), which
keeps the instrumented run short.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = ROOT / "bench" / "mutation-equivalent.txt"
MUTMUT = Path(sys.executable).parent / "mutmut"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
WORK = ROOT / ".mutate"  # per-package work folders (ignored by git)
# What a work folder sees of the checkout: the code, what the tests read, the tests.
LINKED = ("crawler", "flows", "replica", "config", "bench", "tests", "docs", "scrapy.cfg",
          "prefect.yaml", "README.md")  # fmt: skip
_MODULE = re.compile(r"(.+?)\.x(?:ǁ|_)")


def mutant_prefix(module: str) -> str:
    """``crawler/warc/verify.py`` -> ``crawler.warc.verify.`` (mutmut names start so)."""
    return module.removesuffix(".py").replace("/", ".") + "."


def module_of(mutant: str) -> str:
    """``crawler.fetch.limits.xǁCrawlBytesBudgetǁ...`` -> ``crawler/fetch/limits.py``."""
    match = _MODULE.match(mutant)
    return (match.group(1) if match else mutant).replace(".", "/") + ".py"


def mirrored_tests(target: str) -> list[str]:
    """The tests that mirror a package or module (tests/ mirrors the packages)."""
    path = Path(target.rstrip("/"))
    if path.suffix == ".py":
        candidates = [Path("tests") / path.parent / f"test_{path.stem}.py"]
    else:
        candidates = [Path("tests") / path]
    found = [str(c) for c in candidates if (ROOT / c).exists()]
    if not found:
        raise SystemExit(f"no tests mirror {target} (looked for {', '.join(map(str, candidates))})")
    return found


def _toml(value: object) -> str:
    """A TOML value for the strings, booleans and lists of strings mutmut's config holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)  # a JSON string is a TOML basic string


def package_workspace(targets: list[str]) -> Path:
    """A work folder whose pyproject.toml mutates only ``targets`` and runs their tests."""
    work = WORK / "+".join(t.rstrip("/").removesuffix(".py").replace("/", ".") for t in targets)
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.is_symlink() and (ROOT / name).exists():
            link.symlink_to(ROOT / name)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = dict(tomllib.loads(text)["tool"]["mutmut"])
    config["only_mutate"] = [t if t.endswith(".py") else f"{t.rstrip('/')}/*" for t in targets]
    config["pytest_add_cli_args_test_selection"] = [t for x in targets for t in mirrored_tests(x)]
    pytest_section = text[text.index("[tool.pytest.ini_options]") :].split("\n[", 1)[0]
    lines = ["[tool.mutmut]", *(f"{k} = {_toml(v)}" for k, v in config.items()), ""]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n" + pytest_section + "\n")
    return work


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


def statuses(cwd: Path = ROOT) -> dict[str, str]:
    """Every mutant mutmut knows, with its status (``mutmut results --all true``)."""
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=cwd, capture_output=True, text=True, check=True,
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


def show(names: list[str], cwd: Path) -> str:
    """The diffs of ``names`` (``mutmut show`` for each, in one process: a process per
    mutant costs seconds of start-up each)."""
    if not names:
        return ""
    script = (
        "import sys\nfrom mutmut.__main__ import cli\n"
        "for name in sys.argv[1:]:\n"
        "    print()\n"
        "    cli.main(['show', name], standalone_mode=False)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script, *names], cwd=cwd, capture_output=True, text=True
    )
    return shown.stdout.rstrip() + (f"\n{shown.stderr[-2000:]}" if shown.returncode else "")


def module_table(found: dict[str, str], known: dict[str, str]) -> str:
    """The README's table: one row per module, with its counts."""
    by_module: dict[str, dict[str, str]] = {}
    for name, status in found.items():
        by_module.setdefault(module_of(name), {})[name] = status
    rows = ["| module | mutants | killed | killed % | survived | listed equivalent |",
            "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for module, mutants in sorted(by_module.items()):
        c = summarize(mutants, known)
        share = 100 * c["killed"] / c["mutants"] if c["mutants"] else 0.0
        rows.append(f"| {module} | {c['mutants']} | {c['killed']} | {share:.1f} | "
                    f"{c['survived']} | {c['equivalent']} |")  # fmt: skip
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="limit the whole run to these files")
    parser.add_argument("--package", action="append", default=[],
                        help="run one package or module on its own (repeatable)")  # fmt: skip
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel mutant runs")
    args = parser.parse_args(argv)
    cwd = package_workspace(args.package) if args.package else ROOT
    prefixes = [mutant_prefix(m) for m in [*args.package, *args.modules]]
    names = [p + "*" for p in prefixes]
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(args.jobs), *names], cwd=cwd, check=False
    )
    found = {
        name: status
        for name, status in statuses(cwd).items()
        if not prefixes or name.startswith(tuple(prefixes))
    }
    known = equivalents()
    unexplained = []
    for name, status in sorted(found.items()):
        if status in KILLED:
            continue
        reason = known.get(name)
        print(f"{'EQUIVALENT' if reason else 'SURVIVED'} {name} ({status})"
              + (f": {reason}" if reason else ""))  # fmt: skip
        if not reason:
            unexplained.append(name)
    print(show(unexplained, cwd))
    print("\n" + module_table(found, known) + "\n")
    counts = summarize(found, known)
    print(json.dumps(counts))
    return 0 if counts["survived"] == counts["equivalent"] else 1


if __name__ == "__main__":
    sys.exit(main())
