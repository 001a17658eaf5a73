"""``warta demo``: end to end as ``make demo`` runs it (replica, flow, local archive, summary;
slow), and its input check before any work (fast): the data folder and the storage it checks,
and so uses, are the ones given on its command line, and the replica it stands in for the site
is on loopback, so no site owner is warned about."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT, ConfigError
from flows.cli.demo import preflight
from flows.cli.main import build_parser


def run_demo(data: Path, archive: Path) -> subprocess.CompletedProcess[str]:
    warta = Path(sys.executable).parent / "warta"
    return subprocess.run(
        [str(warta), "demo", "--articles", "12", "--port", "0", "--data", str(data),
         "--storage", str(archive)],
        cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )  # fmt: skip


@pytest.mark.slow
def test_demo_archives_the_replica_locally(tmp_path: Path) -> None:
    data, archive = tmp_path / "data", tmp_path / "archive"
    proc = run_demo(data, archive)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "articles        12 (12 new)" in proc.stdout
    # Piped, the crawl's progress comes as plain lines; the printed check command passes.
    assert "progress: " in proc.stdout and "\x1b[" not in proc.stdout
    check = next(line for line in proc.stdout.splitlines() if line.startswith("check it:"))
    verify = subprocess.run(check.split(":", 1)[1].split(), cwd=PACKAGE_ROOT,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert verify.returncode == 0, verify.stdout[-2000:]
    manifests = list(archive.rglob("*.manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    kinds = {f["kind"] for f in manifest["files"]}
    assert {"warc", "cdxj", "parquet", "jsonl"} <= kinds and "wacz" not in kinds
    for entry in manifest["files"]:
        assert (archive / entry["key"]).stat().st_size == entry["size"]
    assert any(
        f["name"].endswith(".warc.gz") and f["key"].endswith(f["name"]) for f in manifest["files"]
    )

    # The ecosystem's own tools accept what the demo produced.
    bin_dir = Path(sys.executable).parent
    folder = next((data / "crawls" / "niaga").iterdir())
    warcs = sorted(folder.glob("*.warc.gz"))
    for cmd in (
        [bin_dir / "warcio", "check", *warcs],
        [bin_dir / "warta", "verify", folder],
    ):
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (cmd, proc.stdout[-2000:], proc.stderr[-2000:])
    index_lines = (next(folder.glob("*.cdxj"))).read_text().splitlines()
    summary = json.loads((folder / "crawl-summary.json").read_text())
    assert len(index_lines) == summary["pages"]  # one line per response (no revisits yet)


@pytest.mark.slow
def test_demo_on_a_terminal_shows_a_live_panel(tmp_path: Path) -> None:
    from tests.terminal import read_pty

    warta = Path(sys.executable).parent / "warta"
    code, out = read_pty(
        [
            str(warta),
            "demo",
            "--articles",
            "12",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            "--storage",
            str(tmp_path / "archive"),
        ],
        timeout=900,
    )
    assert code == 0, out[-3000:]
    assert "\x1b[" in out  # redrawn in place
    for label in ("pages", "articles", "queue", "failures", "WARC"):
        assert label in out
    assert "progress: " not in out  # no plain lines on a terminal


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The operator's own data folder and storage; the project's contact address (the one a
    real site would be warned about); the current folder a scratch one."""
    monkeypatch.setenv("WARTA_DATA_DIR", str(tmp_path / "env-data"))
    monkeypatch.setenv("WARTA_STORAGE", str(tmp_path / "env-archive"))
    monkeypatch.delenv("WARTA_OPERATOR_CONTACT", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def demo_args(*argv: str) -> argparse.Namespace:
    return build_parser("demo").parse_args(["demo", *argv])


def test_the_folders_given_are_the_ones_checked(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, archive = env / "data", env / "archive"
    site = preflight(demo_args("--data-dir", str(data), "--storage", str(archive), "--port", "0"))
    assert site.name == "niaga"
    # Checking a folder makes it: the given ones are made, the operator's are not.
    assert data.is_dir() and archive.is_dir()
    assert sorted(p.name for p in env.iterdir()) == ["archive", "data"]
    assert capsys.readouterr().err == ""  # the replica's loopback address: no contact warning


def test_without_options_the_operator_settings_are_checked(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preflight(demo_args()).name == "niaga"
    assert sorted(p.name for p in env.iterdir()) == ["env-archive", "env-data"]
    assert capsys.readouterr().err == ""


def test_one_article_is_enough(env: Path) -> None:
    assert preflight(demo_args("--articles", "1")).name == "niaga"


@pytest.mark.parametrize(
    ("option", "message"),
    [("--data-dir", "data folder {}: cannot create it"), ("--storage", "storage: ")],
)
def test_an_unusable_folder_given_is_refused(env: Path, option: str, message: str) -> None:
    taken = env / "a-file"
    taken.write_text("not a folder")
    with pytest.raises(ConfigError, match="^" + re.escape(message.format(taken))):
        preflight(demo_args(option, str(taken)))
