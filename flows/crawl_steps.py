"""The steps of archiving one crawl, as plain functions (Prefect wraps them in flows.archive_flow).

Each step works on the crawl folder ``<data_dir>/crawls/<site>/<crawl_id>/`` and can run
again on the same folder: the crawl itself runs in a child process (a Twisted reactor
cannot restart), derived files are written atomically and skipped when present, and
``store_crawl`` skips what is already stored. So a failed run is resumed by running the
later steps again on the folder it left behind.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.config.arguments import check_setting_overrides, parse_spider_args
from crawler.config.operator import load_operator_settings
from crawler.config.sites import load_site
from crawler.layout import (
    ARTICLES_FILE,
    ARTICLES_INDEX,
    CAPTURES_INDEX,
    CDXJ_SUFFIX,
    CRAWL_ID_FORMAT,
    SUMMARY_FILE,
    check_id,
    crawl_folder,
    index_name,
    new_crawl_id,
    parse_crawl_id,
    state_path,
    warc_files,
)
from crawler.process.ownership import FolderOwner, claim_folder, owner_of_run
from crawler.process.runner import crawl_deadline, run_crawl
from crawler.warc.verify import verify_paths
from flows.new_articles import NewArticles, count_new_articles
from flows.storage import Storage, open_storage
from flows.storage.crawl_upload import delete_local_copies, store_crawl
from flows.storage.manifest import Manifest

log = logging.getLogger("warta.flow")
COUNT_FIELDS = (
    "pages",
    "articles",
    "warc_bytes",
    "network_errors",
    "not_articles",
    "extraction_failed",
    "robots_forbidden",
)


class WarcCheckError(RuntimeError):
    """The crawl's WARC files failed their check; nothing was stored or deleted."""


@dataclass(frozen=True)
class ArchivePlan:
    """Everything one run needs to know, resolved once from config and parameters."""

    site: str
    crawl_id: str
    folder: Path
    storage_uri: str
    base_url: str | None = None
    crawl_settings: dict[str, Any] = field(default_factory=dict)
    spider_args: dict[str, str] = field(default_factory=dict)
    delete_local: bool = False
    file_prefix: str = "warta"
    title: str = ""
    resume: bool = False
    state_path: Path | None = None  # the crawl state, synced with storage (flows.state_sync)

    @property
    def index_path(self) -> Path:
        return self.folder / index_name(self.file_prefix, self.site, self.crawl_id)

    def warc_files(self) -> list[Path]:
        return warc_files(self.folder)

    @property
    def owner(self) -> FolderOwner:
        """Who this run's crawl folders belong to (see crawler.process.ownership)."""
        return owner_of_run(self.site, self.state_path, self.storage_uri, self.base_url)


def resolve_storage(uri: str) -> str:
    """A relative local archive path becomes absolute, so a worker's cwd cannot move it."""
    if "://" in uri:
        return uri
    return str(Path(uri).expanduser().resolve())


