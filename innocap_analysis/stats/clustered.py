"""Intervals when respondents share organisations: cluster-robust means and shares, and the cluster bootstrap.

Several people of one organisation may answer the survey. Their answers are not independent, so
intervals that treat every respondent as a separate draw are too narrow. Each function here takes
a cluster label per observation (the pseudonymised organisation key); without one, every
observation is its own cluster and the results equal the usual independent-sample ones exactly:

* :func:`clustered_means`: group means with the cluster-robust (CR1, Liang & Zeger 1986) standard
  error and a t interval on G - 1 degrees of freedom (G clusters; Cameron & Miller 2015, sec. VI).
  With one observation per cluster it is the t interval of the mean.
* :func:`clustered_shares`: shares with the Wilson interval on the effective sample size
  n / deff (Korn & Graubard 1998), deff the ratio of the cluster-robust to the simple variance,
  truncated at 1. With one observation per cluster it is the Wilson interval.
* :func:`clustered_difference`: the difference of two independent clustered means, with a
  Welch-Satterthwaite t interval whose degrees of freedom count clusters (Welch's interval
  exactly when every cluster is one observation).
* :func:`cluster_bootstrap_counts`: how often each observation is drawn when whole clusters are
  resampled with replacement within strata (Davison & Hinkley 1997, sec. 3.8; Field & Welsh 2007).

References
----------
Liang, K.-Y. & Zeger, S. L. (1986). Longitudinal data analysis using generalized linear models.
    Biometrika 73(1), 13-22.
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    Journal of Human Resources 50(2), 317-372.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small expected
    number of positive counts estimated from survey data. Survey Methodology 24(2), 193-201.
Davison, A. C. & Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge, sec. 3.8.
Field, C. A. & Welsh, A. H. (2007). Bootstrapping clustered data. JRSS B 69(3), 369-390.
Wilson, E. B. (1927). Probable inference. JASA 22(158), 209-212.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

_ALL = "__all__"
_CLUSTER = "__cluster__"


def _frame(frame: pd.DataFrame, value: str, by: Sequence[str], cluster: str | None) -> tuple[pd.DataFrame, list[str]]:
    """The columns needed, valid values only, a cluster column (one per row when ``cluster`` is None)."""
    by = list(by)
    missing = [c for c in [value, *by, *([cluster] if cluster else [])] if c not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} not in the table (have {list(frame.columns)})")
    data = frame[[*by, value]].copy()
    if cluster is None:
        data[_CLUSTER] = np.arange(len(frame))
    else:
        labels = frame[cluster]
        if labels.isna().any():
            rows = np.flatnonzero(labels.isna().to_numpy())[:5].tolist()
            raise ValueError(f"cluster column {cluster!r} is missing for {int(labels.isna().sum())} row(s) "
                             f"(positions {rows}...): give every respondent an organisation, or none")
        data[_CLUSTER] = labels.astype(str).to_numpy()
    data[value] = pd.to_numeric(data[value]).astype("float64")
    data = data[np.isfinite(data[value].to_numpy())]
    if not by:
        data[_ALL] = _ALL
        by = [_ALL]
    return data, by


def clustered_means(
    frame: pd.DataFrame,
    value: str,
    by: Sequence[str] = (),
    *,
    cluster: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mean of ``value`` per group with a cluster-robust (CR1) t interval.

    For a group with n valid values in G clusters, residuals ``e_i = y_i - mean`` and cluster
    sums ``S_c = sum_{i in c} e_i``, the variance of the mean is
    ``V = G / (G - 1) * sum_c S_c**2 / n**2`` (CR1; with one parameter the small-sample factor of
    Stata and ``statsmodels`` reduces to G / (G - 1)), and the interval is
    ``mean +- t_{G-1} sqrt(V)``. With one observation per cluster, ``V = s**2 / n`` and the
    interval is the ordinary t interval of the mean.

    Parameters
    ----------
    frame
        Tidy table.
    value
        Numeric column; missing values are left out.
    by
        Grouping columns (none: one overall row).
    cluster
        Column with the cluster (organisation) of each row; None: every row its own cluster.
    ci
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``*by, n, n_clusters, mean, se, ci_low, ci_high`` (``value`` units); ``se`` and the
        bounds are NaN for fewer than two clusters.
    """
    data, keys = _frame(frame, value, by, cluster)
    groups = data.groupby(keys, observed=True, sort=True)
    n = groups[value].size()
    mean = groups[value].mean()
    residual = data[value] - groups[value].transform("mean")
    sums = residual.groupby([data[k] for k in keys] + [data[_CLUSTER]], observed=True, sort=True).sum()
    level = list(range(len(keys)))
    n_clusters = sums.groupby(level=level, observed=True).size().reindex(n.index)
    squares = (sums**2).groupby(level=level, observed=True).sum().reindex(n.index)
    g = n_clusters.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(g > 1, g / (g - 1) * squares.to_numpy() / n.to_numpy(dtype="float64") ** 2, np.nan)
        half = stats.t.ppf(0.5 + ci / 2, np.where(g > 1, g - 1, np.nan)) * np.sqrt(variance)
    out = pd.DataFrame({"n": n.astype("int64"), "n_clusters": n_clusters.astype("int64"), "mean": mean,
                        "se": np.sqrt(variance)}, index=n.index)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out = out.reset_index()
    return out.drop(columns=_ALL) if _ALL in out else out


