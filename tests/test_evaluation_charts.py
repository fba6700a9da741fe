"""Figures of the programme evaluation: forest plot and paired change distributions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from innocap_analysis.evaluation import evaluate_programme
from innocap_analysis.plots.evaluation_charts import effect_forest_plot, paired_change_distributions
from innocap_analysis.synthetic.panel import PanelDesign, simulate_panel


@pytest.fixture(scope="module")
def result():
    return evaluate_programme(simulate_panel(seed=3).scores, n_resamples=199)


def test_forest_plot_draws_every_interval(result):
    fig = effect_forest_plot(result.estimates)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4
    estimates = result.estimates
    for ax, dimension in zip(
        fig.axes, ["digital_solutions", "procurement", "delivery_models", "skills"], strict=True
    ):
        part = estimates[estimates["dimension"].astype(str) == dimension]
        assert len(ax.get_yticklabels()) == len(part)
        drawn = [line for line in ax.lines if line.get_marker() == "o"]
        assert sorted(round(float(line.get_xdata()[0]), 9) for line in drawn) == sorted(
            round(v, 9) for v in part["estimate"]
        )
    plt.close(fig)


def test_forest_plot_marks_suppressed_rows():
    small = evaluate_programme(simulate_panel(PanelDesign(n_comparison=4), seed=3).scores, n_resamples=199)
    fig = effect_forest_plot(small.estimates)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "n < 5" in texts
    assert any(p.get_gid() == "masked-cell" for ax in fig.axes for p in ax.patches)
    plt.close(fig)


def test_change_distributions_one_panel_per_dimension(result):
    fig = paired_change_distributions(result.pairs)
    assert len(fig.axes) == 4
    labels = [t.get_text() for t in fig.axes[0].texts]
    n_participants = int(np.isfinite(result.pairs.loc[result.pairs["participant"], "change"]).sum() / 4)
    assert f"n = {n_participants}" in labels
    plt.close(fig)


def test_change_distributions_suppress_small_groups():
    small = evaluate_programme(simulate_panel(PanelDesign(n_comparison=4), seed=3).scores, n_resamples=199)
    fig = paired_change_distributions(small.pairs)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("n < 5") == 4  # the comparison group in each dimension panel
    assert sum(p.get_gid() == "masked-cell" and p.get_width() == 0.8 for ax in fig.axes for p in ax.patches) == 4
    plt.close(fig)
