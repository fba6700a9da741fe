"""capability_index: the survey adapter, on a hand-computed table of dimension scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocap_analysis.indicators import capability

DIMENSIONS = ["digital_solutions", "procurement", "delivery_models", "skills"]


def _scores() -> pd.DataFrame:
    """Six organisations; r6 has no procurement score (NA), r5 has a supply-role row to ignore."""
    table = {
        "r1": ("donegal", "sme", [40, 60, 80, 20]),  # mean 50
        "r2": ("donegal", "sme", [100, 100, 100, 100]),  # 100
        "r3": ("donegal", "public_sector", [0, 0, 0, 40]),  # 10
        "r4": ("south_savo", "sme", [10, 20, 30, 40]),  # 25
        "r5": ("south_savo", "public_sector", [50, 50, 50, 50]),  # 50
        "r6": ("south_savo", "sme", [30, np.nan, 60, 90]),  # NA dropped -> (30 + 60 + 90)/3 = 60
    }
    rows = [
        {"respondent_id": rid, "region": region, "stakeholder": st, "dimension": d, "role": "capability",
         "score_0_100": float(v)}
        for rid, (region, st, values) in table.items()
        for d, v in zip(DIMENSIONS, values, strict=True)
    ]
    rows.append({"respondent_id": "r5", "region": "south_savo", "stakeholder": "public_sector",
                 "dimension": "procurement", "role": "supply", "score_0_100": 0.0})
    return pd.DataFrame(rows)


def test_index_per_organisation_by_hand():
    result = capability.capability_index(_scores(), min_cell_size=1)
    org = result.by_organisation.set_index("respondent_id")
    np.testing.assert_allclose(org.loc[["r1", "r2", "r3", "r4", "r5", "r6"], "capability_index"],
                               [50, 100, 10, 25, 50, 60])
    assert org.loc["r6", "n_dimensions"] == 3 and org.loc["r1", "n_dimensions"] == 4
    assert org.loc["r3", "region"] == "donegal" and org.loc["r3", "stakeholder"] == "public_sector"


def test_group_means_and_suppression():
    result = capability.capability_index(_scores(), min_cell_size=3)
    groups = result.by_group.set_index(["grouping", "group"])
    assert groups.loc[("region", "donegal"), "n"] == 3
    assert groups.loc[("region", "donegal"), "mean_index"] == pytest.approx((50 + 100 + 10) / 3)
    assert groups.loc[("region", "south_savo"), "mean_index"] == pytest.approx((25 + 50 + 60) / 3)
    unmasked = capability.capability_index(_scores(), min_cell_size=2).by_group.set_index(["grouping", "group"])
    assert unmasked.loc[("stakeholder", "sme"), "mean_index"] == pytest.approx((50 + 100 + 25 + 60) / 4)
    assert unmasked.loc[("stakeholder", "sme"), "sd_index"] == pytest.approx(np.std([50, 100, 25, 60], ddof=1))
    # two public-sector organisations < 3: masked, and the SMEs with them (6 organisations in all is
    # published by region, so the SMEs' 4 would give the 2 back)
    public = groups.loc[("stakeholder", "public_sector")]
    assert pd.isna(public["n"]) and public["suppressed"] and np.isnan(public["mean_index"])
    sme = groups.loc[("stakeholder", "sme")]
    assert pd.isna(sme["n"]) and sme["suppressed"] and np.isnan(sme["mean_index"])
    assert not groups.loc["region", "suppressed"].any()


def test_weights_and_min_dimensions():
    weights = {"digital_solutions": 2.0, "procurement": 1.0, "delivery_models": 1.0, "skills": 0.0}
    result = capability.capability_index(_scores(), weights=weights, min_dimensions=4, min_cell_size=1)
    org = result.by_organisation.set_index("respondent_id")
    assert org.loc["r1", "capability_index"] == pytest.approx((2 * 40 + 60 + 80) / 4)
    assert np.isnan(org.loc["r6", "capability_index"])  # only 3 dimensions scored
    assert len(org) == 6  # reported, not dropped


def test_geometric_aggregation_refuses_zero_scores():
    with pytest.raises(ValueError, match="strictly positive"):
        capability.capability_index(_scores(), aggregation="geometric")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.drop(columns="region"), "lacks column"),
        (lambda s: pd.concat([s, s.iloc[[0]]]), "more than one row"),
        (lambda s: s.assign(score_0_100=s["score_0_100"].where(s.index != 3, 140.0)), "row 3"),
        (lambda s: s.assign(region=s["region"].where(s.index != 0, "elsewhere")), "more than one value"),
    ],
)
def test_bad_input_is_named(mutate, message):
    with pytest.raises(ValueError, match=message):
        capability.capability_index(mutate(_scores()))


def test_duplicate_column_names_are_an_error():
    scores = _scores()
    doubled = pd.concat([scores, scores[["role"]]], axis=1)
    with pytest.raises(ValueError, match="duplicate column name"):
        capability.capability_index(doubled)


def test_unknown_role_is_an_error():
    with pytest.raises(ValueError, match="no rows with role 'demand'"):
        capability.capability_index(_scores(), role="demand")
