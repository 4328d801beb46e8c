"""The overview's "where": wards ranked by how many indicators they are worse than Coventry on (marmot.publish.site
.glance.wards_worse), by each ward's interval against the city value and the indicator's polarity."""

from __future__ import annotations

from marmot.publish.site.glance import wards_worse


def _ward(name: str, value: float | None, half: float = 1.0) -> dict:
    return {"area": name, "value": value, "suppressed": value is None,
            "lower": None if value is None else value - half, "upper": None if value is None else value + half}


CITY_50 = {"value": 50.0, "suppressed": False}
INDICATORS = [
    {"id": "a", "name": "A (high is good)", "polarity": "HiG", "city": CITY_50},
    {"id": "b", "name": "B (low is good)", "polarity": "LiG", "city": {"value": 10.0, "suppressed": False}},
    {"id": "c", "name": "C (no polarity)", "polarity": "BOB", "city": CITY_50},
]
WARDS = {
    "a": [_ward("Foleshill", 40.0), _ward("Earlsdon", 60.0), _ward("Radford", None), _ward("Henley", 45.0)],
    "b": [_ward("Foleshill", 15.0), _ward("Earlsdon", 5.0), _ward("Radford", 10.5), _ward("Henley", 11.5, 2.0)],
    "c": [_ward("Foleshill", 90.0), _ward("Earlsdon", 10.0)],
}


def test_wards_are_ranked_by_the_indicators_they_are_worse_on():
    ranked = wards_worse(INDICATORS, WARDS)
    assert [(w["ward"], [i["id"] for i in w["worse"]], w["compared"]) for w in ranked] == [
        ("Foleshill", ["a", "b"], 2),  # below a high-is-good city value, above a low-is-good one
        ("Henley", ["a"], 2),          # its interval for b (9.5 to 13.5) holds the city value: similar
    ]  # Earlsdon is better on both; Radford similar or suppressed; no polarity (c) is never counted


def test_at_most_the_asked_number_are_shown():
    assert [w["ward"] for w in wards_worse(INDICATORS, WARDS, shown=1)] == ["Foleshill"]
    assert wards_worse(INDICATORS, {}) == []
