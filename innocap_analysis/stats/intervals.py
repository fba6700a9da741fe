"""Confidence intervals used across the package, each written once.

* :func:`bootstrap_interval`: the bootstrap BCa interval of a statistic (Efron 1987), with the
  percentile interval as a named fallback where BCa is degenerate.
* :func:`welch_difference`: Welch's (1947) interval and test for a difference of two means, with
  Cohen's d and Hedges' g on the pooled standard deviation.

References
----------
- Efron, B. (1987). Better bootstrap confidence intervals. *JASA*, 82(397), 171-185.
- Welch, B. L. (1947). The generalization of 'Student's' problem when several different population
  variances are involved. *Biometrika*, 34, 28-35.
- Hedges, L. V. & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*, eq. 5.4.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import stats


class BootstrapInterval(NamedTuple):
    """A bootstrap interval and the method that produced it (``BCa``, ``percentile`` or ``undefined``)."""

    low: float
    high: float
    method: str


def _mean(sample: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(sample, axis=axis)


def bootstrap_interval(
    values: np.ndarray,
    statistic: Callable[..., np.ndarray] = _mean,
    *,
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    rng: int | np.random.Generator = 0,
    fallback: bool = True,
) -> BootstrapInterval:
    """Bootstrap BCa interval of ``statistic`` over one sample, via :func:`scipy.stats.bootstrap`.

    Parameters
    ----------
    values
        The sample (one dimension).
    statistic
        Vectorised statistic ``f(sample, axis=-1)``; default the mean.
    confidence_level
        Of the interval.
    n_resamples
        Bootstrap resamples.
    rng
        A seed (each attempt starts a fresh generator from it, so the interval of a group does
        not depend on the groups before it) or a generator (shared, advanced by each call).
    fallback
        Where BCa is degenerate (its acceleration is undefined when every jackknife replicate is
        equal, as for the median of coarse Likert codes) give the percentile interval instead,
        named in :attr:`BootstrapInterval.method`. Without it a degenerate BCa gives NaN.

    Returns
    -------
    BootstrapInterval
        NaN bounds and method ``undefined`` for fewer than 3 values or no variation.
    """
    values = np.asarray(values, dtype=float)
    if values.size < 3 or np.ptp(values) == 0:
        return BootstrapInterval(np.nan, np.nan, "undefined")
    for method in ("BCa", "percentile") if fallback else ("BCa",):
        generator = np.random.default_rng(rng) if isinstance(rng, int | np.integer) else rng
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=stats.DegenerateDataWarning)
            warnings.simplefilter("ignore", category=RuntimeWarning)
            result = stats.bootstrap(
                (values,),
                statistic,
                confidence_level=confidence_level,
                n_resamples=n_resamples,
                method=method,
                vectorized=True,
                rng=generator,
            )
        low, high = result.confidence_interval
        if np.isfinite(low) and np.isfinite(high) or not fallback:
            return BootstrapInterval(float(low), float(high), method)
    return BootstrapInterval(np.nan, np.nan, "undefined")


class WelchDifference(NamedTuple):
    """Result of :func:`welch_difference` (all NaN when either sample has fewer than 2 values)."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    cohens_d: float
    hedges_g: float


def welch_difference(a: np.ndarray, b: np.ndarray, confidence_level: float = 0.95) -> WelchDifference:
    """Difference of means ``mean(a) - mean(b)`` with Welch's interval and two-sided test.

    Parameters
    ----------
    a, b
        The two samples (independent; unequal variances allowed).
    confidence_level
        Of the interval.

    Returns
    -------
    WelchDifference
        ``estimate`` (units of the values), ``ci_low``, ``ci_high``, ``p_value`` (Welch t-test,
        :func:`scipy.stats.ttest_ind` with ``equal_var=False``), ``cohens_d`` (difference over the
        pooled SD) and ``hedges_g`` (``cohens_d`` times the small-sample factor
        ``1 - 3 / (4 (n_a + n_b) - 9)``; Hedges & Olkin 1985, eq. 5.4). Effect sizes are NaN
        when the pooled SD is 0.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size < 2 or b.size < 2:
        return WelchDifference(*(np.nan,) * 6)
    test = stats.ttest_ind(a, b, equal_var=False)
    ci = test.confidence_interval(confidence_level)
    difference = a.mean() - b.mean()
    pooled = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2))
    correction = 1 - 3 / (4 * (a.size + b.size) - 9)
    cohens_d = difference / pooled if pooled > 0 else np.nan
    hedges_g = correction * difference / pooled if pooled > 0 else np.nan
    return WelchDifference(difference, ci.low, ci.high, test.pvalue, cohens_d, hedges_g)
