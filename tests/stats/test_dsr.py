from collections import defaultdict

import numpy as np
import pytest

from marmot.stats import ESP2013, dsr, dsr_of_areas

from .conftest import num, read_vectors

REL = 1e-9
RESULTS = read_vectors("testdata_DSR_ISR__testresults_DSR.csv")


def _areas(name):
    areas = defaultdict(list)
    for row in read_vectors(name):
        areas[row["area"]].append(row)
    return areas


MULTIAREA = _areas("testdata_DSR_ISR__testdata_multiarea.csv")
NONINDEPENDENT = _areas("testdata_DSR_ISR__testdata_nonindepe.csv")
ESP1976 = read_vectors("testdata_DSR_ISR__testdata_1976.csv")


def _case(index):
    """Row `index` (1-based) of testresults_DSR, its total count and a function computing it
    at a given confidence, following the README row notes."""
    row = RESULTS[index - 1]
    multiplier = 10_000 if index <= 4 else 100_000
    if row["area"] == "testdata_1976":
        bands, kwargs = ESP1976, {"standard": [num(b["esp1976"]) for b in ESP1976]}
    elif index >= 9:
        bands = NONINDEPENDENT[row["area"]]
        kwargs = {"persons_by_events": {f: [num(b[f"f{f}"]) for b in bands] for f in (1, 2, 3, 4)}}
    else:
        bands, kwargs = MULTIAREA[row["area"]], {}
    counts, pops = [num(b["count"]) for b in bands], [num(b["pop"]) for b in bands]
    assert np.nansum(counts) == num(row["total_count"]) and sum(pops) == num(row["total_pop"])

    def run(confidence):
        return dsr(counts, pops, multiplier=multiplier, confidence=confidence, **kwargs)

    return row, run


def _expected(row, *columns):
    return tuple(num(row[c]) for c in columns)


@pytest.mark.parametrize("index", [1, 2, 3, 5, 6, 7], ids=lambda i: f"row{i}")
def test_esp2013_dsr_matches_vectors(index):
    row, run = _case(index)
    assert run(0.95) == pytest.approx(_expected(row, "value", "lower95_0cl", "upper95_0cl"),
                                      rel=REL, nan_ok=True)
    assert run(0.998) == pytest.approx(_expected(row, "value", "lower99_8cl", "upper99_8cl"),
                                       rel=REL, nan_ok=True)


@pytest.mark.parametrize("index", [4, 8], ids=lambda i: f"row{i}")
def test_user_supplied_standard_matches_vectors(index):
    # ESP1976 rows: only the value and 95% limits are valid (the 99.8% cells are a spreadsheet artefact)
    row, run = _case(index)
    assert run(0.95) == pytest.approx(_expected(row, "value", "lower95_0cl", "upper95_0cl"), rel=REL)


@pytest.mark.parametrize("index", [9, 10, 11, 12], ids=lambda i: f"row{i}")
def test_non_independent_events_match_vectors(index):
    # expected values are stored rounded to 8 decimal places
    row, run = _case(index)
    assert run(0.95) == pytest.approx(_expected(row, "value", "lower95_0cl", "upper95_0cl"),
                                      abs=1e-8, nan_ok=True)
    assert run(0.998) == pytest.approx(_expected(row, "value", "lower99_8cl", "upper99_8cl"),
                                       abs=1e-8, nan_ok=True)


def test_esp2013_constant_matches_package_data():
    assert tuple(int(r["esp2013_weight"]) for r in read_vectors("esp2013.csv")) == ESP2013
    assert sum(ESP2013) == 100_000


@pytest.mark.parametrize("name", ["err1", "err2", "err3", "err4"])
def test_invalid_inputs_raise(name):
    # err1 negative count, err2 zero population, err3 negative population, err4 negative weight
    bands = read_vectors(f"testdata_DSR_ISR__testdata_{name}.csv")[:19]
    standard = [num(b["stdpop"]) for b in bands] if "stdpop" in bands[0] else ESP2013
    with pytest.raises(ValueError):
        dsr([num(b["count"]) for b in bands], [num(b["pop"]) for b in bands], standard=standard)


def test_band_count_must_match_standard():
    with pytest.raises(ValueError):
        dsr([5] * 18, [100] * 18)


@pytest.mark.parametrize("confidence, columns", [(0.95, ("value", "lower95_0cl", "upper95_0cl")),
                                                 (0.998, ("value", "lower99_8cl", "upper99_8cl"))])
def test_many_areas_at_once_match_the_vectors_area_by_area(confidence, columns):
    indices = [1, 2, 3, 5, 6, 7]  # the ESP2013 areas of independent events, multipliers 10,000 and 100,000
    areas = [MULTIAREA[RESULTS[i - 1]["area"]] for i in indices]
    counts = [num(b["count"]) for bands in areas for b in bands]
    pops = [num(b["pop"]) for bands in areas for b in bands]
    starts = np.cumsum([0, *(len(bands) for bands in areas[:-1])])
    multipliers = [10_000 if i <= 4 else 100_000 for i in indices]
    result = dsr_of_areas(counts, pops, np.tile(ESP2013, len(areas)), starts, multipliers, confidence)
    for k, index in enumerate(indices):
        expected = _expected(RESULTS[index - 1], *columns)
        assert (result.value[k], result.lower[k], result.upper[k]) == pytest.approx(expected, rel=REL, nan_ok=True)


def test_many_areas_withhold_an_area_with_no_population_or_fewer_than_10_events():
    bands = len(ESP2013)
    counts = np.r_[np.full(bands, 5.0), np.zeros(bands), [9.0] + [0.0] * (bands - 1)]
    pops = np.r_[np.full(bands, 1000.0), np.r_[0.0, np.full(bands - 1, 1000.0)], np.full(bands, 1000.0)]
    result = dsr_of_areas(counts, pops, np.tile(ESP2013, 3), [0, bands, 2 * bands])
    single = dsr(counts[:bands], pops[:bands])
    assert (result.value[0], result.lower[0], result.upper[0]) == pytest.approx(tuple(single), rel=1e-12)
    assert np.isnan(result.value[1:]).all() and np.isnan(result.lower[1:]).all()
    with pytest.raises(ValueError):
        dsr(counts[bands:2 * bands], pops[bands:2 * bands])
