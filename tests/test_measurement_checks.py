"""Methods checks: discriminant validity (HTMT), item-level DIF, response rates, and why composite ranks barely move."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from innocap_analysis import composite
from innocap_analysis.evidence.sentences import (
    composite_sensitivity_sentence,
    dif_sentence,
    discriminant_validity_sentence,
    response_rate_sentence,
)
from innocap_analysis.indicators import capability, dimension_validity, item_dif
from innocap_analysis.stats.dif import ordinal_dif
from innocap_analysis.stats.validity import htmt_from_correlation, scale_correlations
from innocap_analysis.survey import load_illustrative_survey
from innocap_analysis.survey.model import LoadReport, Survey
from innocap_analysis.survey.quality import response_rates
from innocap_analysis.survey.scoring import score_dimensions
from innocap_analysis.synthetic import DIMENSION_CORRELATION


@pytest.fixture(scope="module")
def survey():
    return load_illustrative_survey()


# --- discriminant validity -----------------------------------------------------------------------------------


def _model_correlation(loadings: dict[str, list[float]], phi: float) -> pd.DataFrame:
    """Model-implied item correlations of a two-factor model with standardised loadings and factor correlation phi."""
    names = [f"{scale}{i}" for scale, values in loadings.items() for i in range(len(values))]
    scale_of = [scale for scale, values in loadings.items() for _ in values]
    load = np.array([v for values in loadings.values() for v in values])
    same = np.equal.outer(scale_of, scale_of)
    r = np.outer(load, load) * np.where(same, 1.0, phi)
    np.fill_diagonal(r, 1.0)
    return pd.DataFrame(r, index=names, columns=names)


def test_htmt_equals_the_factor_correlation_for_tau_equivalent_items():
    r = _model_correlation({"a": [0.8] * 4, "b": [0.7] * 3}, phi=0.55)
    table = htmt_from_correlation(r, {"a": ["a0", "a1", "a2", "a3"], "b": ["b0", "b1", "b2"]})
    assert table["htmt"].iloc[0] == pytest.approx(0.55)
    # by hand for unequal loadings: mean between / sqrt(mean within a * mean within b)
    r = _model_correlation({"a": [0.9, 0.6, 0.7], "b": [0.8, 0.5, 0.6]}, phi=0.4)
    between = (0.4 * np.outer([0.9, 0.6, 0.7], [0.8, 0.5, 0.6])).mean()
    within_a = np.mean([0.9 * 0.6, 0.9 * 0.7, 0.6 * 0.7])
    within_b = np.mean([0.8 * 0.5, 0.8 * 0.6, 0.5 * 0.6])
    table = htmt_from_correlation(r, {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"]})
    assert table["htmt"].iloc[0] == pytest.approx(between / np.sqrt(within_a * within_b))


def test_scale_correlations_match_scipy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=80)
    scores = pd.DataFrame({"a": x, "b": 0.5 * x + rng.normal(size=80), "c": rng.normal(size=80)})
    table = scale_correlations(scores, reliability={"a": 0.9, "b": 0.8, "c": 0.7}).set_index(["scale_a", "scale_b"])
    result = stats.pearsonr(scores["a"], scores["b"])
    interval = result.confidence_interval()
    row = table.loc[("a", "b")]
    assert row["pearson_r"] == pytest.approx(result.statistic)
    assert (row["r_ci_low"], row["r_ci_high"]) == pytest.approx((interval.low, interval.high))
    assert row["spearman_rho"] == pytest.approx(stats.spearmanr(scores["a"], scores["b"]).statistic)
    assert row["r_disattenuated"] == pytest.approx(result.statistic / np.sqrt(0.9 * 0.8))


def test_the_four_dimensions_are_distinct_as_generated(survey):
    """The illustrative data were generated with latent dimension correlations of 0.5: HTMT recovers it."""
    table = dimension_validity(survey)
    assert len(table) == 6
    assert table["htmt"].to_numpy() == pytest.approx(DIMENSION_CORRELATION, abs=0.1)
    assert table["htmt_below_085"].all() and table["fornell_larcker"].all()
    sentence = discriminant_validity_sentence(table)
    assert "below 0.85 for every pair" in sentence and f"{table['pearson_r'].min():.2f}" in sentence
    # a pair above the threshold is named
    high = table.assign(htmt=np.where(table.index == 0, 0.93, table["htmt"]))
    assert "not empirically distinct" in discriminant_validity_sentence(high)


# --- differential item functioning ---------------------------------------------------------------------------


def _graded(n: int, *, dif_item: int | None, shift: float, impact: float, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Six graded-response items; the focal group is `impact` higher on the trait; one item shifted by `shift`."""
    rng = np.random.default_rng(seed)
    group = pd.Series(np.repeat(["public_sector", "sme"], n))
    theta = rng.normal(size=2 * n) + impact * (group == "sme").to_numpy()
    thresholds = np.array([-2.2, -0.8, 0.8, 2.2])
    items = {}
    for j in range(6):
        latent = 1.6 * theta + rng.logistic(size=2 * n) + (shift * (group == "sme").to_numpy() if j == dif_item else 0)
        items[f"I{j}"] = 1 + (latent[:, None] > thresholds).sum(axis=1)
    return pd.DataFrame(items).astype(float), group


