"""Estimators of the programme evaluation against hand-worked cases and peer libraries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from innocap_analysis.evaluation import (
    PARALLEL_TRENDS,
    attrition_analysis,
    difference_in_differences,
    evaluate_programme,
    link_waves,
    paired_change,
    rank_biserial,
    suppress_small_estimates,
    unpaired_wave_comparison,
)
from innocap_analysis.synthetic.panel import PanelDesign, simulate_panel


def _pairs(changes, participant=True, baseline=None, orgs=None):
    changes = np.asarray(changes, dtype=float)
    n = changes.size
    if baseline is None:
        baseline = np.random.default_rng(n).normal(50.0, 10.0, n)
    return pd.DataFrame(
        {
            "pair_id": np.arange(n),
            "dimension": "skills",
            "participant": participant,
            "organisation_key": orgs if orgs is not None else [f"O{i % 4}" for i in range(n)],
            "region": "donegal",
            "stakeholder": "sme",
            "baseline_score": baseline,
            "follow_up_score": baseline + changes,
            "change": changes,
        }
    )


def test_rank_biserial_hand_worked():
    # |d| ranks 1..4 for 1, -2, 3, 4 (zero dropped): R+ = 1 + 3 + 4 = 8, R- = 2, r = 6 / 10
    assert rank_biserial(np.array([1.0, -2.0, 3.0, 4.0, 0.0])) == pytest.approx(0.6)
    assert rank_biserial(np.array([1.0, 2.0])) == 1.0
    assert rank_biserial(np.array([-1.0, -2.0])) == -1.0


def test_rank_biserial_and_wilcoxon_match_pingouin():
    rng = np.random.default_rng(1)
    before = rng.normal(50, 10, 40)
    after = before + rng.normal(3, 6, 40)
    reference = pingouin.wilcoxon(after, before, correction=False, method="auto")
    table = paired_change(_pairs(after - before), n_resamples=999)
    assert table.loc[0, "rank_biserial"] == pytest.approx(reference["RBC"].iloc[0], abs=1e-12)
    assert table.loc[0, "wilcoxon_statistic"] == pytest.approx(reference["W_val"].iloc[0])
    assert table.loc[0, "p_value"] == pytest.approx(reference["p_val"].iloc[0], rel=1e-9)


def test_wilcoxon_exact_hand_worked():
    # n = 4, W = min(R+, R-) = 2; subsets of {1,2,3,4} with rank sum <= 2: {}, {1}, {2} -> p = 2 * 3 / 16
    table = paired_change(_pairs([1.0, -2.0, 3.0, 4.0]), n_resamples=999)
    assert table.loc[0, "wilcoxon_statistic"] == 2.0
    assert table.loc[0, "p_value"] == pytest.approx(0.375)
    assert table.loc[0, "estimate"] == pytest.approx(1.5)
    assert table.loc[0, "median_change"] == pytest.approx(2.0)


def test_bca_interval_is_scipy_bootstrap_and_near_t_interval():
    rng = np.random.default_rng(7)
    changes = rng.normal(4.0, 10.0, 200)
    table = paired_change(_pairs(changes), n_resamples=4999, seed=11)
    again = stats.bootstrap(
        (changes,), np.mean, method="BCa", n_resamples=4999, rng=np.random.default_rng(11), vectorized=True
    )
    assert table.loc[0, "ci_low"] == pytest.approx(again.confidence_interval.low)
    assert table.loc[0, "ci_high"] == pytest.approx(again.confidence_interval.high)
    t_low, t_high = stats.ttest_1samp(changes, 0).confidence_interval()
    assert table.loc[0, "ci_low"] == pytest.approx(t_low, abs=0.3)
    assert table.loc[0, "ci_high"] == pytest.approx(t_high, abs=0.3)


def test_unpaired_is_welch_by_hand():
    before = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    after = np.array([3.0, 5.0, 7.0, 9.0])
    rows = [("baseline", v) for v in before] + [("follow_up", v) for v in after]
    scores = pd.DataFrame(
        {
            "panel_key": [f"K{i}" for i in range(len(rows))],
            "organisation_key": "O",
            "wave": [w for w, _ in rows],
            "participant": "yes",
            "region": "donegal",
            "stakeholder": "sme",
            "dimension": "skills",
            "score": [v for _, v in rows],
        }
    )
    table = unpaired_wave_comparison(scores)
    v1, v2 = after.var(ddof=1) / after.size, before.var(ddof=1) / before.size
    se = np.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (after.size - 1) + v2**2 / (before.size - 1))
    half = stats.t.ppf(0.975, df) * se
    assert table.loc[0, "estimate"] == pytest.approx(2.5)
    assert table.loc[0, "ci_low"] == pytest.approx(2.5 - half)
    assert table.loc[0, "ci_high"] == pytest.approx(2.5 + half)
    assert "unpaired" in table.loc[0, "estimator"]


def _cluster_sandwich(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cluster-robust covariance written out (Cameron & Miller 2015, eq. 11, with the CR1 factor)."""
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    resid = y - x @ beta
    labels = np.unique(groups)
    meat = sum(
        np.outer(x[groups == g].T @ resid[groups == g], x[groups == g].T @ resid[groups == g]) for g in labels
    )
    g = labels.size
    factor = g / (g - 1) * (n - 1) / (n - k)
    return factor * bread @ meat @ bread, beta


