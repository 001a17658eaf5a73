"""Which articles of a crawl the archive has never held before.

Every stored crawl carries a seen list (``layout.SEEN_URLS_FILE``): the sorted article URLs
of that crawl and of every crawl stored before it. A new crawl therefore reads one small
file, the one in the latest earlier crawl's manifest, instead of every earlier crawl's
articles file. If that crawl has no such file (it predates the list), all earlier crawls
are read once and the chain starts again from there. The file is gzip with a fixed
timestamp, so the same input gives the same bytes and a rerun of ``store_crawl`` skips it
instead of refusing it.

Limitation: a crawl stored late (resumed after a later crawl was already stored) is not
in that later crawl's list; its articles can be counted as new once more.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from crawler.layout import ARTICLES_FILE, SEEN_URLS_FILE
from flows.archives.catalog import find_crawls
from flows.storage import Storage
from flows.storage.manifest import Manifest, ManifestError, parse_manifest

log = logging.getLogger("warta.flow")


@dataclass(frozen=True)
class NewArticles:
    """``new`` are this crawl's article URLs that no earlier stored crawl of the site had."""

    new: list[str]
    articles: int
    previous_crawls: int
    seen_before: int

    @property
    def count(self) -> int:
        return len(self.new)


def urls_from_jsonl_lines(lines: Iterable[bytes | str]) -> set[str]:
    """Article URLs in JSON Lines; a line cut short by a crash is skipped, not fatal."""
    urls: set[str] = set()
    for raw in lines:
        line = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("url"), str):
            urls.add(record["url"])
    return urls


def crawl_article_urls(folder: Path) -> set[str]:
    path = folder / ARTICLES_FILE
    if not path.is_file():
        return set()
    with path.open("rb") as handle:
        return urls_from_jsonl_lines(handle)


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Split a byte stream into lines without holding the whole object in memory."""
    rest = b""
    for chunk in chunks:
        rest += chunk
        *complete, rest = rest.split(b"\n")
        yield from complete
    if rest:
        yield rest


def _stored_urls(storage: Storage, manifest: Manifest) -> set[str] | None:
    """URLs a stored crawl knew: its seen list if it has one, else its articles."""
    by_name = {f.name: f for f in manifest.files}
    if SEEN_URLS_FILE in by_name:
        data = gzip.decompress(storage.get_bytes(by_name[SEEN_URLS_FILE].key))
        return {line for line in data.decode("utf-8").splitlines() if line}
    if ARTICLES_FILE in by_name:
        return urls_from_jsonl_lines(_lines(storage.read_chunks(by_name[ARTICLES_FILE].key)))
    return None


def previous_urls(storage: Storage, site: str, crawl_id: str, day: date) -> tuple[set[str], int]:
    """Article URLs of every crawl of ``site`` stored before this one, and how many crawls."""
    earlier = [
        ref
        for ref in find_crawls(storage, site=site)
        if (ref.day, ref.crawl_id) < (day, crawl_id) and ref.crawl_id != crawl_id
    ]
    manifests: list[Manifest] = []
    for ref in earlier:
        try:
            manifests.append(parse_manifest(storage.get_bytes(ref.key), ref.key))
        except ManifestError as exc:
            log.warning("new-article count ignores %s", exc)
    if not manifests:
        return set(), 0
    latest = manifests[-1]
    if any(f.name == SEEN_URLS_FILE for f in latest.files):
        return _stored_urls(storage, latest) or set(), len(manifests)
    seen: set[str] = set()
    for manifest in manifests:  # the chain is broken (or never started): read them all
        seen |= _stored_urls(storage, manifest) or set()
    return seen, len(manifests)


def encode_seen(urls: Iterable[str]) -> bytes:
    text = "".join(f"{url}\n" for url in sorted(set(urls)))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def write_seen(folder: Path, urls: Iterable[str]) -> Path:
    """Write the cumulative list atomically; an identical file is left untouched."""
    data = encode_seen(urls)
    path = folder / SEEN_URLS_FILE
    if path.is_file() and path.read_bytes() == data:
        return path
    temp = folder / f".{SEEN_URLS_FILE}.tmp"
    temp.write_bytes(data)
    os.replace(temp, path)
    return path


def count_new_articles(
    folder: Path, storage: Storage, site: str, crawl_id: str, day: date
) -> NewArticles:
    """Compare the crawl with the archive and leave the updated seen list in ``folder``."""
    current = crawl_article_urls(folder)
    seen, crawls = previous_urls(storage, site, crawl_id, day)
    write_seen(folder, seen | current)
    return NewArticles(
        new=sorted(current - seen),
        articles=len(current),
        previous_crawls=crawls,
        seen_before=len(seen),
    )
