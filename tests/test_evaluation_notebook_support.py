"""Support of notebook 07: illustrative waves through the loader, the evaluation input, the truth beside the estimates."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import config
from innocap_analysis.evaluation import (
    ESTIMATOR_LABELS,
    PSEUDONYMISE_KEY_ENV,
    evaluation_input,
    truth_comparison,
)
from innocap_analysis.evaluation.simulation import illustrative_waves
from innocap_analysis.evidence.sentences import power_sentence, truth_sentence
from innocap_analysis.synthetic.panel import (
    PanelDesign,
    item_level_export,
    simulate_panel,
    without_programme_effect,
)

SMALL = PanelDesign(
    n_participants=24,
    n_comparison=12,
    n_organisations=6,
    delta={"digital_solutions": 5.0, "procurement": 0.0, "delivery_models": 10.0, "skills": 2.5},
)


def _leftover_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("innocap_waves_*")}


def test_without_programme_effect_removes_delta_from_participants_follow_up_only():
    panel = simulate_panel(SMALL, seed=4)
    counterfactual = without_programme_effect(panel)
    scores = panel.scores
    difference = scores["score"] - counterfactual.scores["score"]
    treated = (scores["wave"] == "follow_up") & (scores["participant"] == "yes")
    expected = scores["dimension"].astype(str).map(SMALL.delta).where(treated, 0.0)
    np.testing.assert_allclose(difference.to_numpy(float), expected.to_numpy(float), atol=1e-12)
    # e.g. a participant's follow-up delivery-models score is 10 points higher than without the programme
    row = scores.index[treated & (scores["dimension"] == "delivery_models")][0]
    assert scores.at[row, "score"] - counterfactual.scores.at[row, "score"] == pytest.approx(10.0)
    pd.testing.assert_frame_equal(
        panel.scores.drop(columns="score"), counterfactual.scores.drop(columns="score")
    )


def test_same_seed_gives_the_same_item_noise_so_zero_effect_means_identical_exports():
    panel = simulate_panel(SMALL, seed=5)
    no_effect = PanelDesign(**{**SMALL.__dict__, "delta": 0.0})
    panel0 = simulate_panel(no_effect, seed=5)
    pd.testing.assert_frame_equal(
        item_level_export(panel0, seed=9), item_level_export(without_programme_effect(panel0), seed=9)
    )
    # with an effect, only participants' follow-up answers may differ
    actual = item_level_export(panel, seed=9)
    counterfactual = item_level_export(without_programme_effect(panel), seed=9)
    changed = (actual != counterfactual).any(axis=1)
    assert changed.any()
    assert set(actual.loc[changed, "wave"]) == {"Follow-up"}
    assert set(actual.loc[changed, "participant"]) == {"Yes"}


def test_illustrative_waves_truth_zero_where_delta_is_zero_and_no_files_left():
    before = _leftover_dirs()
    waves = illustrative_waves(SMALL, seed=6)
    assert _leftover_dirs() == before
    assert waves.survey.report.rows_rejected == 0
    truth = waves.truth.set_index("dimension")
    assert list(truth.columns) == ["delta", "wave_shift", "item_scale_effect", "n_participant_follow_up"]
    assert truth.loc["procurement", "item_scale_effect"] == 0.0  # delta 0: identical item answers
    assert (
        truth.loc["delivery_models", "item_scale_effect"]
        > truth.loc["digital_solutions", "item_scale_effect"]
        > 0
    )
    assert truth.loc["skills", "delta"] == 2.5
    participants_follow_up = waves.panel.scores.query("wave == 'follow_up' and participant == 'yes'")
    assert (truth["n_participant_follow_up"] == len(participants_follow_up) // 4).all()
    assert not (set(waves.survey.responses.columns) & {"Organisation", "organisation"})


def test_evaluation_input_illustrative_and_region_selection():
    data = evaluation_input(seed=7, design=SMALL)
    assert data.illustrative and data.truth is not None and data.design == SMALL
    assert "Illustrative" in data.source
    some = evaluation_input(seed=7, design=SMALL, region_selection=["donegal", "south_savo"])
    assert set(some.scores["region"].astype(str)) == {"donegal", "south_savo"}
    assert len(some.scores) == data.scores["region"].astype(str).isin(["donegal", "south_savo"]).sum()


def test_evaluation_input_falls_back_when_real_exports_have_no_follow_up(monkeypatch):
    monkeypatch.delenv(PSEUDONYMISE_KEY_ENV, raising=False)
    baseline_only = [config.ILLUSTRATIVE_SURVEY_DIR / "donegal_en.csv"]
    data = evaluation_input([str(p) for p in baseline_only], seed=7, design=SMALL)
    assert data.illustrative and data.truth is not None
    assert "no follow-up wave" in data.source


def test_evaluation_input_real_two_waves_need_a_key(tmp_path, monkeypatch):
    path = tmp_path / "two_waves.csv"
    item_level_export(simulate_panel(SMALL, seed=8), seed=8).to_csv(path, index=False)
    monkeypatch.delenv(PSEUDONYMISE_KEY_ENV, raising=False)
    with pytest.raises(ValueError, match=PSEUDONYMISE_KEY_ENV):
        evaluation_input([str(path)])
    monkeypatch.setenv(PSEUDONYMISE_KEY_ENV, "a-test-key")
    data = evaluation_input([str(path)])
    assert not data.illustrative and data.truth is None and data.design is None
    assert data.scores["organisation_key"].notna().all()
    assert not data.scores["panel_key"].astype(str).str.startswith(("K", "N")).any()  # hashed, not raw


def test_truth_comparison_hand_case():
    did = pd.DataFrame(
        {
            "dimension": ["skills", "skills", "procurement"],
            "estimator": [
                ESTIMATOR_LABELS["did_linked"],
                ESTIMATOR_LABELS["did_all"],
                ESTIMATOR_LABELS["did_linked"],
            ],
            "estimate": [0.40, 0.10, np.nan],
            "ci_low": [0.20, -0.05, np.nan],
            "ci_high": [0.60, 0.25, np.nan],
            "assumption": "parallel trends",
        }
    )
    truth = pd.DataFrame({"dimension": ["procurement", "skills"], "item_scale_effect": [0.5, 0.3]})
    table = truth_comparison(did, truth)
    assert table["estimator"].tolist() == ["linked", "all", "linked"]
    np.testing.assert_allclose(table["true_effect"], [0.3, 0.3, 0.5])
    np.testing.assert_allclose(table["error"].to_numpy(float)[:2], [0.10, -0.20])
    assert table["covered"].tolist()[:2] == [True, False]  # 0.3 in [0.2, 0.6]; not in [-0.05, 0.25]
    assert table["covered"].isna().tolist() == [False, False, True]  # suppressed estimate: unknown


def test_truth_sentence_states_both_scales():
    truth = pd.DataFrame(
        {
            "dimension": ["a", "b"],
            "delta": [5.0, 5.0],
            "wave_shift": [2.0, 2.0],
            "item_scale_effect": [0.2912, 0.3249],
            "n_participant_follow_up": [80, 80],
        }
    )
    sentence = truth_sentence(truth)
    assert "effect of 5.0 points" in sentence
    assert "change of 2.0 points for everyone" in sentence
    assert "0.29 to 0.32 scale points" in sentence
    assert "mean over 80 participants'" in sentence
    assert "each of the 2 dimensions" in sentence


def test_power_sentence_names_the_linked_share():
    sentence = power_sentence(120, 60, response_rate=0.675)
    # floor(120 * 0.675) = 81, floor(60 * 0.675) = 40
    assert "(67.5% of them with a linked follow-up answer: 81 and 40)" in sentence
