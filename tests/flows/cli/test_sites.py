import shutil
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT
from flows.cli import main


def test_sites_lists_niaga(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sites"]) == 0
    out = capsys.readouterr().out
    assert "niaga" in out and "https://www.niaga.asia" in out


def test_sites_reports_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "bad.yaml").write_text("base_url: ftp://nowhere\n")
    monkeypatch.setenv("WARTA_CONFIG_DIR", str(tmp_path))
    assert main(["sites"]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "field 'base_url'" in err


def test_sites_shows_schedule_replica_only_and_groups(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sites"]) == 0
    lines = capsys.readouterr().out.splitlines()
    by_name = {line.split()[0]: line for line in lines}
    assert by_name["hostile"].endswith("(no schedule)  (replica only: not deployed unless named)")
    assert by_name["kabarbenua"].endswith("41 */4 * * *  (replica only: not deployed unless named)")
    assert by_name["niaga"].endswith("Asia/Makassar    17 */6 * * *")
    assert lines[-1] == "group Kalimantan Timur: niaga, kabarbenua"


def test_a_broken_file_does_not_hide_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    shutil.copytree(PACKAGE_ROOT / "config", config)
    (config / "sites" / "aaa.yaml").write_text("base_url: ftp://nowhere\n")  # listed first
    monkeypatch.setenv("WARTA_CONFIG_DIR", str(config))
    assert main(["sites"]) == 1
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()] == ["hostile", "kabarbenua", "niaga",
                                                             "group"]  # fmt: skip
    assert err.count("INVALID") == 1 and "aaa.yaml" in err
    assert main(["sites", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "aaa.yaml" in err
    settings = config / "settings.yaml"
    settings.write_text(settings.read_text().replace("[niaga, kabarbenua]", "[niaga, nowhere]"))
    assert main(["sites", "--quiet"]) == 1  # a broken file and a broken group: still a failure
    err = capsys.readouterr().err
    assert err.count("INVALID") == 2 and "nowhere" in err
    assert main(["sites"]) == 1  # not quiet: the sites are listed, the broken group is not
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()] == ["hostile", "kabarbenua", "niaga"]
    assert err.count("INVALID") == 2 and "failed" not in err
