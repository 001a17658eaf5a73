from pathlib import Path

import pytest
import yaml

from crawler.config.operator import load_operator_settings
from crawler.config.sites import (
    PACKAGE_ROOT,
    ConfigError,
    SiteConfig,
    check_site_name,
    config_dir,
    load_site,
    load_site_file,
    site_names,
)


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


def test_empty_config_dir_knows_no_site(tmp_path: Path) -> None:
    assert site_names(tmp_path) == []
    with pytest.raises(ConfigError) as failure:
        load_site("gamma", tmp_path)
    assert str(failure.value) == (
        f"unknown site 'gamma'; configured sites: (none) (in {tmp_path / 'sites'})"
    )


def test_config_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(tmp_path, "alpha", "base_url: https://alpha.example\n")
    monkeypatch.setenv("WARTA_CONFIG_DIR", str(tmp_path))
    assert config_dir() == tmp_path and site_names() == ["alpha"]
    monkeypatch.setenv("WARTA_CONFIG_DIR", "")  # empty: the repository's config/
    assert config_dir() == PACKAGE_ROOT / "config"


@pytest.mark.parametrize("name", ["ab", "a" * 41, "site_2"])
def test_site_names_that_may_become_file_names(name: str) -> None:
    assert check_site_name(name) == name


@pytest.mark.parametrize("name", ["a", "a" * 42, "Alpha", "2site", "a-b", "../x", "", None])
def test_site_names_that_may_not(name: object) -> None:
    with pytest.raises(ConfigError, match=r"invalid site name .*starting with a letter"):
        check_site_name(name)  # type: ignore[arg-type]


def site(**fields: object) -> SiteConfig:
    return SiteConfig.model_validate({"name": "alpha", "base_url": "https://a.example/", **fields})


def test_hosts_a_crawl_may_touch() -> None:
    plain = site()
    assert plain.base_url == "https://a.example" and plain.host == "a.example"
    assert plain.domains == ["a.example"] and plain.fetch_hosts == ["a.example"]
    wide = site(allowed_domains=["m.a.example", "a.example"],
                asset_hosts=["cdn.example", "m.a.example"])  # fmt: skip
    assert wide.domains == ["m.a.example", "a.example"]
    assert wide.fetch_hosts == ["m.a.example", "a.example", "cdn.example"]
    moved = wide.with_base_url("http://127.0.0.1:8765")
    assert moved.fetch_hosts == ["127.0.0.1"] and moved.name == "alpha"


def test_state_name_keeps_mirrors_apart() -> None:
    alpha = site()
    assert alpha.state_name() == alpha.state_name("https://a.example/") == "alpha"
    assert alpha.state_name("http://127.0.0.1:8765") == "alpha@127.0.0.1_8765"
    assert alpha.state_name("https://mirror.example") == "alpha@mirror.example_https"
    boxed = site(base_url="https://a.example/BOX")  # a site under a path: its own state too
    assert boxed.state_name("https://a.example/BOX/") == "alpha"


