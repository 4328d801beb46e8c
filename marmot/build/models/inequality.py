"""Inequality of every indicator across deprivation and between population groups, from the published
(disclosure-controlled) values: the most-least deprived quintile gap (int_indicator_quintile_gaps), the slope
and relative indices of inequality over the five IMD quintiles and whether they widen
(int_indicator_quintile_sii), and each sex or ethnic group against a reference group and against Coventry
(int_indicator_group_comparisons).

Only published values are used: a suppressed quintile or group gives no inequality figure, because the SII
(a linear combination of the quintile values) or a ratio would let a reader solve for the hidden value.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from marmot.stats import compare_ci, difference, quantile_gap, ratio, sii, weighted_slope

from .benchmarking import CANNOT, POLARITY, TREND_POINTS, Z, not_testable

QUINTILES = [f"Q{q}" for q in range(1, 6)]
SII_REPETITIONS = 100_000  # the PHEindicatormethods default
# catalogue method -> PHEindicatormethods value_type (2 proportion, 1 rate, 0 other); proportions and rates are
# fitted on the logit / log scale (transform = TRUE), so the fitted line never leaves the values' range
VALUE_TYPES = {"wilson": 2, "survey_wilson": 2, "rate": 1, "dsr": 1, "mean": 0, "life_expectancy": 0,
               "weighted_mean": 0}
CHANGE_CODES = {"Widening": "widening", "Narrowing": "narrowing", "No significant change": "no_significant_change",
                CANNOT: "not_calculated"}
SIGN_MEANING = {
    "HiG": "high is good for this indicator, so a positive value means the least deprived do better and a "
           "negative value that the most deprived do better",
    "LiG": "low is good for this indicator, so a positive value means the least deprived do worse and a "
           "negative value that the most deprived do worse",
    "BOB": "this indicator has no better or worse direction, so the sign only says where values are higher",
}
SII_DEFINITION = (
    "Slope index of inequality (SII): the difference in {unit} between the least and the most deprived ends of "
    "Coventry's population ranked by IMD 2025 quintile, from a population-weighted regression of the five "
    "quintile values on their relative rank (PHEindicatormethods phe_sii{transform}; 95% limits from 100,000 "
    "simulations). Relative index of inequality (RII): the fitted value at the least deprived end divided by "
    "the value at the most deprived end (1 = no inequality). Quintile gap: quintile 5 (least deprived) minus "
    "quintile 1 (most deprived). Sign: least minus most deprived, so a positive SII or gap means higher values "
    "in less deprived areas; {sign}.")


def _change(previous, current):
    """Widening / Narrowing / No significant change of an inequality measure between two periods: its absolute
    size changed by more than 1.96 x the two periods' combined standard error."""
    if previous is None or np.isnan(previous[0]) or np.isnan(current[0]):
        return CANNOT
    se = np.hypot(previous[1], current[1])
    change = abs(current[0]) - abs(previous[0])
    if np.isnan(se) or abs(change) <= Z * se:
        return "No significant change"
    return "Widening" if change > 0 else "Narrowing"


def _changes(frame, value, se):
    """_change of each row of ``frame`` (sorted by indicator and period) against the indicator's previous row."""
    changes, previous = [], {}
    for indicator_id, current in zip(frame["indicator_id"], zip(frame[value], frame[se], strict=True), strict=True):
        changes.append(_change(previous.get(indicator_id), current))
        previous[indicator_id] = current
    return pd.Series(changes, index=frame.index, dtype="string")


def _quintile_rows(values):
    quintiles = values[(values["geography_level"] == "imd_quintile") & (values["breakdown"] == "persons")]
    return quintiles.assign(**{c: quintiles[f"published_{c}"] for c in ["denominator", "value", "lower_95",
                                                                         "upper_95"]})


