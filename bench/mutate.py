"""``make mutate``: mutation testing of every module of crawler/ and flows/.

mutmut (pinned in the dev extra) copies the code to ``mutants/``, changes one thing at a
time and runs only the fast tests that call the changed function (it maps mutants to tests
from one instrumented run; crawls, servers and the ``heavy`` tests are left out with
``-m "not slow and not heavy"``). This script runs it, prints every surviving mutant as a
diff, a table per module, and ends with one JSON line:
``{"mutants": N, "killed": K, "survived": S, "equivalent": E}``. A survivor is *equivalent*
when ``bench/mutation-equivalent/<package>.txt`` lists it with the reason no test can tell
it apart; every other survivor is a missing test.

    python -m bench.mutate                               # every package of crawler/ and flows/
    python -m bench.mutate --fresh                       # the same, forgetting earlier results
    python -m bench.mutate --package crawler/fetch       # one package, in .mutate/crawler.fetch
    python -m bench.mutate --package crawler/warc/verify.py   # one module

Each package runs in a work folder of its own (``.mutate/<package>``), so its mutants, its
test map and its results are kept apart from other packages': it mutates only that package
and runs only the tests that mirror it (``tests/crawler/fetch`` for ``crawler/fetch``; the
``test_*.py`` files beside a package's folder for the modules directly in ``crawler/`` or
``flows/``), which keeps each instrumented run short. mutmut keeps a package's results
between runs and runs again only what changed; ``--fresh`` starts from nothing.

Two packages run at once (``--parallel 2``): each mutmut run spends a good part of its time
in single-process steps (coverage, the test map, the clean run) that leave a core idle.
Their output then goes to ``.mutate/<package>/mutmut.log``; a line a minute says where each
running package is.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_DIR = ROOT / "bench" / "mutation-equivalent"  # one <package>.txt per package
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
    """``crawler.fetch.limits.xǁCrawlBytesBudgetǁ...`` -> ``crawler/fetch/limits.py``
    (``flows/storage/__init__.py`` for a function of the package ``flows.storage``)."""
    match = _MODULE.match(mutant)
    path = (match.group(1) if match else mutant).replace(".", "/")
    return f"{path}/__init__.py" if (ROOT / path).is_dir() else f"{path}.py"


def mirror_prefix(mutant: str) -> str:
    """Where the tests of a mutant's module start: ``crawler.extraction.captions.x_cut__mutmut_3``
    -> ``tests/crawler/extraction/test_captions`` (``test_captions_sources.py`` too)."""
    match = _MODULE.match(mutant)
    *package, module = (match.group(1) if match else mutant).split(".")
    return "/".join(["tests", *package, f"test_{module}"])


def mirrored_tests(target: str) -> list[str]:
    """The tests that mirror a package or module (tests/ mirrors the packages)."""
    path = Path(target.rstrip("/"))
    if path.suffix == ".py":
        candidates = [Path("tests") / path.parent / f"test_{path.stem}.py"]
    elif (ROOT / "tests" / path).is_dir():
        candidates = [Path("tests") / path]
    else:  # a small package tested beside its parent's folder: tests/crawler/test_<name>*.py
        beside = (ROOT / "tests" / path.parent).glob(f"test_{path.name}*.py")
        candidates = sorted(p.relative_to(ROOT) for p in beside)
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


def packages() -> dict[str, tuple[list[str], list[str]]]:
    """Every package of crawler/ and flows/: name -> (what it mutates, the tests it runs).

    The modules directly in ``crawler/`` or ``flows/`` form the package named after the
    folder, tested by the ``test_*.py`` files directly in its mirror under tests/."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for root in ("crawler", "flows"):
        top = sorted(
            f"{root}/{p.name}" for p in (ROOT / root).glob("*.py") if p.name != "__init__.py"
        )
        tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / root).glob("test_*.py"))
        found[root] = (top, tests)
        for folder in sorted(p for p in (ROOT / root).iterdir() if p.is_dir()):
            if any(folder.glob("*.py")):
                package = f"{root}/{folder.name}"
                found[package.replace("/", ".")] = ([package], mirrored_tests(package))
    return found


