"""Group comparisons: hand-worked cases, and scipy / statsmodels / pingouin as references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from innocap_analysis.stats.compare import (
    _dunn_z,
    cliffs_delta,
    epsilon_squared,
    eta_squared_h,
    group_summaries,
    kruskal_by,
    kruskal_wallis,
    ordinal_odds_ratios,
    pairwise_comparisons,
)

NO_TIES = pd.DataFrame({"g": list("aaabbbccc"), "v": np.arange(1.0, 10.0)})


@pytest.fixture(scope="module")
def likert() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"g": np.repeat(["a", "b", "c"], [20, 25, 30]), "v": rng.integers(1, 6, 75).astype(float)})
    data.loc[data["g"] == "c", "v"] += 1
    return data


def test_kruskal_hand_case():
    # ranks 1..9, rank sums 6, 15, 24: H = 12/(9*10) * (36 + 225 + 576)/3 - 3*10 = 7.2
    result = kruskal_wallis(NO_TIES, "v", "g")
    assert result["H"] == pytest.approx(7.2)
    assert result["epsilon_squared"] == pytest.approx(7.2 / ((81 - 1) / (9 + 1)))  # 0.9
    assert result["eta_squared_h"] == pytest.approx((7.2 - 3 + 1) / (9 - 3))
    assert (result["n"], result["k"], result["df"], result["min_group_n"]) == (9, 3, 2, 3)
    assert result["p_value"] == pytest.approx(stats.chi2.sf(7.2, 2))


def test_kruskal_with_ties_matches_pingouin_and_counts_missing(likert):
    data = pd.concat([likert, pd.DataFrame({"g": ["a", None], "v": [np.nan, 3.0]})], ignore_index=True)
    ours = kruskal_wallis(data, "v", "g")
    theirs = pg.kruskal(likert, dv="v", between="g")
    assert ours["H"] == pytest.approx(theirs["H"].iloc[0])
    assert ours["p_value"] == pytest.approx(theirs["p_unc"].iloc[0])
    assert ours["n_missing"] == 2 and ours["n"] == 75


def test_effect_size_formulas():
    assert epsilon_squared(10.0, 11) == pytest.approx(1.0)
    assert eta_squared_h(10.0, 11, 3) == pytest.approx(8 / 8)


def test_cliffs_delta_hand_case():
    # pairs: 1 < 2, 2, 4; 2 = 2, = 2, < 4; 3 > 2, > 2, < 4  ->  (2 - 5) / 9
    assert cliffs_delta([1, 2, 3], [2, 2, 4]) == pytest.approx(-3 / 9)
    assert cliffs_delta([5, 6], [1, 2]) == 1.0
    with pytest.raises(ValueError):
        cliffs_delta([1, np.nan], [2])


def test_cliffs_delta_equals_brute_force_pair_count():
    rng = np.random.default_rng(5)
    x, y = rng.integers(1, 6, 37).astype(float), rng.integers(1, 6, 23).astype(float)
    assert cliffs_delta(x, y) == pytest.approx(np.sign(np.subtract.outer(x, y)).mean(), abs=1e-12)


def test_mann_whitney_pairs_match_pingouin(likert):
    table = pairwise_comparisons(likert, "v", "g", method="mannwhitney")
    assert list(zip(table["group_a"], table["group_b"], strict=True)) == [("a", "b"), ("a", "c"), ("b", "c")]
    for row in table.itertuples():
        ref = pg.mwu(likert.loc[likert.g == row.group_a, "v"], likert.loc[likert.g == row.group_b, "v"])
        assert row.statistic == pytest.approx(ref["U_val"].iloc[0])
        assert row.p_value == pytest.approx(ref["p_val"].iloc[0])
        assert row.cliffs_delta == pytest.approx(ref["RBC"].iloc[0])  # rank-biserial = Cliff's delta


def test_holm_and_bh_adjustment_by_hand(likert):
    table = pairwise_comparisons(likert, "v", "g")
    p = table["p_value"].to_numpy(dtype=float)
    order = np.argsort(p)
    m = len(p)
    holm = np.empty(m)
    holm[order] = np.minimum(1, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    bh = np.empty(m)
    bh[order] = np.minimum(1, np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1])
    np.testing.assert_allclose(table["p_holm"].to_numpy(dtype=float), holm)
    np.testing.assert_allclose(table["p_bh"].to_numpy(dtype=float), bh)


def test_dunn_hand_cases():
    # no ties: mean ranks 2, 5, 8; se = sqrt(9*10/12 * (1/3 + 1/3)) = sqrt(5)
    z = _dunn_z({"a": np.array([1.0, 2, 3]), "b": np.array([4.0, 5, 6]), "c": np.array([7.0, 8, 9])})
    assert z[("a", "b")][0] == pytest.approx(-3 / np.sqrt(5))
    assert z[("a", "c")][0] == pytest.approx(-6 / np.sqrt(5))
    assert z[("a", "c")][1] == pytest.approx(2 * stats.norm.sf(6 / np.sqrt(5)))
    # ties: ranks 1.5 1.5 3.5 | 3.5 5.5 5.5; tie term 3 * (8 - 2) / (12 * 5) = 0.3
    z = _dunn_z({"a": np.array([1.0, 1, 2]), "b": np.array([2.0, 3, 3])})
    se = np.sqrt((6 * 7 / 12 - 0.3) * (2 / 3))
    assert z[("a", "b")][0] == pytest.approx((6.5 / 3 - 14.5 / 3) / se)


def test_pairwise_dunn_table_and_bad_method(likert):
    table = pairwise_comparisons(likert, "v", "g", method="dunn")
    assert (table["p_holm"] >= table["p_value"]).all()
    with pytest.raises(ValueError, match="method"):
        pairwise_comparisons(likert, "v", "g", method="t")


def test_small_groups_are_suppressed(likert):
    data = pd.concat([likert, pd.DataFrame({"g": ["d"] * 3, "v": [1.0, 2.0, 5.0]})], ignore_index=True)
    sizes = data["g"].value_counts()
    table = pairwise_comparisons(data, "v", "g")
    # d (3) is masked, and the smallest other group with it: the total is published elsewhere, so
    # d alone would be the total minus the published groups (secondary suppression)
    partner = sizes.drop("d").idxmin()
    masked = table["group_a"].isin(["d", partner]) | table["group_b"].isin(["d", partner])
    assert table.loc[masked, "suppressed"].all() and not table.loc[~masked, "suppressed"].any()
    assert table.loc[table["group_b"] == "d", ["n_b", "p_value", "cliffs_delta"]].isna().all().all()
    summary = group_summaries(data, "v", "g", n_resamples=500)
    assert summary.loc[summary["g"].isin(["d", partner]), "mean"].isna().all()
    assert summary.loc[~summary["g"].isin(["d", partner]), "mean"].notna().all()


def test_group_summaries_match_direct_scipy_bootstrap(likert):
    summary = group_summaries(likert, "v", "g", n_resamples=999, seed=7).set_index("g")
    values = likert.loc[likert["g"] == "c", "v"].to_numpy()
    direct = stats.bootstrap((values,), np.mean, n_resamples=999, method="BCa",
                             random_state=np.random.default_rng(7))
    assert summary.loc["c", "mean"] == pytest.approx(values.mean())
    assert summary.loc["c", "mean_ci_low"] == pytest.approx(direct.confidence_interval.low)
    assert summary.loc["c", "mean_ci_high"] == pytest.approx(direct.confidence_interval.high)
    assert summary.loc["c", "n"] == 30
    # median of integer codes: BCa is degenerate, the percentile interval is reported and named
    assert set(summary["median_ci_method"]) <= {"BCa", "percentile"}
    assert (summary["mean_ci_low"] <= summary["mean"]).all() and (summary["mean"] <= summary["mean_ci_high"]).all()


def test_group_summaries_undefined_interval_for_constant_group():
    data = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 6, "v": [3.0] * 6 + [1, 2, 3, 4, 5, 6]})
    summary = group_summaries(data, "v", "g", n_resamples=200).set_index("g")
    assert summary.loc["a", "mean_ci_method"] == "undefined"
    assert pd.isna(summary.loc["a", "mean_ci_low"])
    assert summary.loc["b", "mean_ci_method"] == "BCa"


def test_kruskal_by_family_adjustment(likert):
    data = pd.concat([likert.assign(dimension="x", role="capability"),
                      likert.assign(dimension="y", role="capability", v=likert["v"].sample(frac=1, random_state=2).to_numpy())])
    table = kruskal_by(data, "v", "g")
    assert list(table["dimension"]) == ["x", "y"]
    p = table["p_value"].to_numpy()
    assert table["p_holm"].tolist() == pytest.approx(np.minimum(1, np.maximum.accumulate(np.sort(p) * [2, 1]))[np.argsort(np.argsort(p))])


def test_ordinal_odds_ratio_recovers_simulated_effect():
    # proportional-odds population: logit P(Y > j) = beta x - cut_j with OR = exp(beta) = 2.5 for group "b"
    rng = np.random.default_rng(42)
    n = 3000
    group = rng.choice(["a", "b"], n)
    region = rng.choice(["r1", "r2"], n)
    latent = np.log(2.5) * (group == "b") + rng.logistic(size=n)
    y = np.digitize(latent, [-1.0, 0.0, 1.0, 2.0]) + 1
    data = pd.DataFrame({"item": y, "group": group, "region": region})
    table = ordinal_odds_ratios(data, "item", ["group", "region"]).set_index("covariate")
    assert table.loc["group", "level"] == "b" and table.loc["group", "reference"] == "a"
    assert table.loc["group", "ci_low"] < 2.5 < table.loc["group", "ci_high"]
    assert table.loc["region", "ci_low"] < 1 < table.loc["region", "ci_high"]
    # under proportional odds every dichotomisation estimates the same OR: compare with a plain 2x2 table
    high = y >= 3
    odds = [high[group == g].mean() / (1 - high[group == g].mean()) for g in ("b", "a")]
    assert table.loc["group", "odds_ratio"] == pytest.approx(odds[0] / odds[1], rel=0.15)
    assert table.loc["group", "n"] == n


def test_ordinal_needs_three_categories():
    data = pd.DataFrame({"item": [1, 2] * 10, "region": ["a", "b"] * 10})
    with pytest.raises(ValueError, match="3\\+"):
        ordinal_odds_ratios(data, "item", ["region"])
