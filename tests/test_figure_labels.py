"""Survey figures show n, and Likert charts mark reverse-keyed items (issue 13)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from innocap_analysis.labels import with_n  # noqa: E402
from innocap_analysis.plots.composite_charts import unit_display_labels  # noqa: E402
from innocap_analysis.plots.quality_charts import share_interval_chart  # noqa: E402
from innocap_analysis.plots.survey_charts import (  # noqa: E402
    ipa_small_multiples,
    likert_diverging,
    need_supply_panels,
)


def _texts(fig):
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return " | ".join(texts)


def test_with_n_counts_ranges_and_masked_counts():
    assert with_n("Donegal", 27) == "Donegal (n = 27)"
    assert with_n("Donegal", (17, 27)) == "Donegal (n = 17-27)"
    assert with_n("Donegal", (27, 27)) == "Donegal (n = 27)"
    assert with_n("Donegal", pd.NA, min_n=5) == "Donegal (n < 5)"
    assert with_n("Donegal", None) == "Donegal"
    assert with_n("Region", 12345) == "Region (n = 12,345)"


def test_share_chart_labels_every_group_with_its_n():
    shares = pd.DataFrame({"region": ["donegal", "south_savo"], "share": [0.1, pd.NA], "ci_low": [0.02, pd.NA],
                           "ci_high": [0.3, pd.NA], "n": pd.array([21, pd.NA], dtype="Int64")})
    texts = _texts(share_interval_chart(shares))
    assert "County Donegal (n = 21)" in texts and "Etelä-Savo (n < 5)" in texts


def test_need_supply_rows_show_need_and_supply_n():
    gaps = pd.DataFrame({"region": ["donegal"], "dimension": ["skills"], "need_n": [26], "need_mean": [70.0],
                         "need_ci_low": [60.0], "need_ci_high": [80.0], "supply_n": [31], "supply_mean": [50.0],
                         "supply_ci_low": [40.0], "supply_ci_high": [60.0]})
    assert "(n 26/31)" in _texts(need_supply_panels(gaps))


def test_ipa_panels_show_their_n_range():
    ipa = pd.DataFrame({"region": ["donegal", "donegal"], "dimension": ["skills", "procurement"],
                        "importance_mean": [70.0, 60.0], "importance_ci_low": [65.0, 55.0],
                        "importance_ci_high": [75.0, 65.0], "capability_mean": [40.0, 50.0],
                        "capability_ci_low": [35.0, 45.0], "capability_ci_high": [45.0, 55.0],
                        "importance_cut": [65.0, 65.0], "capability_cut": [45.0, 45.0], "n": [26, 24]})
    assert "County Donegal (n = 24-26)" in _texts(ipa_small_multiples(ipa))


def test_likert_marks_reverse_keyed_items_and_explains_the_mark():
    counts = pd.DataFrame({"label": ["We do it.", "It is hard."] * 2, "category": ["1", "1", "5", "5"],
                           "count": [3, 4, 5, 6], "reverse_keyed": [False, True, False, True]})
    texts = _texts(likert_diverging(counts, {1: "Disagree", 3: "Neutral", 5: "Agree"}))
    assert "(R) It is hard." in texts and "(R) We do it." not in texts and "reverse-keyed" in texts
    plain = counts.drop(columns="reverse_keyed")
    assert "reverse-keyed" not in _texts(likert_diverging(plain, {1: "Disagree", 3: "Neutral", 5: "Agree"}))


def test_unit_labels_carry_counts_for_figures_only():
    assert unit_display_labels(["south_savo"]) == {"south_savo": "Etelä-Savo"}
    assert unit_display_labels(["south_savo"], counts={"south_savo": 40}) == {"south_savo": "Etelä-Savo (n = 40)"}