def test_absolute_urls() -> None:
    alpha = site()
    assert alpha.absolute("feed/") == alpha.absolute("/feed/") == "https://a.example/feed/"
    assert alpha.absolute("http://other.example/x") == "http://other.example/x"
    assert alpha.absolute("https://a.example/y") == "https://a.example/y"
    assert alpha.absolute("Xpose/berita") == "https://a.example/Xpose/berita"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"base_url": "ftp://a.example"}, "base_url",
         "must be an http(s) URL with a host, got 'ftp://a.example'"),
        ({"base_url": "https://"}, "base_url", "must be an http(s) URL with a host"),
        ({"schedule": "every hour"}, "schedule", "'every hour' is not a cron expression"),
        ({"schedule": "61 * * * *"}, "schedule", "write five fields, minute hour day month"),
        ({"timezone": "Asia/Nowhere"}, "timezone", "unknown IANA time zone 'Asia/Nowhere'"),
        ({"articles": {"require_any": ["div[["]}}, "articles.require_any",
         "invalid CSS selector 'div[['"),
        ({"selectors": {"body": "p::oops("}}, "selectors.body", "invalid CSS selector"),
        ({"selectors": {"title": "h1::text"}}, "selectors.title",  # parsel's, not lxml's
         "invalid CSS selector 'h1::text'"),
        ({"selectors": {"remove": [".ok", "a[["]}}, "selectors.remove",
         "invalid CSS selector 'a[['"),
        ({"discovery": {"pagination_pattern": "(?<=x)y"}}, "discovery.pagination_pattern",
         "is not a linear-time (RE2) regular expression"),
        ({"text": {"dateline": "(unclosed"}}, "text.dateline", "RE2"),
        ({"text": {"caption_credit": r"(\w)\1"}}, "text.caption_credit", "RE2"),
        ({"articles": {"exclude_patterns": ["(?=x)"]}}, "articles.exclude_patterns", "RE2"),
    ],
)  # fmt: skip
def test_a_site_file_error_names_the_field(
    tmp_path: Path, fields: dict[str, object], field: str, message: str
) -> None:
    data = {"base_url": "https://a.example", **fields}
    write_site(tmp_path, "alpha", yaml.safe_dump(data))
    with pytest.raises(ConfigError) as failure:
        load_site("alpha", tmp_path)
    assert f"  field '{field}': " in str(failure.value)
    assert message in str(failure.value)


def test_valid_schedules_selectors_and_patterns_load(tmp_path: Path) -> None:
    write_site(tmp_path, "alpha", yaml.safe_dump({
        "base_url": "https://a.example", "schedule": " @daily ",
        "selectors": {"body": "div.content > p", "remove": [".share", "aside"]},
        "articles": {"require_any": ["h1::text"], "url_patterns": [r"^/\d+/"]},
        "text": {"dateline": r"^(?P<place>\w+) -", "drop_lines": ["^Baca juga"]},
    }))  # fmt: skip
    alpha = load_site("alpha", tmp_path)
    assert alpha.schedule == "@daily" and alpha.selectors.remove == [".share", "aside"]
    assert alpha.text.dateline == r"^(?P<place>\w+) -"
    assert site(schedule="17 */6 * * *").schedule == "17 */6 * * *"


def test_a_base_url_with_a_password_is_refused_without_repeating_it(tmp_path: Path) -> None:
    write_site(tmp_path, "alpha", "base_url: https://user:hunter2@a.example\n")
    with pytest.raises(ConfigError, match="must not hold a user name or password") as failure:
        load_site("alpha", tmp_path)
    assert "hunter2" not in str(failure.value)
    write_site(tmp_path, "alpha", "base_url: 'http://[::1'\n")  # unreadable: the URL check says
    with pytest.raises(ConfigError, match="field 'base_url'"):
        load_site("alpha", tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: x\nbase_url: \"unclosed\n",
         "not valid YAML (line 3, column 1): found unexpected end of stream"),
        ("a: b\n  c: d\n", "not valid YAML (line 2, column 4): mapping values are not allowed"),
        ("base_url: \x07\n", "not valid YAML: unacceptable character #x0007"),
        ("- one\n- two\n", "expected a mapping of fields, got list"),
        ("", "invalid site config\n  field 'base_url': Field required"),
    ],
)  # fmt: skip
def test_a_broken_site_file_says_where(tmp_path: Path, text: str, message: str) -> None:
    path = write_site(tmp_path, "alpha", text)
    with pytest.raises(ConfigError) as failure:
        load_site_file(path)
    assert str(failure.value).startswith(f"{path}: ")
    assert message in str(failure.value)


def test_an_unreadable_site_file_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "alpha.yaml"
    folder.mkdir()
    with pytest.raises(ConfigError, match=f"^{folder}: cannot read: Is a directory$"):
        load_site_file(folder)
