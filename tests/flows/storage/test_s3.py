"""What the S3 backend tells a user when the server says no, without a server.

botocore's own Stubber answers the client's calls with the errors a real S3 server sends
(the codes and statuses of the S3 API), so each message can be checked in milliseconds;
the end-to-end checks against SeaweedFS are in test_storage_errors.py (slow).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from flows.storage import CHUNK, StorageError, open_storage
from flows.storage.s3 import S3Storage

ENDPOINT = "http://127.0.0.1:9"  # never contacted: the Stubber answers every call
SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
URI = "s3://warta-archive/archive"


ENV = {
    "AWS_ENDPOINT_URL": ENDPOINT, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
}  # fmt: skip


@pytest.fixture(scope="module")
def stubbed() -> Iterator[S3Storage]:
    """One storage for the module: a boto3 client takes seconds to build on a busy machine."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ENV.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        storage = open_storage(URI, multipart_threshold=1024)
        assert isinstance(storage, S3Storage)
        storage.client  # noqa: B018  (built while the variables are set)
        storage._session.get_credentials()
        yield storage


@pytest.fixture
def s3(stubbed: S3Storage) -> Iterator[tuple[S3Storage, Stubber]]:
    with Stubber(stubbed.client) as stubber:
        yield stubbed, stubber


RETRIED = f"{ENDPOINT} after retries"
DENIED = "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the key's permissions"


@pytest.mark.parametrize(
    ("code", "status", "message", "reason"),
    [
        ("AccessDenied", 403, "", f"access denied by {ENDPOINT} (AccessDenied): {DENIED}"),
        ("", 403, "", f"access denied by {ENDPOINT} (403): {DENIED}"),
        ("SignatureDoesNotMatch", 400, "",
         f"access denied by {ENDPOINT} (SignatureDoesNotMatch): {DENIED}"),
        ("BadDigest", 400, "", "the server received other bytes than were hashed (BadDigest): "
         "the file changed during upload or was corrupted in transit"),
        ("NoSuchBucket", 400, "", f"bucket 'warta-archive' does not exist at {ENDPOINT}"),
        ("InternalError", 500, "", f"server error 500 (InternalError) from {RETRIED}"),
        ("NotImplemented", 501, "", f"server error 501 (NotImplemented) from {RETRIED}"),
        ("InvalidArgument", 400, "Bad part", "InvalidArgument: Bad part"),
        ("InvalidArgument", 400, "", "InvalidArgument"),
        ("", 499, "", "499"),
    ],
    ids=["denied", "403", "signature", "digest", "bucket", "500", "501", "other", "bare", "status"],
)  # fmt: skip
def test_server_refusals_read_plainly_and_name_the_operation(
    s3: tuple[S3Storage, Stubber], code: str, status: int, message: str, reason: str
) -> None:
    storage, stubber = s3
    stubber.add_client_error(
        "head_bucket", service_error_code=code, service_message=message, http_status_code=status
    )
    with pytest.raises(StorageError) as info:
        storage.check()
    assert str(info.value) == f"{URI}: open failed: {reason}"
    assert (info.value.uri, info.value.operation, info.value.reason) == (URI, "open", reason)


