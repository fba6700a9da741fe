"""Measurement quality of the survey's scales: reliability, discriminant validity, DIF, item-level ordinal models.

The survey-aware side of :mod:`innocap_analysis.stats.reliability`, :mod:`innocap_analysis.stats.validity`,
:mod:`innocap_analysis.stats.dif` and :mod:`innocap_analysis.stats.compare`: items are taken from a loaded
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
from ..stats.dif import DIF_EFFECT_BOUNDS, ordinal_dif
from ..stats.reliability import NanPolicy, cronbach_alpha, item_statistics, mcdonald_omega
from ..stats.validity import HTMT_THRESHOLDS, htmt, scale_correlations
from ..survey import Survey
from ..survey.scoring import reverse_keyed_items, score_dimensions, scores_wide


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


def dimension_validity(survey: Survey, *, role: str = "capability", ci: float = 0.95,
                       min_n: int = config.MIN_CELL_SIZE) -> pd.DataFrame:
    """Do the dimensions measure different things? Correlations, HTMT and Fornell-Larcker per pair of dimensions.

    High alphas (internal consistency) do not show that the four scales are distinct. Per pair of
    dimensions: the Pearson correlation of the respondents' scale scores (Fisher 95% interval) and
    Spearman's rho; the correlation corrected for attenuation by both alphas; the HTMT ratio of the
    item correlations (Henseler, Ringle & Sarstedt 2015); and the Fornell & Larcker (1981) criterion:
    the square root of each scale's average variance extracted (AVE, the mean squared standardised
    loading of a one-factor model, :func:`~innocap_analysis.stats.reliability.mcdonald_omega`) must exceed
    the correlation of the two constructs (here the disattenuated correlation).

    Parameters
    ----------
    min_n
        Minimum cell size (respondents): pairs from fewer are masked (:mod:`innocap_analysis.disclosure`).

    Returns
    -------
    pandas.DataFrame
        ``scale_a, scale_b, n, pearson_r, r_ci_low, r_ci_high, spearman_rho, r_disattenuated, htmt,
        htmt_below_085, htmt_below_090, ave_a, ave_b, fornell_larcker`` (``fornell_larcker`` True when
        both square roots of AVE exceed the disattenuated correlation).
    """
    scored = reverse_keyed_items(survey)
    blocks = {d: [i.id for i in survey.codebook.items_for(dimension=d, role=role)]
              for d in survey.codebook.dimensions}
    blocks = {d: ids for d, ids in blocks.items() if len(ids) >= 3}
    if len(blocks) < 2:
        raise ValueError(f"discriminant validity needs two scales of at least three {role} items; have {blocks}")
    alpha = {d: cronbach_alpha(scored[ids]).alpha for d, ids in blocks.items()}
    ave = {d: float((mcdonald_omega(scored[ids]).loadings ** 2).mean()) for d, ids in blocks.items()}
    wide = scores_wide(score_dimensions(survey), role=role, value="score_0_100")[list(blocks)]
    table = scale_correlations(wide, reliability=alpha, ci=ci)
    ratios = htmt(scored, blocks)
    table = table.merge(ratios, on=["scale_a", "scale_b"], how="left")
    conservative, liberal = HTMT_THRESHOLDS
    table["htmt_below_085"] = table["htmt"] < conservative
    table["htmt_below_090"] = table["htmt"] < liberal
    table["ave_a"] = table["scale_a"].map(ave)
    table["ave_b"] = table["scale_b"].map(ave)
    table["fornell_larcker"] = (np.sqrt(table[["ave_a", "ave_b"]].min(axis=1)) > table["r_disattenuated"].abs())
    return protect_rows(table, keys=["scale_a", "scale_b"], total=None, other_counts=["n"],
                        derived={c: ["n"] for c in ("pearson_r", "r_ci_low", "r_ci_high", "spearman_rho",
                                                    "r_disattenuated")}, min_n=min_n)


def item_dif(
    survey: Survey,
    *,
    reference: str = "public_sector",
    focal: str = "sme",
    group: str = "stakeholder",
    role: str = "capability",
    alpha: float = 0.05,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Differential item functioning of every item of ``role`` between two groups, one scale at a time.

    :func:`~innocap_analysis.stats.dif.ordinal_dif` per dimension (matching criterion: the rest score of the
    dimension's other items, reverse-keyed items recoded), then Holm adjustment over all items of all
    dimensions, and the flag (Holm p below ``alpha`` and a Nagelkerke R-squared change of at least
    0.035, Jodoin & Gierl 2001).

    Parameters
    ----------
    min_n
        Minimum cell size (respondents): items tested on fewer are masked (:mod:`innocap_analysis.disclosure`).

    Returns
    -------
    pandas.DataFrame
        ``dimension`` and the columns of :func:`~innocap_analysis.stats.dif.ordinal_dif`, ``p_holm`` and
        ``flagged`` over the whole family of items.
    """
    scored = reverse_keyed_items(survey)
    groups = survey.responses[group]
    frames = []
    for dimension in survey.codebook.dimensions:
        ids = [i.id for i in survey.codebook.items_for(dimension=dimension, role=role)]
        if len(ids) >= 2:
            frames.append(ordinal_dif(scored[ids], groups, reference=reference, focal=focal, alpha=alpha)
                          .assign(dimension=dimension))
    if not frames:
        raise ValueError(f"no dimension has two or more {role} items to test for DIF")
    table = pd.concat(frames, ignore_index=True)
    table = table[["dimension", *[c for c in table.columns if c != "dimension"]]]
    tested = table["p_dif"].notna().to_numpy()
    table["p_holm"] = np.nan
    if tested.any():
        table.loc[tested, "p_holm"] = multipletests(table.loc[tested, "p_dif"], method="holm")[1]
    table["flagged"] = ((table["p_holm"] < alpha) & (table["delta_r2"] >= DIF_EFFECT_BOUNDS[0])).fillna(False)
    statistics = [c for c in table.select_dtypes("number").columns if c not in ("n", "n_reference", "n_focal")]
    return protect_rows(table, keys=["dimension", "item"], total="n", parts=["n_reference", "n_focal"],
                        derived={c: ["n_reference", "n_focal"] for c in statistics}, min_n=min_n)
