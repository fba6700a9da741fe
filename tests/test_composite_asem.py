"""Reproduce COINr's ASEM example stage by stage (the Handbook/COINr worked example).

Source: R package COINr (Becker W., Caperna G., Del Sorbo M., Norlén H., Papadimitriou E.,
Saisana M. (2022), "COINr: An R package for developing composite indicators", JOSS 7(78), 4567;
MIT licence), example coin built by ``build_example_coin()`` from ``ASEM_iData``/``ASEM_iMeta``
(JRC ASEM Sustainable Connectivity Portal). The stage values were exported from COINr's stored
``ASEM_newcoin`` object; provenance and the exact pipeline are in
``tests/data/coinr_asem/README.md``. Every stage must match to 1e-9.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import composite as C

ASEM = Path(__file__).parent / "data" / "coinr_asem"
TOL = 1e-9


def _stage(name: str) -> pd.DataFrame:
    return pd.read_csv(ASEM / f"{name}.csv").set_index("uCode")


@pytest.fixture(scope="module")
def asem():
    idata = pd.read_csv(ASEM / "iData.csv").set_index("uCode").sort_index()
    imeta = pd.read_csv(ASEM / "iMeta.csv")
    structure, denominators = C.structure_from_coinr(imeta)
    hierarchy = C.parse_structure(structure)
    return idata, structure, denominators, hierarchy


@pytest.fixture(scope="module")
def result(asem):
    idata, structure, denominators, _ = asem
    return C.build_composite(
        idata, structure, denominators=denominators, imputation="group_mean", groups=idata["EurAsia_group"]
    )


def _assert_frame_close(ours: pd.DataFrame, ref: pd.DataFrame, columns: list[str]) -> None:
    assert list(ours.index) == list(ref.index)
    a, b = ours[columns].to_numpy(dtype=float), ref[columns].to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL, equal_nan=True)


def test_structure_has_coinr_shape(asem):
    _, structure, denominators, hierarchy = asem
    assert len(hierarchy.indicators) == 49
    assert hierarchy.aggregates == [
        "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin", "Conn", "Sust", "Index",
    ]
    assert hierarchy.roots == ["Index"]
    assert sum(d == -1 for d in hierarchy.direction.values()) == 14
    assert {hierarchy.height[c] for c in ("Physical", "Conn", "Index")} == {1, 2, 3}
    assert denominators["Flights"] == "Population" and denominators["Elec"] == "Energy"


def test_denominate_matches_coinr(asem):
    idata, _, denominators, hierarchy = asem
    ours = C.denominate(idata, denominators)
    ref = _stage("denominated")
    _assert_frame_close(ours, ref, hierarchy.indicators)
    assert ours[hierarchy.indicators].isna().sum().sum() == 65


def test_impute_group_mean_matches_coinr(asem):
    idata, _, _, hierarchy = asem
    denominated = _stage("denominated")
    ours = C.impute_group_mean(denominated[hierarchy.indicators], idata.loc[denominated.index, "EurAsia_group"])
    _assert_frame_close(ours, _stage("imputed"), hierarchy.indicators)


def test_treat_outliers_matches_coinr(asem):
    _, _, _, hierarchy = asem
    treated = C.treat_outliers(_stage("imputed")[hierarchy.indicators])
    _assert_frame_close(treated.data, _stage("treated"), hierarchy.indicators)

    ref = pd.read_csv(ASEM / "treatment_details.csv").set_index("iCode")
    ours = treated.details.set_index("indicator").loc[ref.index]
    np.testing.assert_array_equal(ours["pass_before"].to_numpy(), ref["pass_before"].to_numpy())
    np.testing.assert_allclose(ours["skew_before"], ref["skew_before"], atol=TOL)
    np.testing.assert_allclose(ours["kurtosis_before"], ref["kurt_before"], atol=TOL)
    np.testing.assert_array_equal(ours["n_winsorised"].to_numpy(), ref["n_winsorised"].fillna(0).to_numpy())
    failed = ~ref["pass_before"]
    assert failed.sum() == 15
    np.testing.assert_allclose(ours.loc[failed, "skew_after_winsorise"], ref.loc[failed, "skew_after_winsorise"], atol=TOL)
    np.testing.assert_allclose(ours.loc[failed, "kurtosis_after_winsorise"], ref.loc[failed, "kurt_after_winsorise"],
                               atol=TOL)
    assert ours.loc[failed, "pass_after_winsorise"].all()
    assert ours["pass_after_winsorise"].isna().sum() == len(ref) - 15
    assert not ours["log_transformed"].any()

    points = pd.read_csv(ASEM / "treated_points.csv")
    mine = treated.treated_points.rename(columns={"unit": "uCode", "indicator": "iCode"})
    key = ["uCode", "iCode", "treatment"]
    pd.testing.assert_frame_equal(
        mine.sort_values(key).reset_index(drop=True).astype(str),
        points[key].sort_values(key).reset_index(drop=True).astype(str),
    )


def test_normalise_minmax_matches_coinr(asem):
    _, structure, _, hierarchy = asem
    ours = C.normalise(_stage("treated"), structure, "minmax", lower=0, upper=100)
    _assert_frame_close(ours, _stage("normalised"), hierarchy.indicators)


def test_aggregate_matches_coinr(asem):
    _, structure, _, hierarchy = asem
    ours = C.aggregate(_stage("normalised"), structure, "arithmetic")
    assert list(ours.columns) == hierarchy.aggregates
    _assert_frame_close(ours, _stage("aggregated"), hierarchy.aggregates)


def test_full_chain_from_raw_data(result, asem):
    _, _, _, hierarchy = asem
    ref = _stage("aggregated")
    _assert_frame_close(result.aggregated, ref, hierarchy.aggregates)
    _assert_frame_close(result.normalised, ref, hierarchy.indicators)


def test_composite_index_reproduces_published_top_five(asem):
    """README top 5, which also agree with COINr's pkgdown ``results`` article (2 d.p.)."""
    idata, structure, denominators, _ = asem
    index = C.composite_index(
        idata, structure, denominators=denominators, imputation="group_mean", groups=idata["EurAsia_group"]
    )
    published = pd.DataFrame(
        {
            "Index": [68.3837, 64.8195, 64.8041, 64.4678, 63.5395],
            "Conn": [62.7880, 61.9399, 57.0975, 57.4355, 63.9902],
            "Sust": [73.9795, 67.6992, 72.5107, 71.5000, 63.0889],
        },
        index=["CHE", "NLD", "DNK", "NOR", "BEL"],
    )
    np.testing.assert_allclose(index.loc[published.index, published.columns], published, atol=5e-5)
    assert list(index["Index"].sort_values(ascending=False).index[:5]) == list(published.index)


def test_flat_mean_would_not_match(asem):
    """Guard that aggregation is level by level: a flat indicator mean differs by up to ~7.8 points."""
    _, _, _, hierarchy = asem
    flat = _stage("normalised")[hierarchy.indicators].mean(axis=1)
    assert (flat - _stage("aggregated")["Index"]).abs().max() > 5


def test_uncertainty_nominal_ranks_match_coinr_index_ranks(asem):
    """The batched path of uncertainty_analysis reproduces COINr's Index ranks at zero noise."""
    _, structure, _, _ = asem
    res = C.uncertainty_analysis(_stage("treated"), structure, n_draws=4, normalisations=["minmax"],
                                 aggregations=["arithmetic"], weight_noise=0.0, n_weight_sets=1)
    coinr_ranks = _stage("aggregated")["Index"].rank(ascending=False, method="min").to_numpy()
    np.testing.assert_array_equal(res.rank_stats["nominal_rank"], coinr_ranks)
    np.testing.assert_array_equal(res.ranks, np.tile(coinr_ranks, (4, 1)))
