"""Rows of the research index, made from WARC records and article records (no I/O here).

A crawl's index has two tables (see docs/research.md): ``captures``, one row per request,
response or revisit record with where it lies in its WARC, and ``articles``, one row per
extracted article with its text and the WARC pointers of its page and of its text
(``conversion``) record. These functions only need WARC knowledge; writing Parquet and
naming stored objects is the business of ``flows.archives.index``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import surt as surt_lib

from crawler.warc.reader import WarcRecord

CAPTURE_TYPES = frozenset({"request", "response", "revisit"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Pointer:
    """Where one record lies: its WARC file, byte offset and length in that file."""

    file: str
    offset: int
    length: int


def parse_warc_date(value: str | None) -> datetime | None:
    """A WARC-Date (``2026-12-02T05:41:32.842507Z``) as an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def surt_of(url: str) -> str | None:
    """The SURT form (``asia,niaga)/path``) that indexes sort and match by."""
    try:
        return str(surt_lib.surt(url))
    except Exception:  # surt raises many kinds on odd input; the row keeps the URL anyway
        return None


def _mime(value: str | None) -> str | None:
    return value.split(";", 1)[0].strip().lower() or None if value else None


def capture_row(record: WarcRecord, warc_file: str) -> dict[str, Any] | None:
    """The ``captures`` row of a request, response or revisit record; None for others.

    Reads the rest of the record (to learn its length), so call it once per record.
    """
    if record.rec_type not in CAPTURE_TYPES:
        return None
    url = record.target_uri or ""
    http = record.http_headers
    status: int | None = None
    mime: str | None = None
    if http is not None and record.rec_type != "request":
        code = http.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        mime = _mime(http.get_header("Content-Type"))
    return {
        "url": url,
        "surt": surt_of(url),
        "host": urlsplit(url).hostname,
        "fetch_time": parse_warc_date(record.date),
        "status": status,
        "mime": mime,
        "payload_digest": record.header("WARC-Payload-Digest"),
        "record_type": record.rec_type,
        "record_id": record.record_id,
        "warc_file": warc_file,
        "offset": record.offset,
        "length": record.length,
        "revisit_profile": record.header("WARC-Profile"),
        "refers_to": record.header("WARC-Refers-To"),
        "revisit_target": record.header("WARC-Refers-To-Target-URI"),
        "revisit_date": parse_warc_date(record.header("WARC-Refers-To-Date")),
    }


def conversion_pointer(record: WarcRecord, warc_file: str) -> tuple[str, Pointer] | None:
    """(id of the response it was made from, where it lies) for a text conversion record."""
    refers_to = record.header("WARC-Refers-To")
    if record.rec_type != "conversion" or not refers_to:
        return None
    return refers_to, Pointer(warc_file, record.offset, record.length)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return []


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _published_utc(value: Any) -> datetime | None:
    """The UTC instant of an ISO timestamp with its zone; None for a bare day or no zone."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def article_row(
    article: Mapping[str, Any],
    *,
    site: str,
    crawl_id: str,
    fetch_times: Mapping[str, datetime],
    conversions: Mapping[str, Pointer],
    warc_keys: Mapping[str, str],
) -> dict[str, Any]:
    """The ``articles`` row of one line of ``articles.jsonl``.

    ``fetch_times`` and ``conversions`` are keyed by response record id (from the crawl's
    WARCs); ``warc_keys`` maps a WARC file name to the object key it is stored under.
    """
    found = article.get("warc")
    ref: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    record_id = _text(ref.get("record_id"))
    warc_file = _text(ref.get("file"))
    text = str(article.get("text") or "")
    conversion = conversions.get(record_id or "")
    captions = [
        {
            "text": _text(c.get("text")),
            "credit": _text(c.get("credit")),
            "image": _text(c.get("image")),
        }
        for c in article.get("captions") or []
        if isinstance(c, Mapping)
    ]
    published = _text(article.get("published"))
    return {
        "url": str(article["url"]),
        "site": str(article.get("site") or site),
        "crawl_id": crawl_id,
        "fetch_time": fetch_times.get(record_id or ""),
        "title": _text(article.get("title")),
        "published": published,
        "published_utc": _published_utc(published),
        "modified": _text(article.get("modified")),
        "section": _text(article.get("section")),
        "authors": _strings(article.get("authors")),
        "editor": _text(article.get("editor")),
        "source": _text(article.get("source")),
        "dateline": _text(article.get("dateline")),
        "tags": _strings(article.get("tags")),
        "captions": captions,
        "language": _text(article.get("language")),
        "word_count": len(_WORD.findall(text)),
        "text": text,
        "warc_file": warc_file,
        "warc_key": warc_keys.get(warc_file or ""),
        "warc_offset": _int(ref.get("offset")),
        "warc_length": _int(ref.get("length")),
        "warc_record_id": record_id,
        "text_warc_key": warc_keys.get(conversion.file) if conversion else None,
        "text_offset": conversion.offset if conversion else None,
        "text_length": conversion.length if conversion else None,
    }


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
