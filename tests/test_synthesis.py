"""Evidence synthesis on hand-made inputs: joins, rankings and generated sentences."""

import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis.evidence import synthesis  # noqa: E402
from innocap_analysis.evidence.sentences import numbered_findings, priority_sentence  # noqa: E402
from innocap_analysis.plots.synthesis_charts import need_burden_chart  # noqa: E402

# The shape of indicators.priority_uncertainty: Donegal has a clear top need (P(rank 1) 0.9), South Savo
# has tied top needs (0.55 and 0.45).
PRIORITIES = pd.DataFrame({
    "region": ["donegal"] * 2 + ["south_savo"] * 2,
    "rank": [1, 2, 1, 2],
    "dimension": ["skills", "procurement", "procurement", "skills"],
    "n": [20, 21, 18, 19],
    "mean": [80.0, 70.0, 75.0, 72.0],
    "ci_low": [72.0, 61.0, 66.0, 63.0],
    "ci_high": [88.0, 79.0, 84.0, 81.0],
    "p_rank1": [0.9, 0.1, 0.55, 0.45],
    "status": ["clear top", "below top", "tied top", "not separated from top"],
    "clear_top": [True, True, False, False],
})
NEED_SUPPLY = pd.DataFrame({
    "region": ["donegal", "donegal", "south_savo", "south_savo"],
    "dimension": ["skills", "procurement", "procurement", "skills"],
    "need_mean": [80.0, 70.0, 75.0, 72.0], "need_ci_low": [72.0, 61.0, 66.0, 63.0],
    "need_ci_high": [88.0, 79.0, 84.0, 81.0],
    "supply_mean": [65.0, 40.0, 52.0, 70.0], "supply_ci_low": [55.0, 30.0, 44.0, 61.0],
    "supply_ci_high": [75.0, 50.0, 60.0, 79.0],
})
IPA = NEED_SUPPLY[["region", "dimension"]].assign(capability_mean=[41.0, 55.0, 38.0, 47.0])
AWARENESS = pd.DataFrame({"item": ["AW1", "AW2", "AW1", "AW2"], "region": ["donegal", "donegal", "south_savo", "south_savo"],
                          "share": [0.1, 0.3, 0.05, 0.15]})
DISTANCE = pd.DataFrame({
    "partner_key": ["donegal", "south_savo", "donegal"], "label": ["County Donegal", "Etelä-Savo (FI1D1)"] * 1 + ["x"],
    "tier": ["regional_centre", "regional_centre", "city"],
    "mean_km": [22.0, 18.0, 60.0], "share_beyond_25km": [0.4, 0.3, 0.9], "population_beyond_25km": [60000.0, 42000.0, 1.0],
    "share_nearest_abroad": [0.25, 0.0, 0.0],
})
SENSITIVITY = pd.DataFrame({"partner_key": ["donegal", "south_savo"], "central_share": [0.4, 0.3],
                            "range_low": [0.2, 0.1], "range_high": [0.9, 0.5]})
FIGURES = {"priority": "p", "supply": "s", "awareness": "a_{item}", "distance": "d"}


@pytest.fixture()
def per_region():
    return synthesis.region_synthesis(PRIORITIES, NEED_SUPPLY, AWARENESS, DISTANCE, SENSITIVITY, ipa=IPA,
                                      regions=["donegal", "south_savo"])


def test_region_synthesis_joins_the_right_rows(per_region):
    donegal = per_region.set_index("region").loc["donegal"]
    assert donegal["area"] == "County Donegal"
    assert donegal["share_beyond_low"] == 0.2 and donegal["share_beyond_high"] == 0.9
    assert donegal["share_nearest_abroad"] == 0.25
    assert donegal["top_module"] == "skills" and donegal["top_need"] == 80.0 and donegal["top_p_rank1"] == 0.9
    assert bool(donegal["clear_top"]) and donegal["tied_modules"] == "skills"
    assert donegal["top_capability"] == 41.0  # beside the need, not subtracted from it
    assert donegal["top_supply"] == 65.0 and donegal["top_supply_ci_low"] == 55.0
    assert "top_need_gap" not in per_region and "top_supply_gap" not in per_region  # no cross-construct gaps
    assert donegal["awareness_aw1"] == pytest.approx(0.1) and donegal["awareness_aw2"] == pytest.approx(0.3)
    assert donegal["mean_km"] == 22.0 and donegal["share_beyond_km"] == 0.4  # regional centre, not city
    savo = per_region.set_index("region").loc["south_savo"]
    assert savo["top_module"] == "procurement" and not bool(savo["clear_top"])
    assert savo["tied_modules"] == "procurement; skills"


