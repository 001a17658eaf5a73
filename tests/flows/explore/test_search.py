"""The search form: an address read into a search, bad values turned into messages, the
address rebuilt for links, and groups of sites from config/settings.yaml."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from crawler.config.operator import site_groups
from crawler.config.sites import ConfigError
from flows.cli import main
from flows.explore.search import read_search, scope, where

SITES = ["niaga", "kabarbenua", "lain"]
GROUPS = {"Kalimantan Timur": ["niaga", "kabarbenua"]}
REPO_CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_a_full_address() -> None:
    search = read_search(
        "q=banjir+OR+%22tanah+longsor%22&site=lain&group=Kalimantan+Timur&from=2023-03-01"
        "&to=2023-03-31&section=Daerah&author=Hamdani&every=week&measure=share",
        SITES,
        GROUPS,
    )
    assert search.ok, search.errors
    assert search.described() == '(banjir OR "tanah longsor")'
    assert search.chosen_sites(GROUPS) == ["lain", "niaga", "kabarbenua"]
    assert (search.since, search.until) == (date(2023, 3, 1), date(2023, 3, 31))
    assert (search.section, search.author, search.every, search.measure) == (
        "Daerah", "Hamdani", "week", "share"
    )  # fmt: skip
    again = read_search(search.query_string(), SITES, GROUPS)
    assert again.params() == search.params()  # links keep the whole search
    assert "every" not in search.query_string(every="day")  # the default is left out
    assert "q=banjir" in search.query_string(q="banjir")
    sql, params = where(search, GROUPS)
    assert params[:3] == [["lain", "niaga", "kabarbenua"], date(2023, 3, 1), date(2023, 3, 31)]
    assert "banjir" not in sql and "Hamdani" not in sql and "Daerah" not in sql


def test_an_empty_address_is_every_story() -> None:
    search = read_search("", SITES, GROUPS)
    assert search.ok and search.query is None and search.chosen_sites(GROUPS) == []
    assert scope(search, GROUPS) == ("TRUE", [])
    assert search.query_string() == ""


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("site=nowhere", "no site 'nowhere' in this archive"),
        ("site=..%2Fetc", "no site '../etc'"),
        ("group=Papua", "no group 'Papua' in config/settings.yaml"),
        ("from=2023-02-30", "from: '2023-02-30' is not a day"),
        ("from=2023-03-10&to=2023-03-01", "is after to"),
        ("every=year", "every: 'year' is not one of day, week, month"),
        ("q=(banjir", "query: '(' at character 1 is never closed"),
        ("q=a&q=b", "q is given 2 times"),
        ("section=" + "x" * 300, "section is longer than 200"),
    ],
)
def test_bad_values_become_messages(address: str, message: str) -> None:
    search = read_search(address, SITES, GROUPS)
    assert not search.ok
    assert any(message in e for e in search.errors), search.errors


def test_groups_come_from_settings_and_name_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert site_groups(REPO_CONFIG)["Kalimantan Timur"] == ["niaga", "kabarbenua"]
    config = tmp_path / "config"
    shutil.copytree(REPO_CONFIG, config)
    settings = config / "settings.yaml"
    text = settings.read_text().replace("[niaga, kabarbenua]", "[niaga, kabarbnua]")
    settings.write_text(text)
    with pytest.raises(ConfigError) as caught:
        site_groups(config)
    assert str(settings) in str(caught.value)
    assert "field 'groups.Kalimantan Timur.1'" in str(caught.value)
    assert "kabarbnua" in str(caught.value)

    settings.write_text(text.replace("[niaga, kabarbnua]", "[]"))
    with pytest.raises(ConfigError, match=r"field 'groups'.*lists no site"):
        site_groups(config)

    settings.write_text(text.replace("[niaga, kabarbnua]", "niaga"))
    with pytest.raises(ConfigError, match=r"groups\.Kalimantan Timur"):
        site_groups(config)

    monkeypatch.setenv("WARTA_CONFIG_DIR", str(config))
    settings.write_text(text)
    assert main(["explore", str(tmp_path / "archive"), "--port", "0"]) == 2
    assert "groups.Kalimantan Timur.1" in capsys.readouterr().err
    assert main(["sites", "--quiet"]) == 1
