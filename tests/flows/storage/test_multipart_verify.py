"""Multipart uploads are checked against what the server holds, not the uploader's claim.

The ``sha256`` user metadata is whatever the uploader wrote. A file that changed between
hashing and uploading (or a part corrupted in a way the part checksum missed) used to pass
every check, because the checks compared that metadata with itself.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from flows.storage import StorageError, open_storage
from flows.storage.manifest import ManifestFile, object_problem

THRESHOLD = 5 * 1024 * 1024


def test_multipart_upload_matches_the_servers_composite_checksum(
    s3_target: Any, tmp_path: Path
) -> None:
    big = tmp_path / "big.warc.gz"
    big.write_bytes(os.urandom(THRESHOLD * 2 + 777))
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    storage = open_storage(s3_target.uri, multipart_threshold=THRESHOLD)
    storage.put_file("niaga/2026/11/27/big.warc.gz", big, digest)
    head = s3_target.server.client().head_object(
        Bucket=s3_target.bucket, Key="archive/niaga/2026/11/27/big.warc.gz", ChecksumMode="ENABLED"
    )
    assert head["ChecksumSHA256"].endswith("-3")  # three parts, checked as a whole here


def test_a_file_that_changed_after_hashing_is_caught_and_not_trusted_later(
    s3_target: Any, tmp_path: Path
) -> None:
    big = tmp_path / "big.warc.gz"
    big.write_bytes(os.urandom(THRESHOLD + 1000))
    claimed = hashlib.sha256(big.read_bytes()).hexdigest()
    big.write_bytes(os.urandom(THRESHOLD + 1000))  # changed between manifest and upload
    storage = open_storage(s3_target.uri, multipart_threshold=THRESHOLD)
    key = "niaga/2026/11/27/big.warc.gz"
    with pytest.raises(StorageError, match=r"composite ChecksumSHA256 .* does not match"):
        storage.put_file(key, big, claimed)
    entry = ManifestFile(name="big.warc.gz", key=key, size=big.stat().st_size, sha256=claimed,
                         kind="warc")  # fmt: skip
    assert object_problem(storage.head(key), entry) == "no sha256 recorded with the object"
