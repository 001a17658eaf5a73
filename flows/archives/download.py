"""Getting a stored crawl out: download it (resumable, checked) or hand out time-limited links.

Both read the manifests first (:mod:`flows.archives.catalog`), so only complete crawls are
offered, and every downloaded file is checked against its manifest's size and SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from crawler.layout import manifest_name
from crawler.units import parse_duration
from flows.archives.catalog import Report, find_crawls, read_manifests
from flows.storage.base import Storage, check_expiry, sha256_file
from flows.storage.manifest import ManifestFile


def _fetch(
    storage: Storage, entry: ManifestFile, target: Path, update: Callable[[int], object]
) -> str | None:
    """Bring one file to ``target``, resuming a ``.part`` file; return a problem or None."""
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    if offset > entry.size:
        part.unlink()
        offset = 0
    digest = hashlib.sha256()
    if offset:
        with part.open("rb") as handle:
            while block := handle.read(1024 * 1024):
                digest.update(block)
        update(offset)
    if offset < entry.size:
        with part.open("ab") as out:
            for block in storage.read_chunks(entry.key, offset):
                out.write(block)
                digest.update(block)
                offset += len(block)
                update(len(block))
                if offset > entry.size:
                    break  # the object is longer than the manifest says
            out.flush()
            os.fsync(out.fileno())
    if offset != entry.size or digest.hexdigest() != entry.sha256:
        part.unlink()
        return f"sha256 or size does not match the manifest ({offset} bytes); not kept"
    os.replace(part, target)
    return None


def download_crawls(
    storage: Storage,
    dest: Path,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: bool = True,
) -> Report:
    """Download crawls to ``dest/<site>/<crawl_id>/`` (the layout a crawl has locally).

    Complete files whose SHA-256 matches are skipped and ``.part`` files are resumed, so an
    interrupted download is finished by running it again. Each crawl folder also gets its
    manifest. A StorageError (outage) stops the run with the partial data kept.
    """
    from tqdm import tqdm  # only the CLI path pays for it

    report = Report()
    manifests = list(
        read_manifests(storage, find_crawls(storage, site=site, since=since, until=until), report)
    )
    total = sum(m.total_bytes for m in manifests)
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        disable=not progress,
        desc="download",
    ) as bar:
        for manifest in manifests:
            folder = Path(dest) / manifest.site / manifest.crawl_id
            folder.mkdir(parents=True, exist_ok=True)
            for entry in manifest.files:
                report.files += 1
                target = folder.joinpath(*entry.name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                if (
                    target.is_file()
                    and target.stat().st_size == entry.size
                    and sha256_file(target) == entry.sha256
                ):
                    report.skipped.append(entry.name)
                    bar.update(entry.size)
                    continue
                problem = _fetch(storage, entry, target, bar.update)
                if problem:
                    report.problems.append(f"{manifest.crawl_id}/{entry.name}: {problem}")
                else:
                    report.done.append(entry.name)
                    report.bytes += entry.size
            manifest_path = folder / manifest_name(manifest.crawl_id)
            temp = manifest_path.with_name(manifest_path.name + ".part")
            temp.write_bytes(manifest.to_json())
            os.replace(temp, manifest_path)
    return report


def parse_expiry(text: str) -> int:
    """Seconds in '7d', '12h', '30m', '90s' or '3600'; at most 7 days (the SigV4 limit)."""
    return check_expiry(int(parse_duration(text).total_seconds()))


def presign_crawls(
    storage: Storage,
    expires_seconds: int,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> tuple[list[tuple[str, str]], Report]:
    """(key, link) for each selected manifest and its files, manifest first."""
    check_expiry(expires_seconds)
    report = Report()
    links: list[tuple[str, str]] = []
    for manifest in read_manifests(
        storage, find_crawls(storage, site=site, since=since, until=until), report
    ):
        links.append((manifest.key, storage.presign(manifest.key, expires_seconds)))
        for entry in manifest.files:
            links.append((entry.key, storage.presign(entry.key, expires_seconds)))
            report.files += 1
            report.bytes += entry.size
    return links, report
