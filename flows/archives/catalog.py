"""Which crawls an archive holds, and whether their files are still what the manifests say.

Everything starts from the manifests, because a manifest is only written once its crawl is
complete. These functions are plain and return reports; ``flows.cli.archives`` prints them.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from crawler.layout import check_id, in_day_folder, parse_manifest_key
from flows.storage.base import Storage
from flows.storage.manifest import (
    Manifest,
    ManifestError,
    ManifestFile,
    content_problem,
    object_problem,
    parse_manifest,
)


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
        if (manifest.site, manifest.crawl_id) != (ref.site, ref.crawl_id):
            report.problems.append(
                f"manifest {ref.key} describes another crawl "
                f"({manifest.site!r} {manifest.crawl_id!r}); refused"
            )
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
    each object is read back and hashed, which also catches silent corruption, and each
    crawl's WARC files and CDXJ index are checked for what they really hold
    (:func:`warc_problems`): a WARC cut short, or an index that does not match it, fails
    even when its bytes are the ones the manifest recorded.
    """
    report = Report()
    refs = find_crawls(storage, site=site, since=since, until=until)
    listed: set[str] = {r.key for r in refs}
    for manifest in read_manifests(storage, refs, report):
        with tempfile.TemporaryDirectory(prefix="warta-verify-") as scratch:
            for entry in manifest.files:
                listed.add(entry.key)
                report.files += 1
                report.bytes += entry.size
                problem = object_problem(storage.head(entry.key), entry)
                if problem is None and deep and entry.kind in ("warc", "cdxj"):
                    problem = fetch_checked(storage, entry, Path(scratch) / entry.name)
                elif problem is None and deep:
                    problem = content_problem(storage, entry)
                if problem:
                    report.problems.append(f"{entry.key}: {problem}")
                else:
                    report.done.append(entry.key)
            if deep:
                report.problems.extend(warc_problems(manifest, Path(scratch)))
    if since is None and until is None:
        everything = storage.list(f"{site}/" if site else "")
        stray = [i.key for i in everything if i.key not in listed and in_day_folder(i.key)]
        if stray:
            report.notes.append(
                f"{len(stray)} object(s) belong to no manifest (an unfinished upload?), "
                f"e.g. {stray[0]}"
            )
    return report


def fetch_checked(storage: Storage, entry: ManifestFile, dest: Path) -> str | None:
    """Download one object to ``dest`` while hashing it; a problem, or None."""
    digest = hashlib.sha256()
    size = 0
    with dest.open("wb") as out:
        for block in storage.read_chunks(entry.key):
            digest.update(block)
            size += len(block)
            out.write(block)
    if size != entry.size or digest.hexdigest() != entry.sha256:
        dest.unlink()
        return f"content sha256 {digest.hexdigest()[:16]}... ({size} bytes) does not match"
    return None


def warc_problems(manifest: Manifest, folder: Path) -> list[str]:
    """What the downloaded WARCs and CDXJ of one crawl really hold: every record whole, its
    block and payload digests right, every index line pointing at the record it names.

    References to records of earlier crawls (an incremental crawl's revisits) are expected.
    """
    from crawler.warc.verify import verify_paths

    if not any(folder.iterdir()):
        return []
    report = verify_paths([folder])
    keys = {entry.name: entry.key for entry in manifest.files}
    where = f"{manifest.site} {manifest.crawl_id}"
    found = []
    for problem in report.problems:
        if problem.kind != "dangling-refers-to":
            key = keys.get(Path(problem.file).name, problem.file)
            found.append(f"{where}: " + problem.format().replace(problem.file, key, 1))
    return found
