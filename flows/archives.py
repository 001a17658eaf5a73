"""Researcher access to a stored archive: find crawls, download, verify, share links.

Everything starts from the manifests, because a manifest is only written once its crawl is
complete. These functions are plain and return reports; ``flows.archives_cli`` prints them.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from crawler.layout import check_id, manifest_name, parse_manifest_key
from crawler.units import parse_duration
from flows.crawlstore import content_problem, object_problem
from flows.manifest import Manifest, ManifestError, ManifestFile, parse_manifest
from flows.storage import Storage, check_expiry, sha256_file


@dataclass(frozen=True)
class CrawlRef:
    site: str
    day: date
    crawl_id: str
    key: str


@dataclass
class Report:
    """What an operation did and what went wrong; ``ok`` is False if anything did."""

    crawls: int = 0
    files: int = 0
    bytes: int = 0
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_expiry(text: str) -> int:
    """Seconds in '7d', '12h', '30m', '90s' or '3600'; at most 7 days (the SigV4 limit)."""
    return check_expiry(int(parse_duration(text).total_seconds()))


def find_crawls(
    storage: Storage,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[CrawlRef]:
    """Crawls whose manifest is stored, oldest first, filtered by site and UTC day."""
    if site is not None:
        check_id(site, "site")
    refs = []
    for info in storage.list(f"{site}/" if site else ""):
        parsed = parse_manifest_key(info.key)
        if parsed is None:
            continue
        found_site, day, crawl_id = parsed
        if (since and day < since) or (until and day > until):
            continue
        refs.append(CrawlRef(found_site, day, crawl_id, info.key))
    return sorted(refs, key=lambda r: (r.day, r.site, r.crawl_id))


def read_manifests(storage: Storage, refs: list[CrawlRef], report: Report) -> Iterator[Manifest]:
    for ref in refs:
        try:
            manifest = parse_manifest(storage.get_bytes(ref.key), ref.key)
        except ManifestError as exc:
            report.problems.append(str(exc))
            continue
        report.crawls += 1
        yield manifest


def verify_archive(
    storage: Storage,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    deep: bool = False,
) -> Report:
    """Check that every manifest's files exist with the size and SHA-256 it lists.

    Without ``deep`` the check trusts the digest recorded at upload (no download); with it
    each object is read back and hashed, which also catches silent corruption.
    """
    report = Report()
    refs = find_crawls(storage, site=site, since=since, until=until)
    listed: set[str] = {r.key for r in refs}
    for manifest in read_manifests(storage, refs, report):
        for entry in manifest.files:
            listed.add(entry.key)
            report.files += 1
            report.bytes += entry.size
            problem = object_problem(storage.head(entry.key), entry)
            if problem is None and deep:
                problem = content_problem(storage, entry)
            if problem:
                report.problems.append(f"{entry.key}: {problem}")
            else:
                report.done.append(entry.key)
    if since is None and until is None:
        stray = [i.key for i in storage.list(f"{site}/" if site else "") if i.key not in listed]
        if stray:
            report.notes.append(
                f"{len(stray)} object(s) belong to no manifest (an unfinished upload?), "
                f"e.g. {stray[0]}"
            )
    return report


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
