"""failures.jsonl: one line per failed fetch, and never a credential in it.

A site's URLs can carry secrets (a mirror reached with ``user:password@``, a signed link with
``?token=``); the failure list is shared with whoever reads a crawl's summary, so every URL
in it is redacted, whichever way the failure arrived.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydispatch import dispatcher
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError

from crawler.fetch.failures import FAILURES_FILE, FailureLog, failure_counts

SECRETS = ("pa55word", "t0ken-abc", "s1gnature")
URL = "https://mirror:pa55word@www.niaga.asia/berita/satu/?token=t0ken-abc&page=2"
SIGNED = "https://www.niaga.asia/unduh/?X-Amz-Signature=s1gnature"


def _connected(crawler: Crawler, signal: object, receiver: object) -> bool:
    """Whether ``receiver`` listens to ``signal`` on the crawler (called directly below:
    mutmut's wrappers hide a receiver's signature from PyDispatcher)."""
    return receiver in dispatcher.liveReceivers(dispatcher.getAllReceivers(crawler, signal))


def _log(tmp_path: Path) -> tuple[FailureLog, list[dict[str, object]]]:
    crawler = get_crawler(settings_dict={"WARTA_OUTPUT_DIR": str(tmp_path)})
    log = FailureLog.from_crawler(crawler)
    return log, []


def _lines(tmp_path: Path) -> tuple[str, list[dict[str, object]]]:
    text = (tmp_path / FAILURES_FILE).read_text(encoding="utf-8")
    return text, [json.loads(line) for line in text.splitlines()]


def test_every_failure_line_has_its_urls_redacted(tmp_path: Path) -> None:
    log, _ = _log(tmp_path)
    log.process_response(Request(URL), HtmlResponse(URL, status=503, body=b"busy"))
    redirected = Request(SIGNED, meta={"redirect_urls": [URL]})
    log.process_response(redirected, Response(SIGNED, status=404))
    log.process_response(
        Request(URL), Response(URL, status=301, headers={"Location": f"file:///{SIGNED}"})
    )
    log.process_exception(Request(SIGNED), ConnectionRefusedError(f"refused {URL}"))
    assert _connected(log.crawler, signals.request_dropped, log.request_dropped)
    log.request_dropped(Request(URL, meta={"redirect_urls": [URL]}))  # as the signal calls it
    log.spider_closed()
    text, lines = _lines(tmp_path)
    assert [line["reason"] for line in lines] == [
        "http-503", "http-404", "redirect-unfollowed", "connection-refused", "redirect-loop",
    ]  # fmt: skip
    for secret in SECRETS:
        assert secret not in text, (secret, text)
    assert lines[0]["url"] == ("https://REDACTED@www.niaga.asia/berita/satu/?token=REDACTED&page=2")
    assert lines[1]["url"] == "https://www.niaga.asia/unduh/?X-Amz-Signature=REDACTED"
    assert lines[1]["redirected_from"] == lines[0]["url"]
    assert lines[0]["status"] == 503 and lines[0]["bytes"] == 4
    assert failure_counts(log.crawler.stats.get_stats())["http-503"] == 1  # type: ignore[union-attr]


def test_reasons_name_the_failure_and_a_refused_address() -> None:
    from twisted.internet.error import DNSLookupError

    from crawler.fetch.failures import failure_reason

    assert failure_reason(DNSLookupError("no address left"), True) == "refused-address"
    assert failure_reason(DNSLookupError("nxdomain"), False) == "dns"
    assert failure_reason(DNSLookupError("nxdomain")) == "dns"
    assert failure_reason(ConnectionRefusedError("refused"), True) == "connection-refused"


def test_stage_is_the_callback_or_robots(tmp_path: Path) -> None:
    from crawler.fetch.failures import stage_of

    def parse_article(response: object) -> None:
        return None

    assert stage_of(Request("https://h.example/a/", callback=parse_article)) == "parse_article"
    assert stage_of(Request("https://h.example/a/")) == "parse"
    assert stage_of(Request("https://h.example/robots.txt", callback=parse_article)) == (
        "robots.txt"
    )


def test_the_log_makes_its_folder(tmp_path: Path) -> None:
    deep = tmp_path / "data" / "crawls" / "niaga" / "20260101T000000Z"
    crawler = get_crawler(settings_dict={"WARTA_OUTPUT_DIR": str(deep)})
    log = FailureLog.from_crawler(crawler)
    assert log.path == deep / FAILURES_FILE
    log.process_response(Request(URL), Response(URL, status=410))
    log.spider_closed()
    _, lines = _lines(deep)
    assert [line["reason"] for line in lines] == ["http-410"]


def test_each_line_says_what_failed_how_and_is_written_as_text(tmp_path: Path) -> None:
    from scrapy.core.downloader.handlers.http11 import TunnelError

    from crawler import keys
    from crawler.fetch.failures import failure_counts

    crawler = get_crawler(settings_dict={"WARTA_OUTPUT_DIR": str(tmp_path)})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    log = FailureLog.from_crawler(crawler)
    log.spider_closed()  # closing a log that wrote nothing is fine
    base = "https://www.niaga.asia"
    for status in (200, 304, 399):
        log.process_response(
            Request(f"{base}/{status}"), Response(f"{base}/{status}", status=status)
        )
    log.process_response(Request(f"{base}/400"), Response(f"{base}/400", status=400))
    far = f"ftp://elsewhere.example/{'x' * 400}?token=t0ken-abc"
    answer = Response(f"{base}/300", status=300, headers={"Location": far}, body=b"abc")
    log.process_response(Request(f"{base}/300"), answer)
    log.process_response(Request(f"{base}/305"), Response(f"{base}/305", status=305))
    named = Request(f"{base}/named", meta={keys.FAILURE_REASON: "robots-disallowed"})
    log.process_response(named, Response(f"{base}/named", status=403))
    cut = TunnelError("Kota Samarinda — " + "y" * 400)
    cut.bytes_received = 1234  # type: ignore[attr-defined]
    log.process_exception(Request(f"{base}/putus"), cut)
    crawler.stats.set_value(keys.REFUSED_HOST_PREFIX + "lokal.example", 1)  # type: ignore[union-attr]
    from twisted.internet.error import DNSLookupError

    log.process_exception(Request("https://lokal.example/a"), DNSLookupError("no address"))
    log.process_exception(Request("https://hilang.example/d"), DNSLookupError("nxdomain"))
    big = Request(f"{base}/besar", meta={keys.FAILURE_REASON: "request-headers-too-large"})
    log.process_exception(big, IgnoreRequest("request headers over 16384 bytes"))
    log.record_url("http://[bad", "parse_listing", "bad-url")  # never became a request
    log.request_dropped(Request(f"{base}/b", meta={"redirect_urls": [f"{base}/a", f"{base}/c"]}))
    log.request_dropped(Request(f"{base}/no-chain"))
    log.spider_closed()
    log.process_response(Request(f"{base}/410"), Response(f"{base}/410", status=410))  # reopens
    log.spider_closed()
    raw = (tmp_path / FAILURES_FILE).read_bytes()
    assert "Kota Samarinda —".encode() in raw  # UTF-8 text, not \\u escapes
    _, lines = _lines(tmp_path)
    by_path = {str(line["url"]).rsplit("/", 1)[-1]: line for line in lines}
    assert list(by_path) == [
        "399", "400", "300", "305", "named", "putus", "a", "d", "besar", "[bad", "b", "410"
    ]  # fmt: skip
    assert by_path["399"]["reason"] == "redirect-unfollowed"  # a redirect status not followed
    assert by_path["400"]["reason"] == "http-400" and "detail" not in by_path["400"]
    unfollowed = by_path["300"]
    assert (unfollowed["reason"], unfollowed["status"], unfollowed["bytes"]) == (
        "redirect-unfollowed", 300, 3
    )  # fmt: skip
    assert unfollowed["detail"] == "Location: " + far[:300]
    assert by_path["305"]["detail"] == "Location: "
    assert by_path["named"]["reason"] == "robots-disallowed"
    putus = by_path["putus"]
    assert (putus["reason"], putus["status"], putus["bytes"]) == ("TunnelError", None, 1234)
    assert putus["detail"] == str(cut)[:300] and len(putus["detail"]) == 300
    assert by_path["a"]["reason"] == "refused-address"
    assert by_path["d"]["reason"] == "dns"  # a host the guard never refused: the name failed
    assert by_path["besar"]["reason"] == "request-headers-too-large"  # the refuser's reason
    bad = by_path["[bad"]
    assert (bad["stage"], bad["reason"], bad["status"], bad["bytes"]) == (
        "parse_listing", "bad-url", None, None
    )  # fmt: skip
    assert "detail" not in bad and "redirected_from" not in bad
    assert (by_path["b"]["reason"], by_path["b"]["detail"]) == (
        "redirect-duplicate", "after 2 redirect(s)"
    )  # fmt: skip
    for line in lines:
        assert set(line) >= {"url", "stage", "reason", "status", "bytes", "time"}
        assert str(line["time"]).endswith("+00:00")
        assert line["stage"] == ("parse_listing" if line is bad else "parse")
    assert log.reasons["http-400"] == 1 and sum(log.reasons.values()) == 12
    stats = {"warta/failures/b": 2, "warta/failures/a": 2, "warta/failures/c": 5, "other": 9}
    assert list(failure_counts(stats).items()) == [("c", 5), ("a", 2), ("b", 2)]
