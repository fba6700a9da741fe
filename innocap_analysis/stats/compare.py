"""Group comparisons of scores and items: rank tests, effect sizes, bootstrap CIs, ordinal models.

Inputs are tidy frames (for example the output of
:func:`innocap_analysis.survey.scoring.score_dimensions`) with a numeric value column and a
categorical group column. Rows with a missing value or group are not used; how many
were left out is reported in ``n_missing``. Every table that describes groups of
respondents carries ``n`` per group and is passed through
:mod:`innocap_analysis.disclosure` before it is returned.

References
----------
- Kruskal, W. H. & Wallis, W. A. (1952). JASA 47(260), 583-621.
- Tomczak, M. & Tomczak, E. (2014). The need to report effect size estimates revisited.
  Trends in Sport Sciences 1(21), 19-25 (epsilon-squared, eta-squared-H).
- Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics 6(3), 241-252.
- Cliff, N. (1993). Dominance statistics. Psychological Bulletin 114(3), 494-509.
- Holm, S. (1979). Scand. J. Statistics 6, 65-70; Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300.
- Efron, B. (1987). Better bootstrap confidence intervals. JASA 82(397), 171-185 (BCa).
- McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42(2), 109-142 (proportional odds).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.stats.multitest import multipletests

from .. import config
from ..disclosure import protect_groups, protect_pairs, protect_rows
from .intervals import bootstrap_interval

PairwiseMethod = Literal["mannwhitney", "dunn"]


def _clean_groups(data: pd.DataFrame, value: str, group: str) -> tuple[dict[str, np.ndarray], int]:
    """Values per observed group (codebook order for Categoricals) and the number of unusable rows."""
    for column in (value, group):
        if column not in data.columns:
            raise KeyError(f"column {column!r} not in data (columns: {list(data.columns)})")
    if not pd.api.types.is_numeric_dtype(data[value]):
        raise TypeError(f"value column {value!r} must be numeric, got {data[value].dtype}")
    usable = data[value].notna() & data[group].notna()
    subset = data.loc[usable, [group, value]]
    grouped = subset.groupby(group, observed=True, sort=True)[value]
    groups = {str(name): values.to_numpy(dtype="float64") for name, values in grouped}
    return groups, int((~usable).sum())


def epsilon_squared(h: float, n: int) -> float:
    """Epsilon-squared for Kruskal-Wallis H, ``H / ((n^2 - 1) / (n + 1))`` (Tomczak & Tomczak 2014)."""
    return float(h / ((n**2 - 1) / (n + 1)))


def eta_squared_h(h: float, n: int, k: int) -> float:
    """Eta-squared based on H, ``(H - k + 1) / (n - k)`` (Tomczak & Tomczak 2014)."""
    return float((h - k + 1) / (n - k))


def kruskal_wallis(data: pd.DataFrame, value: str, group: str) -> pd.Series:
    """Kruskal-Wallis H test (tie-corrected, :func:`scipy.stats.kruskal`) with effect sizes.

    Returns
    -------
    pandas.Series
        ``n`` (used rows), ``n_missing``, ``k`` (groups with data), ``min_group_n``, ``H``,
        ``df``, ``p_value``, ``epsilon_squared``, ``eta_squared_h`` (both unitless, 0-1).
    """
    groups, n_missing = _clean_groups(data, value, group)
    if len(groups) < 2:
        raise ValueError(f"Kruskal-Wallis needs at least 2 groups of {group!r} with data, got {list(groups)}")
    sizes = [len(v) for v in groups.values()]
    n, k = sum(sizes), len(groups)
    h, p = stats.kruskal(*groups.values())
    return pd.Series(
        {
            "n": n,
            "n_missing": n_missing,
            "k": k,
            "min_group_n": min(sizes),
            "H": float(h),
            "df": k - 1,
            "p_value": float(p),
            "epsilon_squared": epsilon_squared(h, n),
            "eta_squared_h": eta_squared_h(h, n, k),
        }
    )


def kruskal_by(
    data: pd.DataFrame,
    value: str,
    group: str,
    by: Sequence[str] = ("dimension", "role"),
    *,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """:func:`kruskal_wallis` for every combination of the ``by`` columns, as one tidy table.

    A Holm and a Benjamini-Hochberg adjusted p-value across the family of tests are added
    (``p_holm``, ``p_bh``; :func:`statsmodels.stats.multitest.multipletests`). The respondent counts
    (``n``, ``n_missing``, ``min_group_n``) get the threshold rule
    (:func:`~innocap_analysis.disclosure.protect_rows`).
    """
    by = list(by)
    results = {key: kruskal_wallis(part, value, group) for key, part in data.groupby(by, observed=True, sort=True)}
    table = pd.DataFrame.from_dict(results, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=by) if len(by) > 1 else table.index.rename(by[0])
    table = table.reset_index()
    counts = ["n", "n_missing", "k", "min_group_n", "df"]
    table[counts] = table[counts].astype("int64")  # from_dict made every statistic float
    table["p_holm"] = multipletests(table["p_value"], method="holm")[1]
    table["p_bh"] = multipletests(table["p_value"], method="fdr_bh")[1]
    return protect_rows(table, keys=by, total=None, other_counts=["n", "n_missing", "min_group_n"], min_n=min_n)


def cliffs_delta(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series) -> float:
    """Cliff's (1993) delta, ``P(X > Y) - P(X < Y)`` over all ``len(x) * len(y)`` pairs.

    Computed from the joint ranks as ``2 U / (n_x n_y) - 1`` with the Mann-Whitney
    ``U = R_x - n_x (n_x + 1) / 2`` (ties count one half), which equals the pair count
    exactly but needs O(n log n) time and O(n) memory instead of the n_x * n_y matrix.
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if np.isnan(x).any() or np.isnan(y).any() or not len(x) or not len(y):
        raise ValueError("cliffs_delta needs two non-empty samples without NaN")
    ranks = stats.rankdata(np.concatenate([x, y]))
    u = ranks[: len(x)].sum() - len(x) * (len(x) + 1) / 2
    return float(2 * u / (len(x) * len(y)) - 1)