def package_workspace(
    targets: list[str], tests: list[str] | None = None, name: str | None = None
) -> Path:
    """A work folder whose pyproject.toml mutates only ``targets`` and runs their tests."""
    name = name or "+".join(t.rstrip("/").removesuffix(".py").replace("/", ".") for t in targets)
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.is_symlink() and (ROOT / name).exists():
            link.symlink_to(ROOT / name)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = dict(tomllib.loads(text)["tool"]["mutmut"])
    config["only_mutate"] = [t if t.endswith(".py") else f"{t.rstrip('/')}/*" for t in targets]
    config["pytest_add_cli_args_test_selection"] = tests or [
        t for x in targets for t in mirrored_tests(x)
    ]
    # mypy first (bench/mutant_types.py): a mutant it rejects runs no test
    config["type_check_command"] = [sys.executable, "-m", "bench.mutant_types", "mypy", *targets]
    pytest_section = text[text.index("[tool.pytest.ini_options]") :].split("\n[", 1)[0]
    lines = ["[tool.mutmut]", *(f"{k} = {_toml(v)}" for k, v in config.items()), ""]
    (work / "pyproject.toml").write_text("\n".join(lines) + "\n" + pytest_section + "\n")
    return work


def equivalents(folder: Path = EQUIVALENT_DIR) -> dict[str, str]:
    """Mutant name -> reason, from lines ``<name>  <reason>`` (``#`` starts a comment) in
    every ``<package>.txt`` of ``folder``."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):
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


def _lines(targets: list[str]) -> int:
    """Lines of code in a package's targets (files, or folders of them)."""
    files: list[Path] = []
    for target in targets:
        path = ROOT / target
        files += [path] if target.endswith(".py") else list(path.rglob("*.py"))
    return sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)


def run_package(
    work: Path, prefixes: list[str], jobs: int, log: Path | None = None
) -> dict[str, str]:
    """Run mutmut in one work folder (its output to ``log`` when given, else to ours); the
    statuses of the mutants under ``prefixes``."""
    names = [p + "*" for p in prefixes]
    # mutmut itself, each mutant's own module's tests first (bench/mutant_stages.py)
    command = [
        sys.executable,
        "-m",
        "bench.mutant_stages",
        "run",
        "--max-children",
        str(jobs),
        *names,
    ]
    if log is None:
        code = subprocess.run(command, cwd=work, check=False).returncode
    else:
        with log.open("wb") as out:
            code = subprocess.run(
                command, cwd=work, check=False, stdout=out, stderr=subprocess.STDOUT
            ).returncode
    if code != 0:  # e.g. a test that fails without any mutant: its mutants stay unchecked
        tail = log.read_text(encoding="utf-8", errors="replace")[-1500:] if log else ""
        print(f"mutmut failed in {work} (exit {code}); its unchecked mutants count as "
              f"survivors\n{tail}", file=sys.stderr, flush=True)  # fmt: skip
    return {
        name: status
        for name, status in statuses(work).items()
        if not prefixes or name.startswith(tuple(prefixes))
    }


_PROGRESS = re.compile(rb"(\d+)/(\d+)  \xf0\x9f\x8e\x89 (\d+)")  # mutmut's "12/345  🎉 10"


def progress(log: Path) -> str:
    """Where a package's mutmut run is, from the last progress line of its log."""
    try:
        with log.open("rb") as f:
            f.seek(max(0, log.stat().st_size - 4096))
            tail = f.read()
    except OSError:
        return "starting"
    found = _PROGRESS.findall(tail)
    if not found:
        return "generating mutants and mapping tests"
    done, total, killed = (int(x) for x in found[-1])
    return f"{done}/{total} mutants run, {killed} killed"


def report(found: dict[str, str], known: dict[str, str], shown_in: dict[str, Path]) -> int:
    """Print survivors (diffs of the unexplained ones), the table and the JSON line."""
    unexplained: dict[Path, list[str]] = {}
    for name, status in sorted(found.items()):
        if status in KILLED:
            continue
        reason = known.get(name)
        print(f"{'EQUIVALENT' if reason else 'SURVIVED'} {name} ({status})"
              + (f": {reason}" if reason else ""))  # fmt: skip
        if not reason:
            unexplained.setdefault(shown_in[name], []).append(name)
    for work, names in unexplained.items():
        print(show(names, work))
    WORK.mkdir(exist_ok=True)
    survivors = sorted(n for names in unexplained.values() for n in names)
    (WORK / "survivors.txt").write_text("".join(f"{n}\n" for n in survivors), encoding="utf-8")
    print("\n" + module_table(found, known) + "\n")
    counts = summarize(found, known)
    print(json.dumps(counts))
    return 0 if counts["survived"] == counts["equivalent"] else 1


