"""``warta archives`` list / download / verify / presign, on a local folder and on S3."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from flows.cli import main
from flows.storage import open_storage
from flows.storage.crawl_upload import store_crawl
from flows.storage.manifest import Manifest

CRAWL_ID = "20261127T101500Z"
THRESHOLD = 5 * 1024 * 1024


@pytest.fixture
def stored(archive_uri: str, make_crawl: Callable[..., Path]) -> tuple[str, Path, Manifest]:
    folder = make_crawl()
    storage = open_storage(archive_uri, multipart_threshold=THRESHOLD)
    manifest = store_crawl(folder, storage, "niaga", CRAWL_ID, date(2026, 11, 27))
    return archive_uri, folder, manifest


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["archives", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def same_tree(a: Path, b: Path) -> bool:
    files = sorted(p.name for p in a.iterdir())
    return (
        bool(files)
        and files == sorted(p.name for p in b.iterdir() if not p.name.endswith(".manifest.json"))
        and all((a / n).read_bytes() == (b / n).read_bytes() for n in files)
    )


def test_list_filters_by_site_and_day(stored, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    uri, _folder, manifest = stored
    code, out, _ = run(capsys, "list", uri)
    assert code == 0
    line = next(x for x in out.splitlines() if CRAWL_ID in x)
    assert line.split()[:4] == ["2026-11-27", "niaga", CRAWL_ID, "7"]

    code, out, _ = run(capsys, "list", uri, "--json", "--site", "niaga", "--until", "2026-11-27")
    assert json.loads(out) == {
        "date": "2026-11-27", "site": "niaga", "crawl_id": CRAWL_ID, "files": 7,
        "bytes": manifest.total_bytes,
    }  # fmt: skip
    assert run(capsys, "list", uri, "--json", "--since", "2026-11-28")[1] == ""
    assert run(capsys, "list", uri, "--json", "--site", "other")[1] == ""


def test_download_is_exact_and_resumable(
    stored,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    uri, folder, manifest = stored
    dest = tmp_path / "download"
    code, out, err = run(capsys, "download", uri, str(dest))
    assert code == 0, out + err
    got = dest / "niaga" / CRAWL_ID
    assert same_tree(folder, got)
    assert (got / f"{CRAWL_ID}.manifest.json").is_file()
    assert "\r" not in err  # no progress bar drawn into a captured (non-terminal) stream

    code, out, _ = run(capsys, "download", uri, str(dest), "--no-progress")
    assert code == 0 and "0 downloaded, 7 already complete" in out

    # Interrupted download: half of the large file is on disk as .part.
    big = max(manifest.files, key=lambda f: f.size)
    target = got / big.name
    data = target.read_bytes()
    target.unlink()
    target.with_name(target.name + ".part").write_bytes(data[: len(data) // 2])
    code, out, _ = run(capsys, "download", uri, str(dest), "--no-progress")
    assert code == 0 and "1 downloaded, 6 already complete" in out
    assert target.read_bytes() == data
    assert not target.with_name(target.name + ".part").exists()


def test_download_rejects_a_corrupt_partial_file(
    stored,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    uri, folder, _manifest = stored
    dest = tmp_path / "download"
    got = dest / "niaga" / CRAWL_ID
    got.mkdir(parents=True)
    (got / "articles.jsonl.part").write_bytes(b"garbage")
    code, out, _ = run(capsys, "download", uri, str(dest), "--no-progress")
    assert code == 1
    assert "PROBLEM" in out and "articles.jsonl" in out
    assert not (got / "articles.jsonl").exists() and not (got / "articles.jsonl.part").exists()
    assert run(capsys, "download", uri, str(dest), "--no-progress")[0] == 0
    assert same_tree(folder, got)


def tamper(
    uri: str, key: str, data: bytes, keep_digest: bool, request: pytest.FixtureRequest
) -> None:
    """Replace an object behind warta's back, optionally keeping its recorded digest."""
    storage = open_storage(uri)
    if uri.startswith("s3://"):
        target = request.getfixturevalue("s3_target")
        info = storage.head(key)
        meta = {"sha256": info.sha256} if keep_digest and info and info.sha256 else {}
        target.server.client().put_object(
            Bucket=target.bucket, Key=f"{target.prefix}/{key}", Body=data, Metadata=meta
        )
    else:
        path = Path(uri).joinpath(*key.split("/"))
        sidecar = path.with_name(path.name + ".sha256")
        old = sidecar.read_text()
        path.write_bytes(data)
        if not keep_digest:
            sidecar.write_text(hashlib.sha256(data).hexdigest() + old[64:])


