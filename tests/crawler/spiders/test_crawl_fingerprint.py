"""The same deterministic crawl gives the same records and payloads as the approved one.

A move-and-untangle change (issue 11) must not change what a crawl archives. This test
reduces the shared replica crawl to a fingerprint that ignores what legitimately varies
(the port, fetch times, record IDs, offsets, the crawl id) and compares it with
``golden/niaga-crawl.json``, which was recorded before the packages were moved.

When a change *means* to alter what is archived or extracted, re-approve it:

    WARTA_APPROVE_FINGERPRINT=1 .venv/bin/python -m pytest \
        tests/crawler/spiders/test_crawl_fingerprint.py

and commit the new golden file with the change that explains it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden" / "niaga-crawl.json"
HOST = "http://replica.invalid"
# Fields of an article record that depend on when or where the crawl ran, not on the site.
VOLATILE_RECORD_FIELDS = ("warc", "fetched", "crawl_id", "fetch_time", "crawled")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _stable_record(record: dict[str, Any], base: str) -> dict[str, Any]:
    kept = {k: v for k, v in record.items() if k not in VOLATILE_RECORD_FIELDS}
    return json.loads(json.dumps(kept, sort_keys=True).replace(base, HOST))


def fingerprint(warcs: list[Path], records: list[dict[str, Any]], base: str) -> dict[str, Any]:
    """Articles by URL and WARC payload digests by (type, URI, status), base URL neutralised.

    Derived records are named by a hash of their page's URL, which holds the port, so they
    are keyed by the URI of the response they refer to instead.
    """
    seen: list[tuple[str, str, str, str, str]] = []
    uri_of: dict[str, str] = {}
    for path in warcs:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                kind = record.rec_type
                headers = record.rec_headers
                uri = (headers.get_header("WARC-Target-URI") or "").replace(base, HOST)
                uri_of[headers.get_header("WARC-Record-ID") or ""] = uri
                if kind in ("warcinfo", "request"):
                    continue  # software version, dates and crawl id; headers only
                status = record.http_headers.get_statuscode() if record.http_headers else ""
                body = record.content_stream().read().replace(base.encode(), HOST.encode())
                if kind == "metadata" and uri.startswith("urn:warta:"):
                    stable = _stable_record(json.loads(body), HOST)
                    body = json.dumps(stable, sort_keys=True).encode()
                refers = headers.get_header("WARC-Refers-To") or ""
                seen.append((kind, uri, refers, status, _digest(body)))
    payloads: Counter[str] = Counter()
    for kind, uri, refers, status, digest in seen:
        if uri.startswith("urn:warta:"):
            uri = "urn:warta:" + uri.split(":")[2] + ":" + uri_of.get(refers, "?")
        payloads[f"{kind} {uri} {status} {digest}"] += 1
    articles = {
        rec["url"].replace(base, HOST): _digest(
            json.dumps(_stable_record(rec, base), sort_keys=True).encode()
        )
        for rec in records
    }
    return {"articles": dict(sorted(articles.items())), "payloads": dict(sorted(payloads.items()))}


def test_crawl_matches_the_approved_fingerprint(niaga_crawl) -> None:
    current = fingerprint(niaga_crawl.result.warc_files, niaga_crawl.records, niaga_crawl.base_url)
    if os.environ.get("WARTA_APPROVE_FINGERPRINT") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    approved = json.loads(GOLDEN.read_text())
    assert len(current["articles"]) >= 40
    changed_articles = sorted(
        url
        for url in set(approved["articles"]) | set(current["articles"])
        if approved["articles"].get(url) != current["articles"].get(url)
    )
    assert not changed_articles, f"article records changed: {changed_articles[:5]}"
    missing = set(approved["payloads"]) - set(current["payloads"])
    extra = set(current["payloads"]) - set(approved["payloads"])
    assert not missing and not extra, (sorted(missing)[:5], sorted(extra)[:5])
    assert approved["payloads"] == current["payloads"]