def test_dif_finds_the_item_with_known_dif_and_only_it():
    items, group = _graded(350, dif_item=2, shift=1.2, impact=0.5, seed=3)
    table = ordinal_dif(items, group, reference="public_sector", focal="sme").set_index("item")
    assert table["flagged"].tolist() == [False, False, True, False, False, False]
    assert table.loc["I2", "odds_ratio"] > 2 and table.loc["I2", "effect"] in ("moderate", "large")
    # impact (the SMEs are higher on the trait) is not DIF: with no shifted item nothing is flagged
    items, group = _graded(350, dif_item=None, shift=0.0, impact=0.5, seed=4)
    clean = ordinal_dif(items, group, reference="public_sector", focal="sme")
    assert not clean["flagged"].any() and (clean["delta_r2"] < 0.035).all()


def test_dif_on_the_illustrative_survey(survey):
    """The generator gives SMEs and public bodies the same item parameters: no item should be flagged."""
    table = item_dif(survey, reference="public_sector", focal="sme")
    assert len(table) == 24 and table["p_dif"].notna().all()
    assert not table["flagged"].any()
    assert "0 show differential item functioning" in dif_sentence(table, reference="public_sector", focal="sme")
    # the notebook's minimum cell size reaches the table: above every group's size, every row is masked
    masked = item_dif(survey, reference="public_sector", focal="sme", min_n=10_000)
    assert masked["suppressed"].all() and masked["p_dif"].isna().all()


# --- response rates ------------------------------------------------------------------------------------------


def test_response_rates_from_the_manifest(survey):
    rates = response_rates(survey).set_index("region")
    files = survey.report.files.set_index("file")
    kept = survey.responses.groupby(survey.responses["region"].astype(str), observed=True).size()
    for region, row in rates.iterrows():
        invited = int(files.loc[row["files"], "invited"])
        assert row["invited"] == invited and row["completes"] == kept[region]
        assert row["rr1"] == pytest.approx(kept[region] / invited)
        assert row["unit"] == "respondents" and bool(row["rate_available"])
    assert "40%" in response_rate_sentence(rates.reset_index())


def _hand_survey(invited: list, regions_per_file: list[list[str]], organisations=None) -> Survey:
    rows = [(f"f{i}.csv", region) for i, regions in enumerate(regions_per_file) for region in regions for _ in range(6)]
    responses = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(rows))],
                              "source_file": [f for f, _ in rows], "region": [r for _, r in rows]})
    if organisations is not None:
        responses["organisation_key"] = organisations(len(rows))
    report = LoadReport(files=pd.DataFrame({"file": [f"f{i}.csv" for i in range(len(invited))],
                                            "invited": pd.array(invited, dtype="Int64")}))
    return Survey(responses, pd.DataFrame(index=responses.index), report, None)


def test_response_rates_not_available_is_said_plainly():
    rates = response_rates(_hand_survey([20, None], [["donegal"], ["south_savo"]])).set_index("region")
    assert rates.loc["donegal", "rr1"] == pytest.approx(6 / 20)
    assert pd.isna(rates.loc["south_savo", "rr1"]) and not rates.loc["south_savo", "rate_available"]
    assert rates.loc["south_savo", "note"] == "not available: the manifest gives no invited count for f1.csv"
    sentence = response_rate_sentence(rates.reset_index())
    assert "Not available for Etelä-Savo" in sentence
    # one file holding two regions: its invited count cannot be split between them
    mixed = response_rates(_hand_survey([40], [["donegal", "south_savo"]])).set_index("region")
    assert mixed["rr1"].isna().all() and mixed["note"].str.contains("several region levels").all()


