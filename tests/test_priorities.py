"""Priority ranks with their uncertainty: P(rank 1), paired differences, clustering, and agreement with the IPA figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from innocap_analysis.indicators import demand_supply  # noqa: E402
from innocap_analysis.indicators.priorities import PRIORITY_RANK1_THRESHOLD, priority_uncertainty  # noqa: E402
from innocap_analysis.plots.survey_charts import ipa_small_multiples, priority_chart  # noqa: E402
from innocap_analysis.survey import load_illustrative_survey  # noqa: E402
from innocap_analysis.survey.scoring import score_dimensions  # noqa: E402


def _tidy(values: np.ndarray, dimensions: list[str], region: str = "x", organisations=None) -> pd.DataFrame:
    """Respondents x dimensions -> the tidy score layout (public-sector importance)."""
    n = values.shape[0]
    frame = pd.DataFrame(values, columns=dimensions)
    frame["respondent_id"] = [f"{region}{i:03d}" for i in range(n)]
    if organisations is not None:
        frame["organisation_key"] = organisations
    ids = ["respondent_id"] + (["organisation_key"] if organisations is not None else [])
    long = frame.melt(id_vars=ids, var_name="dimension", value_name="score_0_100")
    return long.assign(region=region, role="importance", stakeholder="public_sector")


def test_identical_needs_share_the_first_place_exactly():
    rng = np.random.default_rng(1)
    a = rng.normal(70, 15, 30)
    ranks = priority_uncertainty(_tidy(np.column_stack([a, a, a - 30]), ["p", "q", "r"]), n_resamples=500)
    p = ranks.set_index("dimension")["p_rank1"]
    assert p["p"] == 0.5 and p["q"] == 0.5 and p["r"] == 0.0  # ties share the first place
    assert not ranks["clear_top"].any() and ranks.set_index("dimension").loc["p", "status"] == "tied top"


def test_a_need_far_ahead_is_a_clear_top():
    rng = np.random.default_rng(2)
    values = np.column_stack([rng.normal(90, 5, 25), rng.normal(50, 5, 25), rng.normal(40, 5, 25)])
    ranks = priority_uncertainty(_tidy(values, ["a", "b", "c"]), n_resamples=500).set_index("dimension")
    assert ranks.loc["a", "p_rank1"] == 1.0 and ranks.loc["a", "status"] == "clear top"
    assert ranks.loc["b", "status"] == "below top" and ranks.loc["b", "p_diff_holm"] < 0.05
    assert ranks.loc["a", "rank"] == 1 and (ranks.loc["b", "rank_q05"], ranks.loc["b", "rank_q95"]) == (2, 2)


def test_paired_difference_matches_scipy_paired_bootstrap():
    """Peer check: with complete answers and no clusters, the interval of top minus other is the paired
    percentile bootstrap of :func:`scipy.stats.bootstrap` (different draws, so equal within Monte Carlo error)."""
    rng = np.random.default_rng(3)
    common = rng.normal(0, 10, 40)  # answers of one respondent are correlated: the pairing matters
    top, other = 75 + common + rng.normal(0, 5, 40), 70 + common + rng.normal(0, 5, 40)
    ranks = priority_uncertainty(_tidy(np.column_stack([top, other]), ["t", "o"]), n_resamples=20000, seed=4)
    row = ranks.set_index("dimension").loc["o"]
    reference = stats.bootstrap((top, other), lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis),
                                paired=True, vectorized=True, method="percentile", n_resamples=20000,
                                rng=np.random.default_rng(5)).confidence_interval
    assert row["diff_from_top"] == pytest.approx(top.mean() - other.mean())
    assert row["diff_ci_low"] == pytest.approx(reference.low, abs=0.15)
    assert row["diff_ci_high"] == pytest.approx(reference.high, abs=0.15)
    # an unpaired (independent) interval would be about sqrt(250 / 50) = 2.2 times as wide here
    unpaired = stats.ttest_ind(top, other).confidence_interval()
    assert (unpaired.high - unpaired.low) > 2.0 * (row["diff_ci_high"] - row["diff_ci_low"])


def test_resampling_organisations_not_people():
    rng = np.random.default_rng(6)
    values = np.column_stack([rng.normal(72, 12, 20), rng.normal(70, 12, 20)])
    once = _tidy(values, ["a", "b"], organisations=[f"O{i:02d}" for i in range(20)])
    # the same answers given by three people of each organisation
    thrice = pd.concat([once.assign(respondent_id=once["respondent_id"] + s) for s in "xyz"], ignore_index=True)
    reference = priority_uncertainty(once, n_resamples=2000, seed=9).set_index("dimension")
    clustered = priority_uncertainty(thrice, n_resamples=2000, seed=9).set_index("dimension")
    naive = priority_uncertainty(thrice, cluster=None, n_resamples=2000, seed=9).set_index("dimension")
    # drawing whole organisations, the tripled data carry the information of the 20 organisations exactly
    assert clustered.loc["b", "n_clusters"] == 20 and clustered.loc["b", "n"] == 60
    assert clustered.loc["a", "p_rank1"] == reference.loc["a", "p_rank1"]
    assert clustered.loc["b", ["diff_ci_low", "diff_ci_high"]].tolist() == pytest.approx(
        reference.loc["b", ["diff_ci_low", "diff_ci_high"]].tolist())
    assert clustered.loc["a", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        reference.loc["a", ["ci_low", "ci_high"]].tolist())
    # treating the 60 people as independent overstates the certainty
    assert naive.loc["a", "p_rank1"] > clustered.loc["a", "p_rank1"]


def test_equal_needs_rarely_give_a_clear_top():
    """No choose-then-test: when the four needs are equal in truth, the observed top is rarely 'clear'."""
    rng = np.random.default_rng(11)
    frames = [_tidy(rng.normal(70, 15, (25, 4)), ["a", "b", "c", "d"], region=f"g{k:02d}") for k in range(40)]
    ranks = priority_uncertainty(pd.concat(frames, ignore_index=True), n_resamples=1000, seed=1)
    tops = ranks[ranks["rank"] == 1]
    # the observed top of each group is chosen for being highest, yet reaches the threshold rarely
    assert tops["clear_top"].mean() <= 0.15
    assert tops["p_rank1"].median() < 0.6


def test_small_dimensions_are_suppressed_and_not_ranked():
    rng = np.random.default_rng(4)
    values = np.column_stack([rng.normal(70, 10, 12), rng.normal(60, 10, 12)])
    values[3:, 1] = np.nan  # only 3 answers on b
    ranks = priority_uncertainty(_tidy(values, ["a", "b"]), n_resamples=200).set_index("dimension")
    assert ranks.loc["b", "status"] == "suppressed" and pd.isna(ranks.loc["b", "rank"])
    assert pd.isna(ranks.loc["b", "mean"]) and pd.isna(ranks.loc["b", "n"])
    assert ranks.loc["a", "rank"] == 1 and ranks.loc["a", "p_rank1"] == 1.0


def test_a_region_result_does_not_depend_on_the_other_regions():
    rng = np.random.default_rng(8)
    one = _tidy(rng.normal(70, 15, (20, 3)), ["a", "b", "c"], region="r1")
    two = _tidy(rng.normal(70, 15, (20, 3)), ["a", "b", "c"], region="r2")
    alone = priority_uncertainty(one, n_resamples=300, seed=3)
    both = priority_uncertainty(pd.concat([one, two]), n_resamples=300, seed=3)
    pd.testing.assert_frame_equal(alone, both[both["region"] == "r1"].reset_index(drop=True))


@pytest.fixture(scope="module")
def illustrative():
    survey = load_illustrative_survey()
    scores = score_dimensions(survey)
    public = scores[scores["stakeholder"] == "public_sector"]
    ipa = demand_supply.ipa_table(public, by=("region",))
    ranks = priority_uncertainty(scores, n_resamples=500, seed=1, codebook_order=list(survey.codebook.dimensions))
    return ipa, ranks


def test_ipa_figure_and_priority_ranks_agree(illustrative):
    """Read the drawn IPA figure back: in every panel the rank labels follow the heights of the points, the
    cut lines are the same in every panel, and every dimension above the importance cut ranks before every
    dimension below it (the reviewer found a priority 1 in 'keep up the good work' beside lower ranks in
    'concentrate here' when each region had its own cuts)."""
    ipa, ranks = illustrative
    fig = ipa_small_multiples(ipa, by="region", ranks=ranks)
    cuts = set()
    checked = 0
    for ax in fig.axes:
        labels = [t for t in ax.texts if t.get_gid() == "ipa-label"]
        if not labels:
            continue
        horizontal = [ln for ln in ax.lines if ln.get_gid() == "ipa-importance-cut"][0].get_ydata()[0]
        vertical = [ln for ln in ax.lines if ln.get_gid() == "ipa-capability-cut"][0].get_xdata()[0]
        cuts.add((round(horizontal, 9), round(vertical, 9)))
        drawn = sorted((int(t.get_text().split(" ", 1)[0]), t.xy[1]) for t in labels)
        heights = [y for _, y in drawn]
        assert heights == sorted(heights, reverse=True), f"{ax.get_title()}: ranks do not follow importance"
        above = [r for r, y in drawn if y >= horizontal]
        below = [r for r, y in drawn if y < horizontal]
        assert not above or not below or max(above) < min(below), ax.get_title()
        checked += 1
    assert checked == ipa["region"].nunique() and len(cuts) == 1
    # and the quadrants of the table say the same as the figure
    merged = ranks.merge(ipa, on=["region", "dimension"])
    high = merged["quadrant"].isin(["concentrate here", "keep up the good work"])
    for _, part in merged.groupby("region", observed=True):
        upper, lower = part.loc[high[part.index], "rank"], part.loc[~high[part.index], "rank"]
        assert upper.empty or lower.empty or upper.max() < lower.min()
    plt.close(fig)


def test_priority_chart_shows_the_rank_probabilities_and_the_threshold(illustrative):
    _, ranks = illustrative
    fig = priority_chart(ranks, threshold=PRIORITY_RANK1_THRESHOLD)
    left, right = fig.axes
    bars = [p.get_width() for p in right.patches]
    assert bars == pytest.approx((100 * ranks["p_rank1"].astype(float)).tolist())
    threshold = [ln for ln in right.lines if ln.get_gid() == "threshold"][0].get_xdata()[0]
    assert threshold == 100 * PRIORITY_RANK1_THRESHOLD
    labels = [t.get_text() for t in left.get_yticklabels()]
    assert all("(n = " in label for label in labels)
    plt.close(fig)
