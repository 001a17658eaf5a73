"""Crawls that stopped before they were stored (Ctrl-C, a kill, a crash) are stored first.

A crawl writes its state rows while it fetches, so by the time a run is interrupted the
state already counts its pages as archived, and the next crawl skips them or writes
revisits that point into its WARC files. That is only true once those files are in
storage. So before a site is crawled again, every earlier crawl folder of the site that
has WARC files but no manifest in storage is finished: ``.open`` WARCs are recovered (cut
after the last whole record, :mod:`crawler.warc.recovery`), checked, indexed, packaged and
stored like any crawl. ``warta archive SITE --resume ID`` does the same for one folder.

Only folders this run owns are taken (:mod:`crawler.process.ownership`: same site, same
crawl state, same storage target, same machine), and only when no crawl holds the folder's
lock: a crawl of another host, for another storage, or still running is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from crawler.layout import SAFE_ID, manifest_key, warc_files
from crawler.process.crawl_lock import CrawlLock, folder_lock_path, holder_of, lock_path_for
from crawler.process.ownership import read_owner
from crawler.warc.recovery import RecoveryReport, recover_open_files
from flows import crawl_steps
from flows.crawl_steps import ArchivePlan
from flows.storage import Storage

log = logging.getLogger("warta.flow")
SUPERSEDED_SUFFIX = ".superseded"  # a leftover another worker's crawl made redundant


def recover_warcs(folder: Path) -> list[RecoveryReport]:
    """Give every ``.open`` WARC in ``folder`` its final name, cut after its last record."""
    reports = recover_open_files(folder)
    for report in reports:
        log.info(
            "recovered %s: %d whole records kept, %d bytes of a cut record dropped",
            report.result.name,
            report.records,
            report.dropped_bytes,
        )
    return reports


def holds_warcs(folder: Path) -> bool:
    return bool(warc_files(folder, include_open=True))


def is_ours(plan: ArchivePlan, folder: Path) -> bool:
    """Does this run own ``folder``, and is no crawl writing into it now?"""
    owner = read_owner(folder)
    if owner is None:
        log.warning(
            "leaving %s alone: it does not say which run it belongs to; if it is this "
            "run's, store it with `warta archive %s --resume %s`",
            folder, plan.site, folder.name,
        )  # fmt: skip
        return False
    if not plan.owner.accepts(owner):
        log.info("leaving %s alone: it belongs to a crawl of %s", folder, owner.describe())
        return False
    busy = holder_of(folder_lock_path(folder))
    if busy is not None:
        log.info("leaving %s alone: a crawl is still writing into it (%s)", folder, busy)
        return False
    return True


def unstored_crawls(plan: ArchivePlan, storage: Storage) -> list[ArchivePlan]:
    """Plans for this run's earlier crawl folders that hold WARCs but were never stored."""
    site_dir = plan.folder.parent
    if not site_dir.is_dir():
        return []
    found = []
    for folder in sorted(site_dir.iterdir()):
        if folder == plan.folder or not folder.is_dir() or not SAFE_ID.match(folder.name):
            continue
        if folder.name.endswith(SUPERSEDED_SUFFIX) or not holds_warcs(folder):
            continue
        if not is_ours(plan, folder):
            continue
        earlier = replace(plan, crawl_id=folder.name, folder=folder, resume=True)
        try:
            day = crawl_steps.crawl_started(earlier, crawl_steps.read_summary(folder)).date()
        except ValueError as exc:
            log.warning("skipping %s: %s", folder, exc)
            continue
        if storage.head(manifest_key(plan.site, folder.name, day)) is None:
            found.append(earlier)
    return found


def finish_crawl(plan: ArchivePlan, deep_verify: bool = False) -> dict[str, int]:
    """Recover, check, package and store one crawl folder; return its manifest counts.

    Holds the folder's lock meanwhile, so that no crawl resumes into it while it is stored.
    """
    with CrawlLock(folder_lock_path(plan.folder)).acquire(purpose="storing the crawl"):
        return _finish_crawl(plan, deep_verify)


def _finish_crawl(plan: ArchivePlan, deep_verify: bool) -> dict[str, int]:
    recover_warcs(plan.folder)
    summary = crawl_steps.read_summary(plan.folder)
    crawl_steps.check_warcs(plan.folder)
    crawl_steps.package(plan)
    fresh = crawl_steps.new_articles(plan, summary)
    counts = crawl_steps.manifest_counts(summary, fresh)
    manifest = crawl_steps.store(plan, summary, counts, deep_verify)
    if plan.delete_local:
        crawl_steps.remove_local(plan, manifest, deep_verify)
    log.info(
        "stored the unfinished crawl %s of %s: %s new articles",
        plan.crawl_id,
        plan.site,
        counts.get("new_articles"),
    )
    return counts


def finish_unstored_crawls(
    plan: ArchivePlan, deep_verify: bool = False, state_was_stale: bool = False
) -> list[str]:
    """Store every earlier crawl of the site left unstored here; their ids, oldest first.

    If the local state was just replaced by a newer stored one (``state_was_stale``),
    another worker has crawled the site since these folders were made: they are set aside
    instead (:func:`set_aside`). Holds the site's crawl lock meanwhile, so a crawl of the
    site still running on this machine is never taken for an interrupted one.
    """
    storage = crawl_steps.open_target(plan)
    lock = CrawlLock(lock_path_for(plan.state_path, plan.folder))
    with lock.acquire(purpose="storing unfinished crawls"):
        if state_was_stale:
            set_aside(plan, storage, "another worker crawled the site since; its state won")
            return []
        finished = []
        for earlier in unstored_crawls(plan, storage):
            log.warning(
                "crawl %s of %s was interrupted before it was stored; storing it now",
                earlier.crawl_id,
                plan.site,
            )
            finish_crawl(earlier, deep_verify)
            finished.append(earlier.crawl_id)
    return finished


def set_aside(plan: ArchivePlan, storage: Storage, reason: str) -> list[Path]:
    """Rename this worker's unstored crawl folders ``<id>.superseded`` (kept, never stored).

    Used when storage holds a newer crawl state than this worker's: another worker crawled
    the site since, so storing these folders now would archive the same articles twice.
    """
    moved = []
    for earlier in unstored_crawls(plan, storage):
        target = earlier.folder.with_name(earlier.folder.name + SUPERSEDED_SUFFIX)
        earlier.folder.rename(target)
        log.warning("crawl folder %s set aside as %s: %s", earlier.folder, target.name, reason)
        moved.append(target)
    return moved


__all__ = [
    "SUPERSEDED_SUFFIX",
    "finish_crawl",
    "finish_unstored_crawls",
    "recover_warcs",
    "set_aside",
    "unstored_crawls",
]
