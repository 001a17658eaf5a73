"""What ``warta verify`` found: problems, warnings and the records it read, as a report.

The checks themselves are :mod:`crawler.warc.verify`; this is what they fill in and what
the command prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (file plus offset or index line), which record, what."""

    file: str
    kind: str
    message: str
    offset: int | None = None
    line: int | None = None
    record_id: str | None = None

    def format(self) -> str:
        where = self.file
        if self.offset is not None:
            where += f" @{self.offset}"
        if self.line is not None:
            where += f" line {self.line}"
        rid = f" {self.record_id}" if self.record_id else ""
        return f"{where}{rid}: [{self.kind}] {self.message}"


@dataclass(slots=True)
class RecordInfo:
    """What the cross-file checks need to know about one record."""

    file: Path
    offset: int
    length: int
    rec_type: str
    record_id: str
    uri: str
    date: str
    concurrent_to: tuple[str, ...]
    refers_to: str | None
    warcinfo_id: str | None
    payload_digest: str | None


@dataclass(slots=True)
class VerifyReport:
    """Everything :func:`verify_paths` found; ``ok`` is False if there is any problem."""

    warc_files: list[Path] = field(default_factory=list)
    indexes: list[Path] = field(default_factory=list)
    record_counts: Counter[str] = field(default_factory=Counter)
    index_lines: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    earlier_refs: int = 0  # WARC-Refers-To found in crawl folders beside the given ones

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def records(self) -> int:
        return sum(self.record_counts.values())

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.record_counts.items()))
        scope = (
            f"{len(self.warc_files)} WARC file(s), {self.records} records"
            + (f" ({kinds})" if kinds else "")
            + f", {len(self.indexes)} index(es) with {self.index_lines} lines"
        )
        if self.earlier_refs:
            scope += f", {self.earlier_refs} reference(s) to earlier crawls found beside them"
        if self.ok:
            extra = f", {len(self.warnings)} warning(s)" if self.warnings else ""
            return f"OK: {scope}{extra}"
        return f"FAILED: {len(self.problems)} problem(s) in {scope}"

    def format(self, limit: int | None = None) -> str:
        lines: list[str] = []
        shown = self.problems if limit is None else self.problems[:limit]
        lines.extend("PROBLEM " + p.format() for p in shown)
        if len(shown) < len(self.problems):
            lines.append(f"... and {len(self.problems) - len(shown)} more problem(s)")
        lines.extend("warning " + w.format() for w in self.warnings[: limit or None])
        lines.append(self.summary())
        return "\n".join(lines)


class Collector:
    """Everything one verification run found, as the checks report it."""

    def __init__(self) -> None:
        self.report = VerifyReport()
        self.records: list[RecordInfo] = []
        self.unread_from: dict[Path, int] = {}  # where the warcio pass gave up, per file

    def problem(
        self,
        file: Path | str,
        kind: str,
        message: str,
        offset: int | None = None,
        line: int | None = None,
        record_id: str | None = None,
    ) -> None:
        self.report.problems.append(Problem(str(file), kind, message, offset, line, record_id))

    def warn(self, file: Path | str, kind: str, message: str) -> None:
        self.report.warnings.append(Problem(str(file), kind, message))