def test_a_missing_bucket_on_open_is_named(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stubber = s3
    stubber.add_client_error("head_bucket", service_error_code="404", http_status_code=404)
    with pytest.raises(StorageError) as info:
        storage.check(write=True)
    assert str(info.value) == (
        f"{URI}: open failed: bucket 'warta-archive' does not exist at {ENDPOINT}"
    )


def test_the_secret_key_never_reaches_a_message(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stubber = s3
    stubber.add_client_error(
        "get_object", service_error_code="InvalidToken", http_status_code=400,
        service_message=f"the token {SECRET} is not valid",
    )  # fmt: skip
    with pytest.raises(StorageError) as info:
        storage.get_bytes("niaga/x.json")
    assert str(info.value) == (
        f"{URI}: get niaga/x.json failed: InvalidToken: the token *** is not valid"
    )


def test_a_failed_multipart_upload_names_the_servers_reason(
    s3: tuple[S3Storage, Stubber], tmp_path: Path
) -> None:
    storage, stubber = s3
    big = tmp_path / "big.warc.gz"
    big.write_bytes(b"w" * 2048)  # over the 1024-byte multipart threshold
    stubber.add_client_error(
        "create_multipart_upload", service_error_code="AccessDenied", http_status_code=403
    )
    with pytest.raises(StorageError) as info:
        storage.put_file("niaga/big.warc.gz", big, "0" * 64)
    assert str(info.value).startswith(
        f"{URI}: put niaga/big.warc.gz failed: access denied by {ENDPOINT} (AccessDenied)"
    )


def test_a_small_file_goes_up_in_one_checked_put(
    s3: tuple[S3Storage, Stubber], tmp_path: Path
) -> None:
    storage, stubber = s3
    small = tmp_path / "small.json"
    small.write_bytes(b"{}")
    digest = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    stubber.add_response("put_object", {}, {
        "Bucket": "warta-archive", "Key": "archive/niaga/small.json", "Body": Any(),
        "ContentLength": 2, "ChecksumSHA256": "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=",
        "Metadata": {"sha256": digest},
    })  # fmt: skip
    storage.put_file("niaga/small.json", small, digest)
    stubber.assert_no_pending_responses()


class Any:
    """Matches any parameter value (the open file handle given as Body)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


def test_no_credentials_and_unknown_profiles_read_plainly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(StorageError) as info:
        open_storage(URI).check()
    assert str(info.value) == (
        f"{URI}: open failed: no usable credentials: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY or a profile in ~/.aws/config"
    )
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    with pytest.raises(StorageError) as info:
        open_storage(URI).check()
    assert str(info.value) == (
        f"{URI}: open failed: ProfileNotFound: The config profile (no-such-profile) "
        "could not be found"
    )


def test_a_file_at_the_threshold_goes_up_in_parts_carrying_its_sha256(
    s3: tuple[S3Storage, Stubber], tmp_path: Path
) -> None:
    """At or above the threshold: multipart, asking for per-part SHA-256 checksums and
    recording the file's digest, so later checks need no download."""
    storage, stubber = s3
    edge = tmp_path / "edge.warc.gz"
    edge.write_bytes(b"w" * 1024)  # exactly the 1024-byte threshold
    stubber.add_client_error(
        "create_multipart_upload", service_error_code="AccessDenied", http_status_code=403,
        expected_params={
            "Bucket": "warta-archive", "Key": "archive/niaga/edge.warc.gz",
            "Metadata": {"sha256": "ab" * 32}, "ChecksumAlgorithm": "SHA256",
        },
    )  # fmt: skip
    with pytest.raises(StorageError) as info:
        storage.put_file("niaga/edge.warc.gz", edge, "ab" * 32)
    assert info.value.reason == f"access denied by {ENDPOINT} (AccessDenied): {DENIED}"


def _body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def test_keys_and_listings_map_onto_the_prefix_or_the_bucket_root(
    s3: tuple[S3Storage, Stubber],
) -> None:
    storage, stubber = s3
    root = open_storage("s3://warta-archive")  # the archive is the whole bucket
    root.__dict__.update(client=storage.client, _session=storage._session)  # one stubbed client
    stubber.add_response(
        "get_object", {"Body": _body(b"{}")}, {"Bucket": "warta-archive", "Key": "niaga/x.json"}
    )
    assert root.get_bytes("niaga/x.json") == b"{}"
    stubber.add_response(
        "list_objects_v2", {"Contents": [{"Key": "archive/niaga/x.json", "Size": 2}]},
        {"Bucket": "warta-archive", "Prefix": "archive/"},
    )  # fmt: skip
    assert [(i.key, i.size) for i in storage.list()] == [("niaga/x.json", 2)]
    stubber.add_response(
        "get_object", {"Body": _body(b"whole")},
        {"Bucket": "warta-archive", "Key": "archive/niaga/x.json"},
    )  # fmt: skip
    assert b"".join(storage.read_chunks("niaga/x.json")) == b"whole"  # no Range: from byte 0
    stubber.assert_no_pending_responses()


def test_listings_ask_for_the_prefix_under_the_archive_and_tolerate_empty_pages(
    s3: tuple[S3Storage, Stubber],
) -> None:
    storage, stubber = s3
    root = open_storage("s3://warta-archive")
    root.__dict__.update(client=storage.client, _session=storage._session)
    for target, prefix, asked in ((storage, "niaga/", "archive/niaga/"), (root, "niaga/", "niaga/"),
                                  (root, "", "")):  # fmt: skip
        stubber.add_response("list_objects_v2", {}, {"Bucket": "warta-archive", "Prefix": asked})
        assert list(target.list(prefix)) == []  # a page without Contents: nothing stored
    stubber.add_response(
        "list_objects_v2", {"Contents": [{"Key": "niaga/x.json", "Size": 2}]},
        {"Bucket": "warta-archive", "Prefix": ""},
    )  # fmt: skip
    assert [i.key for i in root.list()] == ["niaga/x.json"]
    stubber.add_client_error("list_objects_v2", "AccessDenied", http_status_code=403)
    with pytest.raises(StorageError) as info:
        list(storage.list())
    assert str(info.value).startswith(f"{URI}: list / failed: access denied")
    stubber.add_client_error("get_object", "AccessDenied", http_status_code=403)
    with pytest.raises(StorageError) as info:
        list(storage.read_chunks("niaga/x.json"))
    assert str(info.value).startswith(f"{URI}: get niaga/x.json failed: access denied")


def test_reads_stream_in_blocks_of_at_most_a_chunk(s3: tuple[S3Storage, Stubber]) -> None:
    storage, stubber = s3
    stubber.add_response("get_object", {"Body": _body(b"w" * (CHUNK + 1))})
    assert [len(b) for b in storage.read_chunks("niaga/big.warc.gz")] == [CHUNK, 1]
