"""Credentials never reach logs or summaries; the crawl process gets no storage secrets."""

from __future__ import annotations

import logging
import sys
import time

import pytest

from crawler.fetch.redaction import RedactingFilter, redact_text, redact_url
from crawler.process.runner import crawl_environment


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pa55@mirror.example/feed/", "https://REDACTED@mirror.example/feed/"),
        ("https://mirror.example/feed/?token=abc&page=2",
         "https://mirror.example/feed/?token=REDACTED&page=2"),
        ("https://www.niaga.asia/berita/?p=1", "https://www.niaga.asia/berita/?p=1"),
        ("http://[::1]:8080/x?X-Amz-Signature=s", "http://[::1]:8080/x?X-Amz-Signature=REDACTED"),
    ],
)  # fmt: skip
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_log_lines_lose_url_credentials() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "fetching %s", ("https://u:secret@h.example/",), None
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "fetching https://REDACTED@h.example/"


def test_tracebacks_lose_url_credentials() -> None:
    """A handler writes the traceback after the filter ran: it must be redacted already."""
    try:
        raise ConnectionError("cannot reach https://u:secret@h.example/?token=t0k")
    except ConnectionError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "fetch failed", None, sys.exc_info()
        )
    assert RedactingFilter().filter(record)
    written = logging.Formatter().format(record)
    assert "ConnectionError: cannot reach https://REDACTED@h.example/?token=REDACTED" in written
    assert "secret" not in written and "t0k" not in written


def test_redaction_is_linear_on_hostile_text() -> None:
    hostile = "http://" + "a" * 200_000 + " " + "x://" * 50_000
    started = time.perf_counter()
    redacted = redact_text(hostile + "@")
    assert time.perf_counter() - started < 1.0
    assert redacted == hostile + "@"  # no user:password@ anywhere, so nothing to redact
    started = time.perf_counter()
    redacted = redact_text(hostile + " https://u:pw@h.example/")
    assert time.perf_counter() - started < 1.0
    assert redacted.endswith(" https://REDACTED@h.example/") and ":pw@" not in redacted


def test_crawl_environment_keeps_only_what_a_crawl_needs() -> None:
    env = crawl_environment({
        "PATH": "/bin", "HOME": "/root", "LC_ALL": "C.UTF-8", "WARTA_DATA_DIR": "/d",
        "AWS_SECRET_ACCESS_KEY": "s3cr3t", "AWS_ACCESS_KEY_ID": "k", "PREFECT_API_KEY": "p",
        "GITHUB_TOKEN": "g",
    })  # fmt: skip
    assert env["PATH"] == "/bin" and env["WARTA_DATA_DIR"] == "/d" and env["LC_ALL"] == "C.UTF-8"
    assert env["SCRAPY_SETTINGS_MODULE"] == "crawler.settings"
    assert not {
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "PREFECT_API_KEY",
        "GITHUB_TOKEN",
    } & set(env)


def test_error_text_quoting_a_url_loses_its_credentials() -> None:
    text = "Connection refused: https://u:pw@h.example/a?page=2&Token=abc#x and ?sig=zz&key=k"
    assert redact_text(text) == (
        "Connection refused: https://REDACTED@h.example/a?page=2&Token=REDACTED#x "
        "and ?sig=REDACTED&key=REDACTED"
    )


def test_redact_url_keeps_blank_values_and_cuts_at_the_last_at_sign() -> None:
    assert redact_url("https://us@er:pw@host.example/x") == "https://REDACTED@host.example/x"
    assert redact_url("https://h.example/x?token=abc&kosong=&page=2") == (
        "https://h.example/x?token=REDACTED&kosong=&page=2"
    )
