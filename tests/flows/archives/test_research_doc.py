"""docs/research.md runs as pasted: every command block, in a shell, against an archive that
matches the page's own examples (bucket ``warta``, prefix ``archive``, a niaga crawl stored
as crawl ``20261202T054125Z`` of 2 December 2026) on a real SeaweedFS.

The blocks are read out of the page, not copied here, so a command that stops working (or
a path that is wrong, such as a ``cd`` into a folder nobody made) fails this test. Steps that
need tools outside the lock file run when those are installed: the DuckDB command line and
pandas (``make research``), pywb (``make pywb``); servers (``wayback``, ``warta explore``)
are not started.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.config.sites import PACKAGE_ROOT
from crawler.settings import POLITENESS_OFF
from flows import crawl_steps
from tests.flows.conftest import Replica, SeaweedServer

pytestmark = pytest.mark.slow
DOC = PACKAGE_ROOT / "docs" / "research.md"
CRAWL_DAY = datetime(2026, 12, 2, 5, 41, 25, tzinfo=UTC)  # the crawl the page's examples name


def blocks() -> list[tuple[int, str]]:
    """(line number, text) of each indented command block of the page."""
    found: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("    ") and not line.lstrip().startswith(("|", "-", "*")):
            if not current:
                start = number
            current.append(line.strip() if not current else line)
            continue
        if current:
            found.append((start, "\n".join(current)))
            current = []
    if current:
        found.append((start, "\n".join(current)))
    return [(n, text) for n, text in found if text.startswith((".venv", "make", "mkdir"))]


def runnable(text: str, root: Path) -> str | None:
    """The block as it will run here, or None when it cannot (a synopsis, a missing tool)."""
    if "[--" in text:  # the synopsis of every subcommand, with its placeholders
        return None
    lines = []
    for line in text.splitlines():
        if line.strip().startswith(("make pywb", "make explore")) or re.search(
            r"/wayback |/warta explore ", line
        ):
            continue  # an install and servers that run until stopped: not what this test runs
        tool = re.match(r"\s*(\.\./)?(\.venv[^/]*/bin/\S+)", line)
        if tool and not (root / tool.group(2)).exists():
            return None  # e.g. .venv/bin/duckdb without `make research`, pywb without `make pywb`
        lines.append(line)
    return "\n".join(lines)


@pytest.fixture
def archive_like_the_doc(
    seaweed_factory: Callable[[], SeaweedServer],
    s3_env: Callable[[SeaweedServer], None],
    niaga_replica: Replica,
    tmp_path: Path,
) -> dict[str, str]:
    server = seaweed_factory()
    s3_env(server)
    server.client().create_bucket(Bucket="warta")
    plan = crawl_steps.plan_archive(
        "niaga", storage="s3://warta/archive", base_url=niaga_replica.base_url,
        crawl_settings={**POLITENESS_OFF, "WARTA_PROGRESS_INTERVAL": 0},
        data_dir=str(tmp_path / "data"), now=CRAWL_DAY,
    )  # fmt: skip
    crawl_steps.crawl(plan, timeout=300)
    summary_path = plan.folder / "crawl-summary.json"
    summary = json.loads(summary_path.read_text())
    summary["started"] = CRAWL_DAY.isoformat()  # filed under the page's day
    summary_path.write_text(json.dumps(summary))
    crawl_steps.check_warcs(plan.folder)
    crawl_steps.package(plan, summary)
    fresh = crawl_steps.new_articles(plan, summary)
    crawl_steps.store(plan, summary, crawl_steps.manifest_counts(summary, fresh))
    return {k: v for k, v in os.environ.items() if k.startswith("AWS_")}


def test_every_block_of_research_md_runs_as_pasted(
    archive_like_the_doc: dict[str, str], tmp_path: Path
) -> None:
    here = tmp_path / "checkout"  # stands for the repository root: outputs land here
    here.mkdir()
    for venv in (".venv", ".venv-pywb"):
        if (PACKAGE_ROOT / venv).exists():
            (here / venv).symlink_to(PACKAGE_ROOT / venv)
    ran, skipped = [], []
    for number, text in blocks():
        script = runnable(text, here)
        if script is None:
            skipped.append(number)
            continue
        proc = subprocess.run(["bash", "-c", script], cwd=here, capture_output=True, text=True,
                              env={**os.environ, **archive_like_the_doc}, timeout=300)  # fmt: skip
        where = f"docs/research.md:{number}"
        assert "Traceback" not in proc.stderr, f"{where}\n{proc.stderr[-2000:]}"
        if "archives get" in script:  # the page's example URL is a placeholder: not archived
            assert proc.returncode in (0, 1), f"{where}\n{proc.stderr[-2000:]}"
        else:
            assert proc.returncode == 0, f"{where}: exit {proc.returncode}\n{proc.stderr[-2000:]}"
        ran.append(number)
    print(f"research.md: {len(ran)} block(s) ran, {len(skipped)} skipped (lines {skipped})")
    assert len(ran) >= 10
    assert (here / "niaga-articles").is_dir() and (here / "captions.csv").is_file()
    assert (here / "dl" / "niaga" / "20261202T054125Z").is_dir()
