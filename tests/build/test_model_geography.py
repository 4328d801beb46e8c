"""int_geography__lsoa21_local_deciles (marmot.build.models.geography): the most deprived LSOAs
(highest IMD scores) are decile 1."""

from __future__ import annotations

import pandas as pd

from marmot.build.models.geography import local_imd_deciles


def test_twenty_lsoas_fall_two_to_a_decile_with_the_highest_scores_first():
    scores = [float(s) for s in range(20, 0, -1)]  # E0100000 has the highest score
    lsoas = pd.DataFrame({"lsoa21_code": [f"E010000{i:02d}" for i in range(20)], "IMD_score": scores,
                          "IMD_decile": 1})
    out = local_imd_deciles(lsoas)
    assert list(out.columns) == ["lsoa21_code", "local_imd_decile"]
    assert out["local_imd_decile"].tolist() == [d for d in range(1, 11) for _ in range(2)]
    shuffled = local_imd_deciles(lsoas.sample(frac=1, random_state=1))
    assert dict(zip(shuffled["lsoa21_code"], shuffled["local_imd_decile"], strict=True)) == dict(
        zip(out["lsoa21_code"], out["local_imd_decile"], strict=True))
