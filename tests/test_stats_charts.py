"""Survey charts: bar geometry checked against hand-computed shares, IPA / need-and-supply / heatmap drawing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis.plots.survey_charts import (  # noqa: E402
    ipa_scatter,
    likert_diverging,
    likert_shares,
    need_supply_panels,
    score_heatmap,
)

LEVELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}


def _counts(label: str, counts: dict) -> pd.DataFrame:
    return pd.DataFrame({"label": label, "category": list(counts), "count": list(counts.values())})


def _geometry(fig) -> dict[int, list[tuple[float, float]]]:
    """(left, width) of each bar segment per answer code, read back from the drawn patches."""
    ax = fig.axes[0]
    out = {}
    for container in ax.containers:
        code = int(container.patches[0].get_gid().split("-")[1])
        out[code] = [(p.get_x(), p.get_width()) for p in container.patches]
    return out


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_likert_segments_equal_shares_with_an_empty_category():
    # Q1: codes 1..5 = 0, 2, 2, 4, 2 (n = 10) -> 0, 20, 20, 40, 20 %; left edge -(0 + 20) - 20/2 = -30
    # Q2: 1, 1, 2, 4, 2 -> 10, 10, 20, 40, 20 %; left edge -(10 + 10) - 10 = -30
    counts = pd.concat([
        _counts("Q1", {1: 0, 2: 2, 3: 2, 4: 4, 5: 2, "dont_know": 5}),
        _counts("Q2", {1: 1, 2: 1, 3: 2, 4: 4, 5: 2}),
    ])
    geometry = _geometry(likert_diverging(counts, LEVELS))
    expected_q1 = {1: (-30, 0), 2: (-30, 20), 3: (-10, 20), 4: (10, 40), 5: (50, 20)}
    expected_q2 = {1: (-30, 10), 2: (-20, 10), 3: (-10, 20), 4: (10, 40), 5: (50, 20)}
    for code in LEVELS:
        assert geometry[code][0] == pytest.approx(expected_q1[code])
        assert geometry[code][1] == pytest.approx(expected_q2[code])
    # neutral centred on zero
    left, width = geometry[3][0]
    assert left + width / 2 == pytest.approx(0)


def test_likert_missing_row_equals_zero_row_and_dont_know_apart():
    with_zero = _counts("Q", {1: 0, 2: 3, 3: 1, 4: 4, 5: 2, "dont_know": 5})
    without = with_zero[with_zero["category"] != 1]
    fig_a, fig_b = likert_diverging(with_zero, LEVELS), likert_diverging(without, LEVELS)
    assert _geometry(fig_a) == _geometry(fig_b)
    dont_know_bar = fig_a.axes[1].patches[0]
    assert dont_know_bar.get_width() == pytest.approx(100 * 5 / 15)
    assert "n=10" in fig_a.axes[0].get_yticklabels()[0].get_text()


def test_likert_shares_and_validation():
    shares, n, dont_know = likert_shares(_counts("Q", {2: 1, 4: 3, "dont_know": 1}), [1, 2, 3, 4, 5])
    assert shares.loc["Q"].tolist() == [0, 0.25, 0, 0.75, 0]
    assert n["Q"] == 4 and dont_know["Q"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="outside the scale codes"):
        likert_shares(_counts("Q", {7: 1}), [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="neutral code 9"):
        likert_diverging(_counts("Q", {1: 1}), LEVELS, neutral=9)


def test_likert_even_scale_has_no_neutral():
    levels = {1: "--", 2: "-", 3: "+", 4: "++"}
    geometry = _geometry(likert_diverging(_counts("Q", {1: 1, 2: 1, 3: 1, 4: 1}), levels, show_dont_know=False))
    assert geometry[3][0] == pytest.approx((0, 25))
    assert geometry[1][0] == pytest.approx((-50, 25))


def _ipa():
    return pd.DataFrame({
        "dimension": ["a", "b", "c", "d"],
        "importance_mean": [80.0, 60, 40, 70],
        "importance_ci_low": [75.0, 55, 35, 65],
        "importance_ci_high": [85.0, 65, 45, 75],
        "capability_mean": [30.0, 70, 40, 60],
        "capability_ci_low": [25.0, 65, 35, 55],
        "capability_ci_high": [35.0, 75, 45, 65],
        "importance_cut": 62.5,
        "capability_cut": 50.0,
    })


def test_ipa_scatter_draws_points_and_cuts():
    fig = ipa_scatter(_ipa())
    ax = fig.axes[0]
    points = ax.lines[0].get_xydata()
    np.testing.assert_allclose(points, [[30, 80], [70, 60], [40, 40], [60, 70]])
    cut_lines = [line for line in ax.lines if line.get_linestyle() == "--"]
    vertical = [line.get_xdata()[0] for line in cut_lines if line.get_xdata()[0] == line.get_xdata()[1]]
    horizontal = [line.get_ydata()[0] for line in cut_lines if line.get_ydata()[0] == line.get_ydata()[1]]
    assert (vertical, horizontal) == ([50.0], [62.5])
    with pytest.raises(KeyError, match="importance_cut"):
        ipa_scatter(_ipa().drop(columns="importance_cut"))


def test_need_supply_panels_and_heatmap_mark_suppressed_rows():
    gaps = pd.DataFrame({
        "region": ["r1", "r1"], "dimension": ["a", "b"],
        "need_mean": [70.0, np.nan], "need_ci_low": [65.0, np.nan], "need_ci_high": [75.0, np.nan],
        "supply_mean": [50.0, np.nan], "supply_ci_low": [40.0, np.nan], "supply_ci_high": [60.0, np.nan],
    })
    fig = need_supply_panels(gaps)
    need, supply = fig.axes
    assert [t.get_text() for t in need.texts] == ["n < 5"] and [t.get_text() for t in supply.texts] == ["n < 5"]
    assert [p.get_gid() for p in need.patches] == ["masked-cell"] == [p.get_gid() for p in supply.patches]
    # side by side, not joined: each panel draws its own points and no line connects need and supply
    assert need.lines[0].get_xdata()[0] == 70.0 and supply.lines[0].get_xdata()[0] == 50.0
    assert not need.collections or all(c.get_gid() != "gap" for c in need.collections)
    assert "importance" in need.get_xlabel() and "can offer" in supply.get_xlabel()
    table = pd.DataFrame({"a": [50.0, np.nan], "b": [20.0, 80.0]}, index=["r1", "r2"])
    heat = score_heatmap(table, n=pd.DataFrame({"a": [6, pd.NA], "b": [7, 9]}, index=["r1", "r2"]))
    labels = [t.get_text() for t in heat.axes[0].texts]
    assert labels == ["50\nn=6", "20\nn=7", "n < 5", "80\nn=9"]
    assert sum(p.get_gid() == "masked-cell" for p in heat.axes[0].patches) == 1
