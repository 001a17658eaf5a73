"""One scheduled Prefect deployment of ``archive-site`` per configured site.

``warta deploy`` (:mod:`flows.cli.deploy`) offers two ways to run them, both against the
server named by PREFECT_API_URL:

- ``warta deploy`` registers the deployments and then serves them: a long-running process
  (``prefect.serve``) that starts each scheduled or triggered run in a child process.
- ``warta deploy --work-pool NAME`` registers them on a process work pool (created if it
  does not exist) and exits; ``prefect worker start --pool NAME`` then runs them.

Each deployment carries its site's cron ``schedule`` (read in the site's time zone), its
parameters, the tags ``warta`` and ``site:<name>`` (inherited by every run), and a
concurrency limit of 1, which the Prefect server enforces: two runs of one site never
overlap. A later run waits for the slot (``--on-overlap enqueue``) or is cancelled
(``cancel``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from crawler.config.arguments import check_setting_overrides, parse_spider_args
from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError, SiteConfig, load_site, site_names
from flows.crawl_steps import resolve_storage

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

OVERLAP = {"enqueue": "ENQUEUE", "cancel": "CANCEL_NEW"}


def site_tags(site: str) -> list[str]:
    return ["warta", f"site:{site}"]


def deployment_parameters(
    site: str,
    *,
    storage: str | None = None,
    data_dir: str | None = None,
    base_url: str | None = None,
    crawl_settings: dict[str, Any] | None = None,
    spider_args: dict[str, Any] | None = None,
    delete_local: bool | None = None,
) -> dict[str, Any]:
    """The flow parameters a deployment fixes. Paths are made absolute here, because a
    worker runs flows in a working directory of its own."""
    settings = load_operator_settings()
    check_setting_overrides(dict(crawl_settings or {}))
    parse_spider_args({**(spider_args or {}), **({"base_url": base_url} if base_url else {})})
    if delete_local is None:
        delete_local = settings.delete_local_after_upload
    params: dict[str, Any] = {
        "site": site,
        "storage": resolve_storage(storage or settings.storage),
        "data_dir": str(Path(data_dir or settings.data_dir).expanduser().resolve()),
        "delete_local": delete_local,
    }
    if base_url:
        params["base_url"] = base_url
    if crawl_settings:
        params["crawl_settings"] = dict(crawl_settings)
    if spider_args:
        params["spider_args"] = dict(spider_args)
    return params


def site_deployment(
    config: SiteConfig,
    parameters: dict[str, Any],
    *,
    work_pool: str | None = None,
    on_overlap: str = "enqueue",
) -> RunnerDeployment:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from flows.archive_flow import archive_site  # Prefect is imported only to deploy

    schedules = [Cron(config.schedule, timezone=config.timezone)] if config.schedule else None
    deployment = archive_site.to_deployment(
        name=config.name,
        schedules=schedules,
        parameters=parameters,
        tags=site_tags(config.name),
        description=f"Crawl and archive {config.title or config.name} ({config.base_url})",
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy(OVERLAP[on_overlap])
        ),
        work_pool_name=work_pool,
        # Load the flow as flows.archive_flow.archive_site: works from any working directory.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return cast("RunnerDeployment", deployment)  # sync call: not the coroutine variant


def deployable_sites() -> list[str]:
    return [name for name in site_names() if not load_site(name).replica_only]


def build_deployments(
    sites: list[str] | None = None,
    *,
    work_pool: str | None = None,
    on_overlap: str = "enqueue",
    **overrides: Any,
) -> list[RunnerDeployment]:
    """Deployments for ``sites`` (default: every site in config/sites/ that is not
    ``replica_only``: a fictional site scheduled for real would fail every run)."""
    names = sites or deployable_sites()
    if not names:
        raise ConfigError("no deployable sites configured (config/sites/*.yaml)")
    if overrides.get("base_url") and len(names) != 1:
        raise ValueError("--base-url applies to one site; pick it with --sites")
    deployments = []
    for name in names:
        config = load_site(name)  # ConfigError names the site file and the field
        parameters = deployment_parameters(name, **overrides)
        try:
            deployments.append(
                site_deployment(config, parameters, work_pool=work_pool, on_overlap=on_overlap)
            )
        except ValueError as exc:  # e.g. a schedule Prefect reads otherwise than cronsim
            first = (str(exc).splitlines() or [""])[0]
            raise ConfigError(f"site {name} ({config.schedule!r}): {first}") from None
    return deployments


def ensure_process_pool(name: str) -> None:
    """Create a process work pool called ``name`` unless one exists."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=name,
                    type="process",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )


def api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url
