"""The follow-up's power with the design effect: baseline ICC, power plan and required sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocap_analysis.evaluation.planning import baseline_icc, power_plan, required_participants
from innocap_analysis.evidence.sentences import (
    achieved_power_sentence,
    clustered_power_sentence,
    required_participants_sentence,
)
from innocap_analysis.stats.design_effect import design_effect
from innocap_analysis.stats.power import minimum_detectable_effect, power_table
from innocap_analysis.synthetic.panel import PanelDesign, simulate_panel


def test_baseline_icc_recovers_the_organisation_share_of_variance():
    # Baseline score = mean + u[org] + a[person] + e: ICC = 5**2 / (5**2 + 12**2 + 8**2) = 25 / 233.
    design = PanelDesign(n_participants=2400, n_comparison=1200, n_organisations=300, participant_gap=0.0)
    scores = simulate_panel(design, seed=4).scores
    table = baseline_icc(scores)
    assert set(table["dimension"]) == set(design.dimensions)
    assert (table["n_organisations"] == 300).all() and (table["n_respondents"] == 3600).all()
    assert table["icc"].to_numpy() == pytest.approx(np.full(4, 25 / 233), abs=0.03)
    assert table["icc_reml"].to_numpy() == pytest.approx(table["icc"].to_numpy(), abs=0.01)
    assert ((table["icc_ci_low"] < 25 / 233) & (25 / 233 < table["icc_ci_high"])).sum() >= 3
    assert "organisation_key" not in table.columns


def test_baseline_icc_uses_only_the_baseline_wave():
    scores = pd.DataFrame({
        "wave": ["baseline"] * 6 + ["follow_up"] * 2,
        "dimension": ["skills"] * 8,
        "organisation_key": ["a", "a", "a", "b", "b", "b", "a", "b"],
        "score": [1, 2, 3, 4, 5, 6, 100, -100],
    })
    row = baseline_icc(scores).iloc[0]
    # (1,2,3) and (4,5,6): MSB = 13.5, MSW = 1, n0 = 3, ICC = 12.5 / 15.5
    assert row["icc"] == pytest.approx(12.5 / 15.5)
    assert row["design_effect"] == pytest.approx(design_effect(12.5 / 15.5, 3.0))


def test_baseline_icc_errors_name_the_problem():
    scores = pd.DataFrame({"wave": ["baseline"] * 3, "dimension": ["skills"] * 3,
                           "organisation_key": ["a"] * 3, "score": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="dimension 'skills'.*two clusters"):
        baseline_icc(scores)
    with pytest.raises(KeyError, match="organisation_key"):
        baseline_icc(scores.drop(columns="organisation_key"))
    with pytest.raises(ValueError, match="no scores"):
        baseline_icc(scores, wave="follow_up")


def _icc_table(icc=(0.05, 0.12), high=(0.2, 0.3), n_org=30, cv=0.3):
    return pd.DataFrame({"dimension": ["procurement", "skills"], "icc": list(icc), "icc_ci_high": list(high),
                         "n_organisations": [n_org, n_org], "cluster_size_cv": [cv, cv]})


def test_power_plan_scenarios():
    plan = power_plan(_icc_table(), n_participants=120, n_comparison=60, linked_share=0.675)
    assert (plan.icc, plan.icc_dimension, plan.icc_ci_high, plan.n_organisations) == (0.12, "skills", 0.3, 30)
    summary = plan.summary.set_index("scenario")
    flat, clustered, upper = (summary.loc[s] for s in ("no clustering", "design effect",
                                                       "design effect, ICC upper bound"))
    assert (flat["n_participants_linked"], flat["n_comparison_linked"]) == (81, 40)
    assert flat["design_effect"] == 1.0
    assert flat["mde_d_between_groups"] == pytest.approx(minimum_detectable_effect(81, 40))
    deff = design_effect(0.12, 121 / 30, 0.3)
    assert clustered["design_effect"] == pytest.approx(deff)
    assert clustered["mde_d_between_groups"] == pytest.approx(minimum_detectable_effect(81 / deff, 40 / deff))
    assert clustered["mde_d_paired"] == pytest.approx(minimum_detectable_effect(81 / deff))
    assert flat["mde_d_between_groups"] < clustered["mde_d_between_groups"] < upper["mde_d_between_groups"]
    assert plan.mde() == clustered["mde_d_between_groups"]
    assert plan.design_effect_at(121) == pytest.approx(deff)
    assert plan.table["design_effect"].ge(1).all() and len(plan.table) == 30


def test_power_plan_takes_a_negative_icc_as_zero():
    plan = power_plan(_icc_table(icc=(-0.02, -0.01)), n_participants=120, n_comparison=60, linked_share=0.7)
    summary = plan.summary.set_index("scenario")
    assert summary.loc["design effect", "design_effect"] == 1.0
    assert summary.loc["design effect", "mde_d_between_groups"] == pytest.approx(
        summary.loc["no clustering", "mde_d_between_groups"])


def test_required_participants_is_the_smallest_sufficient_sample():
    plan = power_plan(_icc_table(), n_participants=120, n_comparison=60, linked_share=0.675)
    target = plan.mde("no clustering")
    n = required_participants(target, plan, comparison_ratio=0.5)
    assert n is not None and n > 120

    def clustered_mde(k):
        return power_table((k,), (0.675,), comparison_ratio=round(k * 0.5) / k, icc=0.12, n_organisations=30,
                           cluster_size_cv=0.3).iloc[0]["mde_d_between_groups_clustered"]

    assert clustered_mde(n) <= target < clustered_mde(n - 1)
    # with 30 organisations the clustered MDE has a floor: a tiny target cannot be reached
    assert required_participants(0.05, plan, comparison_ratio=0.5, max_participants=2000) is None


def test_power_sentences_quote_the_clustered_mde():
    icc = _icc_table()
    icc["icc_ci_low"] = [-0.01, 0.02]
    plan = power_plan(icc, n_participants=120, n_comparison=60, linked_share=0.675)
    text = clustered_power_sentence(plan.summary, icc)
    rows = plan.summary.set_index("scenario")
    for scenario in ("no clustering", "design effect", "design effect, ICC upper bound"):
        assert f"d = {rows.loc[scenario, 'mde_d_between_groups']:.2f}" in text
    assert f"design effect of {rows.loc['design effect', 'design_effect']:.2f}" in text
    assert "0.12 (skills" in text and "30 organisations" in text
    attrition = pd.DataFrame({"group": ["participants", "comparison"], "n_linked_follow_up": [72, 46]})
    plain = achieved_power_sentence(attrition)
    clustered = achieved_power_sentence(attrition, design_effect=1.5)
    assert plain.startswith(clustered.split(" ignoring")[0])
    assert f"d = {minimum_detectable_effect(72 / 1.5, 46 / 1.5):.2f} with the design effect of 1.50" in clustered
    assert "needs 263 participants (143 more" in required_participants_sentence(263, 0.55, 120, 30)
    assert "more organisations are needed" in required_participants_sentence(None, 0.2, 120, 30)
