from pathlib import Path

import pytest

from crawler.config.operator import load_operator_settings
from crawler.config.sites import ConfigError, load_site, site_names


def write_site(root: Path, name: str, text: str) -> Path:
    (root / "sites").mkdir(parents=True, exist_ok=True)
    path = root / "sites" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_niaga_config_is_valid() -> None:
    site = load_site("niaga")
    assert site.base_url == "https://www.niaga.asia"
    assert site.timezone == "Asia/Makassar"
    assert "www.niaga.asia" in site.domains
    assert "niaga" in site_names()


def test_base_url_override_moves_allowed_hosts() -> None:
    site = load_site("niaga").with_base_url("http://127.0.0.1:8765/")
    assert site.base_url == "http://127.0.0.1:8765"
    assert site.domains == ["127.0.0.1"]
    assert site.absolute("/feed/") == "http://127.0.0.1:8765/feed/"


def test_error_names_file_and_nested_field(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "broken",
        "base_url: https://example.org\npoliteness:\n  concurrency_per_domain: zero\n",
    )
    with pytest.raises(ConfigError) as info:
        load_site("broken", tmp_path)
    message = str(info.value)
    assert str(path) in message
    assert "politeness.concurrency_per_domain" in message


def test_error_for_bad_regex_and_timezone(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        "bad",
        "base_url: https://example.org\ntimezone: Mars/Olympus\n"
        "articles:\n  url_patterns: ['([unclosed']\n",
    )
    with pytest.raises(ConfigError) as info:
        load_site("bad", tmp_path)
    assert "timezone" in str(info.value)
    assert "articles.url_patterns" in str(info.value)


def test_unknown_field_is_rejected(tmp_path: Path) -> None:
    write_site(tmp_path, "typo", "base_url: https://example.org\nschedul: '0 * * * *'\n")
    with pytest.raises(ConfigError, match="schedul"):
        load_site("typo", tmp_path)


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    path = write_site(tmp_path, "yaml", "base_url: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_site("yaml", tmp_path)
    assert str(path) in str(info.value) and "line" in str(info.value)


def test_unknown_site_lists_configured_sites(tmp_path: Path) -> None:
    write_site(tmp_path, "alpha", "base_url: https://alpha.example\n")
    write_site(tmp_path, "beta", "base_url: https://beta.example\n")
    with pytest.raises(ConfigError, match="configured sites: alpha, beta"):
        load_site("gamma", tmp_path)


def test_name_must_match_file(tmp_path: Path) -> None:
    write_site(tmp_path, "one", "name: two\nbase_url: https://example.org\n")
    with pytest.raises(ConfigError, match="field 'name'"):
        load_site("one", tmp_path)


def test_settings_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WARTA_STORAGE", "s3://bucket/prefix")
    assert load_operator_settings().storage == "s3://bucket/prefix"
    (tmp_path / "settings.yaml").write_text("warc_max_bytes: 10\n")
    with pytest.raises(ConfigError, match="warc_max_bytes"):
        load_operator_settings(tmp_path)
