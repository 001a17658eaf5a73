"""The search form: an address read into a search, bad values turned into messages, the
address rebuilt for links, and groups of sites from config/settings.yaml."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
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


STORIES = [  # id, site, day, section, authors, title, text
    (1, "niaga", date(2023, 3, 1), "Daerah", ["Hamdani", "Rina"], "Banjir rob", None),
    (2, "niaga", date(2023, 3, 31), "daerah", ["hamdani"], None, "banjir lagi"),
    (3, "kabarbenua", date(2023, 3, 15), "Ekonomi", ["Rina"], "Harga naik", "pasar"),
    (4, "lain", date(2023, 4, 1), "Daerah", [], "Banjir", "di hulu"),
    (5, "lain", date(2023, 2, 28), None, None, "Kebakaran", "api"),
]


def found(address: str) -> set[int]:
    """The stories a search finds, by running its SQL on DuckDB (as the explorer does)."""
    search = read_search(address, SITES, GROUPS)
    assert search.ok, search.errors
    sql, params = where(search, GROUPS)
    con = duckdb.connect()
    con.execute("CREATE TABLE stories (id INT, site VARCHAR, day DATE, section VARCHAR, "
                "authors VARCHAR[], title VARCHAR, text VARCHAR)")  # fmt: skip
    con.executemany("INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)", STORIES)
    return {r[0] for r in con.execute(f"SELECT id FROM stories WHERE {sql}", params).fetchall()}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("", {1, 2, 3, 4, 5}),
        ("site=lain", {4, 5}),
        ("group=Kalimantan+Timur", {1, 2, 3}),
        ("from=2023-03-01&to=2023-03-31", {1, 2, 3}),  # both ends included
        ("from=2023-03-31", {2, 4}),
        ("to=2023-03-01", {1, 5}),
        ("section=DAERAH", {1, 2, 4}),  # any case
        ("author=rina", {1, 3}),  # any one of the authors, any case
        ("q=banjir", {1, 2, 4}),  # in the title or the text
        ("q=banjir&site=niaga&section=Daerah&author=Hamdani&to=2023-03-30", {1}),
    ],
)
def test_the_sql_finds_what_the_search_asks(address: str, expected: set[int]) -> None:
    assert found(address) == expected


def test_blank_fields_defaults_and_limits() -> None:
    search = read_search("q=&site=&group=&from=&to=&every=&measure=", SITES, GROUPS)
    assert search.ok and search.params() == {}
    one_day = read_search("from=2023-03-01&to=2023-03-01&every=month", SITES, GROUPS)
    assert one_day.ok and one_day.every == "month"
    assert "from=2023-03-01&to=2023-03-01" in one_day.query_string()
    bad = read_search("every=year&measure=volume", SITES, GROUPS)
    assert (bad.every, bad.measure) == ("day", "count")  # a bad value falls back to the default
    edge = read_search(f"section={'x' * 200}&q={'banjir ' * 40}", SITES, GROUPS)
    assert edge.ok and edge.section == "x" * 200  # 200 is allowed; q has its own limit
    too_long = read_search(f"author={'x' * 201}", SITES, GROUPS)
    assert too_long.author == "" and too_long.errors == ["author is longer than 200 characters"]
    assert search.chosen_sites({}) == []  # groups gone from the settings: nothing breaks
    assert read_search("site=lain&group=Kalimantan+Timur", SITES, GROUPS).chosen_sites({}) == [
        "lain"
    ]


@pytest.mark.parametrize("name", ["from", "to", "section", "author", "every", "measure"])
def test_a_field_given_twice_is_named(name: str) -> None:
    search = read_search(f"{name}=a&{name}=b", SITES, GROUPS)
    assert f"{name} is given 2 times; only the first is used" in search.errors


def test_messages_quote_a_bounded_part_of_a_long_value() -> None:
    long = "y" * 100
    errors = read_search(
        f"site={long}&group={long}&from={long}&to=2023-02-30&every={long}", SITES, GROUPS
    ).errors
    assert errors == [
        f"site: no site {'y' * 60!r} in this archive",
        f"group: no group {'y' * 60!r} in config/settings.yaml",
        f"from: {'y' * 40!r} is not a day (YYYY-MM-DD)",
        "to: '2023-02-30' is not a day (YYYY-MM-DD)",
        f"every: {'y' * 20!r} is not one of day, week, month",
    ]


def test_an_address_with_too_many_fields_is_a_message() -> None:
    search = read_search("&".join(f"x{i}=1" for i in range(201)), SITES, GROUPS)
    assert search.errors == ["the address holds more than 200 fields"]
    assert read_search("&".join(f"x{i}=1" for i in range(200)), SITES, GROUPS).ok
