"""Measurement quality of the survey's scales: reliability per dimension and item-level ordinal models.

The survey-aware side of :mod:`innocap_analysis.stats.reliability` and
:mod:`innocap_analysis.stats.compare`: items are taken from a loaded
:class:`~innocap_analysis.survey.Survey` and reverse-keyed first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from .. import config
from ..disclosure import protect_rows
from ..stats.compare import ordinal_odds_ratios
from ..stats.reliability import NanPolicy, cronbach_alpha, item_statistics, mcdonald_omega
from ..survey import Survey
from ..survey.scoring import reverse_keyed_items


def reliability_table(
    survey: Survey, *, role: str = "capability", nan_policy: NanPolicy = "pairwise", ci: float = 0.95
) -> pd.DataFrame:
    """One row per dimension: alpha with Feldt CI, omega total, item count and weakest item.

    Items of ``role`` (default the capability items) are reverse-keyed first
    (:func:`innocap_analysis.scoring.reverse_keyed_items`).

    Returns
    -------
    pandas.DataFrame
        Columns ``dimension, n_items, n_obs, alpha, alpha_ci_low, alpha_ci_high, omega,
        min_item_rest_r, weakest_item``.
    """
    scored = reverse_keyed_items(survey)
    rows = []
    for dimension in survey.codebook.dimensions:
        ids = [item.id for item in survey.codebook.items_for(dimension=dimension, role=role)]
        if len(ids) < 2:
            continue
        block = scored[ids]
        a = cronbach_alpha(block, nan_policy=nan_policy, ci=ci)
        omega = mcdonald_omega(block, nan_policy=nan_policy).omega if len(ids) >= 3 else np.nan
        item_stats = item_statistics(block, nan_policy=nan_policy) if len(ids) >= 3 else None
        rows.append(
            {
                "dimension": dimension,
                "n_items": a.n_items,
                "n_obs": a.n_obs,
                "alpha": a.alpha,
                "alpha_ci_low": a.ci_low,
                "alpha_ci_high": a.ci_high,
                "omega": omega,
                "min_item_rest_r": np.nan if item_stats is None else item_stats["item_rest_r"].min(),
                "weakest_item": pd.NA if item_stats is None else item_stats["item_rest_r"].idxmin(),
            }
        )
    return pd.DataFrame(rows)


def ordinal_odds_ratios_by_item(
    survey: Survey,
    role: str = "capability",
    covariates: Sequence[str] = ("region", "stakeholder"),
    *,
    ci: float = 0.95,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """:func:`ordinal_odds_ratios` for every item of ``role``, on reverse-keyed codes.

    Reverse-keyed items are recoded first (:func:`innocap_analysis.scoring.reverse_keyed_items`),
    so an odds ratio above 1 always means a higher capability (importance, supply) than in the
    reference group. For a reverse-keyed item this is the reciprocal of the odds ratio of the codes
    as answered (the logistic distribution is symmetric). Holm and BH adjusted p-values over all
    items and terms are added (``p_holm``, ``p_bh``). The respondent counts get the threshold rule, and
    the estimates of a level with a masked count are masked (:func:`~innocap_analysis.disclosure.protect_rows`).
    """
    items = [item.id for item in survey.codebook.items_for(role=role)]
    if not items:
        raise ValueError(f"codebook has no items with role {role!r}")
    codes = reverse_keyed_items(survey)[items]
    data = pd.concat([survey.responses[list(covariates)], codes], axis=1)
    table = pd.concat([ordinal_odds_ratios(data, item, covariates, ci=ci) for item in items], ignore_index=True)
    table["p_holm"] = multipletests(table["p_value"], method="holm")[1]
    table["p_bh"] = multipletests(table["p_value"], method="fdr_bh")[1]
    estimates = ["odds_ratio", "ci_low", "ci_high", "p_value", "p_holm", "p_bh"]
    return protect_rows(table, keys=["item", "covariate", "level"], total=None,
                        other_counts=["n", "n_missing", "n_level"],
                        derived={column: ["n_level"] for column in estimates}, min_n=min_n)
