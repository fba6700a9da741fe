"""Evidence synthesis on hand-made inputs: joins, rankings and generated sentences."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis.evidence import synthesis  # noqa: E402
from innocap_analysis.plots.synthesis_charts import gap_burden_chart  # noqa: E402

PRIORITIES = pd.DataFrame({
    "region": ["donegal"] * 2 + ["south_savo"] * 2,
    "rank": [1, 2, 1, 2],
    "dimension": ["skills", "procurement", "procurement", "skills"],
    "need_gap": [30.0, 10.0, 20.0, 12.0],
    "importance_mean": [80.0, 70.0, 75.0, 72.0],
    "capability_mean": [50.0, 60.0, 55.0, 60.0],
    "quadrant": ["concentrate here"] * 4,
})
NEED_SUPPLY = pd.DataFrame({
    "region": ["donegal", "donegal", "south_savo", "south_savo"],
    "dimension": ["skills", "procurement", "procurement", "skills"],
    "gap": [15.0, 1.0, -8.0, 2.0], "gap_ci_low": [5.0, -4.0, -12.0, -3.0], "gap_ci_high": [25.0, 6.0, -4.0, 7.0],
})
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


@pytest.fixture()
def per_region():
    return synthesis.region_synthesis(PRIORITIES, NEED_SUPPLY, AWARENESS, DISTANCE, SENSITIVITY,
                                      regions=["donegal", "south_savo"])


def test_region_synthesis_joins_the_right_rows(per_region):
    donegal = per_region.set_index("region").loc["donegal"]
    assert donegal["area"] == "County Donegal"
    assert donegal["share_beyond_low"] == 0.2 and donegal["share_beyond_high"] == 0.9
    assert donegal["share_nearest_abroad"] == 0.25
    assert donegal["top_module"] == "skills" and donegal["second_module"] == "procurement"
    assert donegal["top_supply_gap"] == 15.0 and donegal["top_supply_gap_ci_low"] == 5.0
    assert donegal["awareness_aw1"] == pytest.approx(0.1) and donegal["awareness_aw2"] == pytest.approx(0.3)
    assert donegal["mean_km"] == 22.0 and donegal["share_beyond_km"] == 0.4  # regional centre, not city
    savo = per_region.set_index("region").loc["south_savo"]
    assert savo["top_module"] == "procurement" and savo["top_supply_gap"] == -8.0


def test_overall_priorities_rule():
    overall = synthesis.overall_priorities(PRIORITIES)
    # skills and procurement are each top in one region; skills has the larger mean gap (21 vs 15)
    assert overall["dimension"].tolist() == ["skills", "procurement"]
    assert overall["mean_need_gap"].tolist() == [21.0, 15.0]
    assert overall["regions_top_priority"].tolist() == [1, 1]


def test_findings_sentences_are_generated_from_the_numbers(per_region):
    overall = synthesis.overall_priorities(PRIORITIES)
    table = synthesis.findings_table(per_region, overall, figures={"gap": "g", "supply": "s", "awareness": "a_{item}",
                                                                   "distance": "d"},
                                     awareness=AWARENESS, item_texts={"AW1": "We know what SMEs offer."})
    text = "\n".join(table["statement"])
    assert "Skills is the largest public-sector capability gap in 1 of 2 partner regions" in text
    assert "importance 80 against capability 50 (gap 30 points" in text
    assert "need for skills exceeds what regional SMEs and universities say they can supply (gap 15.0" in text
    assert "need for procurement of innovation falls short of" in text  # CI entirely below zero
    assert "40% (range 20-90%) of the population of County Donegal (60,000 people)" in text
    assert "Border" not in text and "IE041" not in text  # the partner area, not its NUTS 3 region
    # each awareness item on its own, citing its own figure (not the mean of AW1 and AW2)
    assert 'Only 5% to 10% of public-sector respondents per partner agree that "We know what SMEs offer" (AW1).' in text
    assert "Only 15% to 30% of public-sector respondents per partner agree with item AW2 (AW2)." in text
    assert set(table["evidence"]) == {"g", "s", "a_aw1", "a_aw2", "d"}
    assert table["finding"].tolist() == list(range(1, len(table) + 1))


def test_gap_burden_chart_draws_every_region(per_region):
    fig = gap_burden_chart(per_region, PRIORITIES)
    left, right = fig.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["County Donegal", "Etelä-Savo"]
    assert sorted(round(p.get_width(), 6) for p in right.patches) == [30.0, 40.0]
