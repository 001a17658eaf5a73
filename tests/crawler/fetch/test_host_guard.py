"""A crawl never leaves its allowed hosts nor reaches private addresses it was not given.

The end-to-end cases run ``scrapy crawl niaga`` against small servers that behave as the
attacks did: a 503 whose retry is redirected to a metadata address on another loopback IP,
and a host *name* that resolves to loopback. The second server counts every connection.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.fetch.host_guard import AddressPolicy, host_allowed, is_public, parse_networks
from crawler.process.runner import CrawlFailed, run_crawl
from tests.scripted_server import Route, ScriptedServer

FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "WARTA_PROGRESS_INTERVAL": 0,
        "RETRY_TIMES": 1, "WARTA_EXTRACT_WORKERS": 0}  # fmt: skip


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.2", "169.254.169.254", "0.0.0.0",
     "224.0.0.1", "240.0.0.1", "100.64.0.1", "::1", "fe80::1", "::ffff:10.0.0.1", "fc00::1",
     # issue 27: 6to4 embedding the metadata address, site-local, NAT64 and IPv4-compatible
     "2002:a9fe:a9fe::1", "2002:7f00:1::", "2002:0a00:0001::5", "fec0::1", "feff::1",
     "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::1", "::127.0.0.1", "::a9fe:a9fe"],
)  # fmt: skip
def test_special_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    assert not AddressPolicy().permits(address)


def test_public_addresses_and_named_networks_are_permitted() -> None:
    assert AddressPolicy().permits("93.184.216.34")
    assert AddressPolicy().permits("2606:4700::6810:84e5")
    assert AddressPolicy().permits("2002:5db8:d822::1")  # 6to4 of a public address
    assert AddressPolicy().permits("64:ff9b::5db8:d822")  # NAT64 of a public address
    policy = AddressPolicy(parse_networks(["127.0.0.1/32", "10.0.0.0/8"]))
    assert policy.permits("127.0.0.1") and policy.permits("10.9.9.9")
    assert not policy.permits("127.0.0.2")
    assert not policy.permits("not-an-address")
    with pytest.raises(ValueError, match="WARTA_ALLOWED_NETWORKS"):
        parse_networks(["10.0.0.0/33"])


def test_host_rule_allows_subdomains_only() -> None:
    assert host_allowed("www.niaga.asia", ["niaga.asia"])
    assert host_allowed("WWW.NIAGA.ASIA.", ["www.niaga.asia"])
    assert not host_allowed("niaga.asia.evil.example", ["niaga.asia"])
    assert not host_allowed("evilniaga.asia", ["niaga.asia"])


@pytest.fixture
def metadata_server() -> Iterator[ScriptedServer]:
    """A stand-in for a cloud metadata service, on another loopback address."""
    routes: dict[str, Route] = {"/latest/meta-data/": (200, {}, b"SECRET-TOKEN")}
    with ScriptedServer(routes, host="127.0.0.2") as server:
        yield server


def _responses(folder: Path) -> list[str]:
    uris = []
    for path in folder.glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    uris.append(record.rec_headers.get_header("WARC-Target-URI"))
    return uris


def _failures(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "failures.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.slow
def test_retry_then_redirect_to_a_private_address_is_refused(
    tmp_path: Path, metadata_server: ScriptedServer
) -> None:
    loot = f"{metadata_server.base_url}/latest/meta-data/"
    with ScriptedServer({
        "/robots.txt": (200, {}, b"User-agent: *\nAllow: /\n"),
        "/berita/satu/#1": (503, {"Retry-After": "0"}, b"busy"),
        "/berita/satu/#2": (302, {"Location": loot}, b""),
        "/berita/satu/": (302, {"Location": loot}, b""),
        "/loot": (302, {"Location": loot}, b""),
    }) as site:  # fmt: skip
        result = run_crawl(
            "niaga", tmp_path / "crawl", "20260101T000000Z", base_url=site.base_url,
            settings={**FAST, "WARTA_STATE_ENABLED": False},
            spider_args={"urls": "/berita/satu/,/loot," + loot}, timeout=120,
        )  # fmt: skip
    assert metadata_server.paths == []
    assert not [u for u in _responses(result.output_dir) if "127.0.0.2" in u]
    log = result.log_file.read_text() if result.log_file else ""
    assert "Refused a request outside the allowed hosts" in log
    failures = _failures(result.output_dir)
    assert {"url": loot, "reason": "offsite"} in [
        {"url": f["url"], "reason": f["reason"]} for f in failures
    ]
    assert result.summary["failures"]["offsite"] >= 1


@pytest.mark.slow
def test_a_name_that_resolves_to_loopback_is_not_connected_unless_allowed(
    tmp_path: Path,
) -> None:
    with ScriptedServer({"/robots.txt": (200, {}, b"User-agent: *\n")}) as hits:
        base = hits.base_url.replace("127.0.0.1", "localhost")
        with pytest.raises(CrawlFailed):  # nothing reachable: the crawl says it failed
            run_crawl(
                "niaga", tmp_path / "refused", "20260101T000000Z", base_url=base,
                settings={**FAST, "WARTA_STATE_ENABLED": False}, timeout=120,
            )  # fmt: skip
        assert hits.paths == []
        log = (tmp_path / "refused" / "crawl.log").read_text()
        assert "not a public address" in log
        reasons = {f["reason"] for f in _failures(tmp_path / "refused")}
        assert reasons == {"refused-address"}, reasons
        run_crawl(
            "niaga", tmp_path / "allowed", "20260101T000001Z", base_url=base,
            settings={**FAST, "WARTA_STATE_ENABLED": False,
                      "WARTA_ALLOWED_NETWORKS": ["127.0.0.1/32", "::1/128"]},
            timeout=120,
        )  # fmt: skip
        assert "/robots.txt" in hits.paths
