"""How an S3 refusal reads, whatever parts of the answer the server left out, and where the
upload settings a caller gives end up; no server and no S3 call.

The ClientErrors are built here as botocore builds them from an answer: a dict with the
``Error`` (Code, Message) and the ``ResponseMetadata`` (HTTPStatusCode). S3 gateways and
proxies do not always send all of it, so each missing part must still read plainly.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from flows.storage import DEFAULT_MULTIPART_THRESHOLD, open_storage
from flows.storage.s3 import S3Storage
from tests.flows.storage.test_s3 import ENDPOINT, stubbed  # noqa: F401  (a fixture)

DENIED = "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the key's permissions"
OTHER = "the server received other bytes than were hashed"
CHANGED = "the file changed during upload or was corrupted in transit"
MIB = 1024 * 1024


def _refusal(error: dict[str, str] | None, status: int | None) -> ClientError:
    response: dict[str, Any] = {}
    if error is not None:
        response["Error"] = error
    if status is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "PutObject")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "status", "reason"),
    [
        (None, 500, f"server error 500 () from {ENDPOINT} after retries"),
        ({}, 403, f"access denied by {ENDPOINT} (403): {DENIED}"),
        ({"Code": "InvalidArgument", "Message": "Bad part"}, None, "InvalidArgument: Bad part"),
        ({"Code": "NoSuchUpload"}, 404, "NoSuchUpload"),
        ({"Message": "unreadable answer"}, None, "0: unreadable answer"),
        ({"Code": "InvalidArgument", "Message": "unknown header x-amz-meta-X"}, 400,
         "InvalidArgument: unknown header x-amz-meta-X"),
        ({"Code": "XAmzContentSHA256Mismatch"}, 400,
         f"{OTHER} (XAmzContentSHA256Mismatch): {CHANGED}"),
        ({"Code": "InvalidDigest"}, 400,
         f"{OTHER} (InvalidDigest): {CHANGED}"),
    ],
    ids=["no-error", "no-code", "no-status", "no-message", "message-only", "ends-in-x",
         "sha256-mismatch", "invalid-digest"],
)  # fmt: skip
def test_a_refusal_reads_plainly_whatever_the_answer_left_out(
    stubbed: S3Storage,  # noqa: F811
    error: dict[str, str] | None,
    status: int | None,
    reason: str,
) -> None:
    assert stubbed._reason(_refusal(error, status)) == reason


def test_upload_settings_reach_the_transfer_manager() -> None:
    storage = open_storage(
        "s3://warta-archive/Xinhua/", multipart_threshold=5 * MIB,
        multipart_chunksize=6 * MIB, max_concurrency=2,
    )  # fmt: skip
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("warta-archive", "Xinhua")
    assert storage.multipart_threshold == 5 * MIB
    transfer = storage.transfer
    assert (transfer.multipart_threshold, transfer.multipart_chunksize) == (5 * MIB, 6 * MIB)
    assert transfer.max_concurrency == 2


def test_parts_default_to_the_threshold_and_four_at_a_time() -> None:
    storage = open_storage("s3://warta-archive/archive", multipart_threshold=7 * MIB)
    assert isinstance(storage, S3Storage)
    assert storage.transfer.multipart_chunksize == 7 * MIB
    assert storage.transfer.max_concurrency == 4
    default = open_storage("s3://warta-archive")
    assert isinstance(default, S3Storage) and default.prefix == ""
    assert default.multipart_threshold == DEFAULT_MULTIPART_THRESHOLD == 64 * MIB
    assert default.transfer.multipart_threshold == DEFAULT_MULTIPART_THRESHOLD
    assert default.transfer.multipart_chunksize == DEFAULT_MULTIPART_THRESHOLD
