"""Notebook 05 support: group_indicator_matrix, rank_interval_pairs, group_rank_uncertainty, comparison plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis import composite as C  # noqa: E402
from innocap_analysis.evidence import sentences  # noqa: E402
from innocap_analysis.indicators import capability  # noqa: E402
from innocap_analysis.plots.composite_charts import (  # noqa: E402
    rank_interval_comparison_plot,
    unit_display_labels,
)

DIMS = ["skills", "procurement"]  # order of first appearance, not alphabetical


def _scores(table: dict[str, tuple[str, str, list[float]]]) -> pd.DataFrame:
    rows = [
        {"respondent_id": rid, "region": region, "stakeholder": st, "dimension": d, "role": "capability",
         "score_0_100": v}
        for rid, (region, st, values) in table.items()
        for d, v in zip(DIMS, values, strict=True)
    ]
    # an importance row that must be ignored
    rows.append({"respondent_id": "o1", "region": "a", "stakeholder": "sme", "dimension": "skills",
                 "role": "importance", "score_0_100": 0.0})
    return pd.DataFrame(rows)


SCORES = _scores(
    {
        "o1": ("a", "sme", [40.0, 60.0]),
        "o2": ("a", "sme", [80.0, np.nan]),  # no procurement score
        "o3": ("a", "public_sector", [30.0, 90.0]),
        "o4": ("b", "sme", [10.0, 20.0]),
        "o5": ("b", "sme", [50.0, 40.0]),
    }
)


def test_group_indicator_matrix_by_hand():
    result = capability.group_indicator_matrix(SCORES, "region", min_cell_size=2)
    # a: skills (40 + 80 + 30)/3 = 50, procurement (60 + 90)/2 = 75, n = min(3, 2) = 2
    # b: skills (10 + 50)/2 = 30, procurement (20 + 40)/2 = 30, n = 2
    assert list(result.matrix.columns) == DIMS
    np.testing.assert_allclose(result.matrix.loc[["a", "b"]].to_numpy(), [[50.0, 75.0], [30.0, 30.0]])
    assert result.groups["n"].tolist() == [2, 2]
    assert not result.groups["suppressed"].any()
    structure = C.parse_structure(result.structure)
    assert structure.indicators == DIMS and structure.roots == ["capability_index"]


def test_group_indicator_matrix_suppresses_small_groups():
    result = capability.group_indicator_matrix(SCORES, ["region", "stakeholder"], min_cell_size=2)
    groups = result.groups.set_index("unit")
    # a / sme: skills 2 scored, procurement 1 scored -> n = 1 < 2: masked and left out
    assert groups.loc["a / sme", "suppressed"] and pd.isna(groups.loc["a / sme", "skills"])
    assert pd.isna(groups.loc["a / sme", "n"])
    assert groups.loc["a / public_sector", "suppressed"]
    assert list(result.matrix.index) == ["b / sme"]
    np.testing.assert_allclose(result.matrix.loc["b / sme"], [30.0, 30.0])


def test_group_indicator_matrix_refuses_bad_input():
    with pytest.raises(ValueError, match="lacks column"):
        capability.group_indicator_matrix(SCORES.drop(columns="region"))
    moved = SCORES.assign(region=SCORES["region"].where(SCORES.index != 0, "b"))
    with pytest.raises(ValueError, match="more than one value"):
        capability.group_indicator_matrix(moved)


def test_rank_interval_pairs_by_hand():
    stats = pd.DataFrame(
        {
            "unit": ["c", "a", "b"],
            "median_rank": [3.0, 1.0, 2.0],
            "q05_rank": [3.0, 1.0, 2.0],
            "q95_rank": [4.0, 1.0, 3.0],
        }
    )
    pairs = C.rank_interval_pairs(stats)
    assert list(zip(pairs["unit_a"], pairs["unit_b"], strict=True)) == [("a", "b"), ("a", "c"), ("b", "c")]
    # [1, 1] vs [2, 3] and [3, 4]: separated; [2, 3] vs [3, 4] touch at 3: overlap
    assert pairs["overlap"].tolist() == [False, False, True]
    assert pairs["ahead"].tolist() == ["a", "a", None]
    sentence = sentences.rank_separation_sentence(pairs, labels={"a": "Alpha"})
    assert sentence.startswith("Of the 3 pairs, 1 have overlapping 5-95 % rank intervals")
    assert "Separated (2): Alpha ahead of b; Alpha ahead of c." in sentence
    assert sentences.rank_separation_sentence(pairs[pairs["overlap"]]).endswith("No pair is separated.")


def _two_groups():
    # group x: organisations with index 0 and 100 (same on both dimensions); group y: two at 40.
    return _scores(
        {
            "x1": ("x", "sme", [0.0, 0.0]),
            "x2": ("x", "sme", [100.0, 100.0]),
            "y1": ("y", "sme", [40.0, 40.0]),
            "y2": ("y", "sme", [40.0, 40.0]),
        }
    )


def test_group_rank_uncertainty_without_resampling_is_the_fixed_ranking():
    result = capability.group_rank_uncertainty(_two_groups(), n_draws=50, resample=False, normalisations=("none",),
                                      aggregations=("arithmetic",), weight_noise=0.0, min_cell_size=2, seed=1)
    # means x = 50, y = 40 in every draw
    assert result.ranks.shape == (50, 2)
    assert (result.ranks[:, 0] == 1).all() and (result.ranks[:, 1] == 2).all()
    assert result.rank_stats["nominal_rank"].tolist() == [1, 2]


def test_group_rank_uncertainty_bootstrap_by_hand():
    # A bootstrap mean of x is 0, 50 or 100 with probabilities 1/4, 1/2, 1/4, so x ranks first
    # (mean > 40) with probability 3/4: its mean rank is 1.25, its 5-95 % interval [1, 2].
    result = capability.group_rank_uncertainty(_two_groups(), n_draws=4000, normalisations=("none",),
                                      aggregations=("arithmetic",), min_cell_size=2, seed=3)
    stats = result.rank_stats.set_index("unit")
    assert stats.loc["x", "mean_rank"] == pytest.approx(1.25, abs=0.03)
    assert (stats.loc["x", "q05_rank"], stats.loc["x", "median_rank"], stats.loc["x", "q95_rank"]) == (1, 1, 2)
    assert result.settings["resample"] is True
    # the same seed gives the same draws
    again = capability.group_rank_uncertainty(_two_groups(), n_draws=4000, normalisations=("none",),
                                     aggregations=("arithmetic",), min_cell_size=2, seed=3)
    np.testing.assert_array_equal(result.ranks, again.ranks)


def test_group_rank_uncertainty_matches_uncertainty_analysis_without_sampling():
    scores = _scores({f"o{i}": ("abcd"[i % 4], "sme", [10.0 + 7 * i % 50, 90.0 - 11 * i % 60]) for i in range(12)})
    groups = capability.group_indicator_matrix(scores, min_cell_size=3)
    ours = capability.group_rank_uncertainty(scores, n_draws=200, resample=False, min_cell_size=3, seed=5,
                                    normalisations=("minmax",), aggregations=("arithmetic",), weight_noise=0.0)
    theirs = C.uncertainty_analysis(groups.matrix, groups.structure, n_draws=20, normalisations=("minmax",),
                                    aggregations=("arithmetic",), weight_noise=0.0, seed=5, progress=False)
    np.testing.assert_array_equal(ours.ranks[0], theirs.ranks[0])


def test_comparison_plot_and_labels():
    stats = pd.DataFrame({"unit": ["a / sme", "b / sme"], "nominal_rank": [1, 2], "median_rank": [1.0, 2.0],
                          "q05_rank": [1.0, 1.0], "q95_rank": [2.0, 2.0]})
    labels = unit_display_labels(stats["unit"], display=str.upper)
    assert labels == {"a / sme": "A / SME", "b / sme": "B / SME"}
    fig = rank_interval_comparison_plot({"one": stats, "two": stats.iloc[::-1]}, labels=labels)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A / SME", "B / SME"]
    assert len(ax.get_legend().get_texts()) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="same units"):
        rank_interval_comparison_plot({"one": stats, "two": stats.iloc[:1]})


def test_rank_separation_sentence_lists_at_most_max_listed():
    pairs = pd.DataFrame({"unit_a": ["a", "a", "b"], "unit_b": ["b", "c", "c"], "overlap": [False, False, False]})
    assert sentences.rank_separation_sentence(pairs, max_listed=1).endswith("Separated (3): a ahead of b; and 2 more.")


def test_a_single_group_ranks_first_in_every_draw():
    one = _two_groups()
    one = one[one["region"] == "x"]
    groups = capability.group_indicator_matrix(one, min_cell_size=2)
    modelling = C.uncertainty_analysis(groups.matrix, groups.structure, n_draws=20, progress=False,
                                       normalisations=("minmax", "rank"))
    combined = capability.group_rank_uncertainty(one, n_draws=20, min_cell_size=2)
    for result in (modelling, combined):
        assert (result.ranks == 1).all() and result.rank_stats["nominal_rank"].tolist() == [1]
    pairs = C.rank_interval_pairs(combined.rank_stats)
    assert pairs.empty and sentences.rank_separation_sentence(pairs).startswith("There is only one unit")


def test_sensitivity_sentence():
    fixed = pd.DataFrame({"factor": ["weights"], "first_order_adjusted": [np.nan], "n_units": [0]})
    moving = pd.DataFrame({"factor": ["normalisation", "weights"], "first_order_adjusted": [0.1, 0.15],
                           "n_units": [4, 4]})
    text = sentences.sensitivity_sentence(fixed, moving, 5, what="regions")
    assert text.startswith("Over the modelling choices alone, the ranks of 0 of the 5 regions change at all.")
    assert "the ranks of 4 change" in text and "explain 25% of their variance" in text and "remaining 75%" in text
    assert sentences.sensitivity_sentence(fixed, fixed, 1).endswith("no rank changes.")
