"""The ``archive-site`` flow end to end: real crawls of the replica, real storage, Prefect's
test harness. Local archive, SeaweedFS with authentication, and an outage mid-upload."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from flows.archive_flow import archive_site
from flows.archives import find_crawls, verify_archive
from flows.cli import main as warta
from flows.storage import StorageError, open_storage
from flows.storage.manifest import parse_manifest

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
KINDS = {"warc", "cdxj", "parquet", "jsonl", "summary"}  # no WACZ: one copy of each capture


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def article_urls(path: Path) -> set[str]:
    return {json.loads(line)["url"] for line in path.read_text().splitlines() if line.strip()}


def run_flow(**params: Any) -> tuple[dict[str, Any], UUID]:
    state = archive_site(return_state=True, **params)
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    return state.result(), flow_run_id


def artifact_markdown(flow_run_id: UUID) -> str:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    assert [a.key for a in found] == ["warta-niaga"]
    return str(found[0].data)


def run_logs(flow_run_id: UUID) -> str:
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # send what the run logged before reading it back
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return "\n".join(log.message for log in logs)


def test_local_archive_counts_new_articles_and_publishes_artifact(
    niaga_replica, fast_crawl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    data, archive = tmp_path / "data", tmp_path / "archive"
    first, first_run = run_flow(
        site="niaga",
        storage=str(archive),
        base_url=niaga_replica.base_url,
        crawl_settings=fast_crawl,
        spider_args={"max_articles": 5},
        data_dir=str(data),
        delete_local=False,
    )
    assert first["status"] == "stored" and first["error"] is None
    assert first["articles"] == 5 and first["new_articles"] == 5
    assert first["previous_crawls"] == 0
    folder = Path(first["folder"])
    assert folder == data / "crawls" / "niaga" / first["crawl_id"]

    # Every stored file is the local file, byte for byte, and the manifest says so.
    [ref] = find_crawls(open_storage(str(archive)), site="niaga")
    manifest = parse_manifest((archive / ref.key).read_bytes(), ref.key)
    assert {f.kind for f in manifest.files} >= KINDS
    assert manifest.counts["articles"] == 5 and manifest.counts["new_articles"] == 5
    for entry in manifest.files:
        stored = archive / entry.key
        assert sha256(stored) == entry.sha256 == sha256(folder / entry.name)
        assert stored.stat().st_size == entry.size
        sidecar = stored.with_name(stored.name + ".sha256").read_text()
        assert sidecar.split()[0] == entry.sha256
    assert sorted(f["location"] for f in first["files"]) == sorted(
        f"{archive}/{e.key}" for e in manifest.files
    )
    assert verify_archive(open_storage(str(archive)), deep=True).ok

    # The second crawl, through `warta archive`, finds all the articles; ten are new.
    monkeypatch.setenv("WARTA_DATA_DIR", str(data))
    args = ["archive", "niaga", "--storage", str(archive), "--base-url", niaga_replica.base_url]
    args += [f"--set={k}={v}" for k, v in fast_crawl.items()]
    code = warta([*args, "--keep-local", "--json"])
    assert code == 0
    second = json.loads(capsys.readouterr().out)
    assert second["status"] == "stored" and second["previous_crawls"] == 1
    urls_before = article_urls(folder / "articles.jsonl")
    urls_now = article_urls(Path(second["folder"]) / "articles.jsonl")
    assert len(urls_before | urls_now) == niaga_replica.articles
    assert second["new_article_urls"] == sorted(urls_now - urls_before)
    assert second["new_articles"] == niaga_replica.articles - 5
    assert len(find_crawls(open_storage(str(archive)), site="niaga")) == 2

    markdown = artifact_markdown(first_run)
    assert f"warta archive: niaga {first['crawl_id']}" in markdown
    assert "| pages | articles | new articles | bytes stored | errors |" in markdown
    row = f"| {first['pages']} | 5 | 5 | {manifest.total_bytes} | 0 |"
    assert row in markdown
    for entry in manifest.files:
        assert f"`{archive}/{entry.key}`" in markdown


def test_s3_archive_is_verified_and_downloads_byte_for_byte(
    niaga_replica, fast_crawl, s3_target, tmp_path: Path, capsys
) -> None:
    summary, flow_run = run_flow(
        site="niaga",
        storage=s3_target.uri,
        base_url=niaga_replica.base_url,
        crawl_settings=fast_crawl,
        data_dir=str(tmp_path / "data"),
        delete_local=False,
    )
    assert summary["status"] == "stored" and summary["new_articles"] == niaga_replica.articles
    folder = Path(summary["folder"])
    client = s3_target.server.client()
    key = f"{s3_target.prefix}/{summary['manifest'].split('/archive/', 1)[1]}"
    manifest = parse_manifest(
        client.get_object(Bucket=s3_target.bucket, Key=key)["Body"].read(), key
    )
    assert {f.kind for f in manifest.files} >= KINDS
    for entry in manifest.files:
        full = f"{s3_target.prefix}/{entry.key}"
        head = client.head_object(Bucket=s3_target.bucket, Key=full)
        assert head["ContentLength"] == entry.size
        assert head["Metadata"]["sha256"] == entry.sha256
        body = client.get_object(Bucket=s3_target.bucket, Key=full)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == entry.sha256 == sha256(folder / entry.name)
        assert f"{s3_target.uri}/{entry.key}" in [f["location"] for f in summary["files"]]

    dest = tmp_path / "download"
    assert warta(["archives", "download", s3_target.uri, str(dest), "--no-progress"]) == 0
    got = dest / "niaga" / summary["crawl_id"]
    for entry in manifest.files:
        assert (got / entry.name).read_bytes() == (folder / entry.name).read_bytes()
    assert warta(["archives", "verify", s3_target.uri, "--deep"]) == 0

    secret = s3_target.server.secret_key
    shown = [artifact_markdown(flow_run), run_logs(flow_run), json.dumps(summary)]
    shown.append(capsys.readouterr().out)
    shown += [p.read_text(errors="replace") for p in folder.glob("*.log")]
    assert all(secret not in text for text in shown)
    assert f"`{s3_target.uri}/" in shown[0]


def test_outage_mid_upload_fails_keeps_everything_and_resume_completes(
    niaga_replica, fast_crawl, seaweed_factory, s3_env, tmp_path: Path, caplog
) -> None:
    server = seaweed_factory()
    server.client().create_bucket(Bucket="warta-outage")
    s3_env(server)
    uri, data = "s3://warta-outage/archive", tmp_path / "data"

    class KillOnFirstUpload(logging.Handler):
        """The store goes down right after its first object has arrived."""

        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("uploaded "):
                server.kill()

    caplog.set_level(logging.INFO, logger="warta.storage")
    killer = KillOnFirstUpload()
    logging.getLogger("warta.storage").addHandler(killer)
    try:
        with pytest.raises(StorageError, match="cannot reach"):
            archive_site(
                site="niaga",
                storage=uri,
                base_url=niaga_replica.base_url,
                crawl_settings=fast_crawl,
                data_dir=str(data),
                delete_local=True,
                storage_retries=1,
                storage_retry_delay=0.1,
            )
    finally:
        logging.getLogger("warta.storage").removeHandler(killer)
    uploaded = [r for r in caplog.records if r.getMessage().startswith("uploaded ")]
    assert len(uploaded) == 1  # one object arrived before the outage, then every try failed

    [folder] = (data / "crawls" / "niaga").iterdir()
    # hidden bookkeeping (whose the folder is, its lock) is never uploaded
    local = {p.name: sha256(p) for p in folder.iterdir() if p.is_file() and p.name[0] != "."}
    suffixes = {".gz", ".cdxj", ".parquet", ".jsonl", ".json", ".log"}
    assert {Path(name).suffix for name in local} == suffixes

    server.start()  # same data directory, new ports
    s3_env(server)
    storage = open_storage(uri)
    assert find_crawls(storage, site="niaga") == []  # no manifest: not a finished crawl
    summary, flow_run = run_flow(
        site="niaga",
        storage=uri,
        resume_crawl_id=folder.name,
        data_dir=str(data),
        delete_local=True,
    )
    assert summary["status"] == "stored" and summary["resumed"]
    [ref] = find_crawls(storage, site="niaga")
    manifest = parse_manifest(storage.get_bytes(ref.key), ref.key)
    # What was stored is exactly what the failed run left behind, and all of it checks out.
    assert {f.name: f.sha256 for f in manifest.files} == local
    assert verify_archive(storage, deep=True).ok and not verify_archive(storage).notes
    # Only then were the local copies removed.
    assert summary["deleted_local"] == len(local)
    assert not folder.exists()
    assert "resumed" in artifact_markdown(flow_run)


def test_crawl_state_travels_with_the_archive_to_a_new_worker(
    niaga_replica, fast_crawl, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    first, _ = run_flow(
        site="niaga",
        storage=str(archive),
        base_url=niaga_replica.base_url,
        crawl_settings=fast_crawl,
        data_dir=str(tmp_path / "worker-a"),
    )
    assert first["articles"] == niaga_replica.articles
    stored_states = list((archive / "niaga" / "state").glob("niaga@*.json"))  # the head
    assert len(stored_states) == 1
    assert json.loads(stored_states[0].read_text())["generation"] == 1

    # A second worker with an empty data folder: it carries on from the stored state, so
    # nothing already archived is fetched again.
    second, _ = run_flow(
        site="niaga",
        storage=str(archive),
        base_url=niaga_replica.base_url,
        crawl_settings=fast_crawl,
        data_dir=str(tmp_path / "worker-b"),
    )
    assert second["status"] == "stored"
    assert second["articles"] == 0 and second["new_articles"] == 0
    assert (tmp_path / "worker-b" / "state" / f"{stored_states[0].stem}.sqlite").is_file()
