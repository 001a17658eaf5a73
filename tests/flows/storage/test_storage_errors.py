"""Storage failures become one clear StorageError, never leak the secret, never lose data."""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from crawler.layout import ARRIVALS_PREFIX
from flows.archives import verify_archive
from flows.cli import main
from flows.storage import StorageError, open_storage
from flows.storage.crawl_upload import FileEvent, store_crawl

CRAWL_ID = "20261127T101500Z"
# 07:00 WITA on the 28th is still the 27th in UTC, so the keys go under 2026/11/27.
STARTED = datetime.fromisoformat("2026-11-28T07:00:00+08:00")
THRESHOLD = 5 * 1024 * 1024


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_wrong_credentials_give_a_clear_error_without_the_secret(
    s3_target,
    make_crawl: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "wrong-" + s3_target.server.secret_key[::-1]
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    caplog.set_level(logging.DEBUG)  # botocore logs a lot at DEBUG; none of it may hold the key
    folder = make_crawl(large=False)
    before = digests(folder)
    with pytest.raises(StorageError) as info:
        store_crawl(folder, open_storage(s3_target.uri), "niaga", CRAWL_ID, STARTED)
    message = str(info.value)
    assert message.startswith(f"{s3_target.uri}: open failed: access denied")
    assert "AWS_SECRET_ACCESS_KEY" in message
    text = "".join(traceback.format_exception(info.value))
    for secret in (wrong, s3_target.server.secret_key):
        assert secret not in message
        assert secret not in text
        assert secret not in caplog.text
    assert digests(folder) == before

    assert main(["archives", "list", s3_target.uri]) == 2
    err = capsys.readouterr().err
    assert "access denied" in err and wrong not in err


def test_missing_bucket_is_named(s3_target, make_crawl: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    storage = open_storage(f"s3://no-such-bucket-{s3_target.bucket}/archive")
    with pytest.raises(StorageError, match=r"bucket 'no-such-bucket-.*' does not exist"):
        store_crawl(make_crawl(large=False), storage, "niaga", CRAWL_ID, STARTED)


def test_invalid_bucket_name_is_refused_on_open() -> None:
    with pytest.raises(StorageError, match="s3://Bad_Bucket/x: open failed: invalid bucket name"):
        open_storage("s3://Bad_Bucket/x")


def test_credentials_in_the_uri_are_refused_and_not_echoed() -> None:
    with pytest.raises(StorageError) as info:
        open_storage("s3://AKIA:hunter2secret@bucket/prefix")
    assert "hunter2secret" not in str(info.value)
    assert "s3://bucket/prefix" in str(info.value)


def test_connection_refused_names_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "verysecretvalue")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
        with pytest.raises(StorageError) as info:
            open_storage("s3://warta/archive").check()
        assert f"cannot reach http://127.0.0.1:{port}" in str(info.value)
        assert "verysecretvalue" not in "".join(traceback.format_exception(info.value))


def test_outage_mid_upload_then_restart_and_rerun(
    seaweed_factory,
    s3_env,
    make_crawl: Callable[..., Path],  # type: ignore[no-untyped-def]
) -> None:
    server = seaweed_factory()
    s3_env(server)
    server.client().create_bucket(Bucket="warta")
    uri = "s3://warta/archive"
    folder = make_crawl()
    before = digests(folder)

    def outage(event: FileEvent) -> None:
        if server.process is not None:
            server.kill()  # the endpoint goes away after the first file

    with pytest.raises(StorageError) as info:
        store_crawl(folder, open_storage(uri, multipart_threshold=THRESHOLD), "niaga",
                    CRAWL_ID, STARTED, on_file=outage)  # fmt: skip
    assert str(info.value).startswith(f"{uri}: ")
    assert "cannot reach" in str(info.value)
    assert digests(folder) == before

    server.start()  # same data directory, new ports
    s3_env(server)
    events: list[FileEvent] = []
    manifest = store_crawl(
        folder, open_storage(uri, multipart_threshold=THRESHOLD), "niaga", CRAWL_ID, STARTED,
        on_file=events.append,
    )  # fmt: skip
    assert [e.action for e in events] == ["skipped"] + ["uploaded"] * 6
    assert manifest.key == f"niaga/2026/11/27/{CRAWL_ID}.manifest.json"
    report = verify_archive(open_storage(uri), deep=True)
    assert report.files == 7 and len(report.done) == 7 and not report.notes  # every byte back
    # the fixture's WARCs are WARC-shaped text, not a crawl: only the check of what the WARCs
    # hold objects (its lines name the crawl), never the check of the stored bytes
    assert all(p.startswith(f"niaga {CRAWL_ID}: ") for p in report.problems), report.problems
    keys = sorted(i.key for i in open_storage(uri).list())
    [marker] = [k for k in keys if k.startswith(ARRIVALS_PREFIX)]  # flows.storage.arrivals
    keys.remove(marker)
    assert keys == sorted([manifest.key, *(f.key for f in manifest.files)])
    assert digests(folder) == before
