"""The web-archiving ecosystem's checkers (``warcio check``, ``warcio index``,
``cdxj-indexer``), run through their own entry points in the test's process.

These commands are Python programs: calling their ``main`` runs the same code as the
command, without starting an interpreter per call (about 0.3 s, paid by every test that
checks a file, and under ``make mutate`` by every mutant those tests run for). The demo and
crawl tests still run the installed commands themselves, as an operator would.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from cdxj_indexer.main import main as cdxj_indexer_main
from warcio.cli import main as warcio_main


def run_tool(main: Callable[[list[str]], Any], args: Sequence[str]) -> tuple[int, str]:
    """A command's exit code and what it printed, from its ``main(args)``."""
    printed = io.StringIO()
    with redirect_stdout(printed):
        try:
            code = main(list(args))
        except SystemExit as stop:  # the commands end by sys.exit(status)
            code = stop.code
    return int(code or 0), printed.getvalue()


def warcio_check(*paths: Path, verbose: bool = True) -> str:
    """``warcio check [-v] paths``: every digest verifies, or the test fails with the report."""
    code, report = run_tool(warcio_main, ["check", *(["-v"] if verbose else []), *map(str, paths)])
    assert code == 0, report
    if verbose:
        assert "digest pass" in report, report
        assert "fail" not in report.replace("digest pass", ""), report
    return report


def warcio_index(path: Path, fields: str) -> str:
    """``warcio index -f fields path``: one JSON line per record."""
    code, lines = run_tool(warcio_main, ["index", "-f", fields, str(path)])
    assert code == 0, lines
    return lines


def cdxj_indexer(*args: str) -> str:
    """``cdxj-indexer args``: the CDXJ lines it prints (none when ``-o`` names a file)."""
    code, lines = run_tool(cdxj_indexer_main, args)
    assert code == 0, lines
    return lines
