"""The one way warta reads WARC files back: records in file order, each with where it lies.

Everything that loops over records (crawl-state reconciliation, answers from the archive,
``warta reextract``, ``warta verify``, WACZ packaging) goes through :class:`WarcReader`, so
offsets, gzip or plain files, ``.open`` files and damaged input are handled in one place.
warcio's ``ArchiveIterator`` does the parsing; it tells gzip from plain by the bytes, not
the name, so a ``.warc.gz.open`` file left by a running or killed crawl reads like any other.

warcio is lenient: it reads nearly any text as an ARC file. With ``check_start`` (the
default) a file that does not begin with a WARC record is refused up front with
:class:`NotWarcError`. Damage further on raises :class:`WarcReadError`, which names the
file and the offset where reading stopped. Disk errors stay ``OSError``.

A record keeps a body as it came over the wire, gzip or br included, so a 1 MB body may
inflate to gigabytes (the crawl refuses such a page but archives it, as received).
:meth:`WarcRecord.content` therefore stops at ``WARTA_MAX_DECODED_BYTES`` (default
:data:`MAX_DECODED_BYTES`) with :class:`DecodedTooLarge`, which says how to raise the limit.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from crawler.warc.decoding import InflatedTooLarge, decode_content

GZIP_MAGIC = b"\x1f\x8b"
WARC_MAGIC = b"WARC/"
# The most a body may inflate to when read back: twice the crawl's DOWNLOAD_MAXSIZE, which
# already refused any larger decoded page at crawl time.
MAX_DECODED_BYTES = 64 * 1024 * 1024
MAX_DECODED_ENV = "WARTA_MAX_DECODED_BYTES"
# What warcio raises for damaged or foreign input (a bad gzip member, a cut header, ...).
_FORMAT_ERRORS = (ArchiveLoadFailed, EOFError, ValueError, zlib.error)


class WarcReadError(ValueError):
    """A WARC file cannot be read on from ``offset``: not a WARC, or damaged there."""

    def __init__(self, path: Path, reason: str, offset: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.offset = offset
        where = f" at offset {offset}" if offset else ""
        super().__init__(f"{path}: not a readable WARC file{where}: {reason}")


class DecodedTooLarge(ValueError):
    """A record's body inflates past the limit (a compression bomb, or an outsized page)."""

    def __init__(self, path: Path, uri: str | None, offset: int | None, limit: int) -> None:
        self.path, self.uri, self.offset, self.limit = path, uri, offset, limit
        super().__init__(
            f"{path} (offset {offset or 0}): the body of {uri or 'a record'} decodes to more "
            f"than {limit:,} bytes, the limit for inflating an archived body (a compression "
            f"bomb?); set {MAX_DECODED_ENV} to a larger number of bytes to read it anyway"
        )


def decoded_limit() -> int:
    """The decoded-size limit: ``$WARTA_MAX_DECODED_BYTES`` or :data:`MAX_DECODED_BYTES`."""
    value = os.environ.get(MAX_DECODED_ENV, "").strip()
    try:
        return int(value) if value else MAX_DECODED_BYTES
    except ValueError:
        raise ValueError(f"{MAX_DECODED_ENV}={value!r} is not a number of bytes") from None


