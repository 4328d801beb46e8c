import math
from collections import defaultdict

import pytest

from marmot.stats import mean

from .conftest import num, read_vectors

REL = 1e-9
VALUES = read_vectors("testdata_Mean__testdata_Mean.csv")
RESULTS = read_vectors("testdata_Mean__testdata_Mean_results.csv")
GROUPS = defaultdict(list)
for _row in VALUES:
    GROUPS[_row["area"]].append(num(_row["values"]))
GROUPS["No grouping"] = [num(r["values"]) for r in VALUES]


@pytest.mark.parametrize("row", RESULTS, ids=lambda r: r["area"])
@pytest.mark.parametrize("confidence, columns", [(0.95, ("lower95_0cl", "upper95_0cl")),
                                                 (99.8, ("lower99_8cl", "upper99_8cl"))])
def test_mean_matches_vectors(row, confidence, columns):
    values = GROUPS[row["area"]]
    assert len(values) == num(row["value_count"])
    result = mean(values, confidence)
    assert result == pytest.approx((num(row["value"]), num(row[columns[0]]), num(row[columns[1]])), rel=REL)


@pytest.mark.parametrize("values", [[1.0], [1.0, math.nan, 3.0]])
def test_missing_or_single_values_give_nan(values):
    assert all(math.isnan(v) for v in mean(values))
