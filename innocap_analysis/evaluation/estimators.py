"""Estimators of the programme effect, each identified by an :class:`Estimator` id.

* **paired change** (:func:`paired_change`) for linked respondents: Wilcoxon signed-rank
  test, matched-pairs rank-biserial correlation (Kerby 2014), and a bootstrap BCa
  interval for the mean change.
* **unpaired wave comparison** (:func:`unpaired_wave_comparison`): all baseline versus
  all follow-up respondents (Welch), labelled as such.
* **difference-in-differences** (:func:`difference_in_differences`): OLS with
  cluster-robust standard errors by organisation; the parallel-trends assumption is
  stated in the output.
* **attrition** (:func:`attrition_analysis`): who had no linked follow-up answer and how
  they differed at baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from ..stats.intervals import bootstrap_interval, welch_difference
from .linking import BASELINE, FOLLOW_UP, GROUP_LABELS, WaveLinks, validate_scores

PARALLEL_TRENDS = (
    "parallel trends: without the programme, participants' mean score would have changed between the "
    "waves by the same amount as the comparison respondents' (untestable with two waves)"
)


class Estimator(StrEnum):
    """The identifier of each estimator; tables carry its :attr:`label`, code keys on the id."""

    PAIRED = "paired"
    UNPAIRED = "unpaired"
    DID_LINKED = "did_linked"
    DID_ALL = "did_all"

    @property
    def label(self) -> str:
        """The reader-facing description written into the ``estimator`` column of every table."""
        return ESTIMATOR_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> Estimator:
        """The estimator whose :attr:`label` this is (``ValueError`` for an unknown label)."""
        for estimator in cls:
            if estimator.label == label:
                return estimator
        raise ValueError(f"no estimator is labelled {label!r}")


ESTIMATOR_LABELS: dict[Estimator, str] = {
    Estimator.PAIRED: "paired change, linked respondents (follow-up minus baseline)",
    Estimator.UNPAIRED: "unpaired wave comparison, all respondents (follow-up minus baseline; waves treated as independent)",
    Estimator.DID_LINKED: "difference-in-differences, linked respondents (participants' change minus comparison change)",
    Estimator.DID_ALL: "difference-in-differences, all respondents as repeated cross-sections",
}


# --------------------------------------------------------------------------- paired


def rank_biserial(differences: np.ndarray) -> float:
    """Matched-pairs rank-biserial correlation of paired differences.

    ``r = (R+ - R-) / (R+ + R-)``, where ``R+`` and ``R-`` are the sums of the ranks of the
    absolute non-zero differences that are positive and negative (zeros dropped, as in the
    Wilcoxon ``zero_method="wilcox"``). It lies in [-1, 1]: +1 when every non-zero change is
    an increase.

    Reference: Kerby, D. S. (2014). The simple difference formula: an approach to teaching
    nonparametric correlation. *Comprehensive Psychology*, 3, 11.IT.3.1.
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d) & (d != 0)]
    if d.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def paired_change(
    pairs: pd.DataFrame,
    *,
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Paired change (follow-up minus baseline) per dimension and group, linked respondents.

    Parameters
    ----------
    pairs
        :attr:`WaveLinks.pairs`.
    confidence_level
        Of the BCa interval for the mean change.
    n_resamples
        Bootstrap resamples (scipy default 9999).
    seed
        Seed or generator for the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per dimension x group (``participants``, ``comparison``): ``n``
        (pairs with both scores), ``n_missing_score``, ``mean_baseline``, ``mean_follow_up``,
        ``estimate`` (mean change, score points), ``ci_low``/``ci_high`` (bootstrap BCa),
        ``median_change``, ``n_zero_change``, ``wilcoxon_statistic`` and ``p_value``
        (scipy ``wilcoxon``, two-sided, zeros dropped), ``rank_biserial`` (Kerby 2014),
        ``estimator``.

    Notes
    -----
    BCa: Efron, B. (1987). Better bootstrap confidence intervals. *JASA*, 82(397), 171-185,
    via :func:`scipy.stats.bootstrap`. Wilcoxon, F. (1945). Individual comparisons by
    ranking methods. *Biometrics Bulletin*, 1(6), 80-83, via :func:`scipy.stats.wilcoxon`.
    The bootstrap resamples respondents as independent; when changes are correlated within
    organisations the interval is too narrow (see the difference-in-differences instead).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for (dimension, participant), group in pairs.groupby(
        ["dimension", "participant"], observed=True, sort=True
    ):
        change = group["change"].to_numpy(dtype=float)
        complete = np.isfinite(change)
        d = change[complete]
        low, high, _ = bootstrap_interval(d, confidence_level=confidence_level, n_resamples=n_resamples, rng=rng,
                                          fallback=False)
        nonzero = d[d != 0]
        if nonzero.size:
            test = stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
            statistic, p_value = float(test.statistic), float(test.pvalue)
        else:
            statistic, p_value = float("nan"), float("nan")
        rows.append(
            {
                "dimension": dimension,
                "group": GROUP_LABELS[bool(participant)],
                "n": int(d.size),
                "n_missing_score": int((~complete).sum()),
                "mean_baseline": float(group["baseline_score"].to_numpy(float)[complete].mean())
                if d.size
                else np.nan,
                "mean_follow_up": float(group["follow_up_score"].to_numpy(float)[complete].mean())
                if d.size
                else np.nan,
                "estimate": float(d.mean()) if d.size else np.nan,
                "ci_low": low,
                "ci_high": high,
                "median_change": float(np.median(d)) if d.size else np.nan,
                "n_zero_change": int((d == 0).sum()),
                "wilcoxon_statistic": statistic,
                "p_value": p_value,
                "rank_biserial": rank_biserial(d),
                "estimator": Estimator.PAIRED.label,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- unpaired


def unpaired_wave_comparison(
    scores: pd.DataFrame,
    *,
    confidence_level: float = 0.95,
    baseline: str = BASELINE,
    follow_up: str = FOLLOW_UP,
) -> pd.DataFrame:
    """Unpaired comparison of the waves: all follow-up minus all baseline respondents.

    Every response with a score counts, linked or not (so it uses the data that partial
    linking leaves unpaired). It is labelled as unpaired: respondents present in both waves
    make the samples dependent (with positive within-person correlation the Welch interval
    is conservative), and selective attrition biases it.

    Returns
    -------
    pandas.DataFrame
        One row per dimension x group: ``n_baseline``, ``n_follow_up``, ``mean_baseline``,
        ``mean_follow_up``, ``estimate`` (difference of means, score points), ``ci_low``,
        ``ci_high``, ``p_value`` (Welch t-test), ``hedges_g``, ``estimator``.

    Notes
    -----
    Welch, B. L. (1947). The generalization of 'Student's' problem when several different
    population variances are involved. *Biometrika*, 34, 28-35, via
    :func:`scipy.stats.ttest_ind` (``equal_var=False``); Hedges' g from Hedges & Olkin
    (1985), *Statistical Methods for Meta-Analysis*, eq. 5.4 (pooled SD, small-sample factor).
    """
    data = validate_scores(scores, baseline=baseline, follow_up=follow_up)
    data = data[np.isfinite(data["score"])]
    rows = []
    for (dimension, participant), group in data.groupby(
        ["dimension", "participant"], observed=True, sort=True
    ):
        before = group.loc[group["wave"] == baseline, "score"].to_numpy(float)
        after = group.loc[group["wave"] == follow_up, "score"].to_numpy(float)
        row = {
            "dimension": dimension,
            "group": GROUP_LABELS[bool(participant)],
            "n_baseline": before.size,
            "n_follow_up": after.size,
            "mean_baseline": before.mean() if before.size else np.nan,
            "mean_follow_up": after.mean() if after.size else np.nan,
            "estimate": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
            "hedges_g": np.nan,
        }
        if before.size >= 2 and after.size >= 2:
            welch = welch_difference(after, before, confidence_level)
            row.update(estimate=welch.estimate, ci_low=welch.ci_low, ci_high=welch.ci_high,
                       p_value=welch.p_value, hedges_g=welch.hedges_g)
        row["estimator"] = Estimator.UNPAIRED.label
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- DiD


def _did_fit(long: pd.DataFrame, confidence_level: float) -> dict[str, float]:
    """OLS ``score ~ participant * follow_up`` with errors clustered by organisation."""
    model = smf.ols("score ~ treated * post", data=long)
    clusters = pd.factorize(long["cluster"])[0]
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence_level).loc["treated:post"]
    return {
        "estimate": float(fit.params["treated:post"]),
        "std_error": float(fit.bse["treated:post"]),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(fit.pvalues["treated:post"]),
        "n_clusters": int(clusters.max() + 1),
    }


def difference_in_differences(
    data: pd.DataFrame,
    *,
    sample: str = "linked",
    confidence_level: float = 0.95,
    baseline: str = BASELINE,
    follow_up: str = FOLLOW_UP,
) -> pd.DataFrame:
    """Difference-in-differences of participants versus comparison respondents, per dimension.

    Fits ``score ~ treated + post + treated:post`` by OLS (statsmodels) with cluster-robust
    standard errors by organisation (``cov_type="cluster"``, small-sample correction and
    t reference with G - 1 degrees of freedom). The coefficient of ``treated:post`` is the
    estimate: participants' mean change minus comparison respondents' mean change.

    Parameters
    ----------
    data
        ``sample="linked"``: :attr:`WaveLinks.pairs` (a balanced panel; the estimate equals
        the difference of mean changes, and clustering by organisation also covers the two
        answers of one person, since people are nested in organisations).
        ``sample="all"``: the tidy score table; every response counts, treating the waves
        as repeated cross-sections (it additionally assumes that the make-up of each group
        does not change between waves, which selective attrition breaks).
    sample
        ``"linked"`` or ``"all"``.
    confidence_level
        Of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``n_participants``, ``n_comparison`` (respondents, or
        responses for ``"all"``), ``n_clusters``, ``n_without_organisation`` (respondents
        without an organisation key, each made its own cluster), ``estimate`` (score
        points), ``std_error``, ``ci_low``, ``ci_high``, ``p_value``, ``estimator`` and
        ``assumption`` (parallel trends). The assumption is also in ``.attrs["assumption"]``.

    Notes
    -----
    Angrist, J. D. & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*, ch. 5;
    cluster-robust variance: Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide
    to cluster-robust inference. *J. Human Resources*, 50(2), 317-372.
    """
    if sample == "linked":
        complete = data[np.isfinite(data["change"])]
        long = pd.concat(
            [
                complete.assign(score=complete["baseline_score"], post=0),
                complete.assign(score=complete["follow_up_score"], post=1),
            ],
            ignore_index=True,
        )
        long["person"] = long["pair_id"]
        label = Estimator.DID_LINKED.label
    elif sample == "all":
        scored = validate_scores(data, baseline=baseline, follow_up=follow_up)
        long = scored[np.isfinite(scored["score"])].copy()
        long["post"] = (long["wave"] == follow_up).astype(int)
        long["person"] = np.arange(len(long))
        label = Estimator.DID_ALL.label
    else:
        raise ValueError(f"sample must be 'linked' or 'all', got {sample!r}")
    long["treated"] = long["participant"].astype(bool).astype(int)
    no_org = long["organisation_key"].isna()
    # A respondent without an organisation is its own cluster (never merged with others).
    long["cluster"] = (
        long["organisation_key"].astype(object).where(~no_org, "__person_" + long["person"].astype(str))
    )
    rows = []
    for dimension, group in long.groupby("dimension", observed=True, sort=True):
        first_wave = group[group["post"] == 0]
        row: dict[str, object] = {
            "dimension": dimension,
            "n_participants": int(first_wave["treated"].sum()),
            "n_comparison": int((1 - first_wave["treated"]).sum()),
            "n_without_organisation": int(no_org[group.index].sum() // (2 if sample == "linked" else 1)),
        }
        cells = group.groupby(["treated", "post"]).size()
        if len(cells) == 4 and (cells >= 2).all() and group["cluster"].nunique() >= 2:
            row.update(_did_fit(group, confidence_level))
        else:
            row.update(
                estimate=np.nan, std_error=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan, n_clusters=0
            )
        row.update(estimator=label, assumption=PARALLEL_TRENDS)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["assumption"] = PARALLEL_TRENDS
    return table


# --------------------------------------------------------------------------- attrition


@dataclass(frozen=True)
class Attrition:
    """Result of :func:`attrition_analysis`.

    Attributes
    ----------
    response
        Follow-up response by group: ``group`` (participants/comparison/all) and each of
        ``by`` columns, ``n_baseline``, ``n_linked_follow_up``, ``follow_up_rate``.
    baseline_difference
        Per dimension x group: ``n_linked``, ``n_not_linked``, ``mean_linked``,
        ``mean_not_linked``, ``difference`` (not linked minus linked, score points),
        ``ci_low``, ``ci_high``, ``p_value`` (Welch), ``standardised_difference`` (Cohen's d,
        pooled SD).
    """

    response: pd.DataFrame
    baseline_difference: pd.DataFrame


def attrition_analysis(
    links: WaveLinks, *, by: Sequence[str] = (), confidence_level: float = 0.95
) -> Attrition:
    """Who had no linked follow-up answer, and how they differed at baseline.

    Respondents with a usable baseline key (not duplicated, not conflicting) are split into
    those with a linked follow-up answer and those without (dropped out, or their link
    broke: the two cannot be told apart).

    Parameters
    ----------
    links
        From :func:`link_waves`.
    by
        Extra grouping columns for the response table (``"region"``, ``"stakeholder"``).
    confidence_level
        Of the Welch interval for the baseline difference.

    Returns
    -------
    Attrition
        Response rates and baseline differences (see :class:`Attrition`).

    Notes
    -----
    Baseline comparison of completers and dropouts as in Little, R. J. A. & Rubin, D. B.
    (2019), *Statistical Analysis with Missing Data*, 3rd ed., ch. 1 and 3 (an MCAR check
    on observed baseline covariates); Welch t via :func:`scipy.stats.ttest_ind`.
    """
    status = links.baseline_status
    people = status.drop_duplicates("respondent").copy()
    people["group"] = people["participant"].map(GROUP_LABELS)
    keys = ["group", *by]
    response = people.groupby(keys, observed=True, sort=True).agg(
        n_baseline=("linked", "size"), n_linked_follow_up=("linked", "sum")
    )
    overall = people.groupby(list(by), observed=True, sort=True) if by else None
    total = (
        overall.agg(n_baseline=("linked", "size"), n_linked_follow_up=("linked", "sum")).assign(group="all")
        if overall is not None
        else pd.DataFrame(
            {
                "n_baseline": [len(people)],
                "n_linked_follow_up": [int(people["linked"].sum())],
                "group": ["all"],
            }
        )
    )
    response = pd.concat([response.reset_index(), total.reset_index(drop=not by)], ignore_index=True)
    response = response[[*keys, "n_baseline", "n_linked_follow_up"]]
    response["follow_up_rate"] = response["n_linked_follow_up"] / response["n_baseline"]

    rows = []
    scored = status[np.isfinite(status["baseline_score"].to_numpy(float))]
    groups = [(GROUP_LABELS[p], scored[scored["participant"] == p]) for p in (True, False)] + [
        ("all", scored)
    ]
    for group_label, subset in groups:
        for dimension, part in subset.groupby("dimension", observed=True, sort=True):
            stayed = part.loc[part["linked"], "baseline_score"].to_numpy(float)
            left = part.loc[~part["linked"], "baseline_score"].to_numpy(float)
            row = {
                "dimension": dimension,
                "group": group_label,
                "n_linked": stayed.size,
                "n_not_linked": left.size,
                "mean_linked": stayed.mean() if stayed.size else np.nan,
                "mean_not_linked": left.mean() if left.size else np.nan,
                "difference": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "standardised_difference": np.nan,
            }
            if stayed.size >= 2 and left.size >= 2:
                welch = welch_difference(left, stayed, confidence_level)
                row.update(difference=welch.estimate, ci_low=welch.ci_low, ci_high=welch.ci_high,
                           p_value=welch.p_value, standardised_difference=welch.cohens_d)
            rows.append(row)
    return Attrition(response=response, baseline_difference=pd.DataFrame(rows))
