"""Another git revision of warta, checked out to a temporary folder, for a crawl run beside
this one (``make bench BASELINE=<revision>``): a ratio of two crawls from one invocation
means something on a shared machine, two figures from two days do not.

The revision's code runs with this checkout's interpreter and packages (its own ``crawler``,
``bench`` and ``config`` come first on ``PYTHONPATH``, and it runs from its folder), so what
differs is warta's code, not the libraries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config.sites import PACKAGE_ROOT


@dataclass(frozen=True)
class Checkout:
    """Where a revision's code lies and how to run a crawl of it."""

    revision: str
    commit: str
    root: Path

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.root)}

    def add_profiler(self) -> None:
        """This checkout's stage profiler (bench/stages.py, Scrapy and the standard library
        only) into the revision's bench package, to profile it the same way."""
        target = self.root / "bench" / "stages.py"
        if target.resolve() != (Path(PACKAGE_ROOT) / "bench" / "stages.py").resolve():
            shutil.copyfile(Path(PACKAGE_ROOT) / "bench" / "stages.py", target)

    def settings_value(self, name: str) -> Any:
        """A value of the revision's ``crawler.settings`` (module paths move between them)."""
        code = f"import json, crawler.settings as s; print(json.dumps(getattr(s, {name!r})))"
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=self.root,
            env={**os.environ, **self.env()},
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout)


def this_checkout() -> Checkout:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PACKAGE_ROOT, capture_output=True, text=True
    )
    return Checkout("HEAD", head.stdout.strip() or "unknown", Path(PACKAGE_ROOT))


@contextmanager
def checkout(revision: str) -> Iterator[Checkout]:
    """The files of ``revision`` (``git archive``, so the repository is left as it is)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", "--short", f"{revision}^{{commit}}"],
        cwd=PACKAGE_ROOT,
        capture_output=True,
        text=True,
    )
    if commit.returncode != 0:
        raise SystemExit(f"BASELINE={revision}: not a revision of {PACKAGE_ROOT}")
    folder = Path(tempfile.mkdtemp(prefix="warta-baseline-"))
    try:
        archive = subprocess.Popen(
            ["git", "archive", "--format=tar", commit.stdout.strip()],
            cwd=PACKAGE_ROOT,
            stdout=subprocess.PIPE,
        )
        subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise SystemExit(f"git archive {revision} failed")
        yield Checkout(revision, commit.stdout.strip(), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
