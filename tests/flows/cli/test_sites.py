from pathlib import Path

import pytest

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
