"""How the capture middleware is set up from a crawl's settings and host, and what it does
when it cannot write."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.warc.capture import WarcCaptureMiddleware, WarcConfigError, safe_hostname


@pytest.mark.parametrize(
    ("hostname", "safe"),
    [
        ("_box_.example.com", "box"),
        ("Xen_", "Xen"),
        ("my box", "my-box"),
        ("", "localhost"),
        ("__.example.com", "localhost"),
    ],
)
def test_host_name_in_file_names(monkeypatch: pytest.MonkeyPatch, hostname: str, safe: str) -> None:
    """The first label of the machine name, other characters than letters and digits as
    dashes, none at the ends; "localhost" when nothing is left."""
    monkeypatch.setattr(socket, "gethostname", lambda: hostname)
    assert safe_hostname() == safe


def middleware(tmp_path: Path, **settings: object) -> WarcCaptureMiddleware:
    crawler = get_crawler(settings_dict={"WARTA_OUTPUT_DIR": str(tmp_path), **settings})
    return WarcCaptureMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("settings", "thread"), [({}, "MainThread"), ({"WARTA_WARC_WRITER_THREAD": True}, "warc-")]
)
def test_records_are_written_in_place_unless_a_writer_thread_is_asked_for(
    tmp_path: Path, kit: SimpleNamespace, settings: dict[str, object], thread: str
) -> None:
    capture = middleware(tmp_path, **settings)
    inner = capture.writer.inner
    written_on: list[str] = []
    real = inner.write_exchange

    def write_exchange(*args: object) -> object:
        written_on.append(threading.current_thread().name)
        return real(*args)  # type: ignore[arg-type]

    inner.write_exchange = write_exchange  # type: ignore[method-assign]
    capture.writer.write_exchange(*kit.plain_exchange())
    capture.spider_closed("finished")
    [name] = written_on
    assert name.startswith(thread)


def test_a_failed_write_is_raised_and_closes_the_spider(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An archive crawl that cannot archive stops instead of carrying on unarchived, and
    says which page it could not archive."""
    capture = middleware(tmp_path)
    closing: list[str] = []
    capture.crawler.engine = SimpleNamespace(  # type: ignore[assignment]
        close_spider_async=lambda reason: closing.append(reason)
    )

    def disk_full(*args: object) -> object:
        raise OSError("No space left on device")

    capture.writer.inner.write_exchange = disk_full  # type: ignore[method-assign]
    request = Request("http://example.com/a")
    response = Response("http://example.com/a", body=b"x", request=request)
    with pytest.raises(OSError, match="No space left"):
        asyncio.run(capture.process_response(request, response))
    assert closing == ["warc_write_error"]
    assert "Could not write WARC records for http://example.com/a;" in caplog.text
    capture.spider_closed("finished")


@pytest.mark.parametrize("size", [0, -1])
def test_a_file_size_limit_must_be_positive(tmp_path: Path, size: int) -> None:
    message = f"^WARTA_WARC_MAX_BYTES must be positive, got {size}$"
    with pytest.raises(WarcConfigError, match=message):
        middleware(tmp_path, WARTA_WARC_MAX_BYTES=size)


class RecordingPolicy:
    """A revisit policy that only records how it was made."""

    made: ClassVar[list[tuple[object, Path]]] = []

    @classmethod
    def from_settings(cls, settings: object, directory: Path) -> RecordingPolicy:
        cls.made.append((settings, directory))
        return cls()

    def close(self, reason: str) -> None:
        pass


def test_settings_reach_the_writer_and_the_revisit_policy(
    tmp_path: Path, kit: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecordingPolicy, "made", [])  # a class's list outlives a test session
    (tmp_path / "warta-1-00000-h.warc.gz.open").write_bytes(b"")  # left by a killed crawl
    crawler = get_crawler(
        settings_dict={
            "WARTA_OUTPUT_DIR": str(tmp_path),
            "WARTA_WARC_MAX_BYTES": 1,
            "WARTA_WARC_PREFIX": "mine",
            "WARTA_WARCINFO": {"operator": "tests"},
            "WARTA_REVISIT_POLICY": f"{__name__}.RecordingPolicy",
        }
    )
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    assert isinstance(capture.revisits, RecordingPolicy)
    assert RecordingPolicy.made == [(crawler.settings, tmp_path)]
    inner = capture.writer.inner
    assert inner.max_bytes == 1
    assert inner.warcinfo_fields["operator"] == "tests"
    assert inner.warcinfo_fields["hostname"] == socket.gethostname()
    capture.writer.write_exchange(*kit.plain_exchange())
    capture.spider_closed("finished")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n.split("-")[0] for n in names] == ["mine", "warta"]
    assert names[1] == "warta-1-00000-h.warc.gz.corrupt"
