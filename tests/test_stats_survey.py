"""Scores, reliability table, need-supply, IPA, priorities and awareness on Survey-shaped data.

The Survey here is built by hand from the real codebook (``innocap_v1.yaml``) so that every
number can be worked out on paper; the end-to-end run on the illustrative exports is in
``test_stats_end_to_end.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from innocap_analysis.indicators import demand_supply
from innocap_analysis.indicators.measurement import reliability_table
from innocap_analysis.stats.reliability import cronbach_alpha
from innocap_analysis.survey import scoring
from innocap_analysis.survey.codebook import load_codebook
from innocap_analysis.survey.model import LoadReport, Survey

REGIONS = ["donegal", "vasternorrland", "south_savo", "south_iceland", "newfoundland_labrador"]
STAKEHOLDERS = ["public_sector", "sme", "hei_research"]


def make_survey(n: int = 300, seed: int = 0) -> Survey:
    """A Survey-shaped object: one-factor answers per dimension, routing and don't-knows like the loader's."""
    codebook = load_codebook()
    rng = np.random.default_rng(seed)
    responses = pd.DataFrame({
        "respondent_id": [f"R{i:04d}" for i in range(n)],
        "region": pd.Categorical(rng.choice(REGIONS, n), categories=REGIONS),
        "stakeholder": pd.Categorical(rng.choice(STAKEHOLDERS, n), categories=STAKEHOLDERS),
        "role": pd.Categorical(rng.choice(["executive", "manager"], n), categories=["executive", "manager"]),
    })
    reasons = {}
    for dimension in codebook.dimensions:
        factor = rng.standard_normal(n)
        for item in codebook.items_for(dimension=dimension):
            latent = 0.8 * factor + 0.6 * rng.standard_normal(n)
            latent = -latent if item.reverse else latent
            responses[item.id] = pd.array(np.digitize(latent, [-1.2, -0.4, 0.4, 1.2]) + 1, dtype="Int64")
    for item in codebook.items_for(dimension=None):
        if item.dimension is None:
            responses[item.id] = pd.array(rng.integers(1, 6, n), dtype="Int64")
    for item in codebook.items:
        reason = pd.Series(pd.NA, index=responses.index, dtype="string")
        dont_know = rng.random(n) < 0.05
        reason[dont_know] = "dont_know"
        not_asked = ~responses["stakeholder"].isin(item.answered_by).to_numpy()
        reason[not_asked] = "not_asked"
        responses.loc[reason.notna(), item.id] = pd.NA
        reasons[item.id] = reason
    return Survey(responses, pd.DataFrame(reasons), LoadReport(), codebook)


@pytest.fixture(scope="module")
def survey() -> Survey:
    return make_survey()


def _set(survey: Survey, row: int, answers: dict[str, int | str | None]) -> None:
    for item, value in answers.items():
        if isinstance(value, str):
            survey.responses.loc[row, item] = pd.NA
            survey.missing_reasons.loc[row, item] = value
        else:
            survey.responses.loc[row, item] = value
            survey.missing_reasons.loc[row, item] = pd.NA


@pytest.fixture
def hand_survey() -> Survey:
    survey = make_survey(n=8, seed=1)
    survey.responses["stakeholder"] = pd.Categorical(["public_sector"] + ["sme"] * 7, categories=STAKEHOLDERS)
    # R0000: DS4 and DS6 are reverse-keyed: 2 -> 4 and 1 -> 5; DS5 don't know
    _set(survey, 0, {"DS1": 5, "DS2": 4, "DS3": 3, "DS4": 2, "DS5": "dont_know", "DS6": 1, "DS_IMP": 4,
                     "DS_SUP": "not_asked"})
    # R0001: 2 of 6 answered (< half); R0002: 3 of 6 answered (exactly half)
    _set(survey, 1, {"DS1": 5, "DS2": 5, "DS3": "dont_know", "DS4": "blank", "DS5": "blank", "DS6": "blank"})
    _set(survey, 2, {"DS1": 1, "DS2": 2, "DS3": 3, "DS4": "blank", "DS5": "blank", "DS6": "blank",
                     "DS_SUP": "blank"})
    return survey


def test_reverse_keying(hand_survey):
    codes = scoring.reverse_keyed_items(hand_survey)
    assert codes.loc[0, ["DS1", "DS4", "DS6"]].tolist() == [5, 4, 5]  # 1 + 5 - x for reverse items
    assert np.isnan(codes.loc[0, "DS5"])


def test_score_dimensions_hand_cases(hand_survey):
    scores = scoring.score_dimensions(hand_survey).set_index(["respondent_id", "dimension", "role"])
    r0 = scores.loc[("R0000", "digital_solutions", "capability")]
    assert (r0["n_items"], r0["n_valid"]) == (6, 5)
    assert r0["score"] == pytest.approx((5 + 4 + 3 + 4 + 5) / 5)  # 4.2
    assert r0["score_0_100"] == pytest.approx(100 * (4.2 - 1) / 4)  # 80
    assert pd.isna(r0["na_reason"])
    r1 = scores.loc[("R0001", "digital_solutions", "capability")]
    assert np.isnan(r1["score"]) and r1["na_reason"].startswith("too_few_valid_items")
    r2 = scores.loc[("R0002", "digital_solutions", "capability")]
    assert r2["score"] == pytest.approx(2.0) and r2["score_0_100"] == pytest.approx(25.0)
    assert scores.loc[("R0000", "digital_solutions", "importance"), "score"] == 4
    assert scores.loc[("R0000", "digital_solutions", "supply"), "na_reason"] == "not_asked"
    assert scores.loc[("R0002", "digital_solutions", "supply"), "na_reason"] == "no_valid_items"
    assert scores.loc[("R0000", "digital_solutions", "capability"), "region"] in REGIONS
    # the respondent's job (profile "role") must not collide with the item role column
    assert scores.loc[("R0000", "digital_solutions", "capability"), "respondent_role"] in ("executive", "manager")
    # stricter rule: 3 of 6 no longer enough
    strict = scoring.score_dimensions(hand_survey, min_valid=0.6).set_index(["respondent_id", "dimension", "role"])
    assert np.isnan(strict.loc[("R0002", "digital_solutions", "capability"), "score"])
    with pytest.raises(ValueError, match="min_valid"):
        scoring.score_dimensions(hand_survey, min_valid=0)


def test_score_table_is_complete_and_tidy(survey):
    scores = scoring.score_dimensions(survey)
    # 4 dimensions x 3 roles x respondents, nothing dropped
    assert len(scores) == 4 * 3 * len(survey.responses)
    assert scores.columns.is_unique
    assert scores["score"].isna().eq(scores["na_reason"].notna()).all()
    assert scores["score_0_100"].dropna().between(0, 100).all()
    wide = scoring.scores_wide(scores)
    assert list(wide.columns) == sorted(survey.codebook.dimensions)


def test_reliability_table_matches_manual_reversal(survey):
    table = reliability_table(survey).set_index("dimension")
    assert list(table.index) == list(survey.codebook.dimensions)
    items = [i.id for i in survey.codebook.items_for(dimension="procurement", role="capability")]
    manual = survey.responses[items].astype("float64")
    for item in survey.codebook.items_for(dimension="procurement", role="capability"):
        if item.reverse:
            manual[item.id] = 6 - manual[item.id]
    reference = cronbach_alpha(manual)
    assert table.loc["procurement", "alpha"] == pytest.approx(reference.alpha)
    assert table.loc["procurement", "n_items"] == 6
    # simulated loadings are equal and high: every item is positively related once reversed
    assert (table["min_item_rest_r"] > 0.4).all()
    assert (table["omega"] > 0.8).all() and (table["alpha_ci_low"] < table["alpha"]).all()


def test_need_and_supply_side_by_side_with_t_intervals(survey):
    scores = scoring.score_dimensions(survey)
    table = demand_supply.need_and_supply(scores, by=["region"], need_stakeholders=None, supply_stakeholders=None)
    row = table[(table["region"] == "donegal") & (table["dimension"] == "skills")].iloc[0]
    mask = (scores["region"] == "donegal") & (scores["dimension"] == "skills")
    need = scores.loc[mask & (scores["role"] == "importance"), "score_0_100"].dropna()
    supply = scores.loc[mask & (scores["role"] == "supply"), "score_0_100"].dropna()
    assert row["need_n"] == len(need) and row["supply_n"] == len(supply)
    assert row["need_mean"] == pytest.approx(need.mean()) and row["supply_mean"] == pytest.approx(supply.mean())
    t_low, t_high = stats.t.interval(0.95, len(need) - 1, loc=need.mean(), scale=stats.sem(need))
    assert row["need_ci_low"] == pytest.approx(t_low) and row["need_ci_high"] == pytest.approx(t_high)
    s_low, s_high = stats.t.interval(0.95, len(supply) - 1, loc=supply.mean(), scale=stats.sem(supply))
    assert row["supply_ci_low"] == pytest.approx(s_low) and row["supply_ci_high"] == pytest.approx(s_high)
    # different questions: no difference of need and supply is formed
    assert not [c for c in table.columns if "gap" in c]
    assert len(table) == 5 * 4 and not table["suppressed"].any()
    # the default sides: public-sector need, SME and university supply
    default = demand_supply.need_and_supply(scores, by=["region"])
    row = default[(default["region"] == "donegal") & (default["dimension"] == "skills")].iloc[0]
    public = mask & (scores["role"] == "importance") & (scores["stakeholder"] == "public_sector")
    assert row["need_n"] == scores.loc[public, "score_0_100"].notna().sum()


def test_need_and_supply_suppresses_small_groups(survey):
    scores = scoring.score_dimensions(survey)
    donegal_supply = (scores["region"] == "donegal") & (scores["role"] == "supply") & scores["score"].notna()
    keep = scores.loc[donegal_supply, "respondent_id"].unique()[:3]  # three supply answers per dimension
    few = scores[~donegal_supply | scores["respondent_id"].isin(keep)]
    table = demand_supply.need_and_supply(few, by=["region"])
    donegal = table[table["region"] == "donegal"]
    assert donegal["suppressed"].all() and donegal["need_mean"].isna().all()


def test_role_means_cluster_by_organisation_when_the_scores_have_it(survey):
    scores = scoring.score_dimensions(survey)
    plain = demand_supply.role_means(scores, "capability", by=["region"])
    assert (plain["n_clusters"] == plain["n"]).all()  # no organisation key: every respondent its own cluster
    # two respondents per organisation: a different (cluster-robust) interval, the same mean
    organisations = scores["respondent_id"].map(lambda r: f"O{int(r[1:]) // 2}")
    clustered = demand_supply.role_means(scores.assign(organisation_key=organisations), "capability", by=["region"])
    assert (clustered["n_clusters"] < clustered["n"]).all()
    np.testing.assert_allclose(clustered["mean"], plain["mean"])
    assert not np.allclose(clustered["ci_low"], plain["ci_low"])


def _tidy(rows):
    return pd.DataFrame(rows, columns=["respondent_id", "region", "dimension", "role", "score_0_100"])


def test_ipa_quadrants_by_hand_with_one_cut_for_all_regions():
    # per dimension 5 respondents with the same importance and capability: means are the values below
    means = {"a": (80, 30), "b": (60, 70), "c": (40, 40), "d": (70, 60)}
    rows = [(f"r{i}", "x", d, role, value) for d, (imp, cap) in means.items() for i in range(5)
            for role, value in (("importance", imp), ("capability", cap))]
    ipa = demand_supply.ipa_table(_tidy(rows)).set_index("dimension")
    # grand means: importance (80+60+40+70)/4 = 62.5, capability (30+70+40+60)/4 = 50
    assert ipa["importance_cut"].unique().tolist() == [62.5]
    assert ipa["capability_cut"].unique().tolist() == [50]
    assert ipa["quadrant"].to_dict() == {
        "a": "concentrate here", "b": "possible overkill", "c": "low priority", "d": "keep up the good work"}
    # a second region, 20 points higher on importance: the cut is the grand mean over both regions, the same
    # line in both panels, so every dimension of the second region is "high importance"
    rows += [(f"s{i}", "y", d, role, value + (20 if role == "importance" else 0)) for d, (imp, cap) in means.items()
             for i in range(5) for role, value in (("importance", imp), ("capability", cap))]
    two = demand_supply.ipa_table(_tidy(rows), by=["region"])
    assert two["importance_cut"].unique().tolist() == [72.5] and two["capability_cut"].unique().tolist() == [50]
    y = two[two["region"] == "y"].set_index("dimension")["quadrant"].to_dict()
    assert y == {"a": "concentrate here", "b": "keep up the good work", "c": "low priority",
                 "d": "keep up the good work"}
    midpoint = demand_supply.ipa_table(_tidy(rows), by=["region"], cut="midpoint")
    assert midpoint["importance_cut"].unique().tolist() == [50.0]
    with pytest.raises(ValueError, match="cut"):
        demand_supply.ipa_table(_tidy(rows), cut="median")


def test_awareness_shares_wilson_by_hand(hand_survey):
    # AW1 in the hand survey, no grouping by region: aware = agree (4) or strongly agree (5)
    hand_survey.responses["region"] = pd.Categorical(["donegal"] * 8, categories=REGIONS)
    _set(hand_survey, 0, {"AW1": 5})
    for row, value in zip(range(1, 8), [4, 4, 3, 2, 1, "dont_know", 5], strict=True):
        _set(hand_survey, row, {"AW1": value})
    table = demand_supply.awareness_shares(hand_survey, min_n=1)
    row = table[(table["item"] == "AW1") & (table["region"] == "donegal")].iloc[0]
    n, k, z = 7, 4, stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (row["n"], row["n_aware"], row["n_dont_know"]) == (7, 4, 1)
    assert row["share"] == pytest.approx(4 / 7)
    assert row["ci_low"] == pytest.approx(centre - half) and row["ci_high"] == pytest.approx(centre + half)
    # regions without respondents are listed with n = 0 and no share (nothing to mask); at the defaults
    # donegal's 4 aware and 3 not aware are masked (threshold), and the share with them
    default = demand_supply.awareness_shares(hand_survey)
    empty = default[default["region"] == "south_savo"]
    assert (empty["n"] == 0).all() and empty["share"].isna().all() and not empty["suppressed"].any()
    donegal = default[(default["item"] == "AW1") & (default["region"] == "donegal")].iloc[0]
    assert donegal["n"] == 7 and pd.isna(donegal["n_aware"]) and np.isnan(donegal["share"])
    assert pd.isna(donegal["n_dont_know"]) and bool(donegal["suppressed"])


def test_item_response_counts_feed_the_likert_chart(hand_survey):
    counts = scoring.item_response_counts(hand_survey, ["DS1", "DS2"], label="id")
    ds1 = counts[counts["item"] == "DS1"].set_index("category")["count"]
    answers = hand_survey.responses["DS1"].dropna().astype(int)
    expected = answers.value_counts().reindex(range(1, 6), fill_value=0)
    assert ds1[[str(c) for c in range(1, 6)]].tolist() == expected.tolist()
    assert ds1["dont_know"] == (hand_survey.missing_reasons["DS1"] == "dont_know").sum()
    with pytest.raises(ValueError, match="different scales"):
        scoring.item_response_counts(hand_survey, ["DS1", "DS_IMP"])
