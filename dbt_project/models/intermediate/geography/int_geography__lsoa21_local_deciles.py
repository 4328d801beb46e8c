"""Local IMD deciles: Coventry's LSOAs ranked by IMD 2025 score into ten groups (1 = most
deprived), with marmot.stats.assign_quantiles, for the slope index of inequality."""


def model(dbt, session):
    dbt.config(materialized="table")
    from marmot.stats import assign_quantiles

    lsoas = dbt.ref("lsoa21_imd2025").df()[["lsoa21_code", "IMD_score"]]
    lsoas["local_imd_decile"] = assign_quantiles(lsoas["IMD_score"].to_numpy(dtype=float), 10, invert=True)
    lsoas["local_imd_decile"] = lsoas["local_imd_decile"].astype(int)
    return lsoas[["lsoa21_code", "local_imd_decile"]]
