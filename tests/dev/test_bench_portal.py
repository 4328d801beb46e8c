"""``python -m devtools bench --portal`` measures real uploads against a real server and reports p95 with its goal."""

from __future__ import annotations

from devtools.bench.portal import GOAL_P95_SECONDS, bench_portal, print_result


def test_the_portal_bench_times_real_pre_checks(home, capsys):
    result = bench_portal(rows=1000, repeats=3)
    assert result["rows"] == 1000 and result["repeats"] == 3
    assert 0 < result["p50"] <= result["p95"] <= result["max"] < 60
    assert result["met"] == (result["p95"] < GOAL_P95_SECONDS)
    print_result(result)
    assert f"goal p95 < {GOAL_P95_SECONDS:.0f} s" in capsys.readouterr().out
