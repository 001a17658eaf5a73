"""An archive run's plan: what it crawls, where it writes, and what it refuses before it
starts. Every later step (crawl, package, store, lease, state) reads only the plan."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.config.sites import ConfigError
from flows.crawl_steps import plan_archive

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_plan_holds_what_the_caller_asked_for(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "crawls" / "niaga" / "20260102T030405Z").mkdir(parents=True)  # a second ago's
    plan = plan_archive(
        "niaga", storage=str(tmp_path / "archive"), base_url="http://127.0.0.1:8765",
        crawl_settings={"WARTA_MAX_CRAWL_BYTES": 5000}, spider_args={"max_articles": 3},
        delete_local=True, data_dir=str(data), now=NOW,
    )  # fmt: skip
    state = data / "state" / "niaga@127.0.0.1_8765.sqlite"  # another host: its own state
    assert (plan.site, plan.crawl_id) == ("niaga", "20260102T030406Z")  # the next free second
    assert plan.folder == data / "crawls" / "niaga" / "20260102T030406Z"
    assert not plan.folder.exists()
    assert plan.storage_uri == str(tmp_path / "archive")
    assert plan.base_url == "http://127.0.0.1:8765"
    assert plan.crawl_settings == {"WARTA_STATE_PATH": str(state), "WARTA_MAX_CRAWL_BYTES": 5000}
    assert plan.spider_args == {"max_articles": "3"}
    assert plan.delete_local is True and plan.resume is False
    assert plan.state_path == state and plan.title == "Niaga.Asia"


def test_unset_parameters_come_from_the_operator_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARTA_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("WARTA_STORAGE", str(tmp_path / "s"))
    plan = plan_archive("niaga", now=NOW)
    assert plan.folder == tmp_path / "d" / "crawls" / "niaga" / "20260102T030405Z"
    assert plan.storage_uri == str(tmp_path / "s") and plan.base_url is None
    assert plan.state_path == tmp_path / "d" / "state" / "niaga.sqlite"
    assert plan.crawl_settings == {"WARTA_STATE_PATH": str(plan.state_path)}
    assert plan.spider_args == {} and plan.delete_local is False  # config/settings.yaml
    assert plan.file_prefix == "warta"  # WARC files are named warta-niaga-...


def test_a_resumed_crawl_keeps_its_folder_and_bad_input_fails_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = data / "crawls" / "niaga" / "20260101T000000Z"
    folder.mkdir(parents=True)
    kw = {"storage": str(tmp_path / "archive"), "data_dir": str(data)}
    plan = plan_archive("niaga", resume_crawl_id=folder.name, **kw)  # type: ignore[arg-type]
    assert (plan.crawl_id, plan.folder, plan.resume) == (folder.name, folder, True)
    with pytest.raises(ValueError, match="cannot resume crawl 20260101T000001Z: no crawl folder"):
        plan_archive("niaga", resume_crawl_id="20260101T000001Z", **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^invalid crawl id '\.\./x'"):
        plan_archive("niaga", resume_crawl_id="../x", **kw)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="base_url"):
        plan_archive("niaga", base_url="ftp://example.invalid/", **kw)  # type: ignore[arg-type]
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]
