"""The names and paths of the replica's faults, which routes link and ``faults`` serves.

Kept apart from the fault behaviour so the routes can link to the faults (home page, post
sitemap) without importing the code that misbehaves, and that code need not import routes.
"""

from __future__ import annotations

FAULT_PREFIX = "/__fault__/"
FAULTS: tuple[str, ...] = (
    "500",
    "503",
    "429",
    "slow",
    "truncated",
    "reset",
    "gzip-bomb",
    "huge",
    "malformed-html",
    "hostile-sitemap",
    "redirect-loop",
    "offsite-redirect",
)
FAULT_SITEMAPS: tuple[str, ...] = (f"{FAULT_PREFIX}hostile-sitemap",)


def fault_paths() -> tuple[str, ...]:
    """Every fault as a path a crawl can meet (``slow`` with a short pause)."""
    return tuple(
        f"{FAULT_PREFIX}{name}" + ("?seconds=2" if name == "slow" else "") for name in FAULTS
    )


def fault_links_html(base: str) -> str:
    links = "".join(f'<li><a href="{base}{p}">{p}</a></li>' for p in fault_paths())
    return f'<ul class="replica-faults">{links}</ul>'
