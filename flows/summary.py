"""What one archive run did, as a plain dict, a Prefect artifact and a few lines of text.

The dict is the flow's return value; the artifact (key ``warta-<site>``) shows it in the
Prefect UI next to the run. Nothing here reads the environment or the boto3 session, so
no credential can reach either: storage URIs never hold one (``open_storage`` refuses
them) and base URLs are shown without any user:password part.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.layout import FAILURES_FILE
from flows.crawl_steps import ArchivePlan, CheckResult, public_url
from flows.new_articles import NewArticles
from flows.storage.manifest import Manifest

NEW_URLS_SHOWN = 20


def artifact_key(site: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return "warta-" + re.sub(r"[^a-z0-9-]+", "-", site.lower()).strip("-")


def location(storage_uri: str, key: str) -> str:
    return f"{storage_uri.rstrip('/')}/{key}"


def error_details(summary: dict[str, Any], check: CheckResult | None) -> dict[str, int]:
    """Errors by kind: HTTP statuses other than 200, network, extraction, WARC warnings."""
    details: dict[str, int] = {}
    statuses = summary.get("statuses_other_than_200")
    if isinstance(statuses, dict):
        for status, count in sorted(statuses.items()):
            if isinstance(count, int) and count:
                details[f"HTTP {status}"] = count
    for name, label in (("network_errors", "network"), ("extraction_failed", "extraction")):
        value = summary.get(name)
        if isinstance(value, int) and value:
            details[label] = value
    if check is not None and check.warnings:
        details["WARC warnings"] = len(check.warnings)
    return details


TOP_FAILURES = 5


def top_failures(crawl_summary: dict[str, Any], limit: int = TOP_FAILURES) -> dict[str, int]:
    """The most frequent failure reasons of the crawl (crawler/fetch/failures.py), most first."""
    counts = crawl_summary.get("failures")
    if not isinstance(counts, dict):
        return {}
    ranked = sorted(
        ((str(k), int(v)) for k, v in counts.items() if isinstance(v, int) and v),
        key=lambda kv: (-kv[1], kv[0]),
    )
    return dict(ranked[:limit])


def failures_line(failures: dict[str, int]) -> str:
    """``timeout 3, http-404 2`` — or ``none``."""
    return ", ".join(f"{reason} {count}" for reason, count in failures.items()) or "none"


def build_summary(
    plan: ArchivePlan,
    crawl_summary: dict[str, Any],
    *,
    check: CheckResult | None = None,
    fresh: NewArticles | None = None,
    manifest: Manifest | None = None,
    deleted: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    details = error_details(crawl_summary, check)
    files = [
        {
            "name": f.name,
            "kind": f.kind,
            "size": f.size,
            "sha256": f.sha256,
            "location": location(plan.storage_uri, f.key),
        }
        for f in (manifest.files if manifest else [])
    ]
    return {
        "site": plan.site,
        "crawl_id": plan.crawl_id,
        "status": "failed" if error else ("stored" if manifest else "incomplete"),
        "error": error,
        "resumed": plan.resume,
        "base_url": public_url(plan.base_url or crawl_summary.get("base_url")),
        "folder": str(plan.folder),
        "storage": plan.storage_uri,
        "manifest": location(plan.storage_uri, manifest.key) if manifest else None,
        "started": crawl_summary.get("started"),
        "finished": crawl_summary.get("finished"),
        "pages": crawl_summary.get("pages"),
        "articles": crawl_summary.get("articles"),
        "new_articles": fresh.count if fresh else None,
        "new_article_urls": fresh.new if fresh else [],
        "previous_crawls": fresh.previous_crawls if fresh else None,
        "bytes": manifest.total_bytes if manifest else None,
        "warc_bytes": crawl_summary.get("warc_bytes"),
        "errors": sum(details.values()),
        "error_details": details,
        "failures": top_failures(crawl_summary),
        "check": (
            f"{check.method}: {check.warc_files} WARC file(s), {check.records} records, "
            f"{check.earlier_refs} reference(s) to earlier crawls"
            if check
            else None
        ),
        "files": files,
        "deleted_local": deleted,
    }


def _cell(value: object) -> str:
    if value is None:
        return "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# warta archive: {summary['site']} {summary['crawl_id']}",
        "",
        f"**Status:** {summary['status']}"
        + (" (resumed)" if summary.get("resumed") else "")
        + (f" — {_cell(summary['error'])}" if summary.get("error") else ""),
        "",
        "| pages | articles | new articles | bytes stored | errors |",
        "| ---: | ---: | ---: | ---: | ---: |",
        "| "
        + " | ".join(
            _cell(summary.get(k)) for k in ("pages", "articles", "new_articles", "bytes", "errors")
        )
        + " |",
        "",
        f"- failed fetches (top reasons, all in `{FAILURES_FILE}`): "
        f"{_cell(failures_line(summary.get('failures') or {}))}",
        f"- site URL: {_cell(summary.get('base_url'))}",
        f"- crawl: {_cell(summary.get('started'))} → {_cell(summary.get('finished'))}",
        f"- storage: `{summary['storage']}`",
        f"- manifest: `{_cell(summary.get('manifest'))}`",
        f"- local folder: `{summary['folder']}`"
        + (
            f" ({summary['deleted_local']} local file(s) deleted after verification)"
            if summary.get("deleted_local")
            else ""
        ),
        f"- WARC check: {_cell(summary.get('check'))}",
        f"- new articles compared with {_cell(summary.get('previous_crawls'))} earlier crawl(s)",
    ]
    if summary.get("error_details"):
        lines += ["", "## Errors", "", "| kind | count |", "| --- | ---: |"]
        lines += [f"| {_cell(k)} | {v} |" for k, v in summary["error_details"].items()]
    if summary.get("files"):
        lines += ["", "## Files", "", "| file | kind | bytes | sha256 | stored at |"]
        lines += ["| --- | --- | ---: | --- | --- |"]
        lines += [
            f"| {_cell(f['name'])} | {f['kind']} | {f['size']} | `{f['sha256'][:16]}…` "
            f"| `{_cell(f['location'])}` |"
            for f in summary["files"]
        ]
    urls = summary.get("new_article_urls") or []
    if urls:
        lines += ["", "## New articles", ""]
        lines += [f"- {_cell(u)}" for u in urls[:NEW_URLS_SHOWN]]
        if len(urls) > NEW_URLS_SHOWN:
            lines.append(f"- … and {len(urls) - NEW_URLS_SHOWN} more")
    return "\n".join(lines) + "\n"


def render_text(summary: dict[str, Any]) -> str:
    """The few lines ``warta archive`` prints."""
    head = f"{summary['site']} {summary['crawl_id']}: {summary['status']}"
    if summary.get("error"):
        head += f" ({summary['error']})"
    lines = [
        head,
        f"  pages {_cell(summary.get('pages'))}, articles {_cell(summary.get('articles'))} "
        f"({_cell(summary.get('new_articles'))} new), errors {summary.get('errors', 0)}, "
        f"{_cell(summary.get('bytes'))} bytes in {len(summary.get('files') or [])} file(s)",
        f"  manifest: {_cell(summary.get('manifest'))}",
        f"  local folder: {summary['folder']}"
        + (" (deleted after verification)" if summary.get("deleted_local") else ""),
    ]
    return "\n".join(lines)


def publish(summary: dict[str, Any]) -> None:
    """Attach the summary to the current Prefect run as a markdown artifact."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown=render_markdown(summary),
        key=artifact_key(summary["site"]),
        description=f"warta archive of {summary['site']}, crawl {summary['crawl_id']}",
    )
