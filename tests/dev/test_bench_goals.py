"""`make bench` judges each goal (issue 21's, and issue 20's pre-check) on a figure of the same run, and says
which it did not measure."""

from __future__ import annotations

from devtools.bench import run as bench


def test_each_goal_is_judged_on_its_figure_and_an_unmeasured_one_says_so():
    result = {"airflow_single": [{"seconds": 9.0}, {"seconds": 30.0}, {"seconds": 12.0}],
              "airflow": {"seconds": 31.0}, "ratios": {"ingest / duckdb floor": 1.2}, "portal": {"p95": 2.5}}
    goals = bench.goals(result)
    assert goals["one file landing -> published, median (s)"] == {"goal": 15.0, "measured": 12.0, "met": True}
    assert goals["burst landing -> published (s)"]["met"] is False
    assert goals["ingest / duckdb floor"]["met"] is True
    assert goals["incremental / full at scale 8"] == {"goal": 0.1, "measured": None, "met": None}
    assert goals["portal pre-check of 10,000 rows, p95 (s)"] == {"goal": 2.0, "measured": 2.5, "met": False}


def test_single_files_are_one_datasets_periods_before_the_held_back_latest(tmp_path):
    folder = tmp_path / "hospital" / "admissions"
    folder.mkdir(parents=True)
    files = [folder / f"synthetic_admissions_2026-0{m}.csv" for m in range(1, 7)]
    for f in files:
        f.write_text("x")
    held = bench.latest_period_files(tmp_path)
    assert held == {files[-1]}
    assert bench.single_files(tmp_path, held, 3) == files[-4:-1]
