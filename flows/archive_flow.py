"""The Prefect flow ``archive-site``: crawl, check, index, package, store, clean up.

The logic lives in :mod:`flows.crawl_steps` as plain functions; this module only wraps them in
tasks with retries and runs them in order. Storage steps retry on ``StorageError`` only
(an outage, a throttled bucket), with exponential backoff and jitter so that several
sites recovering together do not hit the store at the same instant. A bad WARC or a bad
parameter fails at once: retrying cannot fix it.

``warta archive SITE`` (:mod:`flows.cli.archive`) runs it once, here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from typing import Any, ParamSpec, TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.concurrency.sync import concurrency
from prefect.states import State
from prefect.tasks import Task, exponential_backoff

from crawler.process.crawl_lock import CrawlLock, folder_lock_path
from crawler.process.runner import CrawlFailed
from flows import crawl_steps, unfinished
from flows.lease import DEFAULT_TTL, SiteBusy, site_lease
from flows.new_articles import NewArticles
from flows.storage import StorageError
from flows.summary import build_summary, publish

CRAWL_LIMIT = "warta-crawls"  # Prefect global concurrency limit: crawls at once, fleet-wide
STORAGE_RETRIES = 3
STORAGE_RETRY_DELAY = 30.0  # seconds before the first retry; then 60, 120, ...
JITTER = 0.5  # each delay may grow by up to half, to spread simultaneous retries
P = ParamSpec("P")
R = TypeVar("R")


def _failed_with(state: State[Any], kinds: tuple[type[BaseException], ...]) -> bool:
    try:
        state.result()
    except kinds:
        return True
    except BaseException:
        return False
    return False


def retry_on_storage_error(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    return _failed_with(state, (StorageError,))


def retry_on_crawl_failure(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    return _failed_with(state, (CrawlFailed,))


crawl_task = task(
    name="crawl",
    retries=1,  # a rerun into the same folder resumes the crawl (see crawler.pipelines)
    retry_delay_seconds=exponential_backoff(backoff_factor=120),
    retry_jitter_factor=JITTER,
    retry_condition_fn=retry_on_crawl_failure,
    cache_policy=NO_CACHE,
)(crawl_steps.crawl)
check_task = task(name="check-warcs", cache_policy=NO_CACHE)(crawl_steps.check_warcs)
package_task = task(name="index-and-package", cache_policy=NO_CACHE)(crawl_steps.package)


def storage_task(fn: Callable[P, R], name: str) -> Task[P, R]:
    """A step that talks to storage: retried on StorageError only, with backoff."""
    return task(
        name=name,
        retries=STORAGE_RETRIES,
        retry_delay_seconds=exponential_backoff(backoff_factor=STORAGE_RETRY_DELAY),
        retry_jitter_factor=JITTER,
        retry_condition_fn=retry_on_storage_error,
        cache_policy=NO_CACHE,
    )(fn)


new_articles_task = storage_task(crawl_steps.new_articles, "count-new-articles")
store_task = storage_task(crawl_steps.store, "store")
remove_local_task = storage_task(crawl_steps.remove_local, "delete-local-copies")
restore_state_task = storage_task(crawl_steps.restore_state, "restore-crawl-state")
save_state_task = storage_task(crawl_steps.save_state, "save-crawl-state")
open_target_task = storage_task(crawl_steps.open_target, "open-storage")  # for the site lease
# Earlier crawls of the site that were interrupted before they were stored go first, so the
# state never counts as archived what is not in storage (flows.unfinished).
finish_unstored_task = storage_task(unfinished.finish_unstored_crawls, "store-unfinished-crawls")


def short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:500]


@flow(name="archive-site")
def archive_site(
    site: str,
    storage: str | None = None,
    base_url: str | None = None,
    crawl_settings: dict[str, Any] | None = None,
    delete_local: bool | None = None,
    spider_args: dict[str, Any] | None = None,
    resume_crawl_id: str | None = None,
    data_dir: str | None = None,
    crawl_timeout: float | None = None,
    deep_verify: bool = False,
    storage_retries: int = STORAGE_RETRIES,
    storage_retry_delay: float = STORAGE_RETRY_DELAY,
    lease_seconds: float = DEFAULT_TTL,
    lease_wait: float = 0.0,
) -> dict[str, Any]:
    """Crawl ``site`` and store its archive; return the run summary (also an artifact).

    ``resume_crawl_id`` skips the crawl and finishes an earlier run from its folder.
    ``storage``, ``data_dir`` and ``delete_local`` default to config/settings.yaml.
    One run per site at a time, wherever it runs: the run holds the site's lease in
    storage (:mod:`flows.lease`), waiting up to ``lease_wait`` seconds for it (else
    SiteBusy); the crawl itself takes a slot of the global limit ``warta-crawls``.
    """
    logger = get_run_logger()
    plan = crawl_steps.plan_archive(
        site,
        storage=storage,
        base_url=base_url,
        crawl_settings=crawl_settings,
        spider_args=spider_args,
        delete_local=delete_local,
        data_dir=data_dir,
        resume_crawl_id=resume_crawl_id,
    )
    retrying: dict[str, Any] = {
        "retries": storage_retries,
        "retry_delay_seconds": exponential_backoff(storage_retry_delay)(storage_retries),
    }
    crawl_summary: dict[str, Any] = {}
    check: crawl_steps.CheckResult | None = None
    fresh: NewArticles | None = None
    held = ExitStack()
    try:
        lease = held.enter_context(
            site_lease(
                open_target_task.with_options(**retrying)(plan),
                site,
                ttl=lease_seconds,
                wait=lease_wait,
                flow_run=_flow_run_name(),
                crawl_id=plan.crawl_id,
            )
        )
        if plan.resume:
            logger.info("resuming crawl %s of %s from %s", plan.crawl_id, site, plan.folder)
            # CrawlLocked if a crawl is still writing into the folder: never take a live one.
            held.enter_context(CrawlLock(folder_lock_path(plan.folder)).acquire(purpose="resume"))
            unfinished.recover_warcs(plan.folder)  # what a Ctrl-C or a kill left open
            crawl_summary = crawl_steps.read_summary(plan.folder)
        else:
            stale = restore_state_task.with_options(**retrying)(plan)
            finish_unstored_task.with_options(**retrying)(plan, deep_verify, stale)
            with crawl_slot(lease_seconds):
                crawl_summary = crawl_task(plan, crawl_timeout)
        check = check_task(plan.folder)
        package_task(plan, crawl_summary)
        fresh = new_articles_task.with_options(**retrying)(plan, crawl_summary)
        counts = crawl_steps.manifest_counts(crawl_summary, fresh)
        if lease.lost:
            raise SiteBusy(f"{site}: another run took the lease during this one; not storing")
        manifest = store_task.with_options(**retrying)(plan, crawl_summary, counts, deep_verify)
        save_state_task.with_options(**retrying)(plan)
        deleted = None
        if plan.delete_local:
            removed = remove_local_task.with_options(**retrying)(plan, manifest, deep_verify)
            deleted = len(removed)
    except Exception as exc:
        known = crawl_summary or crawl_steps.read_summary(plan.folder)
        failed = build_summary(plan, known, check=check, fresh=fresh, error=short_error(exc))
        try:
            publish(failed)
        except Exception as publish_error:  # the original failure is what matters
            logger.warning("could not publish the failure artifact: %s", publish_error)
        logger.error("archive of %s failed; local files kept in %s", site, plan.folder)
        raise
    finally:
        held.close()  # the lease is released even on Ctrl-C
    summary = build_summary(
        plan, crawl_summary, check=check, fresh=fresh, manifest=manifest, deleted=deleted
    )
    publish(summary)
    logger.info(
        "stored %s %s: %s articles (%s new), %s bytes, manifest %s",
        site,
        plan.crawl_id,
        summary["articles"],
        summary["new_articles"],
        summary["bytes"],
        summary["manifest"],
    )
    return summary


def crawl_slot(lease_seconds: float) -> AbstractContextManager[Any]:
    """A slot of the fleet-wide limit ``warta-crawls`` if an operator created it
    (docs/scheduling.md); else nothing. Asking Prefect for a missing limit warns on every
    run ("Concurrency limits ... do not exist"), which a one-machine user cannot act on."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            client.read_global_concurrency_limit_by_name(CRAWL_LIMIT)
    except ObjectNotFound:
        return nullcontext()
    return concurrency(CRAWL_LIMIT, occupy=1, lease_duration=lease_seconds, strict=False)


def _flow_run_name() -> str:
    from prefect.runtime import flow_run

    return f"flow run {flow_run.name} ({flow_run.id})" if flow_run.id else "a flow run"


def ephemeral_defaults() -> dict[str, Any]:
    """Settings for Prefect's ephemeral server, unless the environment sets them.

    Analytics off silences a harmless "database is locked" on the first run; a loaded
    2-core machine can need more than the default 20 s to start the server.
    """
    defaults = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": ("server.analytics_enabled", False),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": (
            "server.ephemeral.startup_timeout_seconds",
            120,
        ),
    }
    return {key: value for env, (key, value) in defaults.items() if env not in os.environ}
