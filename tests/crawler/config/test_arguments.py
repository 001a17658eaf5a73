"""Spider arguments and run settings: a wrong name or value is one line naming it, before a
crawl does any work (``-a NAME=VALUE``, ``--arg``, ``-s``/``--set``, a flow's parameters)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.config.arguments import (
    check_setting_overrides,
    parse_spider_args,
    spider_argument_names,
)
from crawler.config.sites import ConfigError


def test_command_line_strings_become_typed_arguments() -> None:
    args = parse_spider_args({
        "since": " 2026-11-01 ", "until": "2026-11-30T12:00:00+08:00", "lookback": "1d12h",
        "recheck_hours": "6.5", "max_articles": "40", "urls": " /a/, ,https://x.example/b ,",
        "base_url": "http://127.0.0.1:8765/",
    })  # fmt: skip
    assert args.since == datetime(2026, 11, 1, tzinfo=UTC)  # a naive date is UTC
    assert args.until == datetime(2026, 11, 30, 12, tzinfo=timezone(timedelta(hours=8)))
    assert args.lookback == timedelta(hours=36)
    assert args.recheck_hours == 6.5 and args.max_articles == 40
    assert args.urls == ["/a/", "https://x.example/b"]
    assert args.base_url == "http://127.0.0.1:8765"


def test_blank_arguments_are_unset() -> None:
    raw = {"since": " ", "until": "", "lookback": "  ", "recheck_hours": "", "max_articles": " "}
    args = parse_spider_args({**raw, "urls": ""})
    assert args == parse_spider_args({})
    assert args.since is None and args.lookback is None and args.max_articles is None
    assert args.urls == []


def test_values_from_python_pass_as_they_are() -> None:
    """A flow hands typed values, not strings: they are taken without parsing."""
    when = datetime(2026, 1, 2, tzinfo=UTC)
    args = parse_spider_args({"since": when, "lookback": timedelta(hours=3), "urls": ["/x"]})
    assert args.since == when and args.lookback == timedelta(hours=3) and args.urls == ["/x"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"since": "yesterday"},
         "spider argument since='yesterday': 'yesterday' is not an ISO date such as 2026-11-01"),
        ({"lookback": "soon"}, "spider argument lookback='soon': 'soon' is not a duration"),
        ({"max_articles": "0"}, "spider argument max_articles='0': "),
        ({"recheck_hours": "-1"}, "spider argument recheck_hours='-1': "),
        ({"base_url": "ftp://mirror.example"},
         "spider argument base_url='ftp://mirror.example': must be an http(s) URL with a host"),
        ({"base_url": "http://"}, "spider argument base_url='http://': must be an http(s) URL"),
    ],
)  # fmt: skip
def test_a_bad_value_is_one_line_naming_it(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as failure:
        parse_spider_args(raw)
    text = str(failure.value)
    assert text.startswith(message), text
    assert "\n" not in text and "Value error" not in text


def test_a_bad_list_item_is_named_by_its_position() -> None:
    with pytest.raises(ConfigError, match=r"^spider argument urls\.1=5: "):
        parse_spider_args({"urls": ["/a", 5]})  # a flow hands a list; the item is shown


def test_an_unknown_argument_lists_the_known_ones() -> None:
    names = spider_argument_names()
    assert names == sorted(names) and {"since", "base_url", "urls"} <= set(names)
    with pytest.raises(ConfigError) as failure:
        parse_spider_args({"sinse": "2026-11-01"})
    assert str(failure.value) == f"unknown spider argument 'sinse'; known: {', '.join(names)}"


def test_a_base_url_with_a_password_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError) as failure:
        parse_spider_args({"base_url": "http://crawler:hunter2@127.0.0.1:8765"})
    text = str(failure.value)
    assert text.startswith("spider argument base_url: must not hold a user name or password")
    assert "hunter2" not in text


@pytest.mark.parametrize(
    ("name", "good", "bad", "kind"),
    [
        ("WARTA_WARC_ENABLED", [" TRUE ", "0", "1", "off", "On", "Yes", "No", "false"],
         ["maybe", "2", "y"], "true or false"),
        ("WARTA_HOST_ERROR_BUDGET", ["5", " 12 ", "-3"], ["3.5", "many", "", "X1", "1-"],
         "a whole number"),
        ("WARTA_EXTRACT_WORKERS", ["0", "4"], ["auto"], "a whole number"),  # default None
        ("WARTA_BACKOFF_BASE", ["0.5", "2", "1e-3"], ["fast"], "a number"),
        ("WARTA_WARCINFO", ['{"isPartOf": "x"}', ""], ["[1]", "{", "x"], "a JSON object"),
        ("WARTA_ALLOWED_NETWORKS", ['["10.0.0.0/8"]', " "], ['{"a": 1}', "[,"], "a JSON list"),
        ("RETRY_ENABLED", ["false"], ["perhaps"], "true or false"),  # Scrapy's default
        ("AUTOTHROTTLE_MAX_DELAY", ["30.5"], ["long"], "a number"),  # only Scrapy has it
        ("DOWNLOAD_DELAY", ["0.5", "3"], ["slow"], "a number"),  # warta's 1.0, not Scrapy's 0
        ("DOWNLOAD_TIMEOUT", ["7.5", "60"], ["1m"], "a number"),  # Scrapy reads decimals
        ("CLOSESPIDER_TIMEOUT", ["0.5", "600"], ["soon"], "a number"),
    ],
)  # fmt: skip
def test_setting_values_must_read_as_their_defaults_kind(
    name: str, good: list[str], bad: list[str], kind: str
) -> None:
    for value in good:
        check_setting_overrides({name: value})
    for value in bad:
        with pytest.raises(ConfigError) as failure:
            check_setting_overrides({name: value})
        assert str(failure.value) == f"setting {name}={value!r}: expected {kind}"


def test_settings_without_a_kind_take_any_value() -> None:
    check_setting_overrides({
        "WARTA_STATE_PATH": "/tmp/x.sqlite", "LOG_LEVEL": "DEBUG",  # str defaults
        "WARTA_HOST_ERROR_BUDGET": 7, "WARTA_WARC_ENABLED": False,  # typed values from a flow
        "WARTA_BACKOFF_BASE": 0.25,
    })  # fmt: skip


def test_an_unknown_warta_setting_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as failure:
        check_setting_overrides({"WARTA_BACKOF_BASE": "1"})
    text = str(failure.value)
    assert text.startswith("unknown setting WARTA_BACKOF_BASE; warta's settings are: ")
    assert "WARTA_BACKOFF_BASE, WARTA_BACKOFF_MAX" in text and "environment" not in text


@pytest.mark.parametrize("name", ["WARTA_STORAGE", "WARTA_OPERATOR", "WARTA_OPERATOR_CONTACT"])
def test_an_environment_variable_given_as_a_setting_says_so(name: str) -> None:
    with pytest.raises(ConfigError) as failure:
        check_setting_overrides({name: "x"})
    assert f"unknown setting {name} ({name} is an environment variable for warta, not a " in str(
        failure.value
    )


def test_a_refused_scrapy_setting_lists_what_a_run_may_change() -> None:
    with pytest.raises(ConfigError) as failure:
        check_setting_overrides({"JOBDIR": "/tmp/x"})
    text = str(failure.value)
    assert "AUTOTHROTTLE_ENABLED, AUTOTHROTTLE_MAX_DELAY" in text  # sorted
    assert text.endswith("and warta's WARTA_* settings")
