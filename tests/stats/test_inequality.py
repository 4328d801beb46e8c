import re
from collections import defaultdict

import numpy as np
import pytest

from marmot.stats import assign_quantiles, difference, invert_for_polarity, quantile_gap, ratio, sii, weighted_slope

from .conftest import num, read_vectors

POINT_REL = 1e-9
CI_REL = 0.05  # Monte Carlo limits: the package tests use a tolerance of 0.05
SEED = 20240613
SII_ROWS = {int(r["RecordNo"]): r for r in read_vectors("testdata_SII__testdata_SII.csv")}

# Arguments not stored in testdata_SII (README table, testSII.R): first record of each area ->
# (multiplier, transform, inputs tried). value_type, confidence and repetitions come from the file.
SII_SCENARIOS = {
    **dict.fromkeys([1, 11, 21, 31, 71, 81], (1, False, ("se", "limits"))),
    **dict.fromkeys([41, 51, 61, 66, 226, 236], (1, False, ("se",))),
    **dict.fromkeys([91, 101], (1, False, ("se", "limits", "counts"))),
    **dict.fromkeys([111, 121], (100, False, ("limits",))),
    **dict.fromkeys([131, 141], (-100, False, ("limits",))),
    **dict.fromkeys([246, 256, 266, 276, 286, 296], (1, False, ("limits",))),
    **dict.fromkeys([306, 316, 326, 336, 366, 376, 406, 416, 426, 436, 446, 456, 466, 476, 486, 496],
                    (1, True, ("limits",))),
    **dict.fromkeys([346, 356, 386, 396], (-1, True, ("limits",))),
}
SII_CASES = [(start, inputs) for start, (_, _, tried) in SII_SCENARIOS.items() for inputs in tried]


def _block(start, end=None):
    """Rows of one area: from `start` up to the next quantile 1 (or up to `end` inclusive)."""
    rows, record = [SII_ROWS[start]], start + 1
    while record in SII_ROWS and (record <= end if end else SII_ROWS[record]["Quantile"] != "1"):
        rows.append(SII_ROWS[record])
        record += 1
    return rows


def _column(rows, name):
    return [num(r[name]) for r in rows]


def _sii_inputs(rows, inputs):
    if inputs == "se":
        return {"values": _column(rows, "Value"), "se": _column(rows, "StandardError")}
    values = _column(rows, "Value")
    if inputs == "counts":  # proportions derived from x = Count
        values = [x / n for x, n in zip(_column(rows, "Count"), _column(rows, "Population"), strict=False)]
    return {"values": values, "lower": _column(rows, "LowerCL"), "upper": _column(rows, "UpperCL")}


@pytest.mark.parametrize("start, inputs", SII_CASES, ids=[f"rec{s}-{i}" for s, i in SII_CASES])
def test_sii_matches_vectors(start, inputs):
    rows = _block(start)
    first = rows[0]
    multiplier, transform, _ = SII_SCENARIOS[start]
    confidence = [float(c) for c in re.findall(r"[\d.]+", first["Confidence"])]
    result = sii(_column(rows, "Population"), value_type=int(first["ValueType"]), transform=transform,
                 multiplier=multiplier, confidence=confidence, repetitions=int(first["Repetitions"]),
                 rng=SEED, **_sii_inputs(rows, inputs))

    assert result.sii == pytest.approx(num(first["sii"]), rel=POINT_REL)
    checked = 1
    for name, got in (("rii", result.rii), ("Intercept", result.intercept)):
        if first[name]:
            assert got == pytest.approx(num(first[name]), rel=POINT_REL)
            checked += 1
    for k in range(len(confidence)):
        for measure, limits in (("sii", result.sii_limits[k]), ("rii", result.rii_limits[k])):
            expected = (first[f"{measure}_lowercl_{k + 1}"], first[f"{measure}_uppercl_{k + 1}"])
            if all(expected):
                assert limits == pytest.approx(tuple(map(float, expected)), rel=CI_REL)
                checked += 2
    assert checked >= (2 if start in (61, 66) else 3)


