"""The ``warta`` dispatcher as a user meets it: the help of every command (kept in
docs/cli.md, which this test checks), what no command or ``--version`` answers, options given
before the command, and how the installed script (``argv`` from ``sys.argv``) runs."""

from __future__ import annotations

import contextlib
import io
import os

import pytest

from crawler import __version__
from crawler.config.sites import PACKAGE_ROOT
from flows.cli import main
from flows.cli.main import SUBCOMMANDS

REFERENCE = PACKAGE_ROOT / "docs" / "cli.md"
ARCHIVES_ACTIONS = ("list", "download", "verify", "presign", "query", "get", "export", "index",
                    "compact")  # fmt: skip
REWRITE = "WARTA_WRITE_CLI_REFERENCE"  # set to 1 to write docs/cli.md from the help


def shown(argv: list[str]) -> tuple[int | str | None, str]:
    """What ``warta ARGV`` prints on standard output, and the exit code argparse gives."""
    out = io.StringIO()
    code: int | str | None = None
    with contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue()


def reference() -> str:
    """docs/cli.md: every command's ``--help``, as a terminal 100 columns wide shows it."""
    parts = [
        "# Command reference\n",
        "Every `warta` command's `--help`. Generated: after changing a command's arguments, "
        f"run `{REWRITE}=1 .venv/bin/python -m pytest tests/flows/cli/test_main.py`.\n",
    ]
    commands = [[], *([name] for name in SUBCOMMANDS)]
    commands += [["archives", action] for action in ARCHIVES_ACTIONS]
    for command in commands:
        code, text = shown([*command, "--help"])
        assert code == 0, command
        parts.append(f"## {' '.join(['warta', *command])}\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def test_the_command_reference_is_the_help_the_commands_print(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    text = reference()
    if os.environ.get(REWRITE) == "1":
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == text, (
        f"docs/cli.md differs from the commands' help; run {REWRITE}=1 "
        ".venv/bin/python -m pytest tests/flows/cli/test_main.py and read the diff"
    )


def test_no_command_prints_the_help_and_exits_2() -> None:
    code, text = shown([])
    assert code == 2
    assert text.startswith("usage: warta ") and "archives" in text
    code, text = shown(["--debug"])  # an option, still no command
    assert code == 2 and text.startswith("usage: warta ")


def test_version() -> None:
    assert shown(["--version"]) == (0, f"warta {__version__}\n")


def test_options_before_the_command_reach_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    # The command's own options are known only once its name is found among the arguments.
    assert main(["--debug", "sites", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_the_installed_script_reads_sys_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Run as the `warta` script: argv from sys.argv, and a command that is not a long run
    # is not handed to a supervising parent process.
    monkeypatch.setattr("sys.argv", ["warta", "sites"])
    assert main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("hostile ")  # the first argument is the command, not skipped


def test_a_long_run_quiets_prefect_a_short_one_leaves_it_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_TO_API_ENABLED", "PREFECT_API_URL",
                 "WARTA_DATA_DIR", "WARTA_STORAGE"):  # fmt: skip
        monkeypatch.setenv(name, "x")  # so that monkeypatch restores what the command sets
        monkeypatch.delenv(name)
    assert main(["sites", "--quiet"]) == 0
    assert "PREFECT_LOGGING_LEVEL" not in os.environ
    assert main(["demo", "--articles", "0"]) == 2  # stops at its input check, before any work
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "WARNING"
    assert "--articles must be at least 1, not 0" in capsys.readouterr().err
