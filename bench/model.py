"""The model limit L: what the crawl could reach if every core did nothing but its stages.

Each stage's CPU cost per article comes from a run that does that stage alone (fetching
without archiving or extraction, WARC writing and state writes replayed without Scrapy,
extraction in the worker pool over the crawl's WARC, the replica serving the fetch-only
crawl). With ``n`` cores shared perfectly between the stages::

    L = n / (sum of the stages' CPU seconds per article)

where extraction's cost is ``n / c`` (``c``: articles/s of the extraction ceiling on all n
cores). Before issue 30 the sum held fetching and extraction only; WARC writing, the state,
page requisites and the replica's own CPU (on the same cores) were left out, so (a)/L could
not reach 1 even for a crawl that lost nothing between its parts.
"""

from __future__ import annotations

from typing import Any


def per_article_costs(
    a: dict[str, Any],
    b0: dict[str, Any],
    b: dict[str, Any],
    c: dict[str, Any],
    stages: dict[str, Any],
    cores: int,
) -> dict[str, float]:
    """CPU seconds per article of each stage, scaled to the pages run (a) fetched.

    ``b0`` fetches the articles only, ``b`` the articles and the page requisites (from a
    list, since finding them takes extraction), both with WARC and extraction off.
    """
    articles = a["articles"]
    pages_scale = a["pages"] / b["pages"] if b["pages"] else 1.0
    fetch_articles = b0["reactor_cpu_s"] / b0["articles"]
    fetch_all = b["reactor_cpu_s"] / b["articles"] * pages_scale
    server = (b.get("server_cpu_s") or 0.0) / b["articles"] * pages_scale
    return {
        "fetch": fetch_articles,
        "requisites_fetch": max(0.0, fetch_all - fetch_articles),
        "requisites_list": stages["requisites_cpu_s"] / articles,
        "warc_write": stages["warc_cpu_s"] / articles,
        "state_writes": stages["state_cpu_s"] / articles,
        "extraction": cores / c["articles_per_s"],
        "server": server,
    }


def model_limit(costs: dict[str, float], cores: int) -> float:
    """L = n / (CPU seconds per article, all stages)."""
    return cores / sum(costs.values())


def ceilings(costs: dict[str, float], cores: int) -> dict[str, float]:
    """Articles/s each stage alone would allow on all cores."""
    return {k: round(cores / v, 1) for k, v in costs.items() if v > 0}


def reactor_limit(a: dict[str, Any]) -> float:
    """Articles/s the crawl process allows alone: one core over its CPU per article in (a),
    nearly all of it the reactor thread's, which cannot use a second core. Not part of L (a
    bound, not a stage's cost): where it is below L the reactor is the bottleneck, and a/L
    cannot reach 1 however well the stages overlap."""
    per_article = a["reactor_cpu_s"] / a["articles"] if a["articles"] else 0.0
    return round(1 / per_article, 1) if per_article else 0.0
