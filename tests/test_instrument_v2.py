"""Instrument v2: matched importance / capability / supply items, loaded like real exports, and like-for-like gaps
that recover the generator's truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import config
from innocap_analysis.indicators.matched import matched_gaps, matched_need_gap_scores
from innocap_analysis.indicators.priorities import priority_uncertainty
from innocap_analysis.survey import load_codebook, load_survey
from innocap_analysis.survey.codebook import CodebookError, parse_codebook
from innocap_analysis.survey.model import LoadReport, Survey
from innocap_analysis.synthetic.matched import (
    ILLUSTRATIVE_KEY,
    MATCHED_CODEBOOK,
    simulate_matched_responses,
    write_matched_export,
)


@pytest.fixture(scope="module")
def v2():
    return load_codebook(MATCHED_CODEBOOK)


def test_v2_matches_every_statement_three_ways_and_v1_is_kept(v2):
    assert MATCHED_CODEBOOK.name == "innocap_v2.yaml" and config.DEFAULT_CODEBOOK.name == "innocap_v1.yaml"
    assert v2.version == "2.0"
    for dimension in v2.dimensions:
        statements = v2.statements(dimension)
        assert len(statements) == 3
        for roles in statements.values():
            assert set(roles) == {"importance", "capability", "supply"}
            assert roles["capability"].scale == roles["supply"].scale == "able5"  # same scale: like for like
            assert roles["importance"].scale == "importance5"
            assert not any(item.reverse for item in roles.values())
            # the same statement in every language, after each role's stem
            for language in v2.languages:
                tails = {item.text[language].split(": ", 1)[1] for item in roles.values()}
                assert len(tails) == 1, (dimension, language, tails)
            assert set(roles["supply"].answered_by) == {"sme", "hei_research"}
    v1 = load_codebook()
    assert v1.version == "1.0" and v1.statements() == {}  # v1 unchanged, no matched items


def test_codebook_refuses_a_statement_asked_twice_in_one_role():
    raw = {
        "instrument": "t", "version": "1", "languages": ["en"], "respondent_id": "id",
        "scales": {"s": {"levels": {1: {"en": "a"}, 2: {"en": "b"}}}},
        "dimensions": {"d": {"en": "D"}, "e": {"en": "E"}},
        "items": [
            {"id": "X1", "dimension": "d", "role": "importance", "statement": "X", "scale": "s", "text": {"en": "x"}},
            {"id": "X2", "dimension": "d", "role": "importance", "statement": "X", "scale": "s", "text": {"en": "y"}},
            {"id": "X3", "dimension": "e", "role": "capability", "statement": "X", "scale": "s", "text": {"en": "z"}},
        ],
    }
    with pytest.raises(CodebookError) as error:
        parse_codebook(raw)
    problems = "\n".join(error.value.problems)
    assert "item X2: statement 'X' already has a importance item (X1)" in problems
    assert "item X3: statement 'X' is in dimension 'd', not 'e'" in problems


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    answers = simulate_matched_responses(seed=5)
    path = write_matched_export(answers, tmp_path_factory.mktemp("v2"))
    survey = load_survey(path, codebook=MATCHED_CODEBOOK, errors="raise", pseudonymise_key=ILLUSTRATIVE_KEY)
    return answers, survey


def test_synthetic_v2_export_loads_through_load_survey_exactly(loaded):
    answers, survey = loaded
    ids = [item.id for item in answers.codebook.items]
    assert len(survey.responses) == len(answers.responses) and survey.report.rows_kept == len(answers.responses)
    loaded_codes = survey.responses[ids].astype("Float64").reset_index(drop=True)
    true_codes = answers.responses[ids].astype("Float64").reset_index(drop=True)
    pd.testing.assert_frame_equal(loaded_codes, true_codes)
    pd.testing.assert_frame_equal(survey.missing_reasons[ids].reset_index(drop=True),
                                  answers.missing_reasons[ids].reset_index(drop=True), check_dtype=False)
    # the organisation name is PII: dropped, replaced by a keyed organisation key that groups respondents
    assert "organisation" not in survey.responses
    assert survey.responses["organisation_key"].nunique() == answers.responses["organisation"].nunique()
    assert "Organisation" not in "".join(survey.responses.columns)


def test_matched_need_gap_by_hand():
    codebook = load_codebook(MATCHED_CODEBOOK)
    items = [item.id for item in codebook.items]
    responses = pd.DataFrame({"respondent_id": ["a", "b"], "region": ["donegal"] * 2,
                              "stakeholder": ["public_sector"] * 2})
    for item in items:
        responses[item] = pd.array([pd.NA, pd.NA], dtype="Int64")
    # respondent a: DS1 importance 5, ability 2 -> gap (5-2)*25 = 75; DS2 importance 4, ability 4 -> 0
    # DS3 importance only (not paired) -> left out; 2 of 3 statements paired >= half
    responses.loc[0, ["DS1_IMP", "DS1_CAP", "DS2_IMP", "DS2_CAP", "DS3_IMP"]] = [5, 2, 4, 4, 1]
    # respondent b: only DS1 paired (1 of 3 < half) -> no gap
    responses.loc[1, ["DS1_IMP", "DS1_CAP"]] = [3, 3]
    reasons = pd.DataFrame({item: pd.array([pd.NA, pd.NA], dtype="string") for item in items})
    survey = Survey(responses, reasons, LoadReport(), codebook)
    gaps = matched_need_gap_scores(survey).set_index(["respondent_id", "dimension"])
    assert gaps.loc[("a", "digital_solutions"), "n_pairs"] == 2
    assert gaps.loc[("a", "digital_solutions"), "need_gap"] == pytest.approx((75 + 0) / 2)
    assert gaps.loc[("a", "digital_solutions"), "importance_0_100"] == pytest.approx((100 + 75) / 2)
    assert np.isnan(gaps.loc[("b", "digital_solutions"), "need_gap"])


def test_like_for_like_gaps_refuse_an_instrument_without_matched_items(loaded):
    _, survey = loaded
    v1 = Survey(survey.responses, survey.missing_reasons, survey.report, load_codebook())
    with pytest.raises(ValueError, match="no matched statements"):
        matched_gaps(v1)


def test_matched_gaps_recover_the_generator_truth(tmp_path):
    """Large samples, answers clustered in organisations: every estimate within 3.5 cluster-robust standard
    errors of the truth the generator computed in closed form, and the intervals cover it."""
    answers = simulate_matched_responses({"public_sector": 400, "sme": 300, "hei_research": 150}, seed=21,
                                         respondents_per_organisation=3, organisation_sd=0.4)
    path = write_matched_export(answers, tmp_path)
    survey = load_survey(path, codebook=MATCHED_CODEBOOK, errors="raise", pseudonymise_key="k")
    gaps = matched_gaps(survey).assign(region=lambda t: t["region"].astype(str)).set_index(["region", "dimension"])
    truth = answers.truth.set_index(["region", "dimension"]).loc[gaps.index]
    need_se = (gaps["need_gap_ci_high"] - gaps["need_gap_ci_low"]) / (2 * 1.96)
    soc_se = (gaps["soc_ci_high"] - gaps["soc_ci_low"]) / (2 * 1.96)
    assert ((gaps["need_gap"] - truth["need_gap"]).abs() < 3.5 * need_se).all()
    assert ((gaps["supply_over_capability"] - truth["supply_over_capability"]).abs() < 3.5 * soc_se).all()
    covered = ((gaps["soc_ci_low"] <= truth["supply_over_capability"])
               & (truth["supply_over_capability"] <= gaps["soc_ci_high"]))
    assert covered.mean() >= 0.85
    assert (gaps["importance_mean"] - truth["importance"]).abs().max() < 3.0
    assert (gaps["supply_mean"] - truth["supply"]).abs().max() < 3.0
    # the verdicts follow the Holm-adjusted p-values and the signs of the truth where they are far from 0
    far = truth["supply_over_capability"].abs() > 8
    expected = np.where(truth["supply_over_capability"] > 0, "suppliers more able", "suppliers less able")
    assert (gaps.loc[far, "verdict"] == pd.Series(expected, index=truth.index)[far]).all()


def test_holm_control_over_the_need_supply_family(loaded):
    _, survey = loaded
    gaps = matched_gaps(survey)
    p, holm = gaps["soc_p"].to_numpy(float), gaps["soc_p_holm"].to_numpy(float)
    m = np.isfinite(p).sum()
    order = np.argsort(p)
    # Holm by hand: step-down, (m - k) p_(k), running maximum, capped at 1
    expected = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    np.testing.assert_allclose(holm[order], expected)
    assert (gaps["soc_p_bh"] <= gaps["soc_p_holm"] + 1e-12).all()
    called = gaps["verdict"] != "not distinguishable"
    assert (gaps.loc[called, "soc_p_holm"] < 0.05).all()
    # an interval that excludes 0 without surviving Holm is "not distinguishable"
    marginal = (gaps["soc_ci_low"] > 0) & (gaps["soc_p_holm"] >= 0.05)
    assert (gaps.loc[marginal, "verdict"] == "not distinguishable").all()
    # the organisations are the clusters: fewer than the respondents
    assert gaps["need_n"].min() >= 5


def test_matched_need_gaps_can_be_ranked_with_their_uncertainty(loaded):
    _, survey = loaded
    gaps = matched_need_gap_scores(survey)
    ranks = priority_uncertainty(gaps, role=None, value="need_gap", n_resamples=300, seed=1)
    assert set(ranks["region"].astype(str)) == set(survey.responses["region"].astype(str))
    means = gaps[gaps["stakeholder"] == "public_sector"].groupby(["region", "dimension"], observed=True)["need_gap"].mean()
    top = ranks[ranks["rank"] == 1].assign(region=lambda t: t["region"].astype(str))
    for row in top.itertuples():
        assert row.mean == pytest.approx(means.loc[(row.region, row.dimension)])
        assert row.mean == pytest.approx(means.loc[row.region].max())
    # resampling whole organisations: fewer clusters than respondents
    assert (ranks["n_clusters"] < ranks["n"]).all()
