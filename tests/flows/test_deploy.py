"""``warta deploy``: one deployment per site with its schedule, tags and a concurrency limit
of 1, served against a real ``prefect server`` that runs it into SeaweedFS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError, load_site
from flows.deploy import build_deployments, deployment_parameters, site_deployment
from tests.waiting import wait_until

T = TypeVar("T")
WARTA = Path(sys.executable).parent / "warta"


def test_deployments_carry_schedule_tags_limit_and_parameters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    [deployment] = build_deployments(
        ["niaga"], storage="archive", data_dir="data", base_url="http://127.0.0.1:9"
    )
    site = load_site("niaga")
    assert (deployment.flow_name, deployment.name) == ("archive-site", "niaga")
    assert deployment.entrypoint == "flows.archive_flow.archive_site"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == site.schedule
    assert schedule.schedule.timezone == "Asia/Makassar"
    assert deployment.tags == ["warta", "site:niaga"]
    assert deployment.concurrency_limit == 1
    assert deployment.concurrency_options.collision_strategy.value == "ENQUEUE"
    assert deployment.parameters == {
        "site": "niaga",
        "storage": str(tmp_path / "archive"),  # absolute: a worker has a cwd of its own
        "data_dir": str(tmp_path / "data"),
        "delete_local": False,
        "base_url": "http://127.0.0.1:9",
    }
    with pytest.raises(ValueError, match="one site"):
        build_deployments(["niaga", "niaga"], base_url="http://127.0.0.1:9")


def test_a_deployment_names_its_site_pool_and_overlap_rule(tmp_path: Path) -> None:
    config = load_site("niaga")
    parameters = deployment_parameters("niaga", storage=str(tmp_path / "a"))
    served = site_deployment(config, parameters)  # the defaults: served, later runs wait
    assert served.description == f"Crawl and archive Niaga.Asia ({config.base_url})"
    assert served.work_pool_name is None
    assert served.concurrency_options.collision_strategy.value == "ENQUEUE"
    unscheduled = site_deployment(config.model_copy(update={"schedule": None}), parameters)
    assert not unscheduled.schedules  # runs only when triggered

    [pooled] = build_deployments(
        ["niaga"], work_pool="warta-pool", on_overlap="cancel", storage=str(tmp_path / "a")
    )
    assert pooled.work_pool_name == "warta-pool"
    assert pooled.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    with pytest.raises(ValueError, match=r"^--base-url applies to one site; pick it with --sites$"):
        build_deployments(["niaga", "niaga"], base_url="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="base_url"):  # checked before anything is deployed
        build_deployments(["niaga"], base_url="ftp://example.invalid/")


def test_bad_arguments_fail_before_prefect_starts(capsys) -> None:
    from flows.cli import main

    assert main(["archive", "no_such_site"]) == 2
    assert "unknown site 'no_such_site'" in capsys.readouterr().err
    assert main(["archive", "niaga", "--set", "DOWNLOAD_DELAY"]) == 2
    assert "--set must be NAME=VALUE" in capsys.readouterr().err


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, alive: Any) -> T:
    def ready() -> T | None:
        if alive.poll() is not None:
            raise AssertionError(f"warta deploy exited with {alive.returncode} waiting for {what}")
        return probe()

    return wait_until(ready, timeout, interval=0.5, what=what)


@pytest.fixture
def serve(prefect_server, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``warta deploy ...`` (register and serve) against ``prefect_server``."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            **prefect_server.env(),
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "WARTA_DATA_DIR": str(tmp_path / "data"),
        }
        log = (tmp_path / "serve.log").open("ab")
        process = subprocess.Popen(
            [str(WARTA), "deploy", *args],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True,
        )  # fmt: skip
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # serve pauses its schedules and stops
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group this test started
                process.wait(10)


@pytest.mark.slow
def test_served_deployment_runs_once_at_a_time_into_s3(
    prefect_server, serve, niaga_replica, fast_crawl, s3_target, tmp_path: Path
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import temporary_settings

    from flows.archives import find_crawls, verify_archive
    from flows.archives.query import find_index_files
    from flows.storage import open_storage

    args = ["--sites", "niaga", "--storage", s3_target.uri, "--base-url", niaga_replica.base_url]
    args += [f"--set={k}={v}" for k, v in fast_crawl.items()]
    process = serve(*args, "--on-overlap", "cancel")
    with (
        temporary_settings(updates={"api.url": prefect_server.api_url}),
        get_client(sync_client=True) as client,
    ):

        def deployment() -> Any:
            try:
                return client.read_deployment_by_name("archive-site/niaga")
            except ObjectNotFound:
                return None

        found = wait_for("the deployment", deployment, 120, process)
        assert found.tags == ["warta", "site:niaga"]
        assert found.global_concurrency_limit.limit == 1
        assert found.schedules[0].schedule.cron == load_site("niaga").schedule
        assert found.parameters["base_url"] == niaga_replica.base_url

        # Two runs asked for at once: the server lets one run and cancels the other.
        runs = [client.create_flow_run_from_deployment(found.id) for _ in range(2)]

        def finished_runs(runs: list[Any]) -> list[Any] | None:
            states = [client.read_flow_run(run.id) for run in runs]
            return states if all(s.state and s.state.is_final() for s in states) else None

        done = wait_for("both flow runs", lambda: finished_runs(runs), 240, process)
        by_state = {run.state.type: run for run in done}
        assert set(by_state) == {StateType.COMPLETED, StateType.CANCELLED}, [
            (r.state.type, r.state.message) for r in done
        ]
        completed = by_state[StateType.COMPLETED]
        assert "site:niaga" in completed.tags
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[completed.id]))
        )
        assert [a.key for a in artifacts] == ["warta-niaga"]
        markdown = str(artifacts[0].data)

        # The compaction deployment, on its own schedule, merges the stored crawl's index.
        compaction = client.read_deployment_by_name("compact-index/archive")
        assert compaction.parameters == {"storage": s3_target.uri}
        assert compaction.schedules[0].schedule.cron == load_operator_settings().compact_schedule
        run = client.create_flow_run_from_deployment(compaction.id)
        [compacted] = wait_for("the compaction run", lambda: finished_runs([run]), 240, process)
        assert compacted.state.type == StateType.COMPLETED, compacted.state.message

    storage = open_storage(s3_target.uri)
    [crawl] = find_crawls(storage, site="niaga")
    assert crawl.crawl_id in markdown
    assert s3_target.server.secret_key not in markdown
    report = verify_archive(storage, deep=True)
    assert report.ok and report.crawls == 1 and report.files >= 7
    files = find_index_files(storage)
    assert (files.crawls, files.compacted, files.generation) == (1, 1, 1)
    assert list((tmp_path / "data" / "crawls" / "niaga").iterdir())  # the serve env's data dir
