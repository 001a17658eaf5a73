"""Each fact has one owner, and each of these tests fails when a second place appears.

File names of a crawl folder are spelled in crawler/layout.py, which also lists WARC files
and syncs folders; WARTA_* defaults live in crawler/settings.py; statistic names and
request-meta keys in crawler/keys.py; the article record in
crawler/extraction/article_record.py, from which the Parquet columns take their types and
against which README.md's field table is checked. The tests read the source (ast), so they
see a new spelling before any crawl does.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import keys, layout
from crawler import settings as defaults
from crawler.extraction.article_record import Article, crawl_record
from crawler.extraction.multipage import merge_records
from flows.archives.index import ARTICLES_SCHEMA, arrow_type

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "flows")
SETTING_GETTERS = {"get", "getbool", "getint", "getfloat", "getlist", "getdict", "getdictorlist"}


def modules(*packages: str) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            yield name, ast.parse(path.read_text(encoding="utf-8"), name)


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The string literals of a module that are not docstrings (f-string parts included)."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def _layout_names() -> dict[str, str]:
    names = {
        name: value
        for name, value in vars(layout).items()
        if name.isupper()
        and isinstance(value, str)
        and re.search(r"(FILE|SUFFIX|INDEX|DIR)$", name)
    }
    names.update({f"WARC_SUFFIXES[{i}]": v for i, v in enumerate(layout.WARC_SUFFIXES)})
    return names


def _web_name(text: str) -> bool:
    """A route of the explorer ("/stories.parquet") or a media type is no file name."""
    return text.startswith("/") or text.startswith("application/")


def test_no_crawl_folder_file_name_outside_layout() -> None:
    names = _layout_names()
    assert {"articles.jsonl", "failures.jsonl", ".open", ".warc.gz", "crawl.log"} <= set(
        names.values()
    )
    spelled = {
        value: re.compile(rf"(?<![\w]){re.escape(value)}(?![\w.])" if not value.startswith(".")
                          else rf"{re.escape(value)}(?![\w.])")
        for value in names.values()
    }  # fmt: skip
    found = [
        f"{module}:{line}: {text!r} spells {value!r}"
        for module, tree in modules(*PACKAGES)
        if module != "crawler/layout.py"
        for line, text in strings(tree)
        if not _web_name(text)
        for value, pattern in spelled.items()
        if pattern.search(text)
    ]
    assert not found, "use the names in crawler/layout.py:\n" + "\n".join(found)


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _attr(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def test_one_warc_file_lister() -> None:
    """Only layout.warc_files looks into a folder for WARC files."""
    marks = {"is_warc", "is_open_warc", "WARC_SUFFIXES", "WARC_GZ_SUFFIX", "OPEN_SUFFIX"}
    found = []
    for module, tree in modules(*PACKAGES):
        if module == "crawler/layout.py":
            continue
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lists = any(
                _attr(c) in {"glob", "rglob", "iterdir", "listdir", "scandir"} for c in _calls(func)
            )
            used = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute)
            }
            if lists and (used & marks or any("warc" in s.lower() for _, s in strings(func))):  # type: ignore[arg-type]
                found.append(f"{module}:{func.lineno} {func.name}")
    assert not found, "list WARC files with crawler.layout.warc_files:\n" + "\n".join(found)


def test_one_folder_fsync_helper() -> None:
    """A folder is opened for fsync in layout.fsync_folder and nowhere else."""
    flags = {"O_RDONLY", "O_DIRECTORY"}
    found = [
        f"{module}:{call.lineno}"
        for module, tree in modules(*PACKAGES)
        if module != "crawler/layout.py"
        for call in _calls(tree)
        if _attr(call) == "open"
        and any(isinstance(a, ast.Attribute) and a.attr in flags for a in ast.walk(call))
    ]
    assert not found, "sync folders with crawler.layout.fsync_folder:\n" + "\n".join(found)


def test_no_warta_default_outside_settings() -> None:
    """``settings.get("WARTA_X", default)`` may only name ``crawler.settings.WARTA_X``."""
    found = []
    for module, tree in modules(*PACKAGES):
        for call in _calls(tree):
            if _attr(call) not in SETTING_GETTERS or not call.args:
                continue
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and str(first.value).startswith("WARTA_")):
                continue
            owner = call.func.value if isinstance(call.func, ast.Attribute) else None
            if isinstance(owner, ast.Attribute) and owner.attr == "environ":
                continue  # environment variables are config/operator.py's, not Scrapy settings
            name = str(first.value)
            if not hasattr(defaults, name):
                found.append(f"{module}:{call.lineno}: {name} is not in crawler/settings.py")
            given = [*call.args[1:], *(k.value for k in call.keywords if k.arg == "default")]
            for default in given:
                if not (isinstance(default, ast.Attribute) and default.attr == name):
                    found.append(f"{module}:{call.lineno}: {name} has a default of its own")
    assert not found, "\n".join(found)


def test_no_warta_default_hidden_behind_an_or() -> None:
    """``settings.get("WARTA_X") or "value"`` restates a default as surely as an argument."""
    found = []
    for module, tree in modules(*PACKAGES):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)):
                continue
            first, *rest = node.values
            if not (isinstance(first, ast.Call) and _attr(first) in SETTING_GETTERS):
                continue
            name = first.args[0] if first.args else None
            if not (isinstance(name, ast.Constant) and str(name.value).startswith("WARTA_")):
                continue
            for other in rest:
                if isinstance(other, ast.Constant) and other.value not in ("", None, 0):
                    found.append(f"{module}:{node.lineno}: {name.value} or {other.value!r}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("prefix", "owner"), [(keys.STAT_PREFIX, "statistic"), (keys.META_PREFIX, "request-meta key")]
)
def test_statistics_and_meta_keys_are_spelled_in_keys(prefix: str, owner: str) -> None:
    found = [
        f"{module}:{line}: {text!r}"
        for module, tree in modules(*PACKAGES)
        if module != "crawler/keys.py"
        for line, text in strings(tree)
        if re.match(re.escape(prefix) + "[a-z]", text)
    ]
    assert not found, f"spell each {owner} once, in crawler/keys.py:\n" + "\n".join(found)


def test_every_name_in_keys_has_one_of_the_two_prefixes() -> None:
    names = {n: v for n, v in vars(keys).items() if n.isupper() and isinstance(v, str)}
    wrong = {
        n: v for n, v in names.items() if not v.startswith((keys.STAT_PREFIX, keys.META_PREFIX))
    }
    assert len(names) > 30 and not wrong, wrong


# -- the one article schema -------------------------------------------------------------------


def test_every_field_a_crawl_writes_is_in_the_article_model() -> None:
    url, amp, home, url2 = (f"https://example.org/{p}" for p in ("a", "a?amp", "", "a?page=2"))
    article = Article(url=url, title="A", text="Body.")
    warc = {"file": "x.warc.gz", "offset": 0, "length": 10, "record_id": "<urn:uuid:1>"}
    record = crawl_record(article, url, amp, warc, home)
    page2 = crawl_record(Article(url=url2, text="More."), url2, url2, warc)
    for written in (record, merge_records([record, page2])):
        back = Article.from_json(json.dumps(written))
        assert back.fetched_url == amp
        assert back.canonical_claimed == home
    plain = crawl_record(article, url, url, None)
    assert "fetched_url" not in plain and "canonical_claimed" not in plain
    left_out = ("fetched_url", "canonical_claimed")
    assert list(plain) == [f for f in Article.model_fields if f not in left_out]


def test_the_parquet_columns_take_their_types_from_the_model() -> None:
    fields = Article.model_fields
    shared = [name for name in ARTICLES_SCHEMA.names if name in fields]
    assert len(shared) >= 14
    for name in shared:
        assert ARTICLES_SCHEMA.field(name).type == arrow_type(fields[name].annotation), name


def test_the_index_rows_read_only_fields_of_the_model() -> None:
    """crawler/warc/rows.py reads article lines by the model's names, never a guess."""
    tree = ast.parse((ROOT / "crawler/warc/rows.py").read_text(encoding="utf-8"))
    func = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "article_row"
    )
    read = {
        str(call.args[0].value)
        for call in _calls(func)
        if _attr(call) == "get" and isinstance(call.func.value, ast.Name)  # type: ignore[attr-defined]
        and call.func.value.id == "article" and call.args and isinstance(call.args[0], ast.Constant)  # type: ignore[attr-defined]
    } | {
        str(node.slice.value)
        for node in ast.walk(func)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
        and node.value.id == "article" and isinstance(node.slice, ast.Constant)
    }  # fmt: skip
    assert read and read <= set(Article.model_fields), read - set(Article.model_fields)


def test_the_readme_field_table_matches_the_model() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Article records", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = {name for row in rows for name in re.findall(r"`(\w+)`", row.split(" | ")[0])}
    assert named == set(Article.model_fields), (
        f"README lists {sorted(named - set(Article.model_fields))} not in the model, "
        f"and leaves out {sorted(set(Article.model_fields) - named)}"
    )


def test_private_scrapy_and_twisted_names_only_in_the_wire_adapter() -> None:
    """crawler/warc/wire.py says why it needs each private name; nobody else uses one."""
    found = []
    for module, tree in modules(*PACKAGES):
        if module == "crawler/warc/wire.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
                "scrapy",
                "twisted",
            }:
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private or any(p.startswith("_") for p in (node.module or "").split(".")):
                    found.append(f"{module}:{node.lineno}: {node.module} {private}")
    assert not found, "\n".join(found)


def test_no_module_over_400_lines_and_the_spider_under_250() -> None:
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }
    assert sizes["crawler/spiders/news.py"] < 250
    assert not {module: n for module, n in sizes.items() if n > 400}
