"""Cluster-robust intervals and the cluster bootstrap, checked against statsmodels and scipy (peer libraries)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from innocap_analysis.stats.clustered import (
    cluster_bootstrap_counts,
    clustered_difference,
    clustered_means,
    clustered_shares,
)


@pytest.fixture(scope="module")
def clustered_data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 5, size=30)
    organisation = np.repeat(np.arange(30), sizes)
    group = np.where(organisation < 15, "a", "b")
    shock = rng.normal(0, 1, 30)[organisation]  # answers of one organisation are correlated
    return pd.DataFrame({"group": group, "org": organisation.astype(str),
                         "y": 50 + 10 * shock + rng.normal(0, 10, len(organisation))})


def test_clustered_means_match_statsmodels_cluster_robust_ols(clustered_data):
    table = clustered_means(clustered_data, "y", ["group"], cluster="org").set_index("group")
    for group, part in clustered_data.groupby("group"):
        fit = sm.OLS(part["y"].to_numpy(), np.ones(len(part))).fit(
            cov_type="cluster", cov_kwds={"groups": part["org"].astype(int).to_numpy()}, use_t=True)
        low, high = fit.conf_int(0.05)[0]
        assert table.loc[group, "mean"] == pytest.approx(fit.params[0])
        assert table.loc[group, "se"] == pytest.approx(fit.bse[0])
        assert (table.loc[group, "ci_low"], table.loc[group, "ci_high"]) == pytest.approx((low, high))
        assert table.loc[group, "n_clusters"] == part["org"].nunique()


def test_one_observation_per_cluster_is_the_t_interval(clustered_data):
    table = clustered_means(clustered_data, "y", ["group"]).set_index("group")
    for group, part in clustered_data.groupby("group"):
        low, high = stats.ttest_1samp(part["y"], 0).confidence_interval(0.95)
        assert (table.loc[group, "ci_low"], table.loc[group, "ci_high"]) == pytest.approx((low, high))
        assert table.loc[group, "n_clusters"] == len(part)


def test_ignoring_the_clusters_gives_too_narrow_an_interval():
    # every answer given three times by three people of one organisation: the information of 20 answers
    rng = np.random.default_rng(3)
    y = rng.normal(60, 15, 20)
    once = pd.DataFrame({"y": y, "org": [f"O{i:02d}" for i in range(20)]})
    thrice = pd.concat([once] * 3, ignore_index=True)
    reference = clustered_means(once, "y").iloc[0]
    clustered = clustered_means(thrice, "y", cluster="org").iloc[0]
    naive = clustered_means(thrice, "y").iloc[0]
    # CR1 of the tripled data with organisations as clusters equals the t interval of the 20 answers
    assert (clustered["ci_low"], clustered["ci_high"]) == pytest.approx((reference["ci_low"], reference["ci_high"]))
    assert naive["ci_high"] - naive["ci_low"] < 0.65 * (reference["ci_high"] - reference["ci_low"])


def test_clustered_difference_is_welch_without_clusters_and_wider_with_them(clustered_data):
    a = clustered_data.loc[clustered_data["group"] == "a"]
    b = clustered_data.loc[clustered_data["group"] == "b"]
    plain = clustered_difference(a["y"], b["y"])
    welch = stats.ttest_ind(a["y"], b["y"], equal_var=False)
    interval = welch.confidence_interval(0.95)
    assert plain.estimate == pytest.approx(a["y"].mean() - b["y"].mean())
    assert (plain.ci_low, plain.ci_high, plain.p_value) == pytest.approx((interval.low, interval.high, welch.pvalue))
    assert plain.df == pytest.approx(welch.df)
    clustered = clustered_difference(a["y"], b["y"], a["org"], b["org"])
    assert clustered.estimate == pytest.approx(plain.estimate)
    assert clustered.df < plain.df  # degrees of freedom count organisations, not people


def test_clustered_shares_are_wilson_without_clusters_and_never_narrower_with_them(clustered_data):
    data = clustered_data.assign(flag=clustered_data["y"] > 55)
    plain = clustered_shares(data, "flag", ["group"]).set_index("group")
    clustered = clustered_shares(data, "flag", ["group"], cluster="org").set_index("group")
    for group, part in data.groupby("group"):
        low, high = proportion_confint(part["flag"].sum(), len(part), method="wilson")
        assert (plain.loc[group, "ci_low"], plain.loc[group, "ci_high"]) == pytest.approx((low, high))
        assert plain.loc[group, "design_effect"] == 1.0
        assert clustered.loc[group, "design_effect"] >= 1.0
        width = clustered.loc[group, "ci_high"] - clustered.loc[group, "ci_low"]
        assert width >= (high - low) - 1e-12


def test_cluster_bootstrap_draws_whole_clusters_within_strata():
    strata = np.array(["r1"] * 5 + ["r2"] * 3)
    clusters = np.array(["A", "A", "B", "C", "C", "D", "E", "E"])
    counts = cluster_bootstrap_counts(strata, clusters, 500, np.random.default_rng(0))
    assert counts.shape == (500, 8)
    # members of one cluster are always drawn the same number of times
    assert (counts[:, 0] == counts[:, 1]).all() and (counts[:, 3] == counts[:, 4]).all()
    assert (counts[:, 6] == counts[:, 7]).all()
    # each stratum keeps its number of clusters: r1 has 3 (A, B, C), r2 has 2 (D, E)
    assert (counts[:, [0, 2, 3]].sum(axis=1) == 3).all() and (counts[:, [5, 6]].sum(axis=1) == 2).all()
    # without clusters: the ordinary stratified bootstrap, stratum sizes kept
    plain = cluster_bootstrap_counts(strata, None, 200, np.random.default_rng(0))
    assert (plain[:, :5].sum(axis=1) == 5).all() and (plain[:, 5:].sum(axis=1) == 3).all()


def test_missing_cluster_labels_are_refused_by_name():
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0], "org": ["a", None, "b"]})
    with pytest.raises(ValueError, match="cluster column 'org' is missing for 1 row"):
        clustered_means(data, "y", cluster="org")
