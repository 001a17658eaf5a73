"""Replay WARCs in pywb, as a researcher would, and compare what comes back.

pywb cannot share a venv with Prefect (it pins redis 2.10), so it lives in ``.venv-pywb``,
built on first use by ``make .venv-pywb/.installed``. A test module provides a module-scoped
``replay_source`` fixture returning ``(warc_paths, {url: payload_bytes})``: the payload is
the body as archived (de-chunked, still gzip if the server sent gzip), which an ``id_``
replay must return byte for byte. The ``replay`` fixture turns it into two pywb
collections served by one ``wayback`` process:

* ``C``, made the standard way: ``wb-manager init C`` and ``wb-manager add C <warcs>``;
* ``W``, the same WARCs with the CDXJ index warta builds (``crawler.warc.indexing``),
  which checks that pywb reads warta's index.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.warc.indexing import build_cdxj
from tests.ports import PortTaken, bind_failed, start_on_fresh_ports
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
PYWB_VENV = Path(os.environ.get("WARTA_PYWB_VENV", REPO / ".venv-pywb"))
STANDARD = "C"  # collection indexed by pywb's own wb-manager
WARTA = "W"  # collection served from warta's CDXJ index


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class ReplayArchive:
    base_url: str
    warcs: list[Path]
    expected: Mapping[str, bytes]
    timestamps: dict[str, str] = field(default_factory=dict)  # url -> 14-digit capture time

    def url(self, url: str, mode: str = "id_", collection: str = STANDARD) -> str:
        return f"{self.base_url}/{collection}/{self.timestamps[url]}{mode}/{url}"

    def get(self, url: str, mode: str = "id_", collection: str = STANDARD) -> Fetched:
        # Accept-Encoding: gzip makes pywb pass a gzip body through untouched in id_ mode;
        # urllib never decodes it, so the bytes compared are the bytes sent.
        return http_get(self.url(url, mode, collection), {"Accept-Encoding": "gzip"})

    def get_path(self, path: str) -> Fetched:
        """GET a path on the wayback server, e.g. a rewritten link found in a replayed page."""
        return http_get(self.base_url + path)

    def mismatches(self, collection: str = STANDARD) -> list[str]:
        """Every expected URL whose id_ replay is not the archived payload byte for byte."""
        problems: list[str] = []
        for url, payload in self.expected.items():
            got = self.get(url, "id_", collection)
            if got.status != 200 or got.body != payload:
                problems.append(
                    f"{collection} {url}: status {got.status}, {len(got.body)} bytes "
                    f"(expected {len(payload)}), first bytes {got.body[:40]!r}"
                )
        return problems


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 30) -> Fetched:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Fetched(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as err:
        return Fetched(err.code, dict(err.headers.items()), err.read())


def capture_times(warcs: Sequence[Path], urls: Sequence[str]) -> dict[str, str]:
    """14-digit time of the last 2xx response for each URL (what pywb looks up)."""
    wanted = set(urls)
    found: dict[str, str] = {}
    for warc in warcs:
        with open(warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type != "response" or uri not in wanted:
                    continue
                if record.http_headers and record.http_headers.get_statuscode().startswith("2"):
                    found[uri] = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
    missing = wanted - set(found)
    assert not missing, f"no 2xx response archived for {sorted(missing)}"
    return found


# -- the pywb venv ------------------------------------------------------------------------
def _build_venv() -> None:
    lock_path = Path(tempfile.gettempdir()) / "warta-venv-pywb.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building it right now
        if (PYWB_VENV / ".installed").exists():
            return
        if shutil.which("make"):
            cmd = ["make", "-C", str(REPO), f"PYWB_VENV={PYWB_VENV}", f"{PYWB_VENV}/.installed"]
        else:  # the same steps as the Makefile target
            base = getattr(sys, "_base_executable", sys.executable)
            script = (
                f"rm -rf '{PYWB_VENV}' && '{base}' -m venv '{PYWB_VENV}' && "
                f"'{PYWB_VENV}/bin/pip' install --quiet pywb==2.10.0 warcio==1.8.1 && "
                f"touch '{PYWB_VENV}/.installed'"
            )
            cmd = ["sh", "-c", script]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0, f"building {PYWB_VENV} failed:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    """The bin folder of the pywb venv, built on first use."""
    if not (PYWB_VENV / ".installed").exists():
        _build_venv()
    return PYWB_VENV / "bin"


# -- collections and the wayback server ---------------------------------------------------
def _run(cmd: Sequence[str | Path], cwd: Path) -> None:
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"


def make_collections(bin_dir: Path, root: Path, warcs: Sequence[Path]) -> None:
    _run([bin_dir / "wb-manager", "init", STANDARD], root)
    _run([bin_dir / "wb-manager", "add", STANDARD, *warcs], root)
    coll = root / "collections" / WARTA
    (coll / "archive").mkdir(parents=True)
    (coll / "indexes").mkdir()
    for warc in warcs:
        shutil.copy2(warc, coll / "archive" / warc.name)
    build_cdxj(warcs, coll / "indexes" / "index.cdxj")


@dataclass
class Wayback:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_wayback(bin_dir: Path, root: Path, timeout: float = 60) -> Wayback:
    """Start ``wayback`` in ``root`` on a fresh loopback port (another if that one is taken
    by the time it binds); return once it answers."""
    return start_on_fresh_ports(lambda ports: _start_wayback(bin_dir, root, ports[0], timeout), 1)


def _start_wayback(bin_dir: Path, root: Path, port: int, timeout: float) -> Wayback:
    log = root / "wayback.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [str(bin_dir / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
            cwd=root,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = Wayback(process, f"http://127.0.0.1:{port}", log)

    def answers() -> bool:
        if process.poll() is not None:
            if bind_failed(log.read_text(errors="replace")):
                raise PortTaken(f"wayback could not bind port {port}")
            raise AssertionError(f"wayback exited with {process.returncode}:\n{log.read_text()}")
        try:
            return http_get(server.base_url + "/", timeout=2).status == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout, interval=0.2, what="wayback")
    except AssertionError as exc:
        if "timed out" in str(exc):
            server.stop()
            raise AssertionError(
                f"wayback did not answer within {timeout} s:\n{log.read_text()}"
            ) from None
        raise
    return server


@pytest.fixture(scope="module")
def replay(
    request: pytest.FixtureRequest, pywb_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReplayArchive]:
    """pywb serving the module's ``replay_source``; stopped (by PID) after the module."""
    source_warcs, expected = request.getfixturevalue("replay_source")
    warcs = [Path(w) for w in source_warcs]
    root = tmp_path_factory.mktemp("pywb")
    make_collections(pywb_bin, root, warcs)
    server = start_wayback(pywb_bin, root)
    try:
        yield ReplayArchive(
            base_url=server.base_url,
            warcs=warcs,
            expected=dict(expected),
            timestamps=capture_times(warcs, list(expected)),
        )
    finally:
        server.stop()