def test_overall_priorities_rule():
    overall = synthesis.overall_priorities(PRIORITIES)
    # skills is the clear top in Donegal; procurement is first in South Savo but tied
    assert overall["dimension"].tolist() == ["skills", "procurement"]
    assert overall["regions_clear_top"].tolist() == [1, 0]
    assert overall["regions_ranked_first"].tolist() == [1, 1]
    assert overall["mean_p_rank1"].tolist() == pytest.approx([(0.9 + 0.45) / 2, (0.1 + 0.55) / 2])


def test_findings_sentences_are_generated_from_the_numbers(per_region):
    table = synthesis.findings_table(per_region, PRIORITIES, FIGURES, need_supply=NEED_SUPPLY, awareness=AWARENESS,
                                     item_texts={"AW1": "We know what SMEs offer."})
    text = "\n".join(table["statement"])
    assert ("Skills is the clear top need of the public sector in County Donegal; in Etelä-Savo the top needs "
            "are tied.") in text
    assert "top need is skills: importance 80 (95% CI 72-88) on 0-100, ranked first in 90% of resamples" in text
    assert "In Etelä-Savo, no need is ranked first in 80% or more of resamples" in text
    assert "procurement of innovation (importance 75, ranked first in 55% of resamples), skills (72, 45%)" in text
    # need and supply side by side, never a difference of the two questions
    assert ("rates the importance of developing skills 80 (95% CI 72-88) on 0-100; regional SMEs and universities "
            "rate their agreement that they can offer it 65 (95% CI 55-75)") in text
    assert "not subtracted" in text and "exceeds" not in text and "gap" not in text
    assert "40% (range 20-90%) of the population of County Donegal (60,000 people)" in text
    assert "Border" not in text and "IE041" not in text  # the partner area, not its NUTS 3 region
    # each awareness item on its own, citing its own figure (not the mean of AW1 and AW2)
    assert 'Only 5% to 10% of public-sector respondents per partner agree that "We know what SMEs offer" (AW1).' in text
    assert "Only 15% to 30% of public-sector respondents per partner agree with item AW2 (AW2)." in text
    assert set(table["evidence"]) == {"p", "s", "a_aw1", "a_aw2", "d"}
    assert table["finding"].tolist() == list(range(1, len(table) + 1))


def test_a_top_need_is_named_only_at_the_threshold():
    tied = PRIORITIES[PRIORITIES["region"] == "south_savo"]
    assert "top needs are tied" in priority_sentence("Etelä-Savo", tied)
    clear = PRIORITIES[PRIORITIES["region"] == "donegal"]
    sentence = priority_sentence("County Donegal", clear)
    assert "top need is skills" in sentence and "procurement of innovation is significantly below" not in sentence
    assert "every other need is significantly below skills" in sentence
    # a clear top need whose lead no paired test separates says so
    close_lead = clear.assign(status=["clear top", "tied top"])
    assert ("Its lead is small: after Holm adjustment, no other need is significantly below skills."
            in priority_sentence("County Donegal", close_lead))
    # the same table, judged against a stricter threshold, is no longer a clear top: the sentence reads the flag
    strict = clear.assign(clear_top=False, status=["tied top", "below top"])
    assert "tied" in priority_sentence("County Donegal", strict, threshold=0.95)
    assert re.search(r"first in 95% or more", priority_sentence("County Donegal", strict, threshold=0.95))


def test_need_burden_chart_draws_every_region(per_region):
    fig = need_burden_chart(per_region, PRIORITIES)
    left, right = fig.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["County Donegal (n = 20-21)", "Etelä-Savo (n = 18-19)"]
    assert sorted(round(p.get_width(), 6) for p in right.patches) == [30.0, 40.0]
    ringed = [c for c in left.collections if c.get_gid() == "clear-top"]
    assert len(ringed) == 1 and ringed[0].get_offsets().tolist() == [[80.0, 1.0]]  # Donegal's skills, top row
    assert "importance" in left.get_xlabel()


def test_numbered_findings_lines():
    table = pd.DataFrame({"finding": [1, 10], "statement": ["A.", "B."], "evidence": ["f1", "f2"]})
    assert numbered_findings(table) == " 1. A.  [f1]\n10. B.  [f2]"