def quintile_gaps(values):
    """The gap between the most (IMD quintile 1) and least (quintile 5) deprived quintiles of every
    indicator and period, from the published quintile values (none where one is suppressed), least
    minus most deprived, with its 95% CI from marmot.stats.quantile_gap (standard errors from each
    quintile's 95% CI), and whether the gap widened or narrowed since the previous period (its
    absolute size grew or shrank by more than the two periods' combined uncertainty, else
    "No significant change")."""
    quintiles = _quintile_rows(values)
    quintiles = quintiles[quintiles["area_code"].isin(["Q1", "Q5"])]
    wide = quintiles.set_index(["indicator_id", "period", "area_code"])[
        ["value", "lower_95", "upper_95"]].unstack("area_code")
    wide.columns = [f"{measure}_{area.lower()}" for measure, area in wide.columns]
    wide = wide.reset_index().reindex(columns=["indicator_id", "period", "value_q1", "value_q5", "lower_95_q1",
                                               "upper_95_q1", "lower_95_q5", "upper_95_q5"])
    se_q1 = (wide["upper_95_q1"] - wide["lower_95_q1"]) / (2 * Z)
    se_q5 = (wide["upper_95_q5"] - wide["lower_95_q5"]) / (2 * Z)
    gap = quantile_gap(wide["value_q1"].to_numpy(float), wide["value_q5"].to_numpy(float),
                       se_q1.to_numpy(float), se_q5.to_numpy(float))
    wide["gap"], wide["gap_lower_95"], wide["gap_upper_95"] = (np.atleast_1d(g) for g in gap)
    wide["gap_se"] = np.hypot(se_q1, se_q5)
    wide = wide.sort_values(["indicator_id", "period"]).reset_index(drop=True)
    wide["gap_change"] = _changes(wide, "gap", "gap_se")
    wide["gap_change_code"] = wide["gap_change"].map(CHANGE_CODES).astype("string")
    measures = ["value_q1", "value_q5", "gap", "gap_lower_95", "gap_upper_95"]
    return wide[["indicator_id", "period", *measures, "gap_change", "gap_change_code"]].astype(
        {c: float for c in measures})


def _sii_groups(quintiles):
    """Each indicator and period's quintile rows as (indicator_id, period, area codes, [denominator, value,
    lower_95, upper_95] per area), in indicator, period and area order: cut from numpy arrays of rows sorted
    once, since pandas on five rows for each check and the cache key cost more than the cached SIIs saved."""
    rows = quintiles.sort_values(["indicator_id", "period", "area_code"])
    ids, periods, areas = (rows[c].tolist() for c in ("indicator_id", "period", "area_code"))
    inputs = rows[SII_INPUTS[1:]].to_numpy(dtype=float, na_value=np.nan)
    starts = [i for i in range(len(ids)) if not i or (ids[i], periods[i]) != (ids[i - 1], periods[i - 1])]
    for start, end in zip(starts, [*starts[1:], len(ids)], strict=True):
        yield ids[start], periods[start], areas[start:end], inputs[start:end]


def _sii_reason(areas, inputs, method, multiplier):
    """Why the SII of one indicator and period (``_sii_groups``) cannot be computed, or None."""
    denominator, value, lower, upper = inputs.T
    if method not in VALUE_TYPES:
        return f"not calculated: the {method} method has no quintile values"
    if missing := sorted(set(QUINTILES) - set(areas)):
        return f"needs all 5 IMD quintiles, has {5 - len(missing)}"
    if hidden := [area for area, v in zip(areas, value, strict=True) if np.isnan(v)]:
        return f"a quintile value is suppressed or missing ({', '.join(hidden)})"
    if np.isnan(inputs[:, 2:]).any():
        return "the quintile values of this method have no confidence intervals"
    if not (denominator > 0).all():
        return "a quintile has no denominator to weight it by"
    if VALUE_TYPES[method] and ((lower <= 0).any() or (VALUE_TYPES[method] == 2 and (upper >= multiplier).any())):
        return ("a quintile value or limit of 0 % or 100 % cannot be put on the logit scale" if VALUE_TYPES[method] == 2
                else "a quintile value or limit of 0 cannot be put on the log scale")
    return None


def _seed(indicator_id, period):
    """A fixed simulation seed per indicator and period: the same limits in every build, whatever the row order."""
    return zlib.crc32(f"{indicator_id}|{period}".encode())