def test_response_rates_count_organisations_when_the_exports_identify_them():
    survey = _hand_survey([10], [["donegal"]], organisations=lambda n: [f"O{i // 2}" for i in range(n)])
    rates = response_rates(survey, min_n=1).set_index("region")
    assert rates.loc["donegal", "responding_organisations"] == 3 and rates.loc["donegal", "completes"] == 3
    assert rates.loc["donegal", "unit"] == "organisations" and rates.loc["donegal", "rr1"] == pytest.approx(0.3)
    # at the default threshold, 3 responding organisations are a small count: masked with the rate it gives
    masked = response_rates(survey).set_index("region")
    assert pd.isna(masked.loc["donegal", "completes"]) and pd.isna(masked.loc["donegal", "rr1"])
    assert masked.loc["donegal", "responses"] == 6 and masked.loc["donegal", "suppressed"]  # 6 respondents


def test_small_regions_are_masked():
    full = _hand_survey([20, 20], [["donegal"], ["south_savo"]])
    survey = Survey(full.responses.iloc[:-3], full.missing_reasons.iloc[:-3], full.report, None)  # South Savo: 3
    rates = response_rates(survey, min_n=5).set_index("region")
    assert rates.loc["south_savo", "suppressed"] and pd.isna(rates.loc["south_savo", "rr1"])


# --- why the composite's ranks barely move -------------------------------------------------------------------


def test_dominance_pairs_by_hand():
    matrix = pd.DataFrame({"x": [3.0, 2.0, 1.0, 2.5], "y": [3.0, 1.0, 2.0, 2.5]}, index=["a", "b", "c", "d"])
    pairs = composite.dominance_pairs(matrix).set_index(["unit_a", "unit_b"])["dominates"]
    assert pairs[("a", "b")] == "a" and pairs[("a", "c")] == "a" and pairs[("a", "d")] == "a"
    assert pd.isna(pairs[("b", "c")])  # b is higher on x, c on y: neither dominates
    assert pairs[("b", "d")] == "d"


def test_dominated_pairs_never_swap_over_the_modelling_choices(survey):
    """The explanation checked against the Monte Carlo itself: a pair ordered by dominance keeps its order in
    every draw, and only the pairs without dominance change places."""
    regions = capability.group_indicator_matrix(score_dimensions(survey), "region")
    result = composite.uncertainty_analysis(regions.matrix, regions.structure, n_draws=400, seed=1, progress=False)
    ranks = pd.DataFrame(result.ranks, columns=list(result.units))
    pairs = composite.dominance_pairs(regions.matrix)
    swapped = set()
    for a, b, winner in pairs.itertuples(index=False):
        if (ranks[a] < ranks[b]).any() and (ranks[b] < ranks[a]).any():
            swapped.add((a, b))
        if pd.notna(winner):
            loser = b if winner == a else a
            assert (ranks[winner] < ranks[loser]).all(), (a, b)
    open_pairs = {(a, b) for a, b, w in pairs.itertuples(index=False) if pd.isna(w)}
    assert swapped and swapped <= open_pairs  # only pairs without dominance change places, and some do
    sensitivity = composite.sensitivity_analysis(result)
    sentence = composite_sensitivity_sentence(pairs, sensitivity, what="regions")
    n_dominated = int(pairs["dominates"].notna().sum())
    assert f"Of the {len(pairs)} pairs of regions, {n_dominated} are ordered by dominance" in sentence
    varying = int(sensitivity["n_units"].iloc[0])
    assert f"only the {varying} regions whose ranks vary" in sentence
    # when nothing varies, the sentence says why the indices are blank
    blank = composite_sensitivity_sentence(pairs.assign(dominates="x"), sensitivity.assign(n_units=0))
    assert "ranks never move" in blank and "indices are blank" in blank


def test_every_choice_keeps_a_dominance_order():
    """Property behind the sentence: for a dominating pair, every normalisation x mean x weights keeps the order."""
    rng = np.random.default_rng(0)
    better = rng.uniform(40, 80, 4)
    worse = better - rng.uniform(0.1, 5, 4)
    matrix = pd.DataFrame([better, worse, rng.uniform(30, 90, 4)], index=["a", "b", "c"], columns=list("pqrs"))
    structure = pd.DataFrame({"code": [*"pqrs", "index"], "parent": ["index"] * 4 + [None],
                              "weight": [1.0] * 5, "direction": [1] * 4 + [np.nan]})
    for normalisation, aggregation in product(("none", "minmax", "rank"), ("arithmetic", "geometric")):
        result = composite.uncertainty_analysis(matrix, structure, n_draws=50, seed=2, progress=False,
                                                normalisations=(normalisation,), aggregations=(aggregation,))
        ranks = pd.DataFrame(result.ranks, columns=list(result.units))
        assert (ranks["a"] < ranks["b"]).all(), (normalisation, aggregation)