def run_plan(
    chosen: list[str], largest_first: bool = False
) -> dict[str, tuple[list[str], list[str] | None]]:
    """Work folder name -> (what it mutates, its tests; None: the target's mirror).

    Every package of ``packages()``, smallest first (one at a time, a run stopped early has
    the most packages done) or largest first (packages run in parallel: the longest one
    decides when the run ends, so it starts at once), or only the ``chosen`` ones, each in
    the same work folder, with the same tests, as in the whole run: a mutant's name depends
    on which lines the tests cover, so the equivalents lists hold only for the same folder.
    A chosen module is a folder alone.
    """
    every = packages()
    if not chosen:
        by_size = sorted(every.items(), key=lambda item: _lines(item[1][0]), reverse=largest_first)
        return {name: (targets, tests) for name, (targets, tests) in by_size}
    plan: dict[str, tuple[list[str], list[str] | None]] = {}
    for target in chosen:
        name = target.rstrip("/").removesuffix(".py").replace("/", ".")
        plan[name] = every.get(name, ([target], None))
    return plan


def report_held(plan: dict[str, tuple[list[str], list[str] | None]]) -> int:
    """The report of the results already in the plan's work folders (none is run)."""
    found: dict[str, str] = {}
    shown_in: dict[str, Path] = {}
    for name, (targets, _tests) in plan.items():
        work = WORK / name
        if not (work / "mutants").is_dir():
            print(f"{name}: no results in {work}", file=sys.stderr)
            continue
        prefixes = tuple(mutant_prefix(t) for t in targets)
        here = {n: s for n, s in statuses(work).items() if n.startswith(prefixes)}
        found.update(here)
        shown_in.update(dict.fromkeys(here, work))
    return report(found, equivalents(), shown_in)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", action="append", default=[],
                        help="run one package or module on its own (repeatable)")  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="forget earlier results first")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel mutant runs")
    parser.add_argument("--parallel", type=int, default=2,
                        help="packages run at once (each package's mutmut output then goes "
                             "to .mutate/<package>/mutmut.log)")  # fmt: skip
    parser.add_argument("--report", action="store_true",
                        help="run nothing: report the results the work folders hold (after "
                             "re-running one package, the whole run's survivors, table and "
                             "JSON with today's equivalents lists)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.fresh and WORK.exists():
        shutil.rmtree(WORK)
    plan = run_plan(args.package, largest_first=args.parallel > 1)
    if args.report:
        return report_held(plan)
    found: dict[str, str] = {}
    shown_in: dict[str, Path] = {}
    known = equivalents()
    began = time.monotonic()
    parallel = max(1, min(args.parallel, len(plan)))
    running: dict[str, Path] = {}  # package -> its log, while it runs
    lock = threading.Lock()

    def one(i: int, name: str, targets: list[str], tests: list[str] | None) -> None:
        work = package_workspace(targets, tests, name)
        prefixes = [mutant_prefix(t) for t in targets]
        log = work / "mutmut.log" if parallel > 1 else None
        with lock:
            print(f"[{i}/{len(plan)}] {name}: {len(prefixes)} targets, "
                  f"{time.monotonic() - began:.0f} s so far", flush=True)  # fmt: skip
            if log is not None:
                running[name] = log
        package_began = time.monotonic()
        statuses_here = run_package(work, prefixes, args.jobs, log)
        with lock:
            running.pop(name, None)
            found.update(statuses_here)
            shown_in.update(dict.fromkeys(statuses_here, work))
            here, so_far = summarize(statuses_here, known), summarize(found, known)
            print(f"[{i}/{len(plan)}] {name} done in "
                  f"{time.monotonic() - package_began:.0f} s: {json.dumps(here)}; "
                  f"so far {json.dumps(so_far)}", flush=True)  # fmt: skip

    with ThreadPoolExecutor(parallel) as pool:
        futures = [
            pool.submit(one, i, name, targets, tests)
            for i, (name, (targets, tests)) in enumerate(plan.items(), 1)
        ]
        while wait(futures, timeout=60).not_done:
            with lock:
                for name, log in running.items():
                    print(f"    {name}: {progress(log)}, "
                          f"{time.monotonic() - began:.0f} s so far", flush=True)  # fmt: skip
        for future in futures:
            future.result()  # a package's error is the run's error
    print(f"mutation run took {time.monotonic() - began:.0f} s", flush=True)
    return report(found, known, shown_in)


if __name__ == "__main__":
    sys.exit(main())