def clustered_shares(
    frame: pd.DataFrame,
    flag: str,
    by: Sequence[str] = (),
    *,
    cluster: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Share of true ``flag`` values per group, Wilson interval on the effective sample size.

    The design effect ``deff = V_CR1 / (s**2 / n)`` compares the cluster-robust variance of the
    share (:func:`clustered_means` of the 0/1 values) with the variance of independent answers
    (``s**2`` with ``n - 1`` in the denominator). It is truncated at 1 (Korn & Graubard 1998), so
    clustering never narrows an interval, and is 1 exactly when every cluster is one answer. The
    Wilson (1927) interval is then computed for ``n_aware / deff`` successes out of ``n / deff``.

    Parameters
    ----------
    flag
        Column of booleans (missing: not answered, left out).

    Returns
    -------
    pandas.DataFrame
        ``*by, n, n_clusters, n_true, share, design_effect, ci_low, ci_high`` (shares 0-1).
    """
    data = frame.assign(**{flag: frame[flag].astype("boolean").astype("Float64")})
    means = clustered_means(data, flag, by, cluster=cluster, ci=ci)
    share = means["mean"].to_numpy()
    n = means["n"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        simple = share * (1 - share) * n / (n - 1) / n
        deff = np.where((simple > 0) & np.isfinite(means["se"].to_numpy()), means["se"].to_numpy() ** 2 / simple, 1.0)
    # one answer per cluster: the two variances are the same formula, so deff is 1 (not 1 + rounding)
    deff = np.where(means["n_clusters"].to_numpy() == means["n"].to_numpy(), 1.0, np.maximum(deff, 1.0))
    n_eff = n / deff
    low, high = proportion_confint(share * n_eff, np.where(n_eff > 0, n_eff, 1), alpha=1 - ci, method="wilson")
    out = means.drop(columns=["mean", "se", "ci_low", "ci_high"])
    out["n_true"] = np.rint(share * n).astype("int64")
    out["share"] = share
    out["design_effect"] = deff
    out["ci_low"] = np.where(n > 0, low, np.nan)
    out["ci_high"] = np.where(n > 0, high, np.nan)
    return out


class ClusteredDifference(NamedTuple):
    """Result of :func:`clustered_difference` (NaN where either side has fewer than two clusters)."""

    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float


def clustered_difference(
    a: np.ndarray,
    b: np.ndarray,
    clusters_a: np.ndarray | None = None,
    clusters_b: np.ndarray | None = None,
    *,
    ci: float = 0.95,
) -> ClusteredDifference:
    """``mean(a) - mean(b)`` for two independent samples, each with its own clusters.

    The variance is the sum of the two CR1 variances (:func:`clustered_means`), and the degrees of
    freedom are Welch-Satterthwaite's with ``G_a - 1`` and ``G_b - 1`` in place of ``n - 1``. With
    one observation per cluster this is Welch's (1947) interval and test exactly.

    Returns
    -------
    ClusteredDifference
        ``estimate, se, df, ci_low, ci_high, p_value`` (two-sided t test of no difference).
    """
    parts = []
    for values, clusters in ((a, clusters_a), (b, clusters_b)):
        values = np.asarray(values, dtype="float64")
        frame = pd.DataFrame({"y": values})
        if clusters is not None:
            frame["c"] = np.asarray(clusters).astype(str)
        parts.append(clustered_means(frame, "y", cluster=None if clusters is None else "c", ci=ci).iloc[0])
    va, vb = parts[0]["se"] ** 2, parts[1]["se"] ** 2
    ga, gb = parts[0]["n_clusters"], parts[1]["n_clusters"]
    if not (np.isfinite(va) and np.isfinite(vb)):
        return ClusteredDifference(*(np.nan,) * 6)
    estimate = float(parts[0]["mean"] - parts[1]["mean"])
    se = float(np.sqrt(va + vb))
    with np.errstate(invalid="ignore", divide="ignore"):
        df = float((va + vb) ** 2 / (va**2 / (ga - 1) + vb**2 / (gb - 1)))
    if se == 0:
        return ClusteredDifference(estimate, 0.0, df, estimate, estimate, np.nan)
    half = float(stats.t.ppf(0.5 + ci / 2, df)) * se
    p = float(2 * stats.t.sf(abs(estimate) / se, df))
    return ClusteredDifference(estimate, se, df, estimate - half, estimate + half, p)


def cluster_bootstrap_counts(
    strata: np.ndarray,
    clusters: np.ndarray | None,
    n_resamples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """How often each observation is drawn in each resample of whole clusters within strata.

    Within every stratum the G clusters are drawn G times with replacement (a stratified cluster
    bootstrap, Davison & Hinkley 1997, sec. 3.8): every observation of a drawn cluster comes with
    it, so answers of one organisation stay together and the correlation between the answers of one
    respondent (several dimensions) is kept. A cluster that spans strata is resampled in each
    stratum separately.

    Parameters
    ----------
    strata
        Stratum of each observation (e.g. the partner region); group sizes in clusters are kept.
    clusters
        Cluster (organisation) of each observation; None: every observation its own cluster
        (the ordinary stratified bootstrap).
    n_resamples
        Number of resamples R.
    rng
        Generator; strata are drawn in sorted order, so a seed gives the same counts everywhere.

    Returns
    -------
    numpy.ndarray
        ``(R, n_observations)`` integer counts; a weighted mean with these weights is the
        resampled mean.
    """
    strata = np.asarray(strata).astype(str)
    n = len(strata)
    units = np.arange(n).astype(str) if clusters is None else np.asarray(clusters).astype(str)
    if len(units) != n:
        raise ValueError(f"strata ({n}) and clusters ({len(units)}) differ in length")
    counts = np.zeros((n_resamples, n), dtype=np.int32)
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        labels, index = np.unique(units[rows], return_inverse=True)
        drawn = rng.multinomial(len(labels), np.full(len(labels), 1.0 / len(labels)), size=n_resamples)
        counts[:, rows] = drawn[:, index]
    return counts
