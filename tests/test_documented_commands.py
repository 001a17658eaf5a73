"""Every command in README.md and docs/*.md runs as pasted from the repository root (#17).

The commands are read out of the documents' code blocks. All of them must name their tool
by its path (``.venv/bin/warta``, not ``warta``: the README never asks to activate the
venv); every ``warta`` and ``scrapy crawl`` line must parse with the real argument parsers
and validators; and the safe ones (help, ``warta sites``, ``warta extract`` on a fixture,
``make -n demo PORT=...``) are run.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config.arguments import check_setting_overrides, parse_spider_args
from crawler.config.sites import PACKAGE_ROOT, load_site
from flows.cli.main import SUBCOMMANDS, build_parser

DOCS = [PACKAGE_ROOT / "README.md", *sorted((PACKAGE_ROOT / "docs").glob("*.md"))]
TOOLS = {"warta", "scrapy", "prefect", "warcio", "wacz", "python", "wb-manager", "wayback",
         "uv", "pip", "pytest", "ruff", "mypy"}  # fmt: skip
# Placeholders the documents use, and a value that stands in for each when parsing.
PLACEHOLDERS = {"<crawl id>": "20261127T191844Z", "URL": "https://www.niaga.asia/x"}


def documented_commands() -> list[tuple[str, str]]:
    """(where, command) for every shell line in a code block, comments removed."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        fence: str | None = None
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                fence = None if fence is not None else line[3:].strip()
                continue
            if fence is not None:
                if fence in ("python", "json", "yaml", "text"):
                    continue
                text = line
            elif line.startswith("    ") and not line.lstrip().startswith(("|", "-", "*", "{")):
                text = line
            else:
                continue
            text = re.split(r"\s+#\s|^\s*#", text)[0].strip()
            if text:
                found.append((f"{path.relative_to(PACKAGE_ROOT)}:{number}", text))
    return found


def commands_of(line: str) -> list[list[str]]:
    """The simple commands of a line (split at && ; |), without redirections."""
    out = []
    for part in re.split(r"&&|;|\|(?!\|)", line):
        try:
            words = shlex.split(part)
        except ValueError:
            continue
        if ">" in words:
            words = words[: words.index(">")]
        if words:
            out.append(words)
    return out


COMMANDS = documented_commands()


def test_the_documents_have_commands() -> None:
    assert len(COMMANDS) > 40


@pytest.mark.parametrize(("where", "line"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_tools_are_named_by_their_path(where: str, line: str) -> None:
    for words in commands_of(line):
        assert words[0] not in TOOLS, f"{where}: {words[0]!r} is not on PATH; write .venv/bin/"


def _filled(words: list[str]) -> list[str]:
    return [PLACEHOLDERS.get(w, w) for w in words]


def warta_lines() -> list[tuple[str, list[str]]]:
    lines = []
    for where, line in COMMANDS:
        for words in commands_of(line):
            if words[0].endswith("/bin/warta") and not any(w.startswith("[") for w in words):
                lines.append((where, _filled(words[1:])))
    return lines


@pytest.mark.parametrize(("where", "args"), warta_lines(), ids=[w for w, _ in warta_lines()])
def test_warta_commands_parse(where: str, args: list[str]) -> None:
    chosen = next(a for a in args if not a.startswith("-"))
    assert chosen in SUBCOMMANDS, f"{where}: no subcommand {chosen!r}"
    try:
        parsed = build_parser(chosen).parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"{where}: warta {' '.join(args)} does not parse ({exc})")
    site = getattr(parsed, "site", None)
    if chosen in ("archive", "extract") and site and site != "SITE":
        load_site(site)


def scrapy_lines() -> list[tuple[str, list[str]]]:
    return [
        (where, words[2:])
        for where, line in COMMANDS
        for words in commands_of(line)
        if words[0].endswith("/bin/scrapy") and words[1:2] == ["crawl"]
    ]


@pytest.mark.parametrize(("where", "args"), scrapy_lines(), ids=[w for w, _ in scrapy_lines()])
def test_scrapy_crawl_commands_are_valid(where: str, args: list[str]) -> None:
    load_site(args[0])
    spider_args: dict[str, str] = {}
    settings: dict[str, str] = {}
    for flag, value in zip(args[1::2], args[2::2], strict=False):
        name, _, val = value.partition("=")
        (spider_args if flag == "-a" else settings)[name] = val
    parse_spider_args(spider_args)
    check_setting_overrides(settings)


WARTA = str(Path(sys.executable).parent / "warta")


@pytest.mark.parametrize("subcommand", sorted(SUBCOMMANDS))
def test_every_subcommand_has_help(subcommand: str) -> None:
    proc = subprocess.run([WARTA, subcommand, "--help"], capture_output=True, text=True,
                          cwd=PACKAGE_ROOT, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "usage:" in proc.stdout


def test_warta_sites_runs_as_documented() -> None:
    proc = subprocess.run([WARTA, "sites"], capture_output=True, text=True, cwd=PACKAGE_ROOT,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "niaga" in proc.stdout and "replica only" in proc.stdout


def test_warta_extract_runs_on_a_page() -> None:
    page = PACKAGE_ROOT / "tests/crawler/extraction/fixtures/niaga-seed.html"
    proc = subprocess.run(
        [WARTA, "extract", str(page), "--url", "https://www.niaga.asia/x", "--site", "niaga"],
        capture_output=True, text=True, cwd=PACKAGE_ROOT, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert '"title"' in proc.stdout


def test_make_demo_passes_port_and_data_dir() -> None:
    proc = subprocess.run(["make", "-n", "demo", "PORT=8800", "DATA=/tmp/my data"],
                          capture_output=True, text=True, cwd=PACKAGE_ROOT, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if " demo " in x)
    words = shlex.split(line)  # as the shell will split it: a space in DATA stays one word
    assert words[words.index("--port") + 1] == "8800"
    assert words[words.index("--data-dir") + 1] == "/tmp/my data"
    assert words[words.index("--storage") + 1] == "/tmp/my data/archive"
