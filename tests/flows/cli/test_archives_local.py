"""``warta archives`` list / download / verify / presign on a local archive of two crawls:
which crawls each action's --site/--since/--until selects, what is printed (the list's
columns and total, verify's verdict), exit 1 for a refused manifest, the download's
progress bar and its WACZ. Fast: no S3 server (test_archives_stored.py runs on both)."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from flows.cli import main
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from tests.flows.cli.test_archives_stored import real_warc

NIAGA = "20261127T101500Z"  # site niaga, stored on 2026-11-27
OTHER = "20261129T080000Z"  # site kabarbenua, stored on 2026-11-29
HEADER = f"{'DATE':<10}  {'SITE':<12}  {'CRAWL':<16}  {'FILES':>5}  {'SIZE':>10}"


@pytest.fixture
def archive(tmp_path: Path, make_crawl: Callable[..., Path]) -> str:
    uri = str(tmp_path / "archive")
    storage = open_storage(uri)
    store_crawl(make_crawl(NIAGA, large=False), storage, "niaga", NIAGA, date(2026, 11, 27))
    store_crawl(make_crawl(OTHER, large=False), storage, "kabarbenua", OTHER, date(2026, 11, 29))
    return uri


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["archives", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: pytest.CaptureFixture[str], uri: str, window: list[str], _: Path) -> set[str]:
    code, out, _err = run(capsys, "list", uri, "--json", *window)
    assert code == 0
    return {json.loads(line)["crawl_id"] for line in out.splitlines()}


def downloaded(
    capsys: pytest.CaptureFixture[str], uri: str, window: list[str], tmp: Path
) -> set[str]:
    code, _out, _err = run(capsys, "download", uri, str(tmp / "dest"), "--no-progress", *window)
    assert code == 0
    return {p.name for p in (tmp / "dest").glob("*/*")}


def verified(capsys: pytest.CaptureFixture[str], uri: str, window: list[str], _: Path) -> int:
    code, out, _err = run(capsys, "verify", uri, *window)
    assert code == 0 and out.startswith("OK: "), out
    return int(out.removeprefix("OK: ").split()[0])  # verify names no crawl: it counts them


def presigned(capsys: pytest.CaptureFixture[str], uri: str, window: list[str], _: Path) -> set[str]:
    code, out, _err = run(capsys, "presign", uri, *window)
    assert code == 0
    return {crawl for crawl in (NIAGA, OTHER) if crawl in out}


@pytest.mark.parametrize("action", [listed, downloaded, verified, presigned],
                         ids=["list", "download", "verify", "presign"])  # fmt: skip
@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ([], {NIAGA, OTHER}),
        (["--site", "niaga"], {NIAGA}),
        (["--site", "kabarbenua"], {OTHER}),
        (["--since", "2026-11-28"], {OTHER}),
        (["--until", "2026-11-28"], {NIAGA}),
        (["--since", "2026-11-28", "--until", "2026-11-28"], set()),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_each_action_takes_the_crawls_its_filters_select(
    action: Callable[..., set[str] | int],
    window: list[str],
    expected: set[str],
    archive: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    got = action(capsys, archive, window, tmp_path)
    assert got == (len(expected) if action is verified else expected)


def test_list_prints_a_table_and_its_total(
    archive: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "list", archive)
    assert code == 0
    assert out.splitlines()[0] == HEADER
    assert [line.split()[:3] for line in out.splitlines()[1:]] == [
        ["2026-11-27", "niaga", NIAGA], ["2026-11-29", "kabarbenua", OTHER],
    ]  # fmt: skip
    rows = run(capsys, "list", archive, "--json")[1].splitlines()
    total = sum(json.loads(row)["bytes"] for row in rows)
    assert err.startswith("2 crawl(s), ") and err.endswith(f" ({total} bytes)\n"), err

    # An empty archive: the header alone, the crawl column as wide as its title needs.
    (tmp_path / "empty").mkdir()
    assert run(capsys, "list", str(tmp_path / "empty")) == (
        0, "DATE        SITE          CRAWL     FILES        SIZE\n", "0 crawl(s), 0 B (0 bytes)\n"
    )  # fmt: skip


def refuse_manifest(uri: str, crawl_id: str) -> None:
    """Overwrite one stored manifest with text that is no manifest."""
    (path,) = Path(uri).rglob(f"{crawl_id}.manifest.json")
    path.write_text("{}")


@pytest.mark.parametrize("action", ["list", "verify", "presign"])  # download: exit 2, refused
def test_a_refused_manifest_is_a_problem_exit_1(
    action: str, archive: str, capsys: pytest.CaptureFixture[str]
) -> None:
    refuse_manifest(archive, OTHER)
    code, out, _err = run(capsys, action, archive)
    assert code == 1, out
    assert any(line.startswith("PROBLEM ") and OTHER in line for line in out.splitlines()), out


def test_verify_says_what_it_checked(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "verify", archive)
    assert code == 0
    assert out.startswith("OK: 2 crawl(s), 12 file(s), ")
    assert "checked (size and recorded sha256; --deep re-hashes); 0 problem(s) in " in out
    # The test crawls' WARCs hold no WARC records: read back, they fail.
    code, out, _err = run(capsys, "verify", archive, "--deep")
    assert code == 1
    (verdict,) = [line for line in out.splitlines() if not line.startswith("PROBLEM ")]
    assert verdict.startswith("FAILED: 2 crawl(s), 12 file(s), ")
    assert " checked (content re-hashed); " in verdict


def test_verify_notes_a_stray_object_on_stderr_without_failing(
    archive: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_storage(archive).put_bytes("niaga/2026/11/27/left-behind.warc.gz", b"x")
    code, out, err = run(capsys, "verify", archive)
    assert code == 0 and out.startswith("OK: "), out
    assert "note:" not in out  # stdout is the verdict and problems, for scripts
    assert err == (
        "note: 1 object(s) belong to no manifest (an unfinished upload?), "
        "e.g. niaga/2026/11/27/left-behind.warc.gz\n"
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("flags", "bar"), [([], True), (["--no-progress"], False)])
def test_download_draws_a_progress_bar_on_a_terminal_unless_told_not_to(
    flags: list[str], bar: bool, archive: str, tmp_path: Path
) -> None:
    terminal = Terminal()
    with contextlib.redirect_stderr(terminal), contextlib.redirect_stdout(io.StringIO()):
        assert main(["archives", "download", archive, str(tmp_path / "dest"), *flags]) == 0
    assert ("download: 100%" in terminal.getvalue()) is bar, terminal.getvalue()


def test_download_packages_each_crawl_as_a_wacz_when_asked(
    make_crawl: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_crawl(NIAGA, large=False)
    for warc in folder.glob("*.warc.gz"):  # a WACZ is made of readable WARCs
        real_warc(warc, 2)
    uri = str(tmp_path / "archive")
    store_crawl(folder, open_storage(uri), "niaga", NIAGA, date(2026, 11, 27))
    wacz = Path("niaga", NIAGA, f"warta-niaga-{NIAGA}.wacz")
    plain, packaged = tmp_path / "plain", tmp_path / "packaged"
    code, out, _err = run(capsys, "download", uri, str(plain), "--no-progress")
    assert code == 0 and "1 crawl(s), 6 file(s): 6 downloaded" in out
    assert not (plain / wacz).exists()
    code, out, err = run(capsys, "download", uri, str(packaged), "--no-progress", "--wacz")
    assert code == 0, out + err
    assert "1 crawl(s), 7 file(s): 7 downloaded" in out and (packaged / wacz).is_file()
