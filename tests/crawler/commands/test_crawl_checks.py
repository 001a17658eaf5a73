"""``scrapy crawl``'s own work around a crawl, in process and without one: a bad site name,
spider argument or setting is one line on stderr and exit code 2 before anything starts; a
real site crawled under warta's own contact address gets a warning; after the crawl, a site
that answered none of its discovery fetches makes the exit code 1.

Scrapy's command machinery is real (its argument parser, settings, :class:`Crawler` and
stats collector); only the crawler process is a stand-in that "runs" a crawl ending with
given stats, since a Twisted reactor cannot be started twice in one test process. The crawl
itself is tested end to end in test_crawl.py (slow)."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector

from crawler import keys
from crawler.commands.crawl import Command

LOCAL = "http://127.0.0.1:9"


class FinishedProcess:
    """Stands in for Scrapy's crawler process: the crawl "ends" with ``stats``, or never
    starts when ``stats`` is None (the crawler then has no stats collector)."""

    def __init__(self, stats: dict[str, Any] | None, bootstrap_failed: bool = False) -> None:
        self.stats = stats
        self.bootstrap_failed = bootstrap_failed
        self.crawlers: list[Crawler] = []
        self.asked: list[str] = []

    def create_crawler(self, name: str) -> Crawler:
        self.asked.append(name)
        return Crawler(Spider, Settings({"STATS_DUMP": False}))

    def crawl(self, crawler: Crawler, **spargs: Any) -> None:
        self.crawlers.append(crawler)

    def start(self) -> None:
        for crawler in self.crawlers:
            if self.stats is not None:
                crawler.stats = StatsCollector(crawler)
                crawler.stats.set_stats(dict(self.stats))


def command(*argv: str, stats: dict[str, Any] | None = None) -> tuple[Command, argparse.Namespace]:
    """The command with ``argv`` parsed and checked, as ``scrapy crawl ARGV`` does it."""
    cmd = Command()
    cmd.settings = Settings()
    cmd.settings.setmodule("crawler.settings", priority="project")
    parser = argparse.ArgumentParser()
    cmd.add_options(parser)
    opts, args = parser.parse_known_args(argv)
    cmd.process_options(args, opts)
    cmd.crawler_process = FinishedProcess(stats)  # type: ignore[assignment]
    return cmd, opts


def positional(argv: tuple[str, ...]) -> list[str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("-a", action="append")
    parser.add_argument("-s", action="append")
    return parser.parse_known_args(argv)[1]


@pytest.fixture(autouse=True)
def default_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARTA_OPERATOR_CONTACT", raising=False)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("nosuchsite",), "nosuchsite"),
        (("niaga", "-a", "nosuchargument=1"), "nosuchargument"),
        (("niaga", "-a", "base_url=not a url"), "base_url"),
        (("niaga", "-s", "WARTA_NO_SUCH_SETTING=1"), "WARTA_NO_SUCH_SETTING"),
        (("niaga", "-s", "SPIDER_MODULES=x"), "SPIDER_MODULES"),
    ],
)
def test_a_bad_site_argument_or_setting_is_one_line_and_exit_code_2(
    argv: tuple[str, ...], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        command(*argv)
    assert exited.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("scrapy crawl: ") and named in line


def test_a_real_site_under_warta_s_own_contact_gets_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command("niaga")
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("warning: the User-Agent for niaga (") and "operator_contact" in line


@pytest.mark.parametrize(
    "argv",
    [
        ("niaga", "-a", f"base_url={LOCAL}"),  # the crawl goes to a local copy, not the site
        ("niaga", "two sites"),  # refused when the command runs
        (),
    ],
)
def test_no_warning_for_a_local_copy_or_without_one_site(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    command(*argv)
    assert capsys.readouterr().err == ""


def test_no_warning_once_the_operator_gives_a_contact(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WARTA_OPERATOR_CONTACT", "mailto:archive@example.org")
    command("niaga")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("argv", [(), ("niaga", "kabarbenua")])
def test_the_command_takes_exactly_one_site(argv: tuple[str, ...]) -> None:
    cmd, opts = command(*argv, "-a", f"base_url={LOCAL}")
    with pytest.raises(UsageError, match=r"^give one site name") as refused:
        cmd.run(positional(argv), opts)
    assert not refused.value.print_help  # one line, not the whole option list
    assert cmd.crawler_process.crawlers == []  # type: ignore[union-attr]


def test_a_site_that_answered_no_discovery_fetch_fails_the_crawl(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stats = {keys.DISCOVERY_REQUESTS: 3, f"{keys.FAILURES_PREFIX}connection_refused": 3}
    cmd, opts = command("niaga", "-a", f"base_url={LOCAL}", stats=stats)
    cmd.run(["niaga"], opts)
    assert cmd.crawler_process.asked == ["niaga"]  # type: ignore[union-attr]
    assert cmd.exitcode == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("scrapy crawl niaga: site unreachable")
    assert "3 discovery" in line and "connection_refused 3" in line


def test_a_site_that_answered_passes(capsys: pytest.CaptureFixture[str]) -> None:
    stats = {keys.DISCOVERY_REQUESTS: 3, keys.DISCOVERY_ANSWERS: 1}
    cmd, opts = command("niaga", "-a", f"base_url={LOCAL}", stats=stats)
    cmd.run(["niaga"], opts)
    assert cmd.exitcode == 0
    assert capsys.readouterr().err == ""


def test_a_crawl_that_never_started_keeps_scrapy_s_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cmd, opts = command("niaga", "-a", f"base_url={LOCAL}")
    cmd.crawler_process = FinishedProcess(None, bootstrap_failed=True)  # type: ignore[assignment]
    cmd.run(["niaga"], opts)
    assert cmd.exitcode == 1
    assert capsys.readouterr().err == ""
