"""make mutate's bookkeeping: which work folder runs what, how survivors are counted and listed.

mutmut itself is not run here (a package takes minutes); these are the parts whose mistakes
would make the JSON line or the README's table say something untrue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import mutate


def test_every_package_of_crawler_and_flows_is_planned_once() -> None:
    plan = mutate.run_plan([])
    packages = mutate.packages()
    assert set(plan) == set(packages)
    assert {"crawler", "flows", "crawler.warc", "crawler.extraction", "flows.storage"} <= set(plan)
    targets = [t for targets, _ in plan.values() for t in targets]
    assert len(targets) == len(set(targets))  # no module is mutated in two folders
    sizes = [mutate._lines(targets) for targets, _ in plan.values()]
    assert sizes == sorted(sizes)  # smallest first: a stopped run has the most packages done


def test_packages_run_in_parallel_start_with_the_largest() -> None:
    plan = mutate.run_plan([], largest_first=True)
    sizes = [mutate._lines(targets) for targets, _ in plan.values()]
    assert sizes == sorted(sizes, reverse=True)
    assert set(plan) == set(mutate.run_plan([]))


def test_a_chosen_package_runs_in_the_whole_runs_folder_with_its_tests() -> None:
    every = mutate.packages()
    plan = mutate.run_plan(["crawler/warc", "flows", "crawler/fetch/"])
    assert list(plan) == ["crawler.warc", "flows", "crawler.fetch"]
    assert plan["crawler.warc"] == every["crawler.warc"]
    # "flows" is the modules directly in flows/, tested by the test files beside them
    assert plan["flows"] == every["flows"]
    assert all(t.count("/") == 1 for t in plan["flows"][0])
    assert all(Path(t).parent == Path("tests/flows") for t in plan["flows"][1])


def test_a_chosen_module_is_a_folder_of_its_own() -> None:
    plan = mutate.run_plan(["crawler/warc/verify.py"])
    assert plan == {"crawler.warc.verify": (["crawler/warc/verify.py"], None)}


@pytest.mark.parametrize(
    ("mutant", "module"),
    [
        ("crawler.fetch.limits.xǁCrawlBytesBudgetǁcheck__mutmut_3", "crawler/fetch/limits.py"),
        ("crawler.layout.x_file_key__mutmut_1", "crawler/layout.py"),
        ("flows.storage.x_open_storage__mutmut_2", "flows/storage/__init__.py"),
    ],
)
def test_a_mutant_is_counted_under_its_module(mutant: str, module: str) -> None:
    assert mutate.module_of(mutant) == module


def test_a_module_names_its_mutants_prefix() -> None:
    assert mutate.mutant_prefix("crawler/warc/verify.py") == "crawler.warc.verify."


def test_equivalents_need_a_reason(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("# comment\nm.x_f__mutmut_1  a reason\n\n", encoding="utf-8")
    assert mutate.equivalents(tmp_path) == {"m.x_f__mutmut_1": "a reason"}
    (tmp_path / "b.txt").write_text("m.x_g__mutmut_2\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"b\.txt: m\.x_g__mutmut_2 is listed without a reason"):
        mutate.equivalents(tmp_path)


def test_the_listed_equivalents_all_have_reasons() -> None:
    listed = mutate.equivalents()
    assert listed and all(reason.strip() for reason in listed.values())


def test_counts_and_table() -> None:
    found = {
        "crawler.layout.x_a__mutmut_1": "killed",
        "crawler.layout.x_a__mutmut_2": "timeout",
        "crawler.layout.x_a__mutmut_3": "survived",
        "crawler.layout.x_a__mutmut_4": "no tests",
    }
    known = {"crawler.layout.x_a__mutmut_3": "why"}
    assert mutate.summarize(found, known) == {
        "mutants": 4, "killed": 2, "survived": 2, "equivalent": 1,
    }  # fmt: skip
    table = mutate.module_table(found, known).splitlines()
    assert table[2] == "| crawler/layout.py | 4 | 2 | 50.0 | 2 | 1 |"


def test_progress_reads_the_last_line_of_a_packages_log(tmp_path: Path) -> None:
    log = tmp_path / "mutmut.log"
    assert mutate.progress(log) == "starting"
    log.write_bytes("⠸ Generating mutants⠼ Generating mutants".encode())
    assert mutate.progress(log) == "generating mutants and mapping tests"
    spinner = "⠹ 983/2368  🎉 915 🫥 4  ⏰ 4  🤔 0  🙁 60  🔇 0  🧙 0"
    log.write_bytes((spinner + spinner.replace("983", "984").replace("915", "916")).encode())
    assert mutate.progress(log) == "984/2368 mutants run, 916 killed"


def test_report_reads_the_work_folders_without_running_mutmut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mutate, "WORK", tmp_path)
    (tmp_path / "crawler.fetch" / "mutants").mkdir(parents=True)  # crawler.warc: never run
    held = {
        "crawler.fetch.limits.x_budget__mutmut_1": "killed",
        "crawler.fetch.limits.x_budget__mutmut_2": "survived",
        "crawler.warc.writer.x_write__mutmut_1": "survived",  # another package's: not counted
    }
    monkeypatch.setattr(mutate, "statuses", lambda work: held)
    monkeypatch.setattr(mutate, "show", lambda names, work: "")
    plan = mutate.run_plan(["crawler/fetch", "crawler/warc"])
    assert mutate.report_held(plan) == 1  # one survivor not listed
    out, err = capsys.readouterr()
    assert "crawler.warc: no results" in err
    assert out.strip().splitlines()[-1] == (
        '{"mutants": 2, "killed": 1, "survived": 1, "equivalent": 0}'
    )
    assert (tmp_path / "survivors.txt").read_text() == "crawler.fetch.limits.x_budget__mutmut_2\n"
