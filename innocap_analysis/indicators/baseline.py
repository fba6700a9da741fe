"""Wave-1 baselines of the programme's survey result indicators (public-sector capability per need).

The application's result indicators are the public sector's capability scores (0-100) in the four
dimensions the programme trains. Their wave-1 baseline is the mean over the wave-1 respondents, with
a cluster-robust t interval when respondents share organisations
(:func:`~innocap_analysis.stats.clustered.clustered_means`), and the standard deviation that converts
a minimum detectable effect in SDs into score points (:func:`points_per_sd`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import config
from ..disclosure import protect_groups, protect_rows
from ..stats.clustered import clustered_means
from .demand_supply import resolve_cluster


def result_baselines(
    scores: pd.DataFrame,
    *,
    stakeholders: Sequence[str] = ("public_sector",),
    role: str = "capability",
    by: Sequence[str] = (),
    cluster: str | None = "auto",
    confidence_level: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Mean, SD and cluster-robust t interval of one role's 0-100 scores per dimension (and ``by`` group).

    Parameters
    ----------
    scores
        Tidy scores of :func:`~innocap_analysis.survey.scoring.score_dimensions` (``dimension``,
        ``role``, ``stakeholder``, ``score_0_100`` and the ``by`` columns).
    stakeholders
        Stakeholder types whose answers count.
    role
        Item role (``capability``: the organisation's current level).
    by
        Extra grouping (for example ``("region",)``); none pools every respondent.
    cluster
        ``"auto"``: the organisation key when the scores have one (:func:`~.demand_supply.resolve_cluster`),
        else every respondent its own cluster (the ordinary t interval); a column name; or None.
    confidence_level
        Of the t interval.
    min_n
        Groups with fewer valid scores are masked.

    Returns
    -------
    pandas.DataFrame
        ``<by>..., dimension, n, n_clusters, mean, sd, ci_low, ci_high`` (0-100 points; ``sd`` of the
        respondents, ddof 1) and ``suppressed``.
    """
    missing = [c for c in ("dimension", "role", "stakeholder", "score_0_100", *by) if c not in scores.columns]
    if missing:
        raise KeyError(f"scores lack columns {missing} (have {list(scores.columns)})")
    keep = (scores["role"].astype("string").eq(role) & scores["stakeholder"].astype("string").isin(list(stakeholders))
            & scores["score_0_100"].notna()).fillna(False).to_numpy()
    part = scores[keep].assign(dimension=lambda d: d["dimension"].astype(str))
    keys = [*by, "dimension"]
    means = clustered_means(part, "score_0_100", keys, cluster=resolve_cluster(part, cluster), ci=confidence_level)
    sd = part.groupby(keys, observed=True, sort=True)["score_0_100"].std(ddof=1).rename("sd").reset_index()
    table = means.drop(columns="se").merge(sd, on=keys, how="left")
    table = table[[*keys, "n", "n_clusters", "mean", "sd", "ci_low", "ci_high"]]
    if by:  # groups below min_n masked, with secondary suppression across the groups of each dimension
        table = protect_groups(table, list(by), within=["dimension"], counts=["n"], min_n=min_n)
    # and (pooled or not) a mean of fewer respondents or organisations is masked
    statistics = ["mean", "sd", "ci_low", "ci_high"]
    return protect_rows(table, keys=keys, total=None, other_counts=["n", "n_clusters"],
                        derived={c: ["n", "n_clusters"] for c in statistics}, min_n=min_n)


def points_per_sd(sd_level: float, retest_correlation: float = 0.5) -> float:
    """The SD of individual change (score points) implied by the SD of the level.

    ``SD(change) = SD(level) * sqrt(2 * (1 - r))`` for two waves of equal variance with
    test-retest correlation ``r``; at ``r = 0.5`` the SD of change equals the SD of the level. The
    SD of change is only known once the follow-up exists: this is the planning conversion of a
    minimum detectable d into points.
    """
    if not -1 <= retest_correlation < 1:
        raise ValueError(f"retest_correlation must be in [-1, 1), got {retest_correlation!r}")
    return float(sd_level * np.sqrt(2 * (1 - retest_correlation)))