def real_warc(path: Path, pages: int) -> None:
    """A WARC of ``pages`` resource records, as warcio writes them."""
    from io import BytesIO

    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(pages):
            body = f"<html><body>page {i} {'x' * 2000}</body></html>".encode()
            record = writer.create_warc_record(
                f"https://niaga.asia/{path.stem}/{i}", "resource", payload=BytesIO(body),
                warc_content_type="text/html",
            )  # fmt: skip
            writer.write_record(record)


@pytest.fixture
def stored_warcs(archive_uri: str, make_crawl: Callable[..., Path]) -> tuple[str, Path, Manifest]:
    """A stored crawl whose WARCs are real and whose CDXJ index is built from them."""
    from crawler.warc.indexing import build_cdxj

    folder = make_crawl(large=False)
    for warc in folder.glob("*.warc.gz"):
        real_warc(warc, 20)
    (folder / "index.cdxj").unlink()
    build_cdxj(sorted(folder.glob("*.warc.gz")), folder / f"warta-niaga-{CRAWL_ID}.cdxj")
    storage = open_storage(archive_uri, multipart_threshold=THRESHOLD)
    manifest = store_crawl(folder, storage, "niaga", CRAWL_ID, date(2026, 11, 27))
    return archive_uri, folder, manifest


def test_deep_verify_reads_what_the_warc_holds(
    archive_uri: str, make_crawl: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A WARC cut inside a record was stored as it was: its size and sha256 match the
    manifest, so only reading its records finds the damage."""
    from crawler.warc.indexing import build_cdxj

    folder = make_crawl(large=False)
    for warc in folder.glob("*.warc.gz"):
        real_warc(warc, 20)
    (folder / "index.cdxj").unlink()
    build_cdxj(sorted(folder.glob("*.warc.gz")), folder / f"warta-niaga-{CRAWL_ID}.cdxj")
    cut = sorted(folder.glob("*.warc.gz"))[0]
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    store_crawl(folder, open_storage(archive_uri), "niaga", CRAWL_ID, date(2026, 11, 27))
    assert run(capsys, "verify", archive_uri)[0] == 0  # sizes and digests are as recorded
    code, out, _ = run(capsys, "verify", archive_uri, "--deep")
    assert code == 1 and "FAILED" in out
    assert f"niaga {CRAWL_ID}: niaga/2026/11/27/{cut.name}" in out, out


def test_verify_detects_tampering(
    stored_warcs,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,  # type: ignore[no-untyped-def]
) -> None:
    uri, _folder, manifest = stored_warcs
    code, out, _ = run(capsys, "verify", uri)
    assert code == 0 and out.startswith("OK: 1 crawl(s), 6 file(s)"), out
    assert run(capsys, "verify", uri, "--deep")[0] == 0

    jsonl = next(f for f in manifest.files if f.kind == "jsonl")
    original = open_storage(uri).get_bytes(jsonl.key)
    forged = original.replace(b"niaga", b"NIAGA")
    assert len(forged) == len(original)
    tamper(uri, jsonl.key, forged, keep_digest=True, request=request)
    assert run(capsys, "verify", uri)[0] == 0  # the recorded digest still claims the old one
    code, out, _ = run(capsys, "verify", uri, "--deep")
    assert code == 1 and f"PROBLEM {jsonl.key}: content sha256" in out and "FAILED" in out

    tamper(uri, jsonl.key, forged, keep_digest=False, request=request)
    code, out, _ = run(capsys, "verify", uri)
    assert code == 1 and f"PROBLEM {jsonl.key}:" in out


def test_presign_links_work_without_credentials(
    stored,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    uri, folder, manifest = stored
    code, out, err = run(capsys, "presign", uri, "--expires", "7d")
    assert code == 0
    links = out.split()
    assert len(links) == 8  # the manifest and seven files
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    entry = next(f for f in manifest.files if f.kind == "jsonl")
    link = next(x for x in links if entry.key.rsplit("/", 1)[1] in x)
    if uri.startswith("s3://"):
        assert link.startswith("http") and "X-Amz-Expires=604800" in link
        assert "valid until" in err
    else:
        assert link.startswith("file://") and "only on this machine" in err
    with urllib.request.urlopen(link) as response:  # plain urllib, no signing
        assert response.read() == (folder / entry.name).read_bytes()

    code, _, err = run(capsys, "presign", uri, "--expires", "8d")
    assert code == 2 and "up to 7 days" in err


def test_missing_local_archive_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path / "nowhere"))
    assert code == 2 and "no archive folder" in err