def public_url(url: str | None) -> str | None:
    """A URL without user:password, for logs and artifacts."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


def plan_archive(
    site: str,
    *,
    storage: str | None = None,
    base_url: str | None = None,
    crawl_settings: dict[str, Any] | None = None,
    spider_args: dict[str, Any] | None = None,
    delete_local: bool | None = None,
    data_dir: str | None = None,
    resume_crawl_id: str | None = None,
    now: datetime | None = None,
) -> ArchivePlan:
    """Validate the site and parameters before anything runs; ConfigError or ValueError."""
    config = load_site(site)
    settings = load_operator_settings()
    check_setting_overrides(
        dict(crawl_settings or {})
    )  # ConfigError: fails the run at once, no retry
    parse_spider_args({**(spider_args or {}), **({"base_url": base_url} if base_url else {})})
    root = (Path(data_dir) if data_dir else settings.data_dir).expanduser().resolve()
    crawl_id = (
        check_id(resume_crawl_id, "crawl id")
        if resume_crawl_id
        else new_crawl_id(now, taken=lambda cid: crawl_folder(root, site, cid).exists())
    )
    folder = crawl_folder(root, site, crawl_id)
    if resume_crawl_id and not folder.is_dir():
        raise ValueError(f"cannot resume crawl {crawl_id}: no crawl folder at {folder}")
    if not resume_crawl_id and folder.exists():
        raise ValueError(f"crawl folder {folder} already exists; resume it with its crawl id")
    state = state_path(root, config.state_name(base_url))
    return ArchivePlan(
        site=site,
        crawl_id=crawl_id,
        folder=folder,
        storage_uri=resolve_storage(storage or settings.storage),
        base_url=base_url,
        # The crawl state (what earlier crawls fetched) lives beside the crawl folders.
        crawl_settings={"WARTA_STATE_PATH": str(state), **(crawl_settings or {})},
        spider_args={str(k): str(v) for k, v in (spider_args or {}).items()},
        delete_local=settings.delete_local_after_upload if delete_local is None else delete_local,
        file_prefix=settings.warc_prefix,
        title=config.title or config.name,
        resume=bool(resume_crawl_id),
        state_path=state,
    )


def read_summary(folder: Path) -> dict[str, Any]:
    path = folder / SUMMARY_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("cannot read %s", path)
        return {}
    return data if isinstance(data, dict) else {}


def crawl(plan: ArchivePlan, timeout: float | None = None) -> dict[str, Any]:
    """Run the crawl in a child process; CrawlFailed names its log if it went wrong."""
    log.info("crawling %s into %s", public_url(plan.base_url) or plan.site, plan.folder)
    claim_folder(plan.folder, plan.owner)  # before the crawl starts: the folder is this run's
    result = run_crawl(
        plan.site,
        plan.folder,
        plan.crawl_id,
        base_url=plan.base_url,
        settings=plan.crawl_settings,
        spider_args=plan.spider_args,
        timeout=crawl_deadline(plan.crawl_settings, timeout),
    )
    return result.summary


@dataclass(frozen=True)
class CheckResult:
    warc_files: int
    records: int
    problems: list[str]
    warnings: list[str]
    method: str
    earlier_refs: int = 0  # WARC-Refers-To pointing outside this crawl (see check_warcs)


# An incremental crawl writes revisit (and conversion/metadata) records whose WARC-Refers-To
# names a response archived by an earlier crawl, so it is in none of this crawl's files.
# Such a reference is expected, not damage; every other problem fails the check.
EARLIER_CRAWL_KINDS = frozenset({"dangling-refers-to"})


def is_index_problem(kind: str) -> bool:
    """A problem of a derived index (``index-*``), not of the WARC files themselves."""
    return kind.startswith("index-")


def drop_stale_indexes(folder: Path) -> list[Path]:
    """Remove the folder's derived indexes (CDXJ, Parquet); :func:`package` rebuilds them."""
    stale = [
        p
        for p in folder.iterdir()
        if p.name.endswith(CDXJ_SUFFIX) or p.name in (CAPTURES_INDEX, ARTICLES_INDEX)
    ]
    for path in stale:
        path.unlink()
    return stale


def check_warcs(folder: Path) -> CheckResult:
    """Check every WARC (digests, pairing, gzip members); raise WarcCheckError if bad.

    An index that no longer matches sound WARC files (a crawl resumed after it was made,
    a copy cut short) is stale, not damage: it is removed, and packaging rebuilds it.
    """
    report = verify_paths([folder])
    index_only = report.problems and all(is_index_problem(p.kind) for p in report.problems)
    if index_only:
        dropped = drop_stale_indexes(folder)
        log.warning(
            "%s: %d index problem(s) but sound WARC files; rebuilding %s",
            folder, len(report.problems), ", ".join(p.name for p in dropped),
        )  # fmt: skip
        report = verify_paths([folder])
    problems = [p.format() for p in report.problems if p.kind not in EARLIER_CRAWL_KINDS]
    earlier = [p for p in report.problems if p.kind in EARLIER_CRAWL_KINDS]
    result = CheckResult(
        warc_files=len(report.warc_files),
        records=report.records,
        problems=problems,
        warnings=[w.format() for w in report.warnings],
        method="warta verify",
        earlier_refs=len(earlier),
    )
    if earlier:
        log.info("%d record(s) refer to captures of earlier crawls", len(earlier))
    if result.problems:
        shown = "\n".join(result.problems[:20])
        raise WarcCheckError(f"{len(result.problems)} problem(s) in {folder}:\n{shown}")
    return result


