"""Revisit decisions against a real crawl state and a real WARC file, without a crawl."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse

from crawler import keys
from crawler.incremental.revisits import (
    FROM_ARCHIVE_FLAG,
    UNCHANGED_FLAG,
    ArchivedResponse,
    Revisits,
    archived_answer,
    read_archived,
)
from crawler.incremental.store import CrawlState
from crawler.warc import records
from crawler.warc.capture import Refetch, Revisit
from crawler.warc.records import CapturedRequest, CapturedResponse
from crawler.warc.tape import WireMessage
from crawler.warc.writer import RecordLocation, RotatingWarcWriter

T0 = datetime(2026, 11, 27, 1, 2, 3, tzinfo=UTC)
URL = "http://127.0.0.1:8000/pemilu-2024/"
BODY = b"<html>berita</html>"
HEADERS = [("Content-Type", "text/html"), ("ETag", '"abc"')]
LAST_MODIFIED = "Thu, 26 Nov 2026 23:00:00 GMT"


def captured(status: int = 200, body: bytes = BODY) -> CapturedResponse:
    return CapturedResponse(URL, "HTTP/1.1", status, "", HEADERS, body, T0)


def archived_policy(
    tmp_path: Path, headers: list[tuple[str, str]], response: CapturedResponse | None = None
) -> Revisits:
    """A state whose one row points at a closed WARC holding the archived copy."""
    with RotatingWarcWriter(tmp_path / "out", prefix="t", host="h") as writer:
        request = CapturedRequest("GET", URL, [], T0)
        response = response or CapturedResponse(URL, "HTTP/1.1", 200, "", headers, BODY, T0)
        location = writer.write_exchange(request, response)
    state = CrawlState(tmp_path / "s.sqlite")
    state.start_run("c1", tmp_path / "out")
    policy = Revisits(state)
    policy.archived(
        Request(URL, meta={"warta_kind": "article"}),
        HtmlResponse(URL, body=BODY, headers=dict(headers)),
        tmp_path / "out" / location.file,
        location,
        T0,
    )
    return policy


@pytest.fixture
def revisits(tmp_path: Path) -> Iterator[Revisits]:
    policy = archived_policy(tmp_path, HEADERS)
    yield policy
    policy.state.close()


def test_validators_go_out_for_an_archived_url(revisits: Revisits) -> None:
    request = Request(URL)
    assert revisits.before_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"abc"'
    assert revisits.before_request(Request("http://127.0.0.1:8000/baru/")) is None


@pytest.mark.parametrize(
    ("validators", "sent"),
    [
        ([("ETag", '"abc"')], {b"If-None-Match": b'"abc"'}),
        ([("Last-Modified", LAST_MODIFIED)], {b"If-Modified-Since": LAST_MODIFIED.encode()}),
        ([("ETag", '"abc"'), ("Last-Modified", LAST_MODIFIED)],
         {b"If-None-Match": b'"abc"', b"If-Modified-Since": LAST_MODIFIED.encode()}),
    ],
)  # fmt: skip
def test_last_modified_goes_back_as_if_modified_since(
    tmp_path: Path, validators: list[tuple[str, str]], sent: dict[bytes, bytes]
) -> None:
    """A server that keeps no ETag (most CMS pages) is asked with If-Modified-Since alone,
    one that sent only an ETag with If-None-Match alone (no empty If-Modified-Since), and
    one that keeps both gets both, as RFC 9110 lets the server use either."""
    policy = archived_policy(tmp_path, [("Content-Type", "text/html"), *validators])
    request = Request(URL)
    assert policy.before_request(request) is None
    got = {k: request.headers[k] for k in (b"If-None-Match", b"If-Modified-Since")
           if k in request.headers}  # fmt: skip
    assert got == sent
    policy.state.close()


def test_not_modified_answers_with_the_archived_copy(revisits: Revisits) -> None:
    request = Request(URL)
    revisits.before_request(request)
    verdict = revisits.judge(request, HtmlResponse(URL, status=304), captured(304, b""))
    assert isinstance(verdict, Revisit)
    assert verdict.profile == records.PROFILE_NOT_MODIFIED
    assert verdict.recorded.status == 200 and verdict.answer.body == BODY
    assert {UNCHANGED_FLAG, FROM_ARCHIVE_FLAG} <= set(verdict.answer.flags)


def _asked_with_the_copy_gone(revisits: Revisits) -> Request:
    """A request prepared from the archived copy, whose WARC file is then lost."""
    request = Request(URL)
    revisits.before_request(request)
    capture = revisits.state.capture(URL)
    assert capture is not None and capture.warc_path
    Path(capture.warc_path).unlink()
    return request


def test_not_modified_with_the_copy_gone_asks_again(revisits: Revisits) -> None:
    request = _asked_with_the_copy_gone(revisits)
    verdict = revisits.judge(request, HtmlResponse(URL, status=304), captured(304, b""))
    assert isinstance(verdict, Refetch)
    assert b"If-None-Match" not in verdict.retry.headers
    assert verdict.retry.meta[keys.NO_CONDITIONAL] and verdict.retry.dont_filter


def test_same_payload_is_an_identical_revisit_and_a_new_one_is_not(revisits: Revisits) -> None:
    same = revisits.judge(Request(URL), HtmlResponse(URL, body=BODY), captured())
    assert isinstance(same, Revisit) and same.profile == records.PROFILE_IDENTICAL
    assert UNCHANGED_FLAG in same.answer.flags
    changed = b"<html>berita baru</html>"
    assert (
        revisits.judge(Request(URL), HtmlResponse(URL, body=changed), captured(200, changed))
        is None
    )


def test_a_revisit_points_at_the_archived_copy_and_answers_as_it(revisits: Revisits) -> None:
    """The revisit record names the original (id, URL, date, digest) and where it lies; the
    spider gets the archived response as the server sent it then."""
    prior = revisits.state.capture(URL)
    assert prior is not None and prior.warc_length and prior.warc_offset is not None
    request = Request(URL)
    revisits.before_request(request)
    for verdict in (
        revisits.judge(request, HtmlResponse(URL, status=304), captured(304, b"")),
        revisits.judge(Request(URL), HtmlResponse(URL, body=BODY), captured()),
    ):
        assert isinstance(verdict, Revisit)
        assert verdict.original == records.RevisitOf(
            str(prior.record_id), URL, T0, records.payload_digest(BODY)
        )
        assert verdict.original_location == {
            "file": prior.warc_file, "offset": prior.warc_offset,
            "length": prior.warc_length, "record_id": prior.record_id,
        }  # fmt: skip
    again = revisits.judge(request, HtmlResponse(URL, status=304), captured(304, b""))
    assert isinstance(again, Revisit)
    answer = again.answer
    assert isinstance(answer, HtmlResponse) and answer.url == URL and answer.request is request
    assert (answer.status, answer.protocol, answer.body) == (200, "HTTP/1.1", BODY)
    assert answer.headers[b"ETag"] == b'"abc"' and answer.headers[b"Content-Type"] == b"text/html"
    assert "cached" not in answer.flags


def test_a_resumed_crawl_rereads_from_the_archive_without_the_network(
    revisits: Revisits,
) -> None:
    request = Request(URL, meta={keys.FROM_ARCHIVE: True})
    answer = revisits.before_request(request)
    assert isinstance(answer, HtmlResponse) and answer.body == BODY and answer.status == 200
    assert {"cached", FROM_ARCHIVE_FLAG} <= set(answer.flags) and answer.request is request
    prior = revisits.state.capture(URL)
    assert prior is not None
    assert request.meta[keys.WARC_RECORD]["record_id"] == prior.record_id
    assert request.meta[keys.WARC_RECORD]["length"] == prior.warc_length
    assert b"If-None-Match" not in request.headers  # answered, not asked
    unknown = Request("http://127.0.0.1:8000/baru/", meta={keys.FROM_ARCHIVE: True})
    assert revisits.before_request(unknown) is None


def test_no_validators_when_told_not_to_or_a_header_is_set(revisits: Revisits) -> None:
    plain = Request(URL, meta={keys.NO_CONDITIONAL: True})
    assert revisits.before_request(plain) is None
    assert b"If-None-Match" not in plain.headers and keys.CONDITIONAL not in plain.meta
    own = Request(URL, headers={"if-none-match": '"mine"'})
    revisits.before_request(own)
    assert own.headers.getlist(b"If-None-Match") == [b'"mine"'] and own.meta[keys.CONDITIONAL]


def test_no_validators_once_the_archived_copy_is_gone(revisits: Revisits) -> None:
    prior = revisits.state.capture(URL)
    assert prior is not None and prior.warc_path
    Path(prior.warc_path).unlink()
    request = Request(URL)
    assert revisits.before_request(request) is None
    assert b"If-None-Match" not in request.headers and keys.CONDITIONAL not in request.meta


@pytest.mark.parametrize("own", [b"If-None-Match", b"If-Modified-Since"])
def test_a_validator_the_request_carries_is_kept_and_the_other_added(
    tmp_path: Path, own: bytes
) -> None:
    both = [("ETag", '"abc"'), ("Last-Modified", LAST_MODIFIED)]
    policy = archived_policy(tmp_path, [("Content-Type", "text/html"), *both])
    request = Request(URL, headers={own: "mine"})
    policy.before_request(request)
    sent = {b"If-None-Match": b'"abc"', b"If-Modified-Since": LAST_MODIFIED.encode(), own: b"mine"}
    assert {k: request.headers.getlist(k) for k in sent} == {k: [v] for k, v in sent.items()}
    policy.state.close()


def test_only_a_304_to_validators_is_not_modified(revisits: Revisits) -> None:
    """A 200 to a conditional request is judged by its payload like any other; a 304 to a
    request that carried no validators of ours stands for no archived copy."""
    conditional = Request(URL)
    revisits.before_request(conditional)
    changed = b"<html>berita baru</html>"
    new = HtmlResponse(URL, body=changed)
    assert revisits.judge(conditional, new, captured(200, changed)) is None
    same = revisits.judge(conditional, HtmlResponse(URL, body=BODY), captured())
    assert isinstance(same, Revisit) and same.profile == records.PROFILE_IDENTICAL
    unasked = revisits.judge(Request(URL), HtmlResponse(URL, status=304), captured(304, b""))
    assert unasked is None


def test_an_identical_revisit_records_the_answer_as_received(revisits: Revisits) -> None:
    answer = captured()
    verdict = revisits.judge(Request(URL), HtmlResponse(URL, body=BODY), answer)
    assert isinstance(verdict, Revisit) and verdict.recorded is answer


def test_a_304_is_recorded_as_the_archived_status_with_freshened_headers(
    revisits: Revisits,
) -> None:
    """Without the wire bytes the revisit states what the 304 asserted: the archived 200
    (its status line) with the fields the 304 renewed (RFC 9111 4.3.4)."""
    request = Request(URL)
    revisits.before_request(request)
    renewed = [("ETag", '"def"'), ("Date", "Fri, 27 Nov 2026 01:02:03 GMT")]
    not_modified = CapturedResponse(URL, "HTTP/1.1", 304, "Not Modified", renewed, b"", T0)
    verdict = revisits.judge(request, HtmlResponse(URL, status=304), not_modified)
    assert isinstance(verdict, Revisit)
    assert (verdict.recorded.status, verdict.recorded.reason) == (200, "OK")
    assert verdict.recorded.headers == [("Content-Type", "text/html"), *renewed]


def test_the_retry_after_a_vanished_copy_is_not_conditional(tmp_path: Path) -> None:
    """Asked again without validators, a server answering 304 anyway is archived as it
    answered: the retry is not taken for a conditional request (no endless re-asking)."""
    both = [("ETag", '"abc"'), ("Last-Modified", LAST_MODIFIED)]
    policy = archived_policy(tmp_path, [("Content-Type", "text/html"), *both])
    request = _asked_with_the_copy_gone(policy)
    verdict = policy.judge(request, HtmlResponse(URL, status=304), captured(304, b""))
    assert isinstance(verdict, Refetch)
    retry = verdict.retry
    assert b"If-None-Match" not in retry.headers and b"If-Modified-Since" not in retry.headers
    assert keys.CONDITIONAL not in retry.meta
    assert policy.judge(retry, HtmlResponse(URL, status=304), captured(304, b"")) is None
    policy.state.close()


@pytest.mark.parametrize(("meta", "kind"), [({}, "page"), ({keys.KIND: "discovery"}, "discovery")])
def test_an_archived_response_is_noted_with_its_kind_and_the_record_s_digest(
    tmp_path: Path, meta: dict[str, str], kind: str
) -> None:
    """The digest is the WARC record's (over the payload as received, chunk framing
    included when the wire was kept), which is what the next answer is compared with."""
    state = CrawlState(tmp_path / "s.sqlite")
    policy = Revisits(state)
    where = RecordLocation("t.warc.gz", 512, 900, "<urn:uuid:1>", "sha1:WIREDIGEST")
    response = HtmlResponse(URL, body=BODY, headers={"ETag": '"abc"'})
    policy.archived(Request(URL, meta=meta), response, tmp_path / "t.warc.gz", where, T0)
    row = state.capture(URL)
    assert row is not None and (row.kind, row.payload_digest) == (kind, "sha1:WIREDIGEST")
    state.close()


def test_closing_a_policy_never_opened_finishes_the_run(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    state.start_run("c1", tmp_path / "out")
    Revisits(state).close("shutdown")
    with CrawlState(tmp_path / "s.sqlite") as again:
        assert again.db.execute("SELECT reason FROM runs").fetchall()[0][0] == "shutdown"


@pytest.mark.parametrize(
    ("headers", "url", "body", "cls"),
    [
        ([("Content-Type", "text/html")], URL, b"<p>berita</p>", HtmlResponse),  # the header
        ([], "http://127.0.0.1:8000/sitemap.xml", b"berita", XmlResponse),  # else the URL
        ([], URL, BODY, HtmlResponse),  # else the body
        ([], URL, b"berita", TextResponse),
    ],
)  # fmt: skip
def test_an_archived_answer_is_of_the_class_scrapy_would_have_made(
    headers: list[tuple[str, str]], url: str, body: bytes, cls: type[Response]
) -> None:
    """The spider parses an answer from the archive as it would the live page: an HTML page
    served without a <html> tag is still an HtmlResponse, a feed named .xml an XmlResponse."""
    archived = ArchivedResponse("HTTP/1.1", 200, headers, body)
    assert type(archived_answer(Request(url), archived, [])) is cls


def test_the_archived_copy_reads_back_as_the_server_sent_it(tmp_path: Path) -> None:
    """An HTTP/1.0 answer stays HTTP/1.0; a chunked one kept as received (wire bytes) comes
    back de-chunked, without the Transfer-Encoding header that no longer describes it."""
    head = (b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
            b"ETag: \"abc\"\r\n\r\n")  # fmt: skip
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY)
    wire = WireMessage.from_bytes(head, chunked)
    sent = CapturedResponse(URL, "HTTP/1.0", 200, "OK", HEADERS, BODY, T0, wire=wire)
    policy = archived_policy(tmp_path, HEADERS, response=sent)
    prior = policy.state.capture(URL)
    assert prior is not None
    archived = read_archived(prior)
    assert archived is not None and archived.body == BODY
    assert archived.protocol == "HTTP/1.0"
    assert [n for n, _ in archived.headers] == ["Content-Type", "ETag"]
    answer = policy.before_request(Request(URL, meta={keys.FROM_ARCHIVE: True}))
    assert answer is not None and answer.protocol == "HTTP/1.0" and answer.body == BODY
    assert b"Transfer-Encoding" not in answer.headers
    policy.state.close()
