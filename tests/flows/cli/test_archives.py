"""``warta archives``: what each action reads from the command line (names, types,
defaults, choices), and the date window checked once for every action that has one."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.cli.archives import ACTIONS
from flows.cli.main import build_parser

DAY1, DAY2 = date(2024, 1, 1), date(2024, 1, 31)
WINDOW = ["--site", "niaga", "--since", "2024-01-01", "--until", "2024-01-31"]
FILTERS = {"uri": "s3://b/p", "site": "niaga", "since": DAY1, "until": DAY2}
NO_FILTERS = {"site": None, "since": None, "until": None}


def parsed(*argv: str) -> dict[str, Any]:
    args = vars(build_parser("archives").parse_args(["archives", *argv]))
    assert args.pop("command") == "archives" and args.pop("debug") is False
    return args


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["list", "s3://b/p", *WINDOW, "--json"], {"action": "list", **FILTERS, "json": True}),
        (["list", "a"], {"action": "list", "uri": "a", **NO_FILTERS, "json": False}),
        (["download", "s3://b/p", "out", *WINDOW, "--no-progress", "--wacz"],
         {"action": "download", **FILTERS, "dest": Path("out"), "no_progress": True,
          "wacz": True}),
        (["download", "a", "out"], {"action": "download", "uri": "a", **NO_FILTERS,
                                    "dest": Path("out"), "no_progress": False, "wacz": False}),
        (["verify", "s3://b/p", *WINDOW, "--deep"], {"action": "verify", **FILTERS, "deep": True}),
        (["verify", "a"], {"action": "verify", "uri": "a", **NO_FILTERS, "deep": False}),
        (["presign", "s3://b/p", *WINDOW, "--expires", "12h"],
         {"action": "presign", **FILTERS, "expires": "12h"}),
        (["presign", "a"], {"action": "presign", "uri": "a", **NO_FILTERS, "expires": "7d"}),
        (["query", "s3://b/p", "SELECT 1", *WINDOW, "--format", "csv", "--no-compacted"],
         {"action": "query", **FILTERS, "sql": "SELECT 1", "format": "csv",
          "compacted": False}),
        (["query", "a", "SELECT 1", "--format", "json"],
         {"action": "query", "uri": "a", **NO_FILTERS, "sql": "SELECT 1", "format": "json",
          "compacted": True}),
        (["query", "a", "SELECT 1"], {"action": "query", "uri": "a", **NO_FILTERS,
                                      "sql": "SELECT 1", "format": "table", "compacted": True}),
        (["get", "a", "http://x.test/", "--at", "2024", "--record", "-o", "page.html"],
         {"action": "get", "uri": "a", "url": "http://x.test/", "at": "2024", "record": True,
          "output": Path("page.html")}),
        (["get", "a", "http://x.test/", "--output", "p"],
         {"action": "get", "uri": "a", "url": "http://x.test/", "at": None, "record": False,
          "output": Path("p")}),
        (["export", "s3://b/p", "ds", *WINDOW],
         {"action": "export", **FILTERS, "dest": Path("ds")}),
        (["index", "s3://b/p", *WINDOW, "--rebuild"],
         {"action": "index", **FILTERS, "rebuild": True}),
        (["index", "a"], {"action": "index", "uri": "a", **NO_FILTERS, "rebuild": False}),
        (["compact", "a", "--site", "niaga", "--max-parts", "3", "--full", "--repair"],
         {"action": "compact", "uri": "a", "site": "niaga", "max_parts": 3, "full": True,
          "repair": True}),
        (["compact", "a"], {"action": "compact", "uri": "a", "site": None, "max_parts": None,
                            "full": False, "repair": False}),
    ],
    ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else "",
)  # fmt: skip
def test_each_action_reads_its_arguments(argv: list[str], expected: dict[str, Any]) -> None:
    assert parsed(*argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [],  # an action is required
        ["query", "a", "SELECT 1", "--format", "xml"],
        ["list", "a", "--since", "2024-02-30"],
        ["list", "a", "--until", "yesterday"],
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parsed(*argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "not a date (YYYY-MM-DD)" in err if "--since" in argv or "--until" in argv else err


def test_a_window_of_one_day_or_open_at_one_end_is_fine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What list then shows is tests/flows/cli/test_archives_stored.py's subject.
    monkeypatch.setitem(ACTIONS, "list", lambda args: print("listed", file=sys.stderr) or 0)
    archive = "archive"
    for window in (["--since", "2024-01-02", "--until", "2024-01-02"], ["--since", "2024-01-02"],
                   ["--until", "2024-01-02"]):  # fmt: skip
        assert main(["archives", "list", archive, *window]) == 0, window
        assert capsys.readouterr().err == "listed\n"


def test_an_action_without_a_window_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # get and compact take no --since/--until: the window check must not trip on them.
    ran: list[str] = []

    def record(args: argparse.Namespace) -> int:
        ran.append(args.action)
        return 0

    for action in ("get", "compact"):
        monkeypatch.setitem(ACTIONS, action, record)
    assert main(["archives", "get", "a", "http://x.test/"]) == 0
    assert main(["archives", "compact", "a"]) == 0
    assert ran == ["get", "compact"] and capsys.readouterr().err == ""
