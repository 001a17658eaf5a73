"""The ``warta`` dispatcher as a user meets it: the help of every command (kept in
docs/cli.md, which this test checks), what no command or ``--version`` answers, options given
before the command, and how the installed script (``argv`` from ``sys.argv``) runs."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from crawler import __version__
from crawler.config.sites import PACKAGE_ROOT, ConfigError
from flows.cli import main
from flows.cli.main import SUBCOMMANDS, build_parser

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


def test_debug_keeps_prefects_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    prefect = ("PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_TO_API_ENABLED",
               "PREFECT_SERVER_ANALYTICS_ENABLED")  # fmt: skip
    for name in (*prefect, "WARTA_DATA_DIR", "WARTA_STORAGE"):
        monkeypatch.setenv(name, "x")  # so that monkeypatch restores what the command sets
        monkeypatch.delenv(name)
    with pytest.raises(ConfigError, match="--articles must be at least 1"):  # --debug: raised
        main(["--debug", "demo", "--articles", "0"])
    assert "PREFECT_LOGGING_LEVEL" not in os.environ


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["archive", "niaga"], {"site": "niaga", "storage": None, "base_url": None,
         "settings": None, "spider_args": None, "resume": None, "data_dir": None,
         "delete_local": None, "deep_verify": False, "json": False}),
        (["archive", "niaga", "--storage", "s3://b/p", "--base-url", "http://r/", "--set", "A=1",
          "--set", "B=2", "--arg", "since=2024-01-01", "--arg", "x=1", "--resume", "X",
          "--data", "d", "--keep-local", "--deep-verify", "--json"],
         {"site": "niaga", "storage": "s3://b/p", "base_url": "http://r/",
          "settings": ["A=1", "B=2"], "spider_args": ["since=2024-01-01", "x=1"],
          "resume": "X", "data_dir": "d", "delete_local": False, "deep_verify": True,
          "json": True}),
        (["deploy"], {"work_pool": None, "sites": None, "storage": None, "data_dir": None,
         "base_url": None, "settings": None, "delete_local": None, "compact": True,
         "on_overlap": "enqueue"}),
        (["deploy", "--work-pool", "w", "--sites", "a,b", "--storage", "s", "--data-dir", "d",
          "--base-url", "u", "--set", "A=1", "--delete-local", "--no-compact", "--on-overlap",
          "cancel"],
         {"work_pool": "w", "sites": "a,b", "storage": "s", "data_dir": "d", "base_url": "u",
          "settings": ["A=1"], "delete_local": True, "compact": False, "on_overlap": "cancel"}),
        (["extract", "page.html", "--url", "u"],
         {"file": "page.html", "url": "u", "site": None, "indent": None}),
        (["extract", "-", "--url", "u", "--site", "niaga", "--indent", "2"],
         {"file": "-", "url": "u", "site": "niaga", "indent": 2}),
        (["verify", "a"], {"paths": ["a"], "limit": 200}),
        (["verify", "a", "b", "--limit", "0"], {"paths": ["a", "b"], "limit": 0}),
        (["reextract", "a"], {"warcs": [Path("a")], "site": None, "out": "-", "workers": None}),
        (["reextract", "a", "b", "--site", "s", "--out", "o.jsonl", "--workers", "0"],
         {"warcs": [Path("a"), Path("b")], "site": "s", "out": "o.jsonl", "workers": 0}),
        (["demo"], {"site": "niaga", "articles": 60, "port": 8765, "data_dir": None,
         "storage": None}),
        (["demo", "--site", "hostile", "--articles", "5", "--port", "0", "--data", "d",
          "--storage", "s"],
         {"site": "hostile", "articles": 5, "port": 0, "data_dir": "d", "storage": "s"}),
        (["explore", "a"], {"uri": "a", "port": 8780, "host": "127.0.0.1", "open": False}),
        (["explore", "a", "--port", "0", "--host", "0.0.0.0", "--open"],
         {"uri": "a", "port": 0, "host": "0.0.0.0", "open": True}),
        (["sites"], {"quiet": False}),
        (["sites", "--quiet"], {"quiet": True}),
    ],
    ids=lambda v: " ".join(v[:3]) if isinstance(v, list) else "",
)  # fmt: skip
def test_each_command_reads_its_arguments(argv: list[str], expected: dict[str, object]) -> None:
    args = vars(build_parser(argv[0]).parse_args(argv))
    assert (args.pop("command"), args.pop("debug")) == (argv[0], False)
    assert args == expected


@pytest.mark.parametrize(
    "argv",
    [["verify"], ["reextract"], ["extract", "a"], ["archive"], ["explore"],
     ["verify", "a", "--limit", "many"], ["reextract", "a", "--workers", "all"],
     ["demo", "--articles", "lots"], ["demo", "--port", "http"], ["explore", "a", "--port", "x"],
     ["extract", "a", "--url", "u", "--indent", "wide"], ["deploy", "--on-overlap", "drop"],
     ["archive", "niaga", "--keep-local", "--delete-local"]],
)  # fmt: skip
def test_a_wrong_command_line_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser(argv[0]).parse_args(argv)
    assert exited.value.code == 2


def test_logs_go_to_a_prefect_server_only_when_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.cli.quiet import quiet_prefect

    for name in ("PREFECT_API_URL", "PREFECT_LOGGING_TO_API_ENABLED"):
        monkeypatch.setenv(name, "x")
        monkeypatch.delenv(name)
    quiet_prefect(debug=True)  # the temporary server dies with the command: no logs to it
    assert os.environ["PREFECT_LOGGING_TO_API_ENABLED"] == "false"
    monkeypatch.delenv("PREFECT_LOGGING_TO_API_ENABLED")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    quiet_prefect(debug=True)
    assert "PREFECT_LOGGING_TO_API_ENABLED" not in os.environ
