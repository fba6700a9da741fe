"""Do the scales measure different things? Inter-scale correlations and discriminant validity (HTMT).

High reliability of each scale (alpha about 0.9) says nothing about whether two scales measure
different constructs. Two checks, both on item-level data with reverse-keyed items already recoded:

* :func:`scale_correlations`: Pearson correlation of the scale scores with its Fisher-z interval
  (:func:`scipy.stats.pearsonr`), Spearman's rho, and the correlation corrected for attenuation
  ``r / sqrt(alpha_a alpha_b)`` (Spearman 1904), an estimate of the correlation of the true scores.
* :func:`htmt`: the heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt 2015):
  the mean correlation between the items of two scales over the geometric mean of the mean
  correlations within each scale. For items that measure their construct equally well
  (tau-equivalent), it equals the correlation of the two constructs. Values above 0.85 (Kline
  2011; Henseler et al. 2015, conservative) or 0.90 (liberal) mean the two scales are not
  empirically distinct.

References
----------
Henseler, J., Ringle, C. M. & Sarstedt, M. (2015). A new criterion for assessing discriminant
    validity in variance-based structural equation modeling. Journal of the Academy of Marketing
    Science 43(1), 115-135 (eq. 6; thresholds 0.85 and 0.90).
Fornell, C. & Larcker, D. F. (1981). Evaluating structural equation models with unobservable
    variables and measurement error. Journal of Marketing Research 18(1), 39-50.
Spearman, C. (1904). The proof and measurement of association between two things. American
    Journal of Psychology 15(1), 72-101 (correction for attenuation).
Kline, R. B. (2011). Principles and Practice of Structural Equation Modeling, 3rd ed., Guilford.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

#: HTMT thresholds of Henseler et al. (2015): conservative (Kline 2011) and liberal (Gold et al. 2001).
HTMT_THRESHOLDS: tuple[float, float] = (0.85, 0.90)


def htmt_from_correlation(correlation: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """HTMT of every pair of blocks from an item correlation matrix (Henseler et al. 2015, eq. 6).

    ``HTMT_ij = mean(r between items of i and items of j) / sqrt(mean(r within i) * mean(r within j))``,
    the within-block means over distinct item pairs.

    Parameters
    ----------
    correlation
        Item-by-item correlation matrix (labelled rows and columns).
    blocks
        Scale -> its item labels (at least two items each).

    Returns
    -------
    pandas.DataFrame
        ``scale_a, scale_b, htmt`` for each pair of scales in the order of ``blocks``.
    """
    r = correlation.astype("float64")
    within = {}
    for name, items in blocks.items():
        items = list(items)
        if len(items) < 2:
            raise ValueError(f"scale {name!r} needs at least two items for HTMT, has {items}")
        missing = [i for i in items if i not in r.index]
        if missing:
            raise KeyError(f"items {missing} of scale {name!r} are not in the correlation matrix")
        block = r.loc[items, items].to_numpy()
        within[name] = block[np.triu_indices(len(items), k=1)].mean()
    rows = []
    for a, b in combinations(blocks, 2):
        between = r.loc[list(blocks[a]), list(blocks[b])].to_numpy().mean()
        product = within[a] * within[b]
        rows.append((a, b, between / np.sqrt(product) if product > 0 else np.nan))
    return pd.DataFrame(rows, columns=["scale_a", "scale_b", "htmt"])


def htmt(items: pd.DataFrame, blocks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """HTMT of every pair of scales, from item answers (pairwise-complete Pearson correlations).

    Parameters
    ----------
    items
        One column per item, one row per respondent, reverse-keyed items recoded, NaN for no answer.
    blocks
        Scale -> its item columns.

    Returns
    -------
    pandas.DataFrame
        ``scale_a, scale_b, htmt`` (see :func:`htmt_from_correlation`).
    """
    columns = [c for items_ in blocks.values() for c in items_]
    return htmt_from_correlation(items[columns].astype("float64").corr(), blocks)


def scale_correlations(
    scores: pd.DataFrame,
    *,
    reliability: Mapping[str, float] | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Pairwise correlations of scale scores, with Fisher-z intervals and the disattenuated correlation.

    Parameters
    ----------
    scores
        One column per scale, one row per respondent (NaN: not scored); pairs use the respondents
        scored on both.
    reliability
        Scale -> reliability (e.g. Cronbach's alpha) for the correction for attenuation.
    ci
        Confidence level of the Pearson interval.

    Returns
    -------
    pandas.DataFrame
        ``scale_a, scale_b, n, pearson_r, r_ci_low, r_ci_high, spearman_rho, r_disattenuated``.
    """
    rows = []
    for a, b in combinations(scores.columns, 2):
        pair = scores[[a, b]].astype("float64").dropna()
        if len(pair) < 4:
            rows.append((a, b, len(pair), *(np.nan,) * 5))
            continue
        result = stats.pearsonr(pair[a], pair[b])
        interval = result.confidence_interval(confidence_level=ci)
        rho = stats.spearmanr(pair[a], pair[b]).statistic
        corrected = np.nan
        if reliability is not None and a in reliability and b in reliability:
            corrected = result.statistic / np.sqrt(reliability[a] * reliability[b])
        rows.append((a, b, len(pair), result.statistic, interval.low, interval.high, rho, corrected))
    return pd.DataFrame(rows, columns=["scale_a", "scale_b", "n", "pearson_r", "r_ci_low", "r_ci_high",
                                       "spearman_rho", "r_disattenuated"])
