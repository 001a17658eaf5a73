"""The run summary says which fetches failed most, in the artifact and on screen."""

from __future__ import annotations

from flows.summary import failures_line, top_failures


def test_top_failure_reasons_most_first_and_bounded() -> None:
    crawl = {"failures": {"timeout": 3, "http-404": 7, "offsite": 1, "dns": 2, "a": 1, "b": 1}}
    top = top_failures(crawl)
    assert list(top) == ["http-404", "timeout", "dns", "a", "b"]
    assert failures_line(top) == "http-404 7, timeout 3, dns 2, a 1, b 1"


def test_no_failures_reads_none() -> None:
    assert top_failures({}) == {}
    assert failures_line({}) == "none"


def test_only_positive_counts_are_failures() -> None:
    crawl = {"failures": {"timeout": 2, "dns": 0, "note": "see crawl.log", "http-500": 1}}
    assert top_failures(crawl) == {"timeout": 2, "http-500": 1}
    assert top_failures({"failures": ["timeout"]}) == {}
