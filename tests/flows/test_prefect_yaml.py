"""``prefect.yaml`` (for ``prefect deploy``) says what ``warta deploy`` builds from the site
files: Prefect's own model accepts it, and each deployable site is in it with its cron,
time zone, tags and concurrency limit; replica-only sites are not."""

from __future__ import annotations

import importlib
from typing import Any

import yaml

from crawler.config.sites import PACKAGE_ROOT, load_site
from flows.deploy import deployable_sites, site_tags


def load_prefect_yaml() -> Any:
    from prefect.cli.deploy._models import PrefectYamlModel

    raw = yaml.safe_load((PACKAGE_ROOT / "prefect.yaml").read_text())
    return PrefectYamlModel.model_validate(raw)


def test_prefect_yaml_matches_the_site_files() -> None:
    model = load_prefect_yaml()
    by_name = {d.name: d for d in model.deployments}
    assert set(by_name) == set(deployable_sites())
    assert "kabarbenua" not in by_name  # replica_only
    for name, deployment in by_name.items():
        site = load_site(name)
        path, _, function = deployment.entrypoint.partition(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert getattr(module, function).name == "archive-site"
        assert deployment.parameters == {"site": name}
        [schedule] = deployment.schedules
        assert (schedule.cron, schedule.timezone) == (site.schedule, site.timezone)
        assert deployment.tags == site_tags(name)
        limit = deployment.concurrency_limit
        assert (limit.limit, limit.collision_strategy) == (1, "ENQUEUE")
        assert deployment.work_pool.name == "warta"
