"""Clustering: the intraclass correlation of a score within clusters, and the design effect it implies.

Respondents who share an organisation answer more alike than two respondents drawn at random, so
``n`` clustered respondents carry the information of fewer independent ones. The design effect
(Kish 1965, section 5.4) is the factor by which clustering inflates the variance of a mean:

    deff = 1 + ((cv**2 + 1) * m - 1) * ICC

with ``m`` the mean number of respondents per cluster, ``cv`` the coefficient of variation of the
cluster sizes (Eldridge, Ashby & Kerry 2006, eq. 3; ``cv = 0`` gives Kish's ``1 + (m - 1) * ICC``)
and ICC the intraclass correlation. The effective sample size is ``n / deff``.

:func:`icc_oneway` estimates the ICC from one-way analysis of variance, ICC(1) of Shrout & Fleiss
(1979), with the average cluster size ``n0`` of Snedecor & Cochran for unequal clusters, and its
F-based interval (Searle 1971; exact for equal clusters, approximate otherwise: Donner & Wells 1986).
:func:`icc_reml` is the peer estimate, the variance ratio of a random-intercept model fitted by REML
(:class:`statsmodels.regression.mixed_linear_model.MixedLM`); for equal clusters and a positive
estimate the two agree exactly.

References
----------
Kish, L. (1965). *Survey Sampling*. Wiley, section 5.4.
Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
    *Psychological Bulletin* 86(2), 420-428 (ICC(1), "case 1").
Searle, S. R. (1971). *Linear Models*. Wiley, section 9.7 (interval for the variance ratio).
Donner, A. & Wells, G. (1986). A comparison of confidence interval methods for the intraclass
    correlation coefficient. *Biometrics* 42(2), 401-412.
Donner, A. & Klar, N. (2000). *Design and Analysis of Cluster Randomization Trials in Health
    Research*. Arnold, ch. 5 (sample size inflated by the design effect).
Eldridge, S. M., Ashby, D. & Kerry, S. (2006). Sample size for cluster randomized trials: effect of
    coefficient of variation of cluster size and analysis method. *International Journal of
    Epidemiology* 35(5), 1292-1300.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM


class IntraclassCorrelation(NamedTuple):
    """One-way ANOVA estimate of the intraclass correlation (:func:`icc_oneway`).

    Attributes
    ----------
    icc
        ICC(1) = (MSB - MSW) / (MSB + (n0 - 1) MSW); can be negative when clusters differ less than
        chance would make them.
    ci_low, ci_high
        F-based confidence interval (Searle 1971), at the requested level.
    n_obs, n_clusters
        Observations and clusters used (missing values dropped).
    n0
        The average cluster size of the ANOVA estimator, (N - sum n_i**2 / N) / (k - 1).
    mean_cluster_size, cluster_size_cv
        Mean number of observations per cluster, and the coefficient of variation (SD / mean,
        population SD) of the cluster sizes.
    ms_between, ms_within, f_statistic, p_value
        The ANOVA: mean squares between and within clusters, F = MSB / MSW, and its upper-tail
        p-value on (k - 1, N - k) degrees of freedom (H0: ICC = 0).
    """

    icc: float
    ci_low: float
    ci_high: float
    n_obs: int
    n_clusters: int
    n0: float
    mean_cluster_size: float
    cluster_size_cv: float
    ms_between: float
    ms_within: float
    f_statistic: float
    p_value: float


def _clean(values: np.ndarray | pd.Series, clusters: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(values, dtype=float)
    groups = pd.Series(np.asarray(clusters, dtype=object))
    if y.shape != groups.shape:
        raise ValueError(f"values and clusters differ in length: {y.shape[0]} and {groups.shape[0]}")
    keep = np.isfinite(y) & groups.notna().to_numpy()
    codes, _ = pd.factorize(groups[keep], sort=True)
    return y[keep], codes


def icc_oneway(
    values: np.ndarray | pd.Series,
    clusters: np.ndarray | pd.Series,
    *,
    confidence_level: float = 0.95,
) -> IntraclassCorrelation:
    """Intraclass correlation of ``values`` within ``clusters`` by one-way ANOVA (ICC(1)).

    Parameters
    ----------
    values
        One score per observation (any unit; the ICC is unit-free). Missing values are dropped.
    clusters
        The cluster of each observation (for example a pseudonymised organisation key); rows with
        a missing cluster are dropped.
    confidence_level
        Of the F-based interval.

    Returns
    -------
    IntraclassCorrelation

    Raises
    ------
    ValueError
        With fewer than two clusters, no cluster holding two observations, or no variation
        within clusters (the estimator is undefined).

    Notes
    -----
    For clusters of equal size ``n`` the estimator is Shrout & Fleiss's ICC(1,1) and the interval
    is exact under normality; for unequal clusters ``n0`` replaces ``n`` and the interval is the
    usual approximation (Donner & Wells 1986), adequate for planning.
    """
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be in (0, 1), got {confidence_level!r}")
    y, codes = _clean(values, clusters)
    sizes = np.bincount(codes).astype(float)
    k, n = len(sizes), len(y)
    if k < 2 or n - k < 1:
        raise ValueError(f"the ICC needs at least two clusters and one cluster of two or more; got {n} "
                         f"observation(s) in {k} cluster(s)")
    means = np.bincount(codes, weights=y) / sizes
    grand = y.mean()
    ss_between = float(np.sum(sizes * (means - grand) ** 2))
    ss_within = float(np.sum((y - means[codes]) ** 2))
    if ss_within <= 0:
        raise ValueError("no variation within clusters: the ICC is undefined")
    ms_between, ms_within = ss_between / (k - 1), ss_within / (n - k)
    n0 = (n - np.sum(sizes**2) / n) / (k - 1)
    icc = (ms_between - ms_within) / (ms_between + (n0 - 1) * ms_within)
    f_stat = ms_between / ms_within
    alpha = 1 - confidence_level
    f_low = f_stat / stats.f.ppf(1 - alpha / 2, k - 1, n - k)
    f_high = f_stat * stats.f.ppf(1 - alpha / 2, n - k, k - 1)
    return IntraclassCorrelation(
        icc=float(icc),
        ci_low=float((f_low - 1) / (f_low + n0 - 1)),
        ci_high=float((f_high - 1) / (f_high + n0 - 1)),
        n_obs=int(n),
        n_clusters=int(k),
        n0=float(n0),
        mean_cluster_size=float(sizes.mean()),
        cluster_size_cv=float(sizes.std() / sizes.mean()),
        ms_between=float(ms_between),
        ms_within=float(ms_within),
        f_statistic=float(f_stat),
        p_value=float(stats.f.sf(f_stat, k - 1, n - k)),
    )


def icc_reml(values: np.ndarray | pd.Series, clusters: np.ndarray | pd.Series) -> float:
    """ICC as the variance ratio of a random-intercept model fitted by REML (the peer of :func:`icc_oneway`).

    ``sigma_cluster**2 / (sigma_cluster**2 + sigma_residual**2)`` from
    :class:`statsmodels.regression.mixed_linear_model.MixedLM` (intercept only, one random
    intercept per cluster). REML keeps the cluster variance at or above zero, so where the
    ANOVA estimate is negative this one is zero or near it. Convergence warnings of the optimiser
    (which occur when the cluster variance sits on that boundary) are silenced; the estimate is
    returned as fitted.
    """
    y, codes = _clean(values, clusters)
    if len(np.unique(codes)) < 2:
        raise ValueError("the ICC needs at least two clusters")
    model = MixedLM(y, np.ones((len(y), 1)), groups=codes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True)
    between = float(np.asarray(fit.cov_re).squeeze())
    return between / (between + float(fit.scale))


def design_effect(icc: float, mean_cluster_size: float, cluster_size_cv: float = 0.0) -> float:
    """Design effect of clustering, ``1 + ((cv**2 + 1) * m - 1) * ICC`` (Kish 1965; Eldridge et al. 2006).

    Parameters
    ----------
    icc
        Intraclass correlation; a negative estimate is taken as 0 (clustering is never assumed to
        help), so the design effect is at least 1 whenever ``m >= 1``.
    mean_cluster_size
        Mean observations per cluster (``m`` >= 1).
    cluster_size_cv
        Coefficient of variation of the cluster sizes (0 for equal clusters).

    Returns
    -------
    float
        The factor by which clustering inflates the variance of a mean; divide ``n`` by it for the
        effective sample size.
    """
    if not -1 <= icc <= 1:
        raise ValueError(f"icc must be in [-1, 1], got {icc!r}")
    if not mean_cluster_size >= 1:
        raise ValueError(f"mean_cluster_size must be >= 1, got {mean_cluster_size!r}")
    if not cluster_size_cv >= 0:
        raise ValueError(f"cluster_size_cv must be >= 0, got {cluster_size_cv!r}")
    return float(1 + ((cluster_size_cv**2 + 1) * mean_cluster_size - 1) * max(icc, 0.0))
