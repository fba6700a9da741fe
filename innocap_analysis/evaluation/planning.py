"""Planning the follow-up: the clustering of the baseline, and the power it leaves the evaluation.

:func:`baseline_icc` estimates, per dimension, how alike respondents of one organisation answer at
baseline (ICC(1) by one-way ANOVA, with the REML variance ratio of a random-intercept model as a
peer check). :func:`power_plan` turns the planning ICC into the design effect and the minimum
detectable effect of the planned sample, without and with clustering, and
:func:`required_participants` says how many participants the plan needs for a target effect once
clustering is counted. The follow-up targets of the application (linked participants, organisations,
the capability change to aim for) are read from :attr:`PowerPlan.summary`.

The planning ICC is the largest point estimate over the dimensions (one design serves all four).
It is the ICC of baseline *levels*: the ICC of individual *change*, which the evaluation tests,
is unknown until the follow-up. A stable organisation effect cancels in change scores (the design
effect is then conservative); an organisation-wide shock between the waves does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats.design_effect import design_effect, icc_oneway, icc_reml
from ..stats.power import power_table
from .linking import BASELINE

#: How the planning ICC is chosen from the per-dimension estimates.
PLANNING_ICC_RULE = (
    "Planning ICC: the largest point estimate over the dimensions (one sample serves all four), "
    "estimated on the baseline wave with organisations as clusters (ICC(1), one-way ANOVA); a negative "
    "estimate counts as 0."
)


def baseline_icc(
    scores: pd.DataFrame,
    *,
    wave: str = BASELINE,
    cluster: str = "organisation_key",
    value: str = "score",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Intraclass correlation of the baseline scores within organisations, per dimension.

    Parameters
    ----------
    scores
        Tidy scores (:data:`~innocap_analysis.evaluation.linking.EVALUATION_SCORE_COLUMNS`: ``wave``,
        ``dimension``, ``score`` and the cluster column).
    wave
        The wave whose respondents are used (the baseline).
    cluster, value
        Cluster and score columns.
    confidence_level
        Of the ICC interval.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``dimension``, ``n_respondents``, ``n_organisations``,
        ``mean_cluster_size`` (respondents per organisation), ``cluster_size_cv``, ``n0``, ``icc``,
        ``icc_ci_low``, ``icc_ci_high`` (F-based), ``icc_reml`` (peer estimate), ``f_statistic``,
        ``p_value`` and ``design_effect`` (at the mean cluster size and its CV). No organisation keys.

    Raises
    ------
    KeyError
        For a missing column.
    ValueError
        When the wave has no scores, or a dimension has fewer than two organisations.
    """
    missing = [c for c in ("wave", "dimension", cluster, value) if c not in scores.columns]
    if missing:
        raise KeyError(f"scores lack columns {missing} (have {list(scores.columns)})")
    base = scores[scores["wave"].astype("string").eq(wave).fillna(False).to_numpy()]
    base = base[base[value].notna().to_numpy() & base[cluster].notna().to_numpy()]
    if base.empty:
        raise ValueError(f"no scores with an organisation in wave {wave!r}")
    rows = []
    for dimension, part in base.groupby(base["dimension"].astype(str), sort=False):  # four dimensions
        try:
            est = icc_oneway(part[value], part[cluster], confidence_level=confidence_level)
        except ValueError as exc:
            raise ValueError(f"dimension {dimension!r}: {exc}") from None
        rows.append({
            "dimension": dimension, "n_respondents": est.n_obs, "n_organisations": est.n_clusters,
            "mean_cluster_size": est.mean_cluster_size, "cluster_size_cv": est.cluster_size_cv, "n0": est.n0,
            "icc": est.icc, "icc_ci_low": est.ci_low, "icc_ci_high": est.ci_high,
            "icc_reml": icc_reml(part[value], part[cluster]), "f_statistic": est.f_statistic,
            "p_value": est.p_value,
            "design_effect": design_effect(est.icc, est.mean_cluster_size, est.cluster_size_cv),
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PowerPlan:
    """The power of the planned follow-up with the design effect (:func:`power_plan`).

    Attributes
    ----------
    icc, icc_ci_high, icc_dimension
        The planning ICC (:data:`PLANNING_ICC_RULE`), its upper confidence bound and the dimension
        it comes from.
    n_organisations, cluster_size_cv
        Organisations (clusters) and the CV of respondents per organisation, from the baseline.
    linked_share
        Share of baseline respondents expected with a linked follow-up answer.
    table
        :func:`~innocap_analysis.stats.power.power_table` over the planning grid, with the
        clustered columns.
    summary
        The planned sample in three scenarios (``scenario``: ``no clustering``, ``design effect``,
        ``design effect, ICC upper bound``): ``n_organisations``, ``icc``, ``design_effect``, ``n_participants_planned``,
        ``n_comparison_planned``, ``n_participants_linked``, ``n_comparison_linked``,
        ``n_participants_effective``, ``n_comparison_effective``, ``mde_d_between_groups``,
        ``mde_d_paired``.
    """

    icc: float
    icc_ci_high: float
    icc_dimension: str
    n_organisations: int
    cluster_size_cv: float
    linked_share: float
    table: pd.DataFrame
    summary: pd.DataFrame

    def mde(self, scenario: str = "design effect", design: str = "between_groups") -> float:
        """The minimum detectable d of one scenario of :attr:`summary` (``between_groups`` or ``paired``)."""
        row = self.summary.set_index("scenario").loc[scenario]
        return float(row[f"mde_d_{design}"])

    def design_effect_at(self, n_linked: int) -> float:
        """The design effect of the planning ICC for ``n_linked`` respondents in the plan's organisations."""
        return design_effect(self.icc, max(n_linked / self.n_organisations, 1.0), self.cluster_size_cv)


def _scenario(name: str, n_p: int, n_c: int, linked_share: float, icc: float, n_organisations: int,
              cluster_size_cv: float, alpha: float, power: float) -> dict[str, object]:
    row = power_table((n_p,), (linked_share,), comparison_ratio=n_c / n_p, alpha=alpha, power=power,
                      icc=max(icc, 0.0), n_organisations=n_organisations,
                      cluster_size_cv=cluster_size_cv).iloc[0]
    clustered = name != "no clustering"
    return {
        "scenario": name,
        "n_organisations": n_organisations,
        "icc": max(icc, 0.0) if clustered else 0.0,
        "design_effect": float(row["design_effect"]) if clustered else 1.0,
        "n_participants_planned": n_p,
        "n_comparison_planned": n_c,
        "n_participants_linked": int(row["n_participants_linked"]),
        "n_comparison_linked": int(row["n_comparison_linked"]),
        "n_participants_effective": float(row["n_participants_effective"] if clustered
                                          else row["n_participants_linked"]),
        "n_comparison_effective": float(row["n_comparison_effective"] if clustered
                                        else row["n_comparison_linked"]),
        "mde_d_between_groups": float(row["mde_d_between_groups_clustered"] if clustered
                                      else row["mde_d_between_groups"]),
        "mde_d_paired": float(row["mde_d_paired_clustered"] if clustered else row["mde_d_paired"]),
    }


def power_plan(
    icc_table: pd.DataFrame,
    *,
    n_participants: int,
    n_comparison: int,
    linked_share: float,
    n_participants_grid: Sequence[int] = (60, 90, 120, 150, 200),
    response_rates: Sequence[float] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    alpha: float = 0.05,
    power: float = 0.8,
) -> PowerPlan:
    """The planned follow-up's power with the design effect of the baseline's clustering.

    Parameters
    ----------
    icc_table
        :func:`baseline_icc`.
    n_participants, n_comparison
        The planned sample at baseline.
    linked_share
        Share of baseline respondents expected with a linked follow-up answer (follow-up response
        rate times the share of panel keys that link).
    n_participants_grid, response_rates
        The planning grid of :attr:`PowerPlan.table` (comparison respondents in the planned ratio).
    alpha, power
        Significance level (two-sided) and target power.

    Returns
    -------
    PowerPlan
        The organisations are those of the baseline (the largest count over the dimensions), the
        cluster-size CV the largest over the dimensions.
    """
    if icc_table.empty:
        raise ValueError("icc_table is empty: estimate the ICC first (baseline_icc)")
    if not 0 < linked_share <= 1:
        raise ValueError(f"linked_share must be in (0, 1], got {linked_share!r}")
    top = icc_table.loc[icc_table["icc"].idxmax()]
    icc, icc_high = float(top["icc"]), float(top["icc_ci_high"])
    n_org = int(icc_table["n_organisations"].max())
    cv = float(icc_table["cluster_size_cv"].max())
    table = power_table(n_participants_grid, response_rates, comparison_ratio=n_comparison / n_participants,
                        alpha=alpha, power=power, icc=max(icc, 0.0), n_organisations=n_org, cluster_size_cv=cv)
    summary = pd.DataFrame([
        _scenario(name, n_participants, n_comparison, linked_share, value, n_org, cv, alpha, power)
        for name, value in (("no clustering", 0.0), ("design effect", icc),
                            ("design effect, ICC upper bound", icc_high))
    ])
    return PowerPlan(icc=max(icc, 0.0), icc_ci_high=icc_high, icc_dimension=str(top["dimension"]),
                     n_organisations=n_org, cluster_size_cv=cv, linked_share=float(linked_share),
                     table=table, summary=summary)


def required_participants(
    target_d: float,
    plan: PowerPlan,
    *,
    comparison_ratio: float,
    design: str = "between_groups",
    alpha: float = 0.05,
    power: float = 0.8,
    max_participants: int = 5000,
) -> int | None:
    """Smallest planned number of participants whose clustered MDE is at most ``target_d``.

    The organisations stay those of the plan, so more participants mean more per organisation
    and a larger design effect; bisection over whole participants (the clustered MDE decreases
    with n). Returns ``None`` when even ``max_participants`` cannot reach the target (with a
    fixed number of organisations the clustered MDE has a floor above 0).
    """
    if target_d <= 0:
        raise ValueError(f"target_d must be positive, got {target_d!r}")
    column = {"between_groups": "mde_d_between_groups_clustered", "paired": "mde_d_paired_clustered"}[design]

    def mde(n: int) -> float:
        n_c = max(int(np.round(n * comparison_ratio)), 2)
        if np.floor(n * plan.linked_share) < 2 or np.floor(n_c * plan.linked_share) < 2:
            return np.inf
        row = power_table((n,), (plan.linked_share,), comparison_ratio=n_c / n, alpha=alpha, power=power,
                          icc=plan.icc, n_organisations=plan.n_organisations,
                          cluster_size_cv=plan.cluster_size_cv).iloc[0]
        return float(row[column])

    if mde(max_participants) > target_d:
        return None
    low, high = 2, max_participants
    while high - low > 1:  # bisection: mde(high) <= target < mde(low)
        middle = (low + high) // 2
        if mde(middle) <= target_d:
            high = middle
        else:
            low = middle
    return high

