"""ICC(1) and the design effect against hand-worked cases, pingouin, statsmodels MixedLM and simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from innocap_analysis.stats.design_effect import design_effect, icc_oneway, icc_reml
from innocap_analysis.stats.power import minimum_detectable_effect, power_table


def test_icc_balanced_hand_case():
    # Clusters (1,2,3), (4,5,6), (7,8,9): cluster means 2, 5, 8, grand mean 5.
    # SSB = 3 * (9 + 0 + 9) = 54, MSB = 27; SSW = 3 * 2 = 6, MSW = 1; n0 = 3;
    # ICC = (27 - 1) / (27 + 2 * 1) = 26 / 29.
    est = icc_oneway([1, 2, 3, 4, 5, 6, 7, 8, 9], list("aaabbbccc"))
    assert est.icc == pytest.approx(26 / 29, abs=1e-12)
    assert (est.ms_between, est.ms_within, est.n0, est.f_statistic) == pytest.approx((27, 1, 3, 27))
    assert (est.n_obs, est.n_clusters, est.mean_cluster_size, est.cluster_size_cv) == (9, 3, 3.0, 0.0)


def test_icc_unbalanced_hand_case():
    # A: 1, 3 (mean 2); B: 4, 6, 8 (mean 6); C: 5. N = 6, grand mean 4.5.
    # SSB = 2 * 2.5**2 + 3 * 1.5**2 + 0.5**2 = 19.5, MSB = 9.75; SSW = 2 + 8 + 0 = 10, MSW = 10/3;
    # n0 = (6 - (4 + 9 + 1) / 6) / 2 = 11/6; ICC = (9.75 - 10/3) / (9.75 + (5/6) * 10/3) = 21/41.
    est = icc_oneway([1, 3, 4, 6, 8, 5], ["A", "A", "B", "B", "B", "C"])
    assert est.n0 == pytest.approx(11 / 6)
    assert est.icc == pytest.approx(21 / 41, abs=1e-12)
    sizes = np.array([2, 3, 1])
    assert est.cluster_size_cv == pytest.approx(sizes.std() / sizes.mean())


def test_icc_drops_missing_values_and_clusters():
    with_gaps = icc_oneway([1, 2, 3, np.nan, 4, 5, 6, 7, 8, 9, 10],
                           ["a", "a", "a", "a", "b", "b", "b", "c", "c", "c", None])
    assert with_gaps.icc == pytest.approx(26 / 29) and with_gaps.n_obs == 9


def _balanced(rng, k=40, m=5, icc=0.2):
    u = rng.normal(0, np.sqrt(icc), k)
    y = np.repeat(u, m) + rng.normal(0, np.sqrt(1 - icc), k * m)
    return y, np.repeat(np.arange(k), m), m


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_icc_matches_pingouin_icc1_on_balanced_data():
    # For equal clusters ICC(1) is pingouin's ICC1 (one-way random, single measure), interval included.
    y, cluster, m = _balanced(np.random.default_rng(3))
    long = pd.DataFrame({"target": cluster, "rater": np.tile(np.arange(m), len(y) // m), "score": y})
    ref = pg.intraclass_corr(long, targets="target", raters="rater", ratings="score").set_index("Type").loc["ICC(1,1)"]
    est = icc_oneway(y, cluster)
    assert est.icc == pytest.approx(ref["ICC"], abs=1e-10)
    assert est.f_statistic == pytest.approx(ref["F"], rel=1e-10)
    # pingouin rounds its interval to two decimals
    assert (est.ci_low, est.ci_high) == pytest.approx(tuple(ref["CI95"]), abs=0.006)


def test_icc_matches_mixedlm_reml():
    rng = np.random.default_rng(11)
    y, cluster, _ = _balanced(rng)
    # balanced, positive estimate: the REML variance ratio equals the ANOVA estimate
    assert icc_reml(y, cluster) == pytest.approx(icc_oneway(y, cluster).icc, abs=1e-4)
    # unbalanced: close, not identical
    keep = rng.random(len(y)) > 0.3
    assert icc_reml(y[keep], cluster[keep]) == pytest.approx(icc_oneway(y[keep], cluster[keep]).icc, abs=0.03)


def test_icc_interval_covers_the_truth_about_95_percent():
    rng = np.random.default_rng(5)
    covered = 0
    for _ in range(400):
        y, cluster, _ = _balanced(rng, k=30, m=6, icc=0.1)
        est = icc_oneway(y, cluster)
        covered += est.ci_low <= 0.1 <= est.ci_high
    assert 0.92 <= covered / 400 <= 0.98


def test_icc_errors_are_clear():
    with pytest.raises(ValueError, match="two clusters"):
        icc_oneway([1, 2, 3], ["a", "a", "a"])
    with pytest.raises(ValueError, match="no variation within clusters"):
        icc_oneway([1, 1, 2, 2], ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="differ in length"):
        icc_oneway([1, 2, 3], ["a", "b"])


def test_design_effect_hand_cases():
    assert design_effect(0.1, 6) == pytest.approx(1.5)  # Kish: 1 + (6 - 1) * 0.1
    assert design_effect(0.1, 6, 0.5) == pytest.approx(1 + (1.25 * 6 - 1) * 0.1)  # Eldridge et al. 2006
    assert design_effect(-0.05, 6) == 1.0  # a negative ICC is taken as 0
    assert design_effect(0.3, 1) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="icc"):
        design_effect(1.5, 6)


def test_design_effect_matches_the_variance_of_simulated_cluster_means():
    # 30 clusters of 6 with ICC 0.1 (total variance 1): Var(mean) = deff / 180 with deff = 1.5.
    rng = np.random.default_rng(7)
    k, m, icc = 30, 6, 0.1
    u = rng.normal(0, np.sqrt(icc), (20000, k))
    e = rng.normal(0, np.sqrt(1 - icc), (20000, k, m))
    means = (u[:, :, None] + e).mean(axis=(1, 2))
    assert means.var() * k * m == pytest.approx(design_effect(icc, m), rel=0.03)


def _power_two_sample(d, n1, n2, alpha=0.05):
    df = n1 + n2 - 2
    nc = d * np.sqrt(n1 * n2 / (n1 + n2))
    c = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(c, df, nc) + stats.nct.cdf(-c, df, nc)


def test_power_table_with_design_effect():
    table = power_table(n_participants=(120,), response_rates=(0.75,), icc=0.1, n_organisations=30,
                        sd_change=10.0)
    row = table.iloc[0]
    # 90 + 45 linked respondents in 30 organisations: m = 4.5, deff = 1 + 3.5 * 0.1 = 1.35
    assert row["mean_cluster_size"] == pytest.approx(4.5)
    assert row["design_effect"] == pytest.approx(1.35)
    assert row["n_participants_effective"] == pytest.approx(90 / 1.35)
    mde = row["mde_d_between_groups_clustered"]
    assert mde == pytest.approx(minimum_detectable_effect(90 / 1.35, 45 / 1.35))
    assert _power_two_sample(mde, 90 / 1.35, 45 / 1.35) == pytest.approx(0.8, abs=1e-6)
    assert mde > row["mde_d_between_groups"]
    assert row["mde_between_groups_clustered_points"] == pytest.approx(10 * mde)
    # Cohen's n = 64 per group for d = 0.5 becomes 128 per group at a design effect of 2
    doubled = power_table((132,), (1.0,), comparison_ratio=1.0, icc=0.1, n_organisations=24).iloc[0]
    assert doubled["design_effect"] == pytest.approx(2.0)
    assert doubled["mde_d_between_groups_clustered"] == pytest.approx(minimum_detectable_effect(66, 66))
    # no clustering, no change
    flat = power_table((120,), (0.75,), icc=0.0, n_organisations=30).iloc[0]
    assert flat["mde_d_between_groups_clustered"] == pytest.approx(flat["mde_d_between_groups"])


def test_power_table_needs_icc_and_organisations_together():
    with pytest.raises(ValueError, match="both icc and n_organisations"):
        power_table(icc=0.1)
    assert "design_effect" not in power_table().columns
