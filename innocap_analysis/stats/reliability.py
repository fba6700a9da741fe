"""Internal consistency of the capability scales: Cronbach's alpha, McDonald's omega, item statistics.

All functions take a wide frame of item scores (one column per item, one row per
respondent, reverse-keyed items already reversed, missing answers as NA) and return
plain numbers or a tidy frame. :func:`reliability_table` applies them to every
capability dimension of a :class:`~innocap_analysis.survey.Survey`.

References
----------
- Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
  Psychometrika 16(3), 297-334.
- Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for
  coefficient alpha. Applied Psychological Measurement 11(1), 93-103.
- McDonald, R. P. (1999). Test theory: a unified treatment. Erlbaum (omega, ch. 6).
- Revelle, W. psych::alpha, R package ``psych`` (pairwise-complete covariances, ``use="pairwise"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.multivariate.factor import Factor

if TYPE_CHECKING:
    pass


NanPolicy = Literal["pairwise", "listwise"]


class AlphaResult(NamedTuple):
    """Cronbach's alpha with its Feldt confidence interval."""

    alpha: float
    ci_low: float
    ci_high: float
    n_obs: int
    n_items: int


class OmegaResult(NamedTuple):
    """McDonald's omega total from a one-factor model, with the standardised loadings."""

    omega: float
    loadings: pd.Series
    uniquenesses: pd.Series
    n_obs: int
    n_items: int


def _numeric_items(items: pd.DataFrame, *, min_items: int = 2) -> pd.DataFrame:
    """Validate the item frame and return it as float64 with NaN for missing answers."""
    if not isinstance(items, pd.DataFrame):
        raise TypeError(f"items must be a pandas DataFrame, got {type(items).__name__}")
    if items.shape[1] < min_items:
        raise ValueError(f"need at least {min_items} item columns, got {list(items.columns)}")
    bad = [c for c in items.columns if not pd.api.types.is_numeric_dtype(items[c])]
    if bad:
        raise TypeError(f"item columns must be numeric codes; non-numeric columns: {bad}")
    return items.astype("float64")


def _covariance(items: pd.DataFrame, nan_policy: NanPolicy) -> tuple[pd.DataFrame, int]:
    """Item covariance matrix and the number of respondents it rests on.

    Respondents with no valid answer at all carry no information and are not counted.
    ``pairwise`` uses every pairwise-complete pair (``DataFrame.cov`` default, as
    ``cov(x, use="pairwise")`` in R); ``listwise`` keeps complete rows only.
    """
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError(f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}")
    data = items.dropna(how="all") if nan_policy == "pairwise" else items.dropna(how="any")
    cov = data.cov()
    if cov.isna().to_numpy().any():
        pairs = cov.stack(future_stack=True)
        missing = pairs[pairs.isna()].index.tolist()
        raise ValueError(f"covariance undefined (fewer than 2 joint answers) for item pairs {missing[:5]}")
    return cov, len(data)


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = cov.sum()
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total))


def feldt_interval(alpha: float, n_obs: int, n_items: int, ci: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) confidence interval for coefficient alpha.

    ``(1 - alpha_hat) / (1 - alpha)`` follows F with ``n - 1`` and ``(n - 1)(k - 1)``
    degrees of freedom, so the bounds are ``1 - (1 - alpha_hat) F_{1-a/2}`` and
    ``1 - (1 - alpha_hat) F_{a/2}``.
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci}")
    df1 = n_obs - 1
    df2 = (n_obs - 1) * (n_items - 1)
    tail = (1 - ci) / 2
    low = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    return float(low), float(high)


def cronbach_alpha(items: pd.DataFrame, nan_policy: NanPolicy = "pairwise", ci: float = 0.95) -> AlphaResult:
    """Cronbach's (1951) coefficient alpha with a Feldt et al. (1987) confidence interval.

    Parameters
    ----------
    items
        One numeric column per item (reverse-keyed items already reversed), one row per respondent,
        NA for no substantive answer.
    nan_policy
        ``"pairwise"``: alpha from the pairwise-complete covariance matrix, as R ``psych::alpha``
        (``use="pairwise"``); ``n_obs`` counts respondents with at least one answer.
        ``"listwise"``: only respondents who answered every item.
    ci
        Confidence level of the interval.

    Returns
    -------
    AlphaResult
        ``alpha = k/(k-1) (1 - tr(C) / sum(C))`` (unitless), the CI bounds, ``n_obs``, ``n_items``.
    """
    data = _numeric_items(items)
    cov, n_obs = _covariance(data, nan_policy)
    if n_obs < 2:
        raise ValueError(f"need at least 2 respondents for alpha, got {n_obs} ({nan_policy})")
    alpha = _alpha_from_cov(cov.to_numpy())
    low, high = feldt_interval(alpha, n_obs, cov.shape[0], ci)
    return AlphaResult(alpha, low, high, n_obs, cov.shape[0])


