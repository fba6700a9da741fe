"""Wave-1 baselines of the programme's survey result indicators (public-sector capability per need).

The application's result indicators are the public sector's capability scores (0-100) in the four
dimensions the programme trains. Their wave-1 baseline is the mean over the wave-1 respondents, with
a t interval, and the standard deviation that converts a minimum detectable effect in SDs into
score points (:func:`points_per_sd`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

from .. import config
from ..disclosure import suppress_small_cells


def result_baselines(
    scores: pd.DataFrame,
    *,
    stakeholders: Sequence[str] = ("public_sector",),
    role: str = "capability",
    by: Sequence[str] = (),
    confidence_level: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Mean, SD and t interval of one role's 0-100 scores per dimension (and ``by`` group).

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
    confidence_level
        Of the t interval.
    min_n
        Groups with fewer valid scores are masked.

    Returns
    -------
    pandas.DataFrame
        ``<by>..., dimension, n, mean, sd, ci_low, ci_high`` (0-100 points; ``sd`` with ddof 1) and
        ``suppressed``.
    """
    missing = [c for c in ("dimension", "role", "stakeholder", "score_0_100", *by) if c not in scores.columns]
    if missing:
        raise KeyError(f"scores lack columns {missing} (have {list(scores.columns)})")
    keep = (scores["role"].astype("string").eq(role) & scores["stakeholder"].astype("string").isin(list(stakeholders))
            & scores["score_0_100"].notna()).fillna(False).to_numpy()
    part = scores[keep].assign(dimension=lambda d: d["dimension"].astype(str))
    keys = [*by, "dimension"]
    rows = []
    for key, group in part.groupby(keys, sort=True, observed=True):  # a handful of groups
        values = group["score_0_100"].to_numpy(dtype=float)
        stats = DescrStatsW(values)
        low, high = stats.tconfint_mean(alpha=1 - confidence_level) if len(values) > 1 else (np.nan, np.nan)
        rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                     "n": len(values), "mean": float(values.mean()),
                     "sd": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                     "ci_low": float(low), "ci_high": float(high)})
    table = pd.DataFrame(rows, columns=[*keys, "n", "mean", "sd", "ci_low", "ci_high"])
    return suppress_small_cells(table, min_n=min_n)


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
