"""What ``warta archive`` checks before any work: by default the storage must answer and a
real site's owners are warned when warta's own address is the contact."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config.operator import contact_warning
from crawler.config.sites import ConfigError
from flows.preflight import check_archive_inputs, check_data_dir, check_storage


def test_unreachable_storage_is_refused_unless_reaching_it_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    unwritable = str(tmp_path / "a-file" / "archive")  # no folder can be made under a file
    with pytest.raises(ConfigError, match=r"^storage: "):
        check_storage(unwritable)
    check_storage(unwritable, reach=False)  # only the address is checked
    data = str(tmp_path / "data")
    with pytest.raises(ConfigError, match=r"^storage: "):
        check_archive_inputs("niaga", storage=unwritable, data_dir=data, warn=False)
    config = check_archive_inputs(
        "niaga", storage=unwritable, data_dir=data, reach_storage=False, warn=False
    )
    assert config.name == "niaga"


def test_the_default_contact_is_warned_about_for_a_real_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kw = {"storage": str(tmp_path / "archive"), "data_dir": str(tmp_path / "data")}
    check_archive_inputs("niaga", warn=False, **kw)  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""
    config = check_archive_inputs("niaga", **kw)  # type: ignore[arg-type]
    assert capsys.readouterr().err == f"{contact_warning('niaga', config.base_url)}\n"
    check_archive_inputs("niaga", base_url="http://127.0.0.1:8765", **kw)  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""  # a local replica has no owners to reach


def test_a_missing_data_folder_is_made_with_its_parents(tmp_path: Path) -> None:
    folder = tmp_path / "srv" / "warta" / "data"
    assert check_data_dir(folder) == folder and folder.is_dir()
    assert check_data_dir(folder) == folder  # there already: fine


def test_unset_inputs_come_from_the_operator_settings_and_each_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARTA_DATA_DIR", str(tmp_path / "settings-data"))
    monkeypatch.setenv("WARTA_STORAGE", str(tmp_path / "settings-archive"))
    check_archive_inputs("niaga", warn=False)
    assert (tmp_path / "settings-data").is_dir()
    given = tmp_path / "given" / "data"
    check_archive_inputs("niaga", data_dir=str(given), warn=False)
    assert given.is_dir()  # the folder given is the one checked
    with pytest.raises(ConfigError, match="base_url"):
        check_archive_inputs("niaga", base_url="ftp://example.invalid/", warn=False)
