"""rank_uncertainty_plot draws what the rank statistics say."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis.plots.composite_charts import rank_uncertainty_plot  # noqa: E402

STATS = pd.DataFrame(
    {
        "unit": ["b", "a", "c"],
        "nominal_rank": [2, 1, 3],
        "median_rank": [2.0, 1.0, 3.0],
        "q05_rank": [1.0, 1.0, 2.0],
        "q95_rank": [3.0, 2.0, 3.0],
    }
)


def test_units_sorted_by_median_with_their_intervals():
    fig = rank_uncertainty_plot(STATS, labels={"a": "Alpha"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha", "b", "c"]
    segments = ax.collections[0].get_segments()
    np.testing.assert_array_equal([(s[0][0], s[1][0]) for s in segments], [(1, 2), (1, 3), (2, 3)])
    median_line, nominal_line = ax.lines[:2]
    np.testing.assert_array_equal(median_line.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(nominal_line.get_xdata(), [1, 2, 3])
    assert ax.yaxis_inverted()
    plt.close(fig)


def test_top_n_says_how_many_are_left_out():
    fig = rank_uncertainty_plot(STATS, top_n=2, show_nominal=False)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 2 and "1 more not shown" in ax.get_title()
    assert len(ax.lines) == 1
    plt.close(fig)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="q95_rank"):
        rank_uncertainty_plot(STATS.drop(columns="q95_rank"))