def test_sii_simulation_is_reproducible_with_a_seed():
    rows = _block(1)
    args = (_column(rows, "Population"),)
    kwargs = dict(_sii_inputs(rows, "se"), repetitions=1000)
    assert sii(*args, **kwargs, rng=5) == sii(*args, **kwargs, rng=np.random.default_rng(5))
    assert sii(*args, **kwargs, rng=5).sii_limits != sii(*args, **kwargs, rng=6).sii_limits


@pytest.mark.parametrize("start, end, value_type, inputs", [
    (151, None, 0, "se"),        # negative population
    (161, 165, 0, "se"),         # negative standard error
    (171, 175, 2, "limits"),     # proportion upper limit of 11
    (176, 180, 2, "limits"),     # proportion lower limit of 8
    (181, None, 0, "limits"),    # missing values
    (191, None, 0, "se"),        # missing standard errors
    (191, None, 0, "limits"),    # missing confidence limits
    (201, None, 0, "limits"),    # missing population and value
    (1, None, 2, "se"),          # values outside 0-1 for a proportion
    (1, 3, 0, "se"),             # fewer than 5 quantiles
], ids=["neg-pop", "neg-se", "prop-upper", "prop-lower", "no-value", "no-se", "no-limits",
        "no-pop", "prop-value", "3-quantiles"])
def test_sii_invalid_data_raises(start, end, value_type, inputs):
    rows = _block(start, end)
    with pytest.raises(ValueError):
        sii(_column(rows, "Population"), value_type=value_type, repetitions=1000, rng=SEED,
            **_sii_inputs(rows, inputs))


@pytest.mark.parametrize("kwargs", [
    {"transform": True, "value_type": 0, "inputs": "limits"},
    {"transform": True, "value_type": 1, "inputs": "se"},
    {"value_type": 3, "inputs": "se"},
    {"repetitions": 999, "inputs": "se"},
    {"confidence": 0.35, "inputs": "se"},
    {"confidence": 40, "inputs": "se"},
    {"confidence": 135, "inputs": "se"},
], ids=["transform-type0", "transform-se", "value-type", "repetitions", "conf-0.35", "conf-40", "conf-135"])
def test_sii_invalid_arguments_raise(kwargs):
    rows = _block(71)
    inputs = kwargs.pop("inputs")
    with pytest.raises(ValueError):
        sii(_column(rows, "Population"), **_sii_inputs(rows, inputs), **kwargs)


def test_sii_warns_above_ten_quantiles():
    rows = _block(211)
    assert len(rows) == 15
    with pytest.warns(UserWarning, match="more than 10 quantiles"):
        result = sii(_column(rows, "Population"), repetitions=1000, rng=SEED, **_sii_inputs(rows, "limits"))
    assert np.isfinite(result.sii)


def _quantile_groups():
    """Groups and arguments as in the package's testQuantiles.R."""
    groups = defaultdict(list)
    for row in read_vectors("testdata_Quantiles__testdata_Quantiles.csv"):
        if row["Test"] == "BadPolarity":
            key = ("BadPolarity", row["IndSexRef"])
        elif row["GroupSet"] == "IndSexReg":
            key = ("IndSexReg", row["IndSexRef"], row["ParentCode"])
        elif row["GroupSet"] == "IndSex":
            key = ("IndSex", row["IndSexRef"])
        else:
            key = ("None",)
        groups[key].append(row)
    return groups


QUANTILE_GROUPS = _quantile_groups()
NQUANTILES = {"IndSexReg": 10, "IndSex": 7, "None": 4, "BadPolarity": 7}


def _invert(rows, group_set):
    if group_set == "None":
        return True  # the package test uses the default invert = TRUE for this set
    return [{"True": True, "False": False}.get(r["Polarity"], r["Polarity"]) for r in rows]