def _dunn_z(groups: dict[str, np.ndarray]) -> dict[tuple[str, str], tuple[float, float]]:
    """Dunn (1964) z statistics with the tie correction, for every pair of groups."""
    values = np.concatenate(list(groups.values()))
    labels = np.repeat(np.arange(len(groups)), [len(v) for v in groups.values()])
    ranks = stats.rankdata(values)
    n = len(values)
    _, tie_counts = np.unique(values, return_counts=True)
    tie_term = (tie_counts**3 - tie_counts).sum() / (12 * (n - 1))
    sizes = np.bincount(labels)
    mean_ranks = np.bincount(labels, weights=ranks) / sizes
    names = list(groups)
    out = {}
    for i, j in itertools.combinations(range(len(names)), 2):
        se = np.sqrt((n * (n + 1) / 12 - tie_term) * (1 / sizes[i] + 1 / sizes[j]))
        z = (mean_ranks[i] - mean_ranks[j]) / se
        out[(names[i], names[j])] = (float(z), float(2 * stats.norm.sf(abs(z))))
    return out


def pairwise_comparisons(
    data: pd.DataFrame,
    value: str,
    group: str,
    method: PairwiseMethod = "mannwhitney",
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Pairwise comparisons of all groups with Cliff's delta and Holm / BH adjusted p-values.

    Parameters
    ----------
    method
        ``"mannwhitney"``: two-sided Mann-Whitney U per pair (:func:`scipy.stats.mannwhitneyu`,
        statistic = U of ``group_a``); ``"dunn"``: Dunn's (1964) z on the joint ranks, tie-corrected.
    min_n
        Groups smaller than this are masked, with secondary suppression across the groups
        (:func:`~innocap_analysis.disclosure.protect_pairs`).

    Returns
    -------
    pandas.DataFrame
        ``group_a, group_b, n_a, n_b, statistic, p_value, p_holm, p_bh, cliffs_delta, n, suppressed``
        (delta > 0: ``group_a`` tends to score higher; ``n = min(n_a, n_b)`` drives suppression).
        Adjusted p-values are computed over all pairs before suppression.
    """
    groups, _ = _clean_groups(data, value, group)
    if len(groups) < 2:
        raise ValueError(f"pairwise comparisons need at least 2 groups of {group!r} with data")
    if method == "dunn":
        tests = _dunn_z(groups)
    elif method == "mannwhitney":
        tests = {
            (a, b): tuple(
                float(v) for v in stats.mannwhitneyu(groups[a], groups[b], alternative="two-sided")
            )
            for a, b in itertools.combinations(groups, 2)
        }
    else:
        raise ValueError(f"method must be 'mannwhitney' or 'dunn', got {method!r}")
    table = pd.DataFrame(
        [
            {
                "group_a": a,
                "group_b": b,
                "n_a": len(groups[a]),
                "n_b": len(groups[b]),
                "statistic": stat,
                "p_value": p,
                "cliffs_delta": cliffs_delta(groups[a], groups[b]),
            }
            for (a, b), (stat, p) in tests.items()
        ]
    )
    table.insert(6, "p_holm", multipletests(table["p_value"], method="holm")[1])
    table.insert(7, "p_bh", multipletests(table["p_value"], method="fdr_bh")[1])
    # a pair is published only if both groups are
    table["n"] = table[["n_a", "n_b"]].min(axis=1)
    return protect_pairs(table, min_n=min_n)


def group_summaries(
    data: pd.DataFrame,
    value: str,
    group: str,
    *,
    ci: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 20261129,
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Per-group n, mean and median with bootstrap BCa confidence intervals (Efron 1987).

    Intervals come from :func:`scipy.stats.bootstrap` (``method="BCa"``) with a fixed seed,
    so tables are reproducible. Where BCa is degenerate (the median of coarse Likert codes)
    the percentile interval is given instead; intervals are NaN for groups with fewer than 3
    values or no variation. ``*_ci_method`` names the interval. Small groups are suppressed.

    Returns
    -------
    pandas.DataFrame
        ``<group>, n, mean, mean_ci_low, mean_ci_high, median, median_ci_low, median_ci_high``
        (value units), ``mean_ci_method``, ``median_ci_method``.
    """
    groups, _ = _clean_groups(data, value, group)

    def median(sample, axis=-1):
        return np.median(sample, axis=axis)

    def mean(sample, axis=-1):
        return np.mean(sample, axis=axis)

    rows = []
    for name, values in groups.items():
        mean_ci = bootstrap_interval(values, mean, confidence_level=ci, n_resamples=n_resamples, rng=seed)
        median_ci = bootstrap_interval(values, median, confidence_level=ci, n_resamples=n_resamples, rng=seed)
        rows.append(
            {
                group: name,
                "n": len(values),
                "mean": values.mean(),
                "mean_ci_low": mean_ci[0],
                "mean_ci_high": mean_ci[1],
                "median": float(np.median(values)),
                "median_ci_low": median_ci[0],
                "median_ci_high": median_ci[1],
                "mean_ci_method": mean_ci[2],
                "median_ci_method": median_ci[2],
            }
        )
    return protect_groups(pd.DataFrame(rows), [group], min_n=min_n)


def ordinal_odds_ratios(
    data: pd.DataFrame,
    item: str,
    covariates: Sequence[str] = ("region", "stakeholder"),
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Proportional-odds (ordered logit) model of one Likert item on categorical covariates.

    Fitted with :class:`statsmodels.miscmodels.ordinal_model.OrderedModel` (``distr="logit"``,
    BFGS). Covariates are treatment-coded against their first observed category (the reference,
    listed in ``reference``). An odds ratio above 1 means higher answer categories are more
    likely than in the reference group (McCullagh 1980).

    Returns
    -------
    pandas.DataFrame
        ``item, covariate, level, reference, n (rows used), n_missing (rows without the item or a
        covariate), n_level (rows in the level), odds_ratio, ci_low, ci_high, p_value``.
    """
    covariates = list(covariates)
    missing_cols = [c for c in [item, *covariates] if c not in data.columns]
    if missing_cols:
        raise KeyError(f"columns {missing_cols} not in data")
    used = data[[item, *covariates]].dropna()
    n_missing = len(data) - len(used)
    codes = np.sort(used[item].astype("int64").unique())
    if len(codes) < 3:
        raise ValueError(f"item {item!r} has {len(codes)} observed categories; an ordinal model needs 3+")
    outcome = pd.Series(
        pd.Categorical(used[item].astype("int64"), categories=codes, ordered=True), index=used.index
    )
    design_parts, references = [], {}
    for covariate in covariates:
        column = used[covariate].astype("category").cat.remove_unused_categories()
        references[covariate] = str(column.cat.categories[0])
        dummies = pd.get_dummies(column, prefix=covariate, prefix_sep="=", drop_first=True, dtype="float64")
        design_parts.append(dummies)
    design = pd.concat(design_parts, axis=1)
    fit = OrderedModel(outcome, design, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    terms = list(design.columns)
    bounds = fit.conf_int(alpha=1 - ci).loc[terms]
    covariate_of = [t.split("=", 1)[0] for t in terms]
    return pd.DataFrame(
        {
            "item": item,
            "covariate": covariate_of,
            "level": [t.split("=", 1)[1] for t in terms],
            "reference": [references[c] for c in covariate_of],
            "n": len(used),
            "n_missing": n_missing,
            "n_level": design.sum().astype("int64").to_numpy(),
            "odds_ratio": np.exp(fit.params[terms].to_numpy()),
            "ci_low": np.exp(bounds[0].to_numpy()),
            "ci_high": np.exp(bounds[1].to_numpy()),
            "p_value": fit.pvalues[terms].to_numpy(),
        }
    )
