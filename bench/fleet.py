"""``make fleet``: a Prefect work pool of two workers sharing one archive, on one machine.

It starts a Prefect server, SeaweedFS (unless ``--storage`` names a bucket already), the
bundled replicas of every site, a process work pool and two workers, each with a data
folder of its own; deploys every site against its replica; runs two rounds of every site
(the replicas grow by 5 articles in between) and SIGKILLs one worker, with the flow run
it is executing, in the middle of round 1. A run lost with its worker is marked Crashed
and its site is run again in the same round, on whichever worker is left. The last line
printed is JSON: ``{"workers": 2, "killed": ..., "storage": ..., "runs": [...]}``.
Everything it starts, it stops (by PID, in ``finally``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from crawler.config.sites import load_site, site_names
from crawler.layout import ARTICLES_FILE
from crawler.settings import POLITENESS_OFF
from flows.storage import open_storage

BIN = Path(sys.executable).parent
POOL = "warta-fleet"
FAST_CRAWL = {**POLITENESS_OFF, "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "WARTA_PROGRESS_INTERVAL": 0}
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def process(
    command: list[str], log: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """A child in a process group of its own, stopped (group-wide) when the block ends."""
    with log.open("ab") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # fmt: skip
    try:
        yield proc
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes], grace: float = 20) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever the group still holds
    proc.wait()


def start_seaweed(stack: ExitStack, base: Path, env: dict[str, str]) -> dict[str, str]:
    """``weed mini`` on loopback with authentication on; returns the AWS_* variables."""
    access, secret = "FLEET" + secrets.token_hex(6).upper(), secrets.token_urlsafe(24)
    identity = {
        "name": "fleet",
        "credentials": [{"accessKey": access, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List"],
    }
    config = {"identities": [identity]}
    for sub in ("data", "logs", "tmp"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    (base / "s3.json").write_text(json.dumps(config))
    flags = [f"{part}.port{grpc}" for part in ("master", "volume", "filer", "s3", "admin")
             for grpc in ("", ".grpc")]  # fmt: skip
    ports = {flag: free_port() for flag in flags}
    command = [str(BIN / "weed"), f"-logdir={base / 'logs'}", "mini", f"-dir={base / 'data'}",
               "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-webdav=false", "-admin.ui=false",
               "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={base / 's3.json'}",
               f"-s3.localSocket={base / 'tmp' / 's3.sock'}",
               f"-filer.localSocket={base / 'tmp' / 'filer.sock'}", "-master.telemetry=false",
               *(f"-{flag}={port}" for flag, port in ports.items())]  # fmt: skip
    weed = stack.enter_context(
        process(command, base / "weed.log", {**env, "TMPDIR": str(base / "tmp")})
    )
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    wait_healthy(f"{endpoint}/healthz", weed)
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": access,
            "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


def grow(server: Any, kind: str, articles: int) -> None:
    """Publish 5 more articles on a running replica: the same site, newer articles added."""
    from replica.cache import ByteLRU

    if kind == "portal":
        from replica.portal.content import build_portal

        server.portal = server.httpd.portal = server.httpd.site = build_portal(articles)
    else:
        from replica.content import build_site

        server.site = server.httpd.site = build_site(articles)
    server.httpd.cache = ByteLRU(server.httpd.cache.max_bytes)


def deploy(sites: dict[str, str], storage: str) -> None:
    from flows.deploy import build_deployments, ensure_process_pool

    ensure_process_pool(POOL)
    for site, base_url in sites.items():
        made = build_deployments(
            [site], work_pool=POOL, storage=storage, base_url=base_url, crawl_settings=FAST_CRAWL
        )
        for deployment in made:
            deployment.parameters.pop("data_dir", None)  # each worker's own WARTA_DATA_DIR
            deployment.parameters["lease_wait"] = 300
            deployment.parameters["lease_seconds"] = 60
            deployment.apply(work_pool_name=POOL)


def client() -> Any:
    from prefect import get_client

    return get_client(sync_client=True)


def submit(site: str) -> Any:
    from prefect.deployments import run_deployment

    return run_deployment(f"archive-site/{site}", timeout=0).id  # type: ignore[union-attr]


def flow_run(run_id: Any) -> Any:
    with client() as api:
        return api.read_flow_run(run_id)


def worker_of(run: Any) -> str:
    labels = getattr(run, "labels", None) or {}
    return str(labels.get("prefect.worker.name") or "?")


def new_articles(storage: Any, site: str, after: set[str]) -> tuple[int, set[str]]:
    """Sum of ``new_articles`` over the site's crawls stored since ``after`` was taken."""
    from flows.archives.catalog import find_crawls
    from flows.storage.manifest import parse_manifest

    refs = find_crawls(storage, site=site)
    total = 0
    for ref in refs:
        if ref.key not in after:
            total += parse_manifest(storage.get_bytes(ref.key), ref.key).counts.get(
                "new_articles", 0
            )
    return total, {ref.key for ref in refs}


