"""A crawl never leaves its allowed hosts nor reaches private addresses it was not given.

The end-to-end cases run ``scrapy crawl niaga`` against small servers that behave as the
attacks did: a 503 whose retry is redirected to a metadata address on another loopback IP,
and a host *name* that resolves to loopback. The second server counts every connection.
"""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from warcio.archiveiterator import ArchiveIterator

from crawler.config.sites import load_site
from crawler.fetch.host_guard import (
    AddressPolicy,
    AllowedHostsMiddleware,
    HostRefused,
    host_allowed,
    is_public,
    parse_networks,
)
from crawler.process.runner import CrawlFailed, run_crawl
from tests.conftest import PolitenessOff
from tests.scripted_server import Route, ScriptedServer

SCRIPTED = {"RETRY_TIMES": 1, "WARTA_EXTRACT_WORKERS": 0, "WARTA_STATE_ENABLED": False}


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.2", "169.254.169.254", "0.0.0.0",
     "224.0.0.1", "240.0.0.1", "100.64.0.1", "::1", "fe80::1", "::ffff:10.0.0.1", "fc00::1",
     # issue 27: 6to4 embedding the metadata address, site-local, NAT64 and IPv4-compatible
     "2002:a9fe:a9fe::1", "2002:7f00:1::", "2002:0a00:0001::5", "fec0::1", "feff::1",
     "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::1", "::127.0.0.1", "::a9fe:a9fe",
     "4000::1", "e000::1"],  # reserved by IANA, yet "global" to Python 3.11
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


class _Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


def _guard(base_url: str = "https://www.niaga.asia") -> tuple[AllowedHostsMiddleware, _Stats]:
    """The middleware with what it reads of a running crawl: the spider's hosts and site."""
    site = load_site("niaga").with_base_url(base_url)
    spider = SimpleNamespace(allowed_domains=site.fetch_hosts, site=site)
    stats = _Stats()
    crawler = SimpleNamespace(spider=spider, stats=stats)
    return AllowedHostsMiddleware(crawler), stats  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"dont_filter": True},  # what Scrapy's retry sets, and a redirect inherits
        {"meta": {"redirect_times": 1, "redirect_urls": ["https://www.niaga.asia/berita/"],
                  "redirect_reasons": [302]}},
        {"meta": {"allow_offsite": True}},
        {"dont_filter": True, "meta": {"redirect_times": 2, "retry_times": 1,
                                       "redirect_urls": ["https://www.niaga.asia/a/"]}},
    ],
)  # fmt: skip
def test_no_flag_takes_a_request_past_the_host_guard(flags: dict[str, object]) -> None:
    """Checked directly, without a resolver behind it: the guard alone must refuse, even a
    retried or redirected request, and even when the target is a public address."""
    guard, stats = _guard()
    for url in ("http://127.0.0.2/latest/meta-data/", "https://93.184.216.34/",
                "https://evil.example/niaga.asia/"):  # fmt: skip
        with pytest.raises(HostRefused):
            guard.process_request(Request(url, **flags))  # type: ignore[arg-type]
    assert stats.values["warta/refused/offsite"] == 3
    assert guard.process_request(Request("https://www.niaga.asia/berita/", **flags)) is None  # type: ignore[arg-type]


def test_a_replica_at_a_literal_address_allows_only_its_own_port() -> None:
    guard, _ = _guard("http://127.0.0.1:8123")
    assert guard.process_request(Request("http://127.0.0.1:8123/berita/")) is None
    for url in ("http://127.0.0.1:8124/", "http://127.0.0.1/", "ftp://127.0.0.1:8123/"):
        with pytest.raises(HostRefused):
            guard.process_request(Request(url, dont_filter=True))


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
    tmp_path: Path, metadata_server: ScriptedServer, politeness_off: PolitenessOff
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
            settings=politeness_off(**SCRIPTED),
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
    tmp_path: Path, politeness_off: PolitenessOff
) -> None:
    with ScriptedServer({"/robots.txt": (200, {}, b"User-agent: *\n")}) as hits:
        base = hits.base_url.replace("127.0.0.1", "localhost")
        with pytest.raises(CrawlFailed):  # nothing reachable: the crawl says it failed
            run_crawl(
                "niaga", tmp_path / "refused", "20260101T000000Z", base_url=base,
                settings=politeness_off(**SCRIPTED), timeout=120,
            )  # fmt: skip
        assert hits.paths == []
        log = (tmp_path / "refused" / "crawl.log").read_text()
        assert "not a public address" in log
        reasons = {f["reason"] for f in _failures(tmp_path / "refused")}
        assert reasons == {"refused-address"}, reasons
        run_crawl(
            "niaga", tmp_path / "allowed", "20260101T000001Z", base_url=base,
            settings={**politeness_off(**SCRIPTED),
                      "WARTA_ALLOWED_NETWORKS": ["127.0.0.1/32", "::1/128"]},
            timeout=120,
        )  # fmt: skip
        assert "/robots.txt" in hits.paths


@pytest.mark.parametrize(
    ("base_url", "allowed", "refused"),
    [
        ("https://127.0.0.1", ["https://127.0.0.1/a", "https://127.0.0.1:443/a"],
         ["http://127.0.0.1/a", "https://127.0.0.1:444/a"]),
        ("http://127.0.0.1", ["http://127.0.0.1/a", "http://127.0.0.1:80/a"],
         ["https://127.0.0.1/a", "http://127.0.0.1:81/a"]),
        ("https://127.0.0.1:8443", ["https://127.0.0.1:8443/a"], ["https://127.0.0.1/a"]),
    ],
)  # fmt: skip
def test_default_ports_of_a_site_at_a_literal_address(
    base_url: str, allowed: list[str], refused: list[str]
) -> None:
    guard, _ = _guard(base_url)
    for url in allowed:
        assert guard.process_request(Request(url)) is None, url
    for url in refused:
        with pytest.raises(HostRefused):
            guard.process_request(Request(url))


def test_a_named_site_allows_any_port_and_the_refusal_names_the_host(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard, _ = _guard()
    assert guard.process_request(Request("https://www.niaga.asia:8443/a")) is None
    assert guard.process_request(Request("http://www.niaga.asia:81/a")) is None
    with pytest.raises(HostRefused, match=r"^offsite: evil\.example is not an allowed host$"):
        guard.process_request(Request("https://evil.example/x"))
    assert [r.getMessage() for r in caplog.records] == [
        "Refused a request outside the allowed hosts: https://evil.example/x"
    ]


def test_a_spider_without_hosts_or_site_is_allowed_nothing() -> None:
    stats = _Stats()
    guard = AllowedHostsMiddleware(SimpleNamespace(spider=SimpleNamespace(), stats=stats))  # type: ignore[arg-type]
    with pytest.raises(HostRefused):
        guard.process_request(Request("https://www.niaga.asia/"))
    only_hosts = SimpleNamespace(
        spider=SimpleNamespace(allowed_domains=["niaga.asia"]), stats=stats
    )
    assert AllowedHostsMiddleware(only_hosts).process_request(  # type: ignore[arg-type]
        Request("https://www.niaga.asia:8080/")
    ) is None  # fmt: skip


def test_networks_may_be_written_with_host_bits() -> None:
    [network] = parse_networks([" 10.1.2.3/8 "])
    assert str(network) == "10.0.0.0/8"