SII_INPUTS = ["area_code", "denominator", "value", "lower_95", "upper_95"]


def sii_code_version() -> str:
    """What an SII is computed with besides its inputs: this module, marmot.stats' inequality module, the
    repetitions and numpy (its random streams); a cached SII is reused only under the same version."""
    digest = hashlib.sha256(f"{SII_REPETITIONS}|{np.__version__}".encode())
    for module in (__name__, sii.__module__):
        digest.update(Path(sys.modules[module].__file__).read_bytes())
    return digest.hexdigest()


def _sii_key(version, indicator_id, period, areas, inputs, method, multiplier) -> str:
    """The inputs of one SII (``_sii_groups``, method and multiplier) and the code version, as a hash."""
    values = [[area, *(None if np.isnan(v) else float(v) for v in row)]
              for area, row in zip(areas, inputs, strict=True)]
    return hashlib.sha256(json.dumps([version, indicator_id, period, method, multiplier, values]).encode()).hexdigest()


def _sii(indicator_id, period, inputs, method, multiplier):
    """(sii, lower, upper, rii, lower, upper) of one indicator and period (``_sii_groups``' inputs); quintile values
    of proportions are passed as fractions with the catalogue multiplier, so the SII is in the indicator's unit."""
    denominator, value, lower, upper = inputs.T
    value_type = VALUE_TYPES[method]
    scale = multiplier if value_type == 2 else 1
    result = sii(denominator, value / scale, lower=lower / scale, upper=upper / scale,
                 value_type=value_type, transform=value_type > 0, multiplier=scale,
                 repetitions=SII_REPETITIONS, rng=_seed(indicator_id, period))
    return (result.sii, *result.sii_limits[0], result.rii, *result.rii_limits[0])


SII_COLUMNS = ["sii", "sii_lower_95", "sii_upper_95", "rii", "rii_lower_95", "rii_upper_95"]


def _widening(periods, siis, lower, upper, pooled_years):
    """(label, reason, slope, lower, upper) of the SII over the last five usable periods of a series (the
    periods, SIIs and 95% limits up to a period, in period order, as plain sequences): a weighted regression
    of the SII on the year (weights 1/SE², SE from the SII's 95% limits); widening when the slope's 95% CI
    excludes 0 and the slope has the sign of the latest SII (its size grows)."""
    if np.isnan(siis).all():
        return CANNOT, "no SII up to this period (see sii_reason)", np.nan, np.nan, np.nan
    if reason := not_testable(periods, siis, lower, pooled_years):
        return CANNOT, reason, np.nan, np.nan, np.nan
    last = slice(-TREND_POINTS, None)
    slope = weighted_slope(siis[last], (upper[last] - lower[last]) / (2 * Z))
    label = "No significant change"
    if slope.lower > 0 or slope.upper < 0:
        label = "Widening" if np.sign(slope.value) == np.sign(siis[-1]) else "Narrowing"
    reason = f"weighted regression of the SII on year over {periods[last][0]} to {periods[-1]}"
    return label, reason, slope.value, slope.lower, slope.upper