def test_did_on_linked_pairs_is_difference_of_mean_changes_with_cluster_se():
    rng = np.random.default_rng(3)
    treated = _pairs(rng.normal(6, 5, 30), participant=True, orgs=[f"O{i % 6}" for i in range(30)])
    control = _pairs(rng.normal(2, 5, 20), participant=False, orgs=[f"O{i % 6}" for i in range(20)])
    control["pair_id"] += 30
    control["baseline_score"] = rng.normal(45, 8, 20)
    control["follow_up_score"] = control["baseline_score"] + control["change"]
    pairs = pd.concat([treated, control], ignore_index=True)
    table = difference_in_differences(pairs, sample="linked")
    expected = treated["change"].mean() - control["change"].mean()
    assert table.loc[0, "estimate"] == pytest.approx(expected)

    # Independent sandwich on the same long design: intercept, treated, post, treated x post
    long_y = np.r_[pairs["baseline_score"], pairs["follow_up_score"]]
    d = np.r_[pairs["participant"], pairs["participant"]].astype(float)
    post = np.r_[np.zeros(len(pairs)), np.ones(len(pairs))]
    x = np.column_stack([np.ones_like(d), d, post, d * post])
    groups = np.r_[pairs["organisation_key"], pairs["organisation_key"]]
    cov, beta = _cluster_sandwich(x, long_y, groups)
    se = np.sqrt(cov[3, 3])
    assert beta[3] == pytest.approx(expected)
    assert table.loc[0, "std_error"] == pytest.approx(se, rel=1e-9)
    half = stats.t.ppf(0.975, 6 - 1) * se  # t reference with G - 1 degrees of freedom
    assert table.loc[0, "ci_low"] == pytest.approx(expected - half, rel=1e-9)
    assert table.loc[0, "n_clusters"] == 6
    assert table.loc[0, "assumption"] == PARALLEL_TRENDS
    assert "parallel trends" in table.attrs["assumption"]


def test_did_respondent_without_organisation_is_its_own_cluster():
    rng = np.random.default_rng(0)
    pairs = pd.concat(
        [_pairs(rng.normal(3, 2, 12), True), _pairs(rng.normal(0, 2, 12), False)], ignore_index=True
    )
    pairs["pair_id"] = np.arange(len(pairs))
    organisations = np.array([f"O{i % 5}" for i in range(len(pairs))], dtype=object)
    organisations[[2, 20]] = None
    pairs["organisation_key"] = organisations
    table = difference_in_differences(pairs, sample="linked")
    assert table.loc[0, "n_without_organisation"] == 2
    assert table.loc[0, "n_clusters"] == 5 + 2


def test_attrition_counts_and_baseline_difference():
    panel = simulate_panel(PanelDesign(attrition_slope=1.5, duplicate_rate=0.0, link_rate=1.0), seed=9)
    links = link_waves(panel.scores)
    result = attrition_analysis(links)
    people = panel.people
    overall = result.response.set_index("group").loc["all"]
    assert overall["n_baseline"] == len(people)
    assert overall["n_linked_follow_up"] == people["responded_follow_up"].sum()
    participants = result.response.set_index("group").loc["participants"]
    assert participants["n_linked_follow_up"] == (people["responded_follow_up"] & people["participant"]).sum()
    # dropouts start lower when attrition depends on baseline capability
    everyone = result.baseline_difference[result.baseline_difference["group"] == "all"]
    assert (everyone["difference"] < 0).all()


def test_small_cells_are_suppressed():
    table = pd.DataFrame({"dimension": ["a", "b"], "group": ["x", "x"], "n": [3, 10], "estimate": [1.0, 2.0]})
    out = suppress_small_estimates(table, ["n"], min_cell_size=5)
    assert out["suppressed"].tolist() == [True, False]
    assert np.isnan(out.loc[0, "estimate"]) and out.loc[1, "estimate"] == 2.0
    assert pd.isna(out.loc[0, "n"]) and out.loc[1, "n"] == 10


def test_evaluate_programme_tables_per_dimension():
    panel = simulate_panel(seed=4)
    result = evaluate_programme(panel.scores, n_resamples=499)
    dims = list(panel.design.dimensions)
    assert list(result.did["dimension"].astype(str).unique()) == dims
    assert len(result.paired) == 2 * len(dims)
    assert len(result.unpaired) == 2 * len(dims)
    assert set(result.did["estimator"].str.split(",").str[0]) == {"difference-in-differences"}
    assert len(result.estimates) == len(result.paired) + len(result.unpaired) + len(result.did)
    assert result.did.attrs["assumption"] == PARALLEL_TRENDS


def test_evaluate_programme_suppresses_small_comparison_group():
    panel = simulate_panel(PanelDesign(n_comparison=4, duplicate_rate=0.0), seed=4)
    result = evaluate_programme(panel.scores, n_resamples=199)
    comparison = result.paired[result.paired["group"] == "comparison"]
    assert comparison["suppressed"].all() and comparison["estimate"].isna().all()
    assert result.did["suppressed"].all() and result.did["estimate"].isna().all()