class NotWarcError(WarcReadError):
    """The file does not begin with a WARC record (empty, another format, or junk)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "no WARC record at its start", 0)


def starts_like_warc(stream: BinaryIO) -> bool:
    """True if the stream (plain or gzip) begins with ``WARC/``; the position is kept."""
    start = stream.tell()
    head = stream.read(4096)
    stream.seek(start)
    if head[:2] == GZIP_MAGIC:
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head)
        except zlib.error:
            return False
    return head.startswith(WARC_MAGIC)


class WarcRecord:
    """One record as read: warcio's record plus the offset where it starts in the file.

    Its ``length`` is known only once the record was read to its end, so asking for it
    reads whatever is left of the body: take :meth:`body` or :meth:`content` first.
    """

    __slots__ = ("_iterator", "offset", "path", "record")

    def __init__(
        self, path: Path, record: ArcWarcRecord, offset: int, iterator: ArchiveIterator
    ) -> None:
        self.path = path
        self.record = record
        self.offset = offset
        self._iterator = iterator

    @property
    def rec_type(self) -> str:
        return str(self.record.rec_type)

    def header(self, name: str) -> str | None:
        """A WARC header field (first value), or None."""
        value = self.record.rec_headers.get_header(name)
        return str(value) if value is not None else None

    @property
    def record_id(self) -> str | None:
        return self.header("WARC-Record-ID")

    @property
    def target_uri(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> str | None:
        return self.header("WARC-Date")

    @property
    def http_headers(self) -> StatusAndHeaders | None:
        """The HTTP status line and headers of a request, response or revisit, if parsed."""
        headers: StatusAndHeaders | None = self.record.http_headers
        return headers

    def body(self) -> bytes:
        """The payload still content-encoded (gzip, br) as it came over the wire, with any
        chunked transfer coding undone (a record of the wire keeps the chunk framing)."""
        http = self.record.http_headers
        chunked = (
            http is not None and "chunked" in (http.get_header("Transfer-Encoding") or "").lower()
        )
        stream = ChunkedDataReader(self.record.raw_stream) if chunked else self.record.raw_stream
        return bytes(self._guard(stream.read))

    def content(self, limit: int | None = None) -> bytes:
        """The payload with its Content-Encoding (gzip, br, ...) undone, read up to ``limit``
        bytes (default :func:`decoded_limit`); past it, :class:`DecodedTooLarge`."""
        limit = decoded_limit() if limit is None else limit
        return bytes(self._guard(lambda: self._read_capped(limit)))

    def _read_capped(self, limit: int) -> bytes:
        http = self.record.http_headers
        if http is None:
            return bytes(self.record.raw_stream.read())
        try:
            return decode_content(self.body(), http.get_header("Content-Encoding"), limit)
        except InflatedTooLarge:
            raise DecodedTooLarge(self.path, self.target_uri, self.offset, limit) from None

    @property
    def length(self) -> int:
        """Bytes the record takes in the file (its gzip member, for a .warc.gz)."""
        return int(self._guard(self._iterator.get_record_length))

    def _guard(self, read: Any) -> Any:
        try:
            return read()
        except DecodedTooLarge:
            raise  # not damage: the record is whole, its body too big to inflate
        except _FORMAT_ERRORS as exc:
            raise WarcReadError(self.path, _describe(exc), self.offset) from exc


class WarcReader:
    """Reads one WARC file; iterate it for every record, or ask :meth:`record_at` for one.

    ``stream`` reads from an open binary stream instead (``path`` then only names it in
    errors), e.g. one record fetched from object storage by a ranged GET.

    ``check_digests`` has warcio verify block and payload digests as it reads (see
    :attr:`errors`); ``parse_http=False`` skips parsing HTTP headers when only WARC
    headers are wanted.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        check_digests: bool = False,
        parse_http: bool = True,
        check_start: bool = True,
        stream: BinaryIO | None = None,
    ) -> None:
        self.path = Path(path)
        self.check_digests = check_digests
        self.parse_http = parse_http
        self.check_start = check_start
        self._stream: BinaryIO | None = stream  # e.g. bytes fetched by an HTTP range read
        self._iterator: ArchiveIterator | None = None

    def __enter__(self) -> WarcReader:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    @property
    def position(self) -> int:
        """Where reading stands: the start of the record being read, or where it stopped."""
        return int(self._iterator.offset) if self._iterator is not None else 0

    @property
    def errors(self) -> int:
        """Problems warcio noted so far (e.g. a record not followed by its end marker)."""
        return int(self._iterator.err_count) if self._iterator is not None else 0

    def __iter__(self) -> Iterator[WarcRecord]:
        stream = self._open()
        if self.check_start and not starts_like_warc(stream):
            raise NotWarcError(self.path)
        iterator = self._new_iterator(stream)
        records = iter(iterator)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except _FORMAT_ERRORS as exc:
                raise WarcReadError(self.path, _describe(exc), iterator.offset) from exc
            yield WarcRecord(self.path, record, iterator.offset, iterator)

    def record_at(self, offset: int) -> WarcRecord:
        """The record starting at ``offset``; WarcReadError if none starts there."""
        stream = self._open()
        if offset < 0:
            raise WarcReadError(self.path, "negative offset", offset)
        stream.seek(offset)
        iterator = self._new_iterator(stream)
        try:
            record = next(iter(iterator))
        except StopIteration:
            raise WarcReadError(self.path, "no record starts here", offset) from None
        except Exception as exc:  # a wrong offset lands mid-member: warcio fails in many ways
            raise WarcReadError(self.path, _describe(exc), offset) from exc
        return WarcRecord(self.path, record, offset, iterator)

    def _open(self) -> BinaryIO:
        if self._stream is None:
            self._stream = self.path.open("rb")
        return self._stream

    def _new_iterator(self, stream: BinaryIO) -> ArchiveIterator:
        self._iterator = ArchiveIterator(
            stream, no_record_parse=not self.parse_http, check_digests=self.check_digests
        )
        return self._iterator


def read_records(path: str | os.PathLike[str], **options: Any) -> Iterator[WarcRecord]:
    """Every record of one file, the file closed at the end (options as for WarcReader)."""
    with WarcReader(path, **options) as reader:
        yield from reader


def record_from_bytes(data: bytes, name: str) -> WarcRecord:
    """The one record held in ``data`` (a gzip member or a plain record), named ``name``."""
    import io

    stream = io.BytesIO(data)
    if not starts_like_warc(stream):
        raise NotWarcError(Path(name))
    return WarcReader(name, stream=stream).record_at(0)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


__all__ = [
    "MAX_DECODED_BYTES",
    "DecodedTooLarge",
    "NotWarcError",
    "WarcReadError",
    "WarcReader",
    "WarcRecord",
    "decoded_limit",
    "read_records",
    "record_from_bytes",
    "starts_like_warc",
]