def quintile_sii(values, catalogue, periods, cache: dict | None = None):
    """Slope (SII) and relative (RII) index of inequality with 95% limits of every indicator and period with IMD
    quintile rows (city, persons), by marmot.stats.sii (PHEindicatormethods phe_sii: quintile populations are
    the published denominators; proportions on the logit and rates on the log scale; a fixed seed per indicator
    and period). ``sii_reason`` says why a row has no SII (a suppressed quintile, no intervals...). Each row
    also has the change of the SII since the indicator's previous period (as for the quintile gap) and the
    test over the last five usable periods up to it of whether the SII widens (``_widening``); part periods
    (``periods``: int_indicator_periods, ``is_usable`` false) get an SII but are left out of both.

    ``cache`` (input hash -> the six measures, ``_sii_key``) holds SIIs computed before: 100,000 simulations
    per indicator and period were 38 s of a build in which one dataset changed, and an SII is a pure function
    of its inputs (fixed seed). It is updated in place to hold exactly this call's SIIs."""
    catalogue = catalogue.set_index("indicator_id")
    rows = []
    version, used = (sii_code_version(), {}) if cache is not None else (None, None)
    for indicator_id, period, areas, inputs in _sii_groups(_quintile_rows(values)):
        method, multiplier = catalogue.at[indicator_id, "method"], float(catalogue.at[indicator_id, "multiplier"])
        reason = _sii_reason(areas, inputs, method, multiplier)
        if reason:
            measures = (np.nan,) * len(SII_COLUMNS)
        elif cache is None:
            measures = _sii(indicator_id, period, inputs, method, multiplier)
        else:
            key = _sii_key(version, indicator_id, period, areas, inputs, method, multiplier)
            measures = used[key] = cache[key] if key in cache else _sii(indicator_id, period, inputs, method,
                                                                         multiplier)
        rows.append((indicator_id, period, *measures, reason))
    if cache is not None:
        cache.clear()
        cache.update({k: [float(v) for v in m] for k, m in used.items()})
    out = pd.DataFrame(rows, columns=["indicator_id", "period", *SII_COLUMNS, "sii_reason"]).astype(
        {**{c: float for c in SII_COLUMNS}, "sii_reason": "string"})
    usable = out.merge(periods[["indicator_id", "period", "is_usable"]], on=["indicator_id", "period"])
    usable = usable[usable["is_usable"].astype(bool)].sort_values(["indicator_id", "period"])
    usable = usable.assign(sii_se=(usable["sii_upper_95"] - usable["sii_lower_95"]) / (2 * Z))
    usable["sii_change"] = _changes(usable, "sii", "sii_se")
    trend = []
    for indicator_id, series in usable.groupby("indicator_id"):
        pooled = int(catalogue.at[indicator_id, "pooled_years"])
        ends = series["period"].tolist()
        siis, lower, upper = (series[c].to_numpy(dtype=float, na_value=np.nan)
                              for c in ("sii", "sii_lower_95", "sii_upper_95"))
        trend += [(indicator_id, ends[end - 1], *_widening(ends[:end], siis[:end], lower[:end], upper[:end], pooled))
                  for end in range(1, len(ends) + 1)]
    trend = pd.DataFrame(trend, columns=["indicator_id", "period", "sii_trend", "sii_trend_reason", "sii_slope",
                                         "sii_slope_lower_95", "sii_slope_upper_95"])
    out = out.merge(usable[["indicator_id", "period", "sii_change"]], on=["indicator_id", "period"], how="left") \
        .merge(trend, on=["indicator_id", "period"], how="left")
    not_usable = out["sii_trend"].isna()
    out.loc[not_usable, ["sii_change", "sii_trend"]] = CANNOT
    out.loc[not_usable, "sii_trend_reason"] = "not tested: a part period"
    out["sii_change_code"] = out["sii_change"].map(CHANGE_CODES)
    out["sii_trend_code"] = out["sii_trend"].map(CHANGE_CODES)
    polarity = out["indicator_id"].map(catalogue["polarity"])
    method = out["indicator_id"].map(catalogue["method"])
    out["sii_definition"] = [
        SII_DEFINITION.format(unit=unit, sign=SIGN_MEANING[pol],
                              transform={2: " on the logit scale", 1: " on the log scale"}.get(VALUE_TYPES.get(m), ""))
        for unit, pol, m in zip(out["indicator_id"].map(catalogue["unit"]), polarity, method, strict=True)]
    return out.astype({c: "string" for c in ["sii_change", "sii_change_code", "sii_trend", "sii_trend_code",
                                             "sii_trend_reason", "sii_definition"]}).astype(
        {c: float for c in ["sii_slope", "sii_slope_lower_95", "sii_slope_upper_95"]})


COMPARISON_CODES = {"Better": "better", "Similar": "similar", "Worse": "worse", "Higher": "higher",
                    "Lower": "lower", "Not compared": "not_compared"}
COVENTRY = "Coventry (all persons)"


