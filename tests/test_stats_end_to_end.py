"""End to end on the illustrative raw exports: scores, reliability, comparisons, gaps, charts.

Every number is recomputed here by a second route (raw codes, scipy, pingouin) rather than
compared with stored output, so the test fails if a step between loading and the tables breaks.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pingouin as pg  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from innocap_analysis import config  # noqa: E402
from innocap_analysis.indicators import demand_supply, measurement  # noqa: E402
from innocap_analysis.indicators.measurement import reliability_table  # noqa: E402
from innocap_analysis.indicators.priorities import priority_uncertainty  # noqa: E402
from innocap_analysis.plots import survey_charts  # noqa: E402
from innocap_analysis.stats import compare  # noqa: E402
from innocap_analysis.survey import scoring  # noqa: E402

EXPORTS = sorted(p for p in config.ILLUSTRATIVE_SURVEY_DIR.glob("*.*") if p.suffix in {".csv", ".xlsx", ".sav"})
pytestmark = pytest.mark.skipif(not EXPORTS, reason="illustrative exports not generated")


@pytest.fixture(scope="module")
def survey():
    from innocap_analysis.survey import load_survey

    return load_survey(EXPORTS, errors="report")


@pytest.fixture(scope="module")
def scores(survey):
    return scoring.score_dimensions(survey)


def test_scores_from_raw_exports(survey, scores):
    n = len(survey.responses)
    assert n > 250
    assert len(scores) == n * 4 * 3 and scores.columns.is_unique
    # second route for one respondent: reverse by hand from the raw codes
    items = survey.codebook.items_for(dimension="skills", role="capability")
    raw = survey.responses[[i.id for i in items]].astype("float64")
    for item in items:
        if item.reverse:
            raw[item.id] = 6 - raw[item.id]
    expected = raw.mean(axis=1).where(raw.notna().sum(axis=1) >= 3)
    got = scores[(scores["dimension"] == "skills") & (scores["role"] == "capability")]["score"].to_numpy()
    np.testing.assert_allclose(got, expected.to_numpy())
    # supply is routed to SMEs and universities only
    public_supply = scores[(scores["role"] == "supply") & (scores["stakeholder"] == "public_sector")]
    assert (public_supply["na_reason"] == "not_asked").all()


def test_reliability_table_from_raw_exports(survey):
    table = reliability_table(survey).set_index("dimension")
    assert list(table.index) == list(survey.codebook.dimensions)
    items = [i.id for i in survey.codebook.items_for(dimension="digital_solutions", role="capability")]
    reversed_ = survey.responses[items].astype("float64")
    for item in survey.codebook.items_for(dimension="digital_solutions", role="capability"):
        if item.reverse:
            reversed_[item.id] = 6 - reversed_[item.id]
    assert table.loc["digital_solutions", "alpha"] == pytest.approx(pg.cronbach_alpha(reversed_)[0])
    assert ((table["alpha_ci_low"] < table["alpha"]) & (table["alpha"] < table["alpha_ci_high"])).all()
    assert table["omega"].between(0, 1).all() and (table["min_item_rest_r"] > 0).all()


def test_comparisons_from_raw_exports(scores):
    capability = scores[scores["role"] == "capability"]
    table = compare.kruskal_by(capability, "score_0_100", "region").set_index("dimension")
    skills = capability[capability["dimension"] == "skills"].dropna(subset=["score_0_100"])
    h, p = stats.kruskal(*[g["score_0_100"] for _, g in skills.groupby("region", observed=True)])
    assert table.loc["skills", "H"] == pytest.approx(h) and table.loc["skills", "p_value"] == pytest.approx(p)
    assert table.loc["skills", "k"] == 5 and table["n"].dtype == "int64"
    pairs = compare.pairwise_comparisons(skills, "score_0_100", "region")
    assert len(pairs) == 10 and pairs["n"].min() >= config.MIN_CELL_SIZE
    summary = compare.group_summaries(skills, "score_0_100", "region", n_resamples=500)
    assert (summary["n"].astype(int).sum()) == len(skills)



def test_ordinal_model_on_raw_item(survey):
    odds = compare.ordinal_odds_ratios(survey.responses, "DS1")
    assert set(odds["covariate"]) == {"region", "stakeholder"} and (odds["odds_ratio"] > 0).all()
    assert (odds["n"] + odds["n_missing"] == len(survey.responses)).all()
    assert odds["n"].iloc[0] == survey.responses["DS1"].notna().sum()


def test_need_supply_ipa_priorities_awareness_from_raw_exports(survey, scores):
    table = demand_supply.need_and_supply(scores)
    assert len(table) == 5 * 4 and not [c for c in table.columns if "gap" in c]
    ipa = demand_supply.ipa_table(scores[scores["stakeholder"] == "public_sector"], by=["region"])
    ranked = priority_uncertainty(scores, n_resamples=300, codebook_order=list(survey.codebook.dimensions))
    assert ranked.groupby("region", observed=True)["rank"].apply(list).map(lambda r: r == [1, 2, 3, 4]).all()
    assert ranked.groupby("region", observed=True)["mean"].apply(lambda g: g.is_monotonic_decreasing).all()
    # the priority means are the IPA importance means (one computation, two views)
    merged = ranked.merge(ipa, on=["region", "dimension"])
    np.testing.assert_allclose(merged["mean"].astype(float), merged["importance_mean"].astype(float))
    aware = demand_supply.awareness_shares(survey)
    public = demand_supply.awareness_shares(survey, stakeholders=["public_sector"])
    assert (public["n"].astype(float) <= aware["n"].astype(float)).all()
    assert ((aware["ci_low"] <= aware["share"]) & (aware["share"] <= aware["ci_high"])).all()


def test_charts_from_raw_exports(survey, scores):
    counts = scoring.item_response_counts(survey, ["SK1", "SK2", "SK3"])
    levels = {code: survey.codebook.scales["agree5"].label(code) for code in survey.codebook.scales["agree5"].codes}
    fig = survey_charts.likert_diverging(counts, levels)
    ax = fig.axes[0]
    total_width = sum(p.get_width() for c in ax.containers for p in c.patches)
    assert total_width == pytest.approx(300)  # three bars, each 100 % of substantive answers
    ipa = demand_supply.ipa_table(scores)
    survey_charts.ipa_scatter(ipa)
    survey_charts.need_supply_panels(demand_supply.need_and_supply(scores))
    wide = ipa.pivot_table(index="dimension", values="capability_mean", aggfunc="first")
    survey_charts.score_heatmap(pd.DataFrame(wide))
    plt.close("all")


def test_ordinal_by_item_reverses_reverse_keyed_items(survey):
    table = measurement.ordinal_odds_ratios_by_item(survey, role="capability", covariates=["stakeholder"])
    items = [i.id for i in survey.codebook.items_for(role="capability")]
    assert table["item"].unique().tolist() == items and len(table) == len(items) * 2
    reverse_item = next(i.id for i in survey.codebook.items_for(role="capability") if i.reverse)
    as_answered = compare.ordinal_odds_ratios(survey.responses, reverse_item, ["stakeholder"])
    recoded = table[table["item"] == reverse_item]
    np.testing.assert_allclose(recoded["odds_ratio"].to_numpy(), 1 / as_answered["odds_ratio"].to_numpy(), rtol=1e-3)
    assert (table["p_holm"] >= table["p_value"]).all()