def package(plan: ArchivePlan, summary: dict[str, Any] | None = None) -> list[Path]:
    """Build the CDXJ index (for replay) and the research index (Parquet ``captures`` and
    ``articles``) unless finished ones are already there.

    No WACZ is stored any more: it held a second copy of every WARC. Each capture is stored
    once, in its WARC, which replay, ``warta verify`` and ranged reads all use directly;
    ``warta archives download --wacz`` packages a crawl for ReplayWeb.page (docs/storage.md).
    """
    from crawler.warc.indexing import build_cdxj
    from flows.archives.index import build_index

    warcs = plan.warc_files()
    if not plan.index_path.is_file():  # every builder renames into place: present = complete
        build_cdxj(warcs, plan.index_path)
    articles = plan.folder / ARTICLES_FILE
    if not articles.is_file():
        articles.touch()  # a crawl that found no article still says so, with an empty file
    research = [plan.folder / CAPTURES_INDEX, plan.folder / ARTICLES_INDEX]
    if not all(p.is_file() for p in research):
        day = crawl_started(plan, summary or read_summary(plan.folder)).astimezone(UTC).date()
        research = list(build_index(plan.folder, plan.site, plan.crawl_id, day, warcs))
    return [plan.index_path, *research]


def crawl_started(plan: ArchivePlan, summary: dict[str, Any]) -> datetime:
    """When the crawl began (it files the crawl under its UTC day)."""
    started = summary.get("started")
    if started:
        try:
            value = datetime.fromisoformat(str(started))
            if value.tzinfo is not None:
                return value
        except ValueError:
            pass
    from_id = parse_crawl_id(plan.crawl_id)
    if from_id is None:
        raise ValueError(
            f"crawl {plan.crawl_id}: no start time in {SUMMARY_FILE} and the id is not "
            f"a {CRAWL_ID_FORMAT} timestamp"
        )
    return from_id


def open_target(plan: ArchivePlan) -> Storage:
    storage = open_storage(plan.storage_uri)
    storage.check(write=True)
    return storage


def new_articles(plan: ArchivePlan, summary: dict[str, Any]) -> NewArticles:
    """Count new articles and write the crawl's cumulative seen list (``SEEN_URLS_FILE``)."""
    storage = open_target(plan)
    day = crawl_started(plan, summary).astimezone(UTC).date()
    return count_new_articles(plan.folder, storage, plan.site, plan.crawl_id, day)


def manifest_counts(summary: dict[str, Any], fresh: NewArticles) -> dict[str, int]:
    counts = {
        name: int(summary[name])
        for name in COUNT_FIELDS
        if isinstance(summary.get(name), int) and not isinstance(summary.get(name), bool)
    }
    counts["new_articles"] = fresh.count
    return counts


def store(
    plan: ArchivePlan, summary: dict[str, Any], counts: dict[str, int], deep_verify: bool = False
) -> Manifest:
    """Upload every file, verify each against size and SHA-256, then write the manifest.

    Each upload is checked where it lands: a local copy is hashed as it is written, an S3
    object carries ChecksumSHA256 (per part when multipart) so the server rejects other
    bytes, and ``head`` must then show the size and digest. ``deep_verify`` also reads
    every object back and hashes it.
    """
    return store_crawl(
        plan.folder,
        open_target(plan),
        plan.site,
        plan.crawl_id,
        crawl_started(plan, summary),
        counts=counts,
        deep_verify=deep_verify,
    )


def remove_local(plan: ArchivePlan, manifest: Manifest, deep_verify: bool = False) -> list[Path]:
    """Delete local copies, but only what the stored manifest proves is safely stored."""
    return delete_local_copies(plan.folder, manifest, open_target(plan), deep_verify=deep_verify)


def restore_state(plan: ArchivePlan) -> bool:
    """Start from the newest stored crawl state; True if the local copy was stale or gone."""
    from flows.state_sync import pull_state

    if plan.state_path is None:
        return False
    return pull_state(open_target(plan), plan.site, plan.state_path).replaced


def save_state(plan: ArchivePlan) -> str | None:
    """Store a snapshot of the crawl state beside the archive, for the next worker."""
    from flows.state_sync import push_state

    if plan.state_path is None:
        return None
    return push_state(open_target(plan), plan.site, plan.state_path, plan.crawl_id)