def group_comparisons(values, catalogue, references):
    """Each published city row by sex or ethnic group compared with the breakdown's reference group
    (``references``: the comparison_reference_groups seed) and with Coventry (the city persons row) of the same
    indicator and period: the ratio (marmot.stats.ratio, log method) and difference (marmot.stats.difference)
    with 95% limits, and a label by the indicator's polarity (Better / Similar / Worse, or Lower / Similar /
    Higher with no polarity): Similar when the ratio's CI contains 1 (the difference's CI contains 0 where no
    ratio can be taken, e.g. a value of 0). ``comparison_reason`` says why a row is not compared. The reference
    group itself is compared with Coventry only; groups listed as not compared in the seed are left out. For
    p7_stop_search_rate the ratio against White is the stop-and-search disparity ratio."""
    city = values[values["geography_level"] == "city"].assign(
        **{c: values[f"published_{c}"] for c in ["value", "lower_95", "upper_95"]})
    measures = ["value", "lower_95", "upper_95"]
    key = ["indicator_id", "period"]
    persons = city.loc[city["breakdown"] == "persons", [*key, *measures]].assign(comparator=COVENTRY,
                                                                                 comparator_type="coventry")
    groups = city.merge(references, on="breakdown")
    groups = groups[groups["breakdown_value"] != groups["not_compared_value"]]
    reference = groups.loc[groups["breakdown_value"] == groups["reference_value"], [*key, "breakdown", *measures]]
    reference = reference.merge(references[["breakdown", "reference_label"]], on="breakdown").rename(
        columns={"reference_label": "comparator"}).assign(comparator_type="reference_group")
    columns = [*key, "breakdown", "breakdown_value", *measures]
    pairs = pd.concat([
        groups[columns].merge(persons, on=key, suffixes=("", "_comparator")),
        groups.loc[groups["breakdown_value"] != groups["reference_value"], columns].merge(
            reference, on=[*key, "breakdown"], suffixes=("", "_comparator")),
    ], ignore_index=True)
    args = [pairs[c].to_numpy(float) for c in [*measures, *(f"{m}_comparator" for m in measures)]]
    pairs["ratio"], pairs["ratio_lower_95"], pairs["ratio_upper_95"] = (np.atleast_1d(e) for e in ratio(*args))
    pairs["difference"], pairs["difference_lower_95"], pairs["difference_upper_95"] = (
        np.atleast_1d(e) for e in difference(*args))
    polarity = pairs["indicator_id"].map(catalogue.set_index("indicator_id")["polarity"]).map(POLARITY)
    labels, reasons = [], []
    for row, pol in zip(pairs.itertuples(index=False), polarity, strict=True):
        if np.isnan(row.value) or np.isnan(row.value_comparator):
            label, reason = "Not compared", "a value is suppressed or missing"
        elif np.isnan(row.lower_95) or np.isnan(row.lower_95_comparator):
            label, reason = "Not compared", "the values of this method have no confidence intervals"
        elif not np.isnan(row.ratio):
            label, reason = compare_ci(row.ratio, row.ratio_lower_95, row.ratio_upper_95, 1.0, pol), None
        else:
            label = compare_ci(row.difference, row.difference_lower_95, row.difference_upper_95, 0.0, pol)
            reason = "no ratio (a value or limit is 0): judged on the difference"
        labels.append(label)
        reasons.append(reason)
    pairs["comparison"] = pd.Series(labels, dtype="string")
    pairs["comparison_code"] = pairs["comparison"].map(COMPARISON_CODES).astype("string")
    pairs["comparison_reason"] = pd.Series(reasons, dtype="string")
    out = pairs.rename(columns={"value_comparator": "comparator_value"})[
        [*key, "breakdown", "breakdown_value", "comparator_type", "comparator", "value", "comparator_value",
         "ratio", "ratio_lower_95", "ratio_upper_95", "difference", "difference_lower_95", "difference_upper_95",
         "comparison", "comparison_code", "comparison_reason"]]
    return out.sort_values([*key, "breakdown", "breakdown_value", "comparator_type"]).reset_index(drop=True)
