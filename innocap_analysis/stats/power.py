"""Power and minimum detectable effects (MDE) for planning the programme evaluation.

Two designs, both on individual change scores (follow-up minus baseline):

* **between groups** (difference-in-differences on linked respondents): participants'
  changes versus comparison respondents' changes, a two-sample t-test
  (:class:`statsmodels.stats.power.TTestIndPower`);
* **paired** (participants' own change): a one-sample t-test on the changes
  (:class:`statsmodels.stats.power.TTestPower`).

Effects are Cohen's d relative to the SD of individual changes; pass ``sd_change`` to
convert them to score points. The linked sample is the planned sample times the
follow-up response (linking) rate, rounded down.

Respondents share organisations, so :func:`power_table` also gives the MDE with the design effect
of clustering (:func:`~innocap_analysis.stats.design_effect.design_effect`,
``1 + ((cv**2 + 1) * m - 1) * ICC``, ``m`` linked respondents per organisation): each group's
linked n is divided by it (the effective n; Donner & Klar 2000, ch. 5) before the t-test power is
solved. One design effect, from all linked respondents per organisation, serves both designs; for
participants' own change alone (fewer per organisation) it is conservative. The t-tests keep the
degrees of freedom of the effective n; a test on cluster-level degrees of freedom (organisations
minus 2) would raise the MDE a little further (by 2.5 % at 120 + 60 planned, 30 organisations).

References: Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.,
ch. 2 (Table 2.4.1: n = 64 per group for d = 0.5, alpha = .05 two-sided, power = .80). Donner, A. &
Klar, N. (2000). *Design and Analysis of Cluster Randomization Trials in Health Research*. Arnold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.power import TTestIndPower, TTestPower

from .design_effect import design_effect


def _check(alpha: float, power: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), got {power!r}")


def minimum_detectable_effect(
    n_participants: float,
    n_comparison: float | None = None,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
) -> float:
    """Smallest Cohen's d detectable with the given power.

    Parameters
    ----------
    n_participants
        Participants with a linked follow-up answer.
    n_comparison
        Comparison respondents with a linked follow-up answer; ``None`` for the paired
        (one-sample) design on participants' changes.
    alpha, power
        Significance level and target power.
    alternative
        ``"two-sided"``, ``"larger"`` or ``"smaller"`` (statsmodels' names).

    Returns
    -------
    float
        Minimum detectable d (in SDs of individual change).
    """
    _check(alpha, power)
    if n_participants < 2 or (n_comparison is not None and n_comparison < 2):
        raise ValueError(
            f"need at least 2 respondents per group, got n_participants={n_participants!r}, "
            f"n_comparison={n_comparison!r}"
        )
    if n_comparison is None:
        # TTestPower returns a one-element array here; squeeze it to a scalar.
        solved = TTestPower().solve_power(
            effect_size=None, nobs=n_participants, alpha=alpha, power=power, alternative=alternative
        )
        return float(np.squeeze(solved))
    return float(
        np.squeeze(
            TTestIndPower().solve_power(
                effect_size=None,
                nobs1=n_participants,
                ratio=n_comparison / n_participants,
                alpha=alpha,
                power=power,
                alternative=alternative,
            )
        )
    )


def achieved_power(
    effect_size: float,
    n_participants: float,
    n_comparison: float | None = None,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> float:
    """Power to detect Cohen's d ``effect_size`` (paired design when ``n_comparison`` is None)."""
    if n_comparison is None:
        return float(
            TTestPower().power(
                effect_size=effect_size, nobs=n_participants, alpha=alpha, alternative=alternative
            )
        )
    return float(
        TTestIndPower().power(
            effect_size=effect_size,
            nobs1=n_participants,
            ratio=n_comparison / n_participants,
            alpha=alpha,
            alternative=alternative,
        )
    )


def power_table(
    n_participants: Sequence[int] = (60, 90, 120, 150, 200),
    response_rates: Sequence[float] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    *,
    comparison_ratio: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
    sd_change: float | None = None,
    icc: float | None = None,
    n_organisations: int | None = None,
    cluster_size_cv: float = 0.0,
) -> pd.DataFrame:
    """MDE over planned sample sizes and follow-up response rates, without and with clustering.

    Parameters
    ----------
    n_participants
        Planned participants at baseline.
    response_rates
        Share of baseline respondents with a linked follow-up answer.
    comparison_ratio
        Comparison respondents per participant (60 / 120 = 0.5 in the plan).
    alpha, power
        Significance level (two-sided) and target power.
    sd_change
        SD of individual change in score points; adds ``mde_*_points`` columns.
    icc
        Intraclass correlation of the score within organisations (for example
        :func:`~innocap_analysis.stats.design_effect.icc_oneway` on the baseline); with
        ``n_organisations`` it adds the clustered columns.
    n_organisations
        Organisations (clusters) the linked respondents belong to; ``m`` = linked respondents
        (both groups) / ``n_organisations``, at least 1.
    cluster_size_cv
        Coefficient of variation of the number of respondents per organisation.

    Returns
    -------
    pandas.DataFrame
        One row per (planned n, response rate): ``n_participants_planned``,
        ``n_comparison_planned``, ``response_rate``, ``n_participants_linked``,
        ``n_comparison_linked``, ``mde_d_between_groups`` (difference-in-differences),
        ``mde_d_paired`` (participants' change), and the point versions when ``sd_change``
        is given. With ``icc`` and ``n_organisations`` also ``icc``, ``n_organisations``,
        ``mean_cluster_size``, ``design_effect``, ``n_participants_effective``,
        ``n_comparison_effective`` (linked n / design effect), ``mde_d_between_groups_clustered``,
        ``mde_d_paired_clustered`` (and their point versions).
    """
    _check(alpha, power)
    if (icc is None) != (n_organisations is None):
        raise ValueError("give both icc and n_organisations for the design effect, or neither")
    if n_organisations is not None and n_organisations < 1:
        raise ValueError(f"n_organisations must be >= 1, got {n_organisations!r}")
    grid = pd.MultiIndex.from_product(
        [list(n_participants), list(response_rates)], names=["n_participants_planned", "response_rate"]
    ).to_frame(index=False)
    grid.insert(
        1, "n_comparison_planned", np.round(grid["n_participants_planned"] * comparison_ratio).astype(int)
    )
    grid["n_participants_linked"] = np.floor(grid["n_participants_planned"] * grid["response_rate"]).astype(
        int
    )
    grid["n_comparison_linked"] = np.floor(grid["n_comparison_planned"] * grid["response_rate"]).astype(int)
    # solve_power is a scalar root-finder; one call per cell of a small planning grid.
    grid["mde_d_between_groups"] = [
        minimum_detectable_effect(p, c, alpha=alpha, power=power)
        for p, c in zip(grid["n_participants_linked"], grid["n_comparison_linked"], strict=True)
    ]
    grid["mde_d_paired"] = [
        minimum_detectable_effect(p, alpha=alpha, power=power) for p in grid["n_participants_linked"]
    ]
    if icc is not None:
        linked = grid["n_participants_linked"] + grid["n_comparison_linked"]
        grid["icc"] = float(icc)
        grid["n_organisations"] = int(n_organisations)
        grid["mean_cluster_size"] = np.maximum(linked / n_organisations, 1.0)
        grid["design_effect"] = [design_effect(icc, m, cluster_size_cv) for m in grid["mean_cluster_size"]]
        grid["n_participants_effective"] = grid["n_participants_linked"] / grid["design_effect"]
        grid["n_comparison_effective"] = grid["n_comparison_linked"] / grid["design_effect"]
        grid["mde_d_between_groups_clustered"] = [
            minimum_detectable_effect(p, c, alpha=alpha, power=power)
            for p, c in zip(grid["n_participants_effective"], grid["n_comparison_effective"], strict=True)
        ]
        grid["mde_d_paired_clustered"] = [
            minimum_detectable_effect(p, alpha=alpha, power=power) for p in grid["n_participants_effective"]
        ]
    if sd_change is not None:
        for column in [c for c in grid.columns if c.startswith("mde_d_")]:
            grid[column.replace("mde_d_", "mde_") + "_points"] = grid[column] * sd_change
    return grid
