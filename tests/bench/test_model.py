"""The model limit L counts every stage (fetching, requisites, WARC, state, server,
extraction), so a crawl that loses nothing between its parts reaches it."""

from __future__ import annotations

import pytest

from bench import model


def test_limit_is_the_cores_over_the_sum_of_the_stages() -> None:
    a = {"articles": 100, "pages": 300}
    b0 = {"articles": 100, "pages": 110, "reactor_cpu_s": 0.2}
    b = {"articles": 100, "pages": 300, "reactor_cpu_s": 0.5, "server_cpu_s": 0.1}
    c = {"articles_per_s": 200.0}
    stages = {"warc_cpu_s": 0.1, "requisites_cpu_s": 0.05, "state_cpu_s": 0.05}
    costs = model.per_article_costs(a, b0, b, c, stages, cores=2)
    assert costs == pytest.approx(
        {
            "fetch": 0.002,
            "requisites_fetch": 0.003,
            "requisites_list": 0.0005,
            "warc_write": 0.001,
            "state_writes": 0.0005,
            "extraction": 0.01,
            "server": 0.001,
        }
    )
    limit = model.model_limit(costs, cores=2)
    assert limit == pytest.approx(2 / 0.018)
    # the old model (fetch and extraction only) was higher: it left stages out
    assert limit < 1 / (1 / (2 * 100 / 0.5) + 1 / 200)
    assert model.ceilings(costs, cores=2)["warc_write"] == 2000.0


def test_reactor_limit_is_one_core_over_the_crawl_process_cpu_per_article() -> None:
    assert model.reactor_limit({"articles": 200, "reactor_cpu_s": 1.6}) == 125.0
    assert model.reactor_limit({"articles": 0, "reactor_cpu_s": 1.6}) == 0.0
