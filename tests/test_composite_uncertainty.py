"""uncertainty_analysis and sensitivity_analysis against a per-draw loop and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import composite as C

STRUCTURE = pd.DataFrame(
    {
        "code": ["a1", "a2", "a3", "b1", "b2", "c1", "A", "B", "Index"],
        "parent": ["A", "A", "A", "B", "B", "Index", "Index", "Index", None],
        "weight": [1.0, 2.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0],
        "direction": [1, -1, 1, 1, -1, 1, None, None, None],
    }
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    return pd.DataFrame(
        rng.lognormal(size=(25, 6)), columns=["a1", "a2", "a3", "b1", "b2", "c1"], index=[f"u{i:02d}" for i in range(25)]
    )


@pytest.fixture(scope="module")
def result(data):
    return C.uncertainty_analysis(data, STRUCTURE, n_draws=400, n_weight_sets=20, seed=7, batch_size=64)


def _loop_ranks(data, res, draw):
    """One draw recomputed with the public step functions, independently of the batched code."""
    row = res.draws.iloc[draw]
    normalised = C.normalise(data, STRUCTURE, row["normalisation"], lower=1, upper=100)
    weights = dict(zip(res.weight_codes, res.weight_sets[row["weights"]], strict=True))
    scores = C.aggregate(normalised, STRUCTURE, row["aggregation"], weights=weights)["Index"]
    return scores.rank(ascending=False, method="min").to_numpy()


def test_vectorised_draws_equal_per_draw_loop(data, result):
    for draw in [0, 1, 57, 199, 399]:
        np.testing.assert_array_equal(result.ranks[draw], _loop_ranks(data, result, draw))
    assert set(result.draws["normalisation"]) == {"minmax", "rank"}
    assert set(result.draws["aggregation"]) == {"arithmetic", "geometric"}


def test_rank_statistics_are_quantiles_of_the_draws(result):
    ranks = pd.DataFrame(result.ranks, columns=result.units)
    stats = result.rank_stats.set_index("unit")
    np.testing.assert_allclose(stats["median_rank"], ranks.median())
    np.testing.assert_allclose(stats["q05_rank"], ranks.quantile(0.05))  # pandas linear = R type 7
    np.testing.assert_allclose(stats["q95_rank"], ranks.quantile(0.95))
    assert (stats["q05_rank"] <= stats["median_rank"]).all() and (stats["median_rank"] <= stats["q95_rank"]).all()


def test_nominal_rank_is_the_plain_composite(data, result):
    nominal = C.aggregate(C.normalise(data, STRUCTURE, "minmax"), STRUCTURE)["Index"]
    np.testing.assert_array_equal(
        result.rank_stats["nominal_rank"], nominal.rank(ascending=False, method="min").to_numpy()
    )


def test_no_uncertainty_gives_degenerate_intervals(data):
    res = C.uncertainty_analysis(data, STRUCTURE, n_draws=50, normalisations=["minmax"],
                                 aggregations=["arithmetic"], weight_noise=0.0, n_weight_sets=1)
    stats = res.rank_stats
    assert (res.ranks == stats["nominal_rank"].to_numpy()[None, :]).all()
    np.testing.assert_array_equal(stats["q05_rank"], stats["q95_rank"])
    sens = C.sensitivity_analysis(res)
    assert sens["n_units"].eq(0).all() and sens["first_order"].isna().all()


def test_seeded_and_batch_size_invariant(data, result):
    again = C.uncertainty_analysis(data, STRUCTURE, n_draws=400, n_weight_sets=20, seed=7, batch_size=1000)
    np.testing.assert_array_equal(again.ranks, result.ranks)
    other = C.uncertainty_analysis(data, STRUCTURE, n_draws=400, n_weight_sets=20, seed=8)
    assert not np.array_equal(other.ranks, result.ranks)


def test_weight_noise_is_bounded_and_set_zero_nominal(result):
    base = np.array([STRUCTURE.set_index("code").loc[c, "weight"] for c in result.weight_codes])
    ratio = result.weight_sets / base
    np.testing.assert_array_equal(ratio[0], 1.0)
    assert ratio.min() >= 0.75 and ratio.max() <= 1.25


def test_zscore_needs_arithmetic(data):
    with pytest.raises(ValueError, match="only with 'arithmetic'"):
        C.uncertainty_analysis(data, STRUCTURE, normalisations=["zscore"], aggregations=["geometric"])
    res = C.uncertainty_analysis(data, STRUCTURE, n_draws=20, normalisations=["zscore"],
                                 aggregations=["arithmetic"], n_weight_sets=5)
    assert res.ranks.shape == (20, 25)


def test_sensitivity_hand_computed_correlation_ratio():
    # One unit, ranks 1, 3, 2, 4 at levels a, a, b, b: level means 2 and 3, overall 2.5,
    # between SS = 2(0.25) + 2(0.25) = 1, total SS = 5, so S = 0.2. MS_within = 4/2 = 2 and
    # omega^2 = (1 - 2)/(5 + 2) < 0, reported as 0.
    ranks = np.array([[1.0], [3.0], [2.0], [4.0]])
    draws = pd.DataFrame({"normalisation": ["a", "a", "b", "b"], "weights": [0, 1, 0, 1]})
    res = C.UncertaintyResult(pd.DataFrame(), ranks, draws, pd.Index(["u"]), "Index", np.ones((2, 1)), ["x"])
    sens = C.sensitivity_analysis(res).set_index("factor")
    assert sens.loc["normalisation", "first_order"] == pytest.approx(0.2)
    assert sens.loc["normalisation", "first_order_adjusted"] == 0.0
    # weights: level means (1+2)/2 = 1.5 and (3+4)/2 = 3.5, between SS = 4, S = 0.8.
    assert sens.loc["weights", "first_order"] == pytest.approx(0.8)


def test_sensitivity_finds_the_only_influential_choice(data):
    # With a single normalisation and no weight noise only the aggregation can move the ranks.
    res = C.uncertainty_analysis(data, STRUCTURE, n_draws=300, normalisations=["minmax"],
                                 aggregations=["arithmetic", "harmonic"], weight_noise=0.0, n_weight_sets=3)
    sens = C.sensitivity_analysis(res).set_index("factor")
    assert sens.loc["aggregation", "first_order"] == pytest.approx(1.0)
    assert sens.loc["normalisation", "first_order"] == 0.0
    assert sens.loc["weights", "first_order_adjusted"] == pytest.approx(0.0, abs=1e-12)


def test_sensitivity_indices_in_unit_interval(result):
    sens = C.sensitivity_analysis(result)
    assert list(sens["factor"]) == ["normalisation", "aggregation", "weights"]
    assert sens["first_order"].between(0, 1).all()
    assert sens["first_order_adjusted"].sum() <= 1  # first-order parts of the variance cannot exceed it


def test_sensitivity_equals_one_minus_within_share(result):
    """Independent route: eta^2 = 1 - SS_within / SS_total, via pandas groupby per unit."""
    ranks = pd.DataFrame(result.ranks.astype(float), columns=result.units)
    total = ((ranks - ranks.mean()) ** 2).sum()
    for factor in ["normalisation", "aggregation", "weights"]:
        key = result.draws[factor].to_numpy()
        within = ranks.groupby(key, observed=True).transform(lambda col: col - col.mean()).pow(2).sum()
        expected = (1 - within / total)[total > 0].mean()
        got = C.sensitivity_analysis(result, [factor])["first_order"].iloc[0]
        assert got == pytest.approx(expected, rel=1e-10)


def test_progress_bar_can_be_shown_or_disabled(data, capsys):
    C.uncertainty_analysis(data, STRUCTURE, n_draws=10, n_weight_sets=2, progress=True)
    assert "uncertainty draws" in capsys.readouterr().err
    C.uncertainty_analysis(data, STRUCTURE, n_draws=10, n_weight_sets=2, progress=False)
    assert capsys.readouterr().err == ""