@pytest.mark.parametrize("key", [k for k in QUANTILE_GROUPS if k[0] != "BadPolarity"], ids="-".join)
def test_quantiles_match_vectors(key):
    rows = QUANTILE_GROUPS[key]
    result = assign_quantiles(_column(rows, "Value"), NQUANTILES[key[0]], _invert(rows, key[0]))
    np.testing.assert_array_equal(result, _column(rows, "QuantileInGrp"))


def test_quantiles_with_mixed_polarity_in_a_group_raise():
    rows = QUANTILE_GROUPS[("BadPolarity", "11111Female")]
    with pytest.raises(ValueError):
        assign_quantiles(_column(rows, "Value"), 7, _invert(rows, "BadPolarity"))


@pytest.mark.parametrize("polarity, expected", [("RAG - Low is good", True), ("RAG - High is good", False),
                                                (0, True), (1, False), (True, True), (False, False)])
def test_invert_for_polarity(polarity, expected):
    assert invert_for_polarity(polarity) is expected


@pytest.mark.parametrize("polarity", ["BOB", 99, -1, "Not applicable", "Low is good", 7])
def test_quantiles_with_bad_polarity_raise(polarity):
    with pytest.raises(ValueError):
        assign_quantiles([1.0, 2.0, 3.0, 4.0, 5.0], 5, polarity)


def test_quantile_gap_combines_standard_errors():
    # gap 80 - 70 = 10, SE sqrt(0.3^2 + 0.4^2) = 0.5, z = 1.959963984540054
    result = quantile_gap([70.0, np.nan], [80.0, 75.0], [0.3, 0.3], [0.4, 0.4])
    assert result.value == pytest.approx([10.0, np.nan], nan_ok=True)
    assert result.lower == pytest.approx([9.020018007729973, np.nan], rel=1e-12, nan_ok=True)
    assert result.upper == pytest.approx([10.979981992270027, np.nan], rel=1e-12, nan_ok=True)


def test_difference_takes_each_standard_error_from_its_limits():
    # 10 (8-12) - 5 (4-6): SEs 2/Z and 1/Z, so the limits are 5 -+ sqrt(5)
    result = difference(10.0, 8.0, 12.0, 5.0, 4.0, 6.0)
    assert tuple(result) == pytest.approx((5.0, 5 - np.sqrt(5), 5 + np.sqrt(5)), rel=1e-12)


def test_ratio_limits_by_the_log_method_and_none_without_a_positive_value():
    # ln SEs both ln(1.5) / (2Z): limits 2 * 1.5 ** -+(sqrt(2) / 2)
    result = ratio([10.0, 0.0], [8.0, 0.0], [12.0, 1.0], 5.0, 4.0, 6.0)
    assert result.value[0] == pytest.approx(2.0)
    assert (result.lower[0], result.upper[0]) == pytest.approx((2 * 1.5 ** -(np.sqrt(2) / 2),
                                                                 2 * 1.5 ** (np.sqrt(2) / 2)), rel=1e-12)
    assert np.isnan([result.value[1], result.lower[1], result.upper[1]]).all()


def test_weighted_slope_is_inverse_variance_weighted_least_squares():
    # equal SEs of 1: ordinary least squares; slope of (0, 1, 5) on (0, 1, 2) is 2.5, SE 1 / sqrt(2)
    result = weighted_slope([0.0, 1.0, 5.0], [1.0, 1.0, 1.0])
    z = 1.959963984540054
    assert tuple(result) == pytest.approx((2.5, 2.5 - z / np.sqrt(2), 2.5 + z / np.sqrt(2)), rel=1e-12)
    # a point with a huge SE barely counts: the slope follows the other two
    assert weighted_slope([0.0, 1.0, 50.0], [1.0, 1.0, 1e6]).value == pytest.approx(1.0, rel=1e-6)
    for values, se in (([1.0, 2.0], [1.0, 1.0]), ([1.0, 2.0, 3.0], [1.0, 0.0, 1.0]),
                       ([1.0, np.nan, 3.0], [1.0, 1.0, 1.0])):
        with pytest.raises(ValueError):
            weighted_slope(values, se)
