"""End to end: item-level waves -> load_survey -> score_dimensions -> evaluate_programme."""

from __future__ import annotations

import pandas as pd
import pytest

from innocap_analysis.evaluation import evaluate_programme, link_waves, scores_for_evaluation
from innocap_analysis.survey import load_survey
from innocap_analysis.survey.scoring import score_dimensions
from innocap_analysis.synthetic.panel import item_level_export, simulate_panel


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    panel = simulate_panel(seed=1)
    path = tmp_path_factory.mktemp("waves") / "two_waves_en.csv"
    item_level_export(panel, seed=3).to_csv(path, index=False)
    survey = load_survey(path, pseudonymise_key="test-key")
    return panel, survey


def test_item_level_waves_load_and_link_like_the_score_level(loaded):
    panel, survey = loaded
    assert survey.report.rows_rejected == 0
    tidy = scores_for_evaluation(score_dimensions(survey), survey.responses)
    assert len(tidy) == len(panel.scores)
    ours = link_waves(tidy).report.set_index("category")["n_keys"]
    truth = link_waves(panel.scores).report.set_index("category")["n_keys"]
    pd.testing.assert_series_equal(ours, truth)


def test_item_level_evaluation_sees_participants_improve(loaded):
    _, survey = loaded
    tidy = scores_for_evaluation(score_dimensions(survey), survey.responses)
    result = evaluate_programme(tidy, n_resamples=499)
    participants = result.paired[result.paired["group"] == "participants"]
    assert (participants["estimate"] > 0).all()
    assert (participants["ci_low"] > 0).all()
    panel_keys = set(survey.responses["panel_key"].dropna())
    for table in (
        result.linking,
        result.paired,
        result.unpaired,
        result.did,
        result.attrition_response,
        result.pairs,
    ):
        assert not (set(table.astype(str).to_numpy().ravel()) & panel_keys)


def test_scores_for_evaluation_names_missing_columns(loaded):
    _, survey = loaded
    with pytest.raises(ValueError, match="wave"):
        scores_for_evaluation(score_dimensions(survey), survey.responses.drop(columns="wave"))
    with pytest.raises(ValueError, match="role 'nonexistent'"):
        scores_for_evaluation(score_dimensions(survey), survey.responses, role="nonexistent")
