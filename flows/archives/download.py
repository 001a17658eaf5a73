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

from crawler.config.units import parse_duration
from crawler.layout import ARTICLES_FILE, manifest_name, wacz_name, warc_files
from flows.archives.catalog import Report, find_crawls, read_manifests
from flows.storage.base import Storage, check_expiry, sha256_file
from flows.storage.manifest import Manifest, ManifestFile


class ManifestRefused(ValueError):
    """A manifest is invalid or would write outside the destination; nothing of its crawl
    was written (the other crawls were, and the message says how many)."""


def _inside(dest: Path, *parts: str) -> Path:
    """``dest/parts...``, refused unless it resolves (symlinks followed) inside ``dest``."""
    root = dest.resolve()
    target = root.joinpath(*parts).resolve()
    if target == root or not target.is_relative_to(root):
        raise ManifestRefused(f"{'/'.join(parts)!r} would be written outside {dest}")
    return target


def plan_targets(dest: Path, manifest: Manifest) -> list[tuple[ManifestFile, Path]]:
    """Where each file of a (validated) manifest goes; ManifestRefused if any escapes."""
    folder = _inside(dest, manifest.site, manifest.crawl_id)
    targets = []
    for entry in manifest.files:
        target = _inside(dest, manifest.site, manifest.crawl_id, entry.name)
        if target.parent != folder:
            raise ManifestRefused(f"{entry.name!r} is not a file name in the crawl folder")
        targets.append((entry, target))
    return targets


def _fetch(
    storage: Storage, entry: ManifestFile, target: Path, update: Callable[[int], object]
) -> str | None:
    """Bring one file to ``target``, resuming a ``.part`` file; return a problem or None."""
    part = target.with_name(target.name + ".part")
    if part.is_symlink():
        part.unlink()  # a planted link must not carry the download elsewhere
    part.touch()  # so that an empty file (a crawl with no new article) arrives as one
    offset = part.stat().st_size
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
    wacz: bool = False,
) -> Report:
    """Download crawls to ``dest/<site>/<crawl_id>/`` (the layout a crawl has locally).

    Complete files whose SHA-256 matches are skipped and ``.part`` files are resumed, so an
    interrupted download is finished by running it again. Each crawl folder also gets its
    manifest. A StorageError (outage) stops the run with the partial data kept.

    Every manifest is validated and every target path checked before anything is written.
    A refused manifest (unreadable, bad fields, a name that escapes ``dest``) is skipped:
    nothing of its crawl is written, the others are downloaded, and ManifestRefused then
    names the first refusal and how many crawls were downloaded. One bad object in shared
    storage must not keep every other crawl from a researcher. ``wacz`` packages each crawl
    as a WACZ for ReplayWeb.page.
    """
    report = Report()
    manifests = list(
        read_manifests(storage, find_crawls(storage, site=site, since=since, until=until), report)
    )
    plans = []
    for manifest in manifests:
        try:
            plans.append((manifest, plan_targets(Path(dest), manifest)))
        except ManifestRefused as exc:
            report.problems.append(f"manifest {manifest.key}: {exc}")
    refused = list(report.problems)
    _download_plans(storage, Path(dest), plans, report, progress=progress, wacz=wacz)
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        done = f"the other {len(plans)} crawl(s) downloaded" if plans else "nothing downloaded"
        raise ManifestRefused(f"{refused[0]}{more}; {done}")
    return report


def _download_plans(
    storage: Storage,
    dest: Path,
    plans: list[tuple[Manifest, list[tuple[ManifestFile, Path]]]],
    report: Report,
    *,
    progress: bool,
    wacz: bool,
) -> None:
    from tqdm import tqdm  # only the CLI path pays for it

    manifests = [m for m, _ in plans]
    total = sum(m.total_bytes for m in manifests)  # pragma: no mutate
    # The progress bar's settings are display only; mutated, each cost mutmut a CPU timeout.
    with tqdm(
        total=total,  # pragma: no mutate
        unit="B",  # pragma: no mutate
        unit_scale=True,  # pragma: no mutate
        unit_divisor=1024,  # pragma: no mutate
        file=sys.stderr,  # pragma: no mutate
        disable=not (progress and sys.stderr.isatty()),  # no \r bar in a log  # pragma: no mutate
        desc="download",  # pragma: no mutate
    ) as bar:
        for manifest, targets in plans:
            folder = dest.resolve() / manifest.site / manifest.crawl_id
            problems_before = len(report.problems)
            folder.mkdir(parents=True, exist_ok=True)
            for entry, target in targets:
                report.files += 1
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
            if wacz and len(report.problems) == problems_before:
                report.files += 1  # the package is a file of the result too
                report.done.append(package_download(folder, manifest).name)


def package_download(folder: Path, manifest: Manifest) -> Path:
    """A WACZ of a downloaded crawl (its WARCs, index and article pages), for replay tools
    that want one file. Archives store each capture once, in its WARC (docs/storage.md)."""
    from crawler.warc.package import build_wacz

    out = folder / wacz_name("warta", manifest.site, manifest.crawl_id)
    if out.is_file():
        return out
    warcs = warc_files(folder)
    articles = folder / ARTICLES_FILE
    if not articles.is_file():
        articles.touch()
    return build_wacz(warcs, articles, out, f"{manifest.site} {manifest.crawl_id}", strict=False)


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