def run_round(round_no: int, sites: list[str], storage: Any, kill: Any) -> list[dict[str, Any]]:
    """Run every site once; ``kill`` (if given) is called once the first run is crawling."""
    before = {site: new_articles(storage, site, set())[1] for site in sites}
    pending = {submit(site): site for site in sites}
    runs: list[dict[str, Any]] = []
    killed_at: float | None = None
    while pending:
        time.sleep(2)
        for run_id, site in list(pending.items()):
            run = flow_run(run_id)
            state = run.state.type.value if run.state else "PENDING"
            if kill and killed_at is None and state == "RUNNING" and time.monotonic():
                time.sleep(8)  # well into the crawl
                victim = kill(worker_of(flow_run(run_id)))
                killed_at = time.monotonic() if victim else None
                kill = None
                continue
            lost = killed_at is not None and state == "RUNNING" and worker_of(run) == KILLED[0]
            if lost:
                mark_crashed(run_id)
                state = "CRASHED"
            if state in FINAL:
                del pending[run_id]
                runs.append({"site": site, "round": round_no, "state": state,
                             "worker": worker_of(run), "articles_new": None})  # fmt: skip
                if state != "COMPLETED":
                    pending[submit(site)] = site  # the site still completes in this round
    for entry in runs:
        if entry["state"] == "COMPLETED":
            entry["articles_new"] = new_articles(storage, entry["site"], before[entry["site"]])[0]
    return runs


KILLED: list[str] = [""]


def mark_crashed(run_id: Any) -> None:
    """The worker running it was killed with it: nobody will report its end, so we do."""
    from prefect.states import Crashed

    with client() as api:
        api.set_flow_run_state(run_id, Crashed(message="its worker was killed"), force=True)


def article_duplicates(storage: Any, site: str) -> tuple[int, int]:
    urls: list[str] = []
    for info in storage.list(f"{site}/"):
        if info.key.endswith("-" + ARTICLES_FILE):
            for line in storage.get_bytes(info.key).decode().splitlines():
                if line.strip():
                    urls.append(json.loads(line)["url"])
    return len(set(urls)), len(urls) - len(set(urls))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fleet", description=__doc__.splitlines()[0])
    parser.add_argument("--storage", default="", help="s3://bucket/prefix (default: SeaweedFS)")
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    from replica.catalog import build_replica

    work = args.workdir or Path(tempfile.mkdtemp(prefix="warta-fleet-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(work / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "2"}  # fmt: skip
    print(f"fleet: working in {work}", flush=True)
    with ExitStack() as stack:
        port = free_port()
        server = stack.enter_context(process(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            work / "prefect-server.log", env))  # fmt: skip
        env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        wait_healthy(f"{env['PREFECT_API_URL']}/health", server)
        storage_uri = args.storage
        if not storage_uri:
            env |= start_seaweed(stack, work / "seaweed", env)
            storage_uri = "s3://warta-fleet/archive"
        os.environ.update(env)
        if not args.storage:
            import boto3

            boto3.client("s3").create_bucket(Bucket="warta-fleet")
        sites = {name: load_site(name).replica or name for name in site_names()}
        servers = {}
        for site, kind in sites.items():
            servers[site] = stack.enter_context(build_replica(kind, args.articles, port=0))
        replicas = ", ".join(s.base_url for s in servers.values())
        print(f"fleet: Prefect {env['PREFECT_API_URL']}, storage {storage_uri}, "
              f"replicas {replicas}", flush=True)  # fmt: skip
        deploy({site: servers[site].base_url for site in sites}, storage_uri)
        workers = {}
        for name in ("worker-1", "worker-2"):
            worker_env = {**env, "WARTA_DATA_DIR": str(work / name)}
            workers[name] = stack.enter_context(process(
                [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--name", name,
                 "--type", "process"], work / f"{name}.log", worker_env))  # fmt: skip

        def kill(name: str) -> str | None:
            proc = workers.get(name)
            if proc is None:
                return None
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and the flow run it started
            KILLED[0] = name
            print(f"fleet: SIGKILL {name} (pid {proc.pid}) in the middle of round 1", flush=True)
            return name

        storage = open_storage(storage_uri)
        runs = run_round(1, list(sites), storage, kill)
        for site, kind in sites.items():
            grow(servers[site], kind, args.articles + 5)
        runs += run_round(2, list(sites), storage, None)
        for entry in runs:
            print(f"round {entry['round']} {entry['site']:12} {entry['state']:10} "
                  f"on {entry['worker']:9} new articles: {entry['articles_new']}")  # fmt: skip
        from flows.archives.catalog import verify_archive

        report = verify_archive(storage)
        for site in sites:
            unique, twice = article_duplicates(storage, site)
            print(f"{site}: {unique} articles stored, {twice} archived twice")
        print(f"verify: {report.crawls} crawls, {report.files} files, "
              f"{len(report.problems)} problems")  # fmt: skip
        print(json.dumps({"workers": len(workers), "killed": KILLED[0] or None,
                          "storage": storage_uri, "runs": runs}))  # fmt: skip
        return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
