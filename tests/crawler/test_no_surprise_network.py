"""A crawl contacts nothing but its site: the public suffix list comes from the package."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import socket
def refuse(*args, **kwargs):
    raise AssertionError(f"network access attempted: {args[:1]}")
socket.create_connection = refuse
socket.socket.connect = refuse
import crawler.settings  # what `scrapy crawl` imports first (scrapy.cfg)
from scrapy.downloadermiddlewares.cookies import _is_public_domain
assert _is_public_domain("co.id") and not _is_public_domain("www.niaga.asia")
import tldextract
assert tldextract.extract("samarinda.prokal.co").top_domain_under_public_suffix == "prokal.co"
print("ok")
"""


def test_public_suffix_list_needs_no_network(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
