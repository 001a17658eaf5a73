"""The Prefect flow ``compact-index``: merge new crawls' index files into the compacted index.

The work is :func:`flows.archives.compact.compact`, a plain function; this module wraps it
in a task retried on StorageError (an outage, or another compaction that published first:
the rerun starts from that one's snapshot) and gives it a deployment of its own, on its own
schedule (``compact_schedule`` in config/settings.yaml), beside the sites' ``archive-site``
deployments. It runs safely while workers store crawls and may be killed at any point; see
docs/storage.md ("The compacted index").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from prefect import flow, get_run_logger

from crawler.config.operator import load_operator_settings
from flows.archive_flow import storage_task
from flows.archives.compact import CompactionReport, compact
from flows.storage import open_storage

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

COMPACT_LIMIT_TAG = "warta-compact"


def compact_storage(uri: str, site: str | None, max_parts: int) -> CompactionReport:
    storage = open_storage(uri)
    storage.check(write=True)
    return compact(storage, site=site, max_parts=max_parts)


compact_task = storage_task(compact_storage, "compact")


@flow(name="compact-index")
def compact_index(
    storage: str | None = None, site: str | None = None, max_parts: int | None = None
) -> dict[str, Any]:
    """Compact every crawl stored since the last run (of one site, when given)."""
    settings = load_operator_settings()
    uri = storage or settings.storage
    report = compact_task(uri, site, max_parts or settings.compact_max_parts)
    summary = {
        "storage": uri,
        "generation": report.generation,
        "crawls": report.crawls,
        "partitions": report.partitions,
        "merged": report.merged,
        "files": report.files,
        "bytes": report.bytes,
        "rows": report.rows,
        "problems": report.problems,
        "seconds": round(report.seconds, 3),
    }
    logger = get_run_logger()
    logger.info("compacted %s crawl(s) into %s partition(s)", report.crawls, report.partitions)
    for problem in report.problems:
        logger.warning(problem)
    return summary


def compact_deployment(
    storage: str, schedule: str, *, work_pool: str | None = None
) -> RunnerDeployment:
    """``compact-index`` on its cron (UTC), one run at a time: a second run would only lose
    the race to publish and retry."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    deployment = compact_index.to_deployment(
        name="archive",
        schedules=[Cron(schedule, timezone="UTC")],
        parameters={"storage": storage},
        tags=["warta", COMPACT_LIMIT_TAG],
        description=f"Compact the research index of {storage}",
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        work_pool_name=work_pool,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return cast("RunnerDeployment", deployment)