def mcdonald_omega(items: pd.DataFrame, nan_policy: NanPolicy = "pairwise") -> OmegaResult:
    """McDonald's omega total from a one-factor maximum-likelihood model of the item correlations.

    ``omega = (sum lambda)^2 / ((sum lambda)^2 + sum psi)`` with standardised loadings ``lambda``
    and uniquenesses ``psi = 1 - lambda^2`` (McDonald 1999, eq. 6.20b), fitted with
    :class:`statsmodels.multivariate.factor.Factor` (``method="ml"``) on the pairwise- or
    listwise-complete correlation matrix. Assumes a unidimensional (congeneric) scale with
    reverse-keyed items already reversed; loadings are sign-aligned so that their sum is positive.
    """
    data = _numeric_items(items, min_items=3)
    cov, n_obs = _covariance(data, nan_policy)
    sd = np.sqrt(np.diag(cov.to_numpy()))
    if (sd == 0).any():
        raise ValueError(f"items without variance cannot enter omega: {list(cov.index[sd == 0])}")
    corr = cov.to_numpy() / np.outer(sd, sd)
    # statsmodels draws random starting values for the ML fit; a fixed seed makes omega reproducible
    # to the last digit (unseeded fits differ around the 8th decimal, within the optimiser tolerance).
    fit = Factor(corr=corr, n_factor=1, method="ml", nobs=n_obs).fit(rng=0)
    loadings = np.asarray(fit.loadings)[:, 0]
    loadings = loadings if loadings.sum() >= 0 else -loadings
    uniqueness = np.asarray(fit.uniqueness)
    common = loadings.sum() ** 2
    omega = float(common / (common + uniqueness.sum()))
    return OmegaResult(
        omega,
        pd.Series(loadings, index=cov.index, name="loading"),
        pd.Series(uniqueness, index=cov.index, name="uniqueness"),
        n_obs,
        cov.shape[0],
    )


def item_statistics(items: pd.DataFrame, nan_policy: NanPolicy = "pairwise") -> pd.DataFrame:
    """Item-rest correlation and alpha-if-item-deleted for every item.

    The item-rest (corrected item-total) correlation is computed from the covariance matrix:
    ``cov(x_i, R_i) = sum_j!=i C_ij`` and ``var(R_i) = sum of C over j, l != i``, i.e. the rest
    score is the sum of the other items; with ``pairwise`` missing data this is the same
    moment-based estimate ``psych::alpha`` reports as ``r.drop``. Alpha-if-deleted is alpha of the
    covariance matrix without the item (Cronbach 1951).

    Returns
    -------
    pandas.DataFrame
        Index ``item``; columns ``n_valid`` (answers to the item), ``mean``, ``sd`` (scale units),
        ``item_rest_r``, ``alpha_if_deleted``.
    """
    data = _numeric_items(items, min_items=3)
    cov_df, _ = _covariance(data, nan_policy)
    cov = cov_df.to_numpy()
    row_sums = cov.sum(axis=1)
    diag = np.diag(cov)
    cov_item_rest = row_sums - diag
    var_rest = cov.sum() - 2 * row_sums + diag
    item_rest = cov_item_rest / np.sqrt(diag * var_rest)
    k = cov.shape[0]
    # alpha of each (k-1)-item submatrix: its trace and total follow from the full matrix
    trace_without = np.trace(cov) - diag
    alpha_deleted = (k - 1) / (k - 2) * (1 - trace_without / var_rest) if k > 2 else np.full(k, np.nan)
    used = data.dropna(how="all") if nan_policy == "pairwise" else data.dropna(how="any")
    return pd.DataFrame(
        {
            "n_valid": used.notna().sum().astype("int64"),
            "mean": used.mean(),
            "sd": used.std(),
            "item_rest_r": item_rest,
            "alpha_if_deleted": alpha_deleted,
        },
        index=pd.Index(cov_df.index, name="item"),
    )
