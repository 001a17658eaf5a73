"""config/settings.yaml: where data goes, who operates the crawl, named groups of sites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.config.operator import (
    DEFAULT_CONTACT,
    ENV_OVERRIDES,
    contact_warning,
    is_local_address,
    load_operator_settings,
    site_groups,
)
from crawler.config.sites import ConfigError


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty config folder, named by WARTA_CONFIG_DIR, and no WARTA_* overrides."""
    for env in ENV_OVERRIDES:
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("WARTA_CONFIG_DIR", str(tmp_path))
    (tmp_path / "sites").mkdir()
    for name in ("alpha", "beta"):
        (tmp_path / "sites" / f"{name}.yaml").write_text(f"base_url: https://{name}.example\n")
    return tmp_path


def test_no_settings_file_gives_the_defaults(config: Path) -> None:
    settings = load_operator_settings()
    assert settings.data_dir == Path("data") and settings.storage == "data/archive"
    assert settings.operator_contact == DEFAULT_CONTACT and settings.groups == {}


def test_environment_overrides_the_file(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (config / "settings.yaml").write_text("operator: files\nstorage: /from/file\n")
    monkeypatch.setenv("WARTA_DATA_DIR", "/srv/warta")
    monkeypatch.setenv("WARTA_OPERATOR", "Kantor Arsip")
    monkeypatch.setenv("WARTA_OPERATOR_CONTACT", "arsip@example.org")
    monkeypatch.setenv("WARTA_WARC_MAX_BYTES", "2000000")
    monkeypatch.setenv("WARTA_STORAGE", "")  # empty: the file's value stays
    settings = load_operator_settings()
    assert settings.data_dir == Path("/srv/warta") and settings.operator == "Kantor Arsip"
    assert settings.operator_contact == "arsip@example.org" and settings.warc_max_bytes == 2_000_000
    assert settings.storage == "/from/file"


def test_an_invalid_settings_file_names_file_and_field(config: Path) -> None:
    (config / "settings.yaml").write_text("compact_max_parts: 0\n")
    with pytest.raises(ConfigError) as failure:
        load_operator_settings(config)
    assert str(failure.value).startswith(f"{config / 'settings.yaml'}: invalid operator settings\n")
    assert "field 'compact_max_parts'" in str(failure.value)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("{' ': [alpha]}", "group name ' ': 1 to 80 characters"),
        (f"{{{'x' * 81}: [alpha]}}", f"group name '{'x' * 81}': 1 to 80 characters"),
        ("{Timur: []}", "group 'Timur' lists no site"),
        ("{Timur: [alpha, ../beta]}", "group 'Timur': '../beta' is not a site name"),
    ],
)
def test_a_bad_group_is_refused(config: Path, groups: str, message: str) -> None:
    (config / "settings.yaml").write_text(f"groups: {groups}\n")
    with pytest.raises(ConfigError, match=re.escape(f"field 'groups': {message}")):
        load_operator_settings()


def test_groups_list_configured_sites(config: Path) -> None:
    name = "K" * 80  # the longest name allowed
    (config / "settings.yaml").write_text(f"groups: {{{name}: [alpha, beta], Dua: [beta]}}\n")
    assert site_groups() == {name: ["alpha", "beta"], "Dua": ["beta"]}
    assert site_groups(config) == site_groups()


def test_groups_of_another_config_folder(
    config: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``root`` wins over WARTA_CONFIG_DIR: its settings and its site files."""
    other = tmp_path_factory.mktemp("other")
    (other / "sites").mkdir()
    (other / "sites" / "gamma.yaml").write_text("base_url: https://gamma.example\n")
    (other / "settings.yaml").write_text("groups: {Tiga: [gamma]}\n")
    (config / "settings.yaml").write_text("groups: {Satu: [alpha]}\n")
    assert site_groups(other) == {"Tiga": ["gamma"]}
    assert site_groups() == {"Satu": ["alpha"]}


def test_a_group_member_without_a_site_file_is_named(config: Path) -> None:
    (config / "settings.yaml").write_text("groups: {Timur: [alpha, gamma]}\n")
    with pytest.raises(ConfigError) as failure:
        site_groups(config)
    assert str(failure.value) == (
        f"{config / 'settings.yaml'}: field 'groups.Timur.1': no site file "
        "config/sites/gamma.yaml (known: alpha, beta)"
    )


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:8000/", True), ("http://news.test/", True),
        ("http://a.localhost/", True), ("https://x.invalid", True), ("http://y.example", True),
        ("http://127.0.0.1:8765", True), ("http://10.1.2.3/", True), ("http://[::1]:80/", True),
        ("http://192.168.0.9", True), ("https://8.8.8.8/", False), ("https://contest/", False),
        ("https://news.example.org/", False), ("https://localhost.id/", False), ("/path", False),
    ],
)  # fmt: skip
def test_local_addresses(url: str, local: bool) -> None:
    assert is_local_address(url) is local


def test_contact_warning_only_for_a_real_site_with_the_project_contact(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert contact_warning("alpha", "http://127.0.0.1:8765") is None
    warning = contact_warning("alpha", "https://alpha.example.org")
    assert warning is not None
    assert warning.startswith(
        "warning: the User-Agent for alpha (https://alpha.example.org) gives warta's project"
    )
    assert "operator_contact" in warning and "WARTA_OPERATOR_CONTACT" in warning
    monkeypatch.setenv("WARTA_OPERATOR_CONTACT", "arsip@example.org")
    assert contact_warning("alpha", "https://alpha.example.org") is None
