"""The steps of a composite index, after the JRC/OECD Handbook and COINr.

1. :func:`denominate` divides indicators by a size variable (COINr ``Denominate``).
2. :func:`impute_group_mean` fills missing values with the group mean (COINr ``i_mean_grp``).
3. :func:`treat_outliers` winsorises indicators with ``|skew| >= 2`` and kurtosis >= 3.5, with a
   log fallback (COINr ``Treat`` defaults).
4. :func:`normalise` maps indicators onto a common scale, reversing indicators of direction -1;
   the normalisers are looked up by name in :data:`NORMALISERS`, as COINr looks up ``n_*``
   functions.
5. :func:`aggregate` aggregates level by level up any hierarchy (arithmetic, geometric, harmonic
   or generalised mean) with equal, user-given or PCA-derived weights.

References: OECD & JRC (2008), *Handbook on Constructing Composite Indicators*; Becker, W. et al.
(2022), COINr: An R package for developing composite indicators, *JOSS* 7(78), 4567.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .structure import Hierarchy, _indicator_matrix, parse_structure

NormalisationMethod = Literal["minmax", "zscore", "rank", "goalposts", "distance_to_reference", "none"]


AggregationMethod = Literal["arithmetic", "geometric", "harmonic", "generalised"]




AGGREGATION_METHODS: tuple[str, ...] = ("arithmetic", "geometric", "harmonic", "generalised")


#: Power of the generalised mean for each named aggregation (0 means the geometric limit).
_POWER = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


# --------------------------------------------------------------------------------------------
# 1. Denomination
# --------------------------------------------------------------------------------------------


def denominate(
    data: pd.DataFrame,
    denominators: Mapping[str, str],
    *,
    denominator_data: pd.DataFrame | None = None,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Divide indicators by a size variable (Handbook step 3, "scaling by size"; COINr ``Denominate``).

    Parameters
    ----------
    data
        Units (index) by columns; contains the indicators named in ``denominators``.
    denominators
        Indicator -> denominator column (for example ``{"Flights": "Population"}``).
        Indicators not listed are returned unchanged.
    denominator_data
        Table holding the denominator columns, aligned on the same index; defaults to ``data``.
    scale
        Multiplier applied after division (COINr ``f_denom`` scale factor, default 1).

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with the listed indicators divided. A missing denominator
        gives a missing value (as in COINr), which a later imputation step must handle.

    Raises
    ------
    ValueError
        If a named indicator or denominator column is absent, the indexes differ, or a
        denominator is zero (which would give an infinite indicator).
    """
    source = data if denominator_data is None else denominator_data
    if not source.index.equals(data.index):
        raise ValueError("denominator_data must have exactly the same index (units, same order) as data")
    out = data.copy()
    for indicator, denominator in denominators.items():
        if indicator not in data.columns:
            raise ValueError(f"denominate: indicator column {indicator!r} is not in data")
        if denominator not in source.columns:
            raise ValueError(f"denominate: denominator column {denominator!r} (for {indicator!r}) is not present")
        den = source[denominator].astype(float)
        zero = den == 0
        if zero.any():
            raise ValueError(
                f"denominate: denominator {denominator!r} is 0 for unit(s) {list(den.index[zero])}; "
                f"{indicator!r} would be infinite"
            )
        out[indicator] = data[indicator].astype(float) / den * scale
    return out


# --------------------------------------------------------------------------------------------
# 2. Imputation
# --------------------------------------------------------------------------------------------


def impute_group_mean(
    data: pd.DataFrame, groups: pd.Series | None = None, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Replace each missing value by the mean of its indicator within the unit's group.

    This is COINr's ``i_mean_grp`` (Handbook section 1.3, "unconditional mean imputation",
    here conditional on a grouping variable). Columns are treated one at a time and values
    are not normalised first. With ``groups=None`` the whole sample is one group.

    Parameters
    ----------
    data
        Units (index) by indicators.
    groups
        Group label of each unit, indexed like ``data``.
    columns
        Columns to impute; defaults to every column of ``data`` (all must be numeric).

    Returns
    -------
    pandas.DataFrame
        A copy with the missing values of ``columns`` filled.

    Raises
    ------
    ValueError
        If a group label is missing, or a group has no observed value for an indicator
        that it needs imputed (the mean would be undefined).
    """
    columns = list(data.columns if columns is None else columns)
    values = _indicator_matrix(data, columns)
    if groups is None:
        groups = pd.Series("all", index=data.index)
    if not groups.index.equals(data.index):
        groups = groups.reindex(data.index)
    if groups.isna().any():
        raise ValueError(f"impute_group_mean: group label missing for unit(s) {list(groups.index[groups.isna()])}")
    group_means = values.groupby(groups.to_numpy()).transform("mean")
    still = values.isna() & group_means.isna()
    if still.to_numpy().any():
        unit, column = still.stack().loc[lambda s: s].index[0]
        raise ValueError(
            f"impute_group_mean: column {column!r} has no observed value in group {groups[unit]!r} "
            f"(unit {unit!r} cannot be imputed)"
        )
    out = data.copy()
    out[columns] = values.fillna(group_means)
    return out


# --------------------------------------------------------------------------------------------
# 3. Outlier treatment
# --------------------------------------------------------------------------------------------


def skewness(x: np.ndarray | pd.Series) -> float:
    """Bias-adjusted sample skewness G1 = g1 sqrt(n(n-1))/(n-2), missing values ignored.

    This is e1071 ``skewness(type = 2)`` and Excel ``SKEW``, which COINr ``skew`` uses
    (Joanes & Gill 1998, The Statistician 47:183). Computed with :func:`scipy.stats.skew`.
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 3:
        raise ValueError(f"skewness needs at least 3 non-missing values, got {x.size}")
    return float(stats.skew(x, bias=False))


def kurtosis(x: np.ndarray | pd.Series) -> float:
    """Bias-adjusted excess kurtosis G2 = ((n+1) g2 + 6)(n-1)/((n-2)(n-3)), missing values ignored.

    This is e1071 ``kurtosis(type = 2)`` and Excel ``KURT``, which COINr ``kurt`` uses
    (Joanes & Gill 1998). Computed with :func:`scipy.stats.kurtosis`.
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 4:
        raise ValueError(f"kurtosis needs at least 4 non-missing values, got {x.size}")
    return float(stats.kurtosis(x, fisher=True, bias=False))


@dataclass(frozen=True)
class TreatmentResult:
    """Output of :func:`treat_outliers`.

    Attributes
    ----------
    data
        The treated indicators (same shape as the input).
    details
        One row per indicator: ``indicator, pass_before, skew_before, kurtosis_before,
        n_winsorised, pass_after_winsorise, skew_after_winsorise, kurtosis_after_winsorise,
        log_transformed, pass_after_log`` (the "after" columns are missing when no treatment
        was needed, as in COINr's ``Dets_Table``).
    treated_points
        Long table ``unit, indicator, treatment`` (``winhi``, ``winlo`` or ``log_CT``) of every
        changed value.
    """

    data: pd.DataFrame
    details: pd.DataFrame
    treated_points: pd.DataFrame


def _passes(x: np.ndarray, skew_threshold: float, kurtosis_threshold: float) -> tuple[bool, float, float]:
    """COINr ``check_SkewKurt``; a constant column (undefined skew) counts as passing."""
    present = x[~np.isnan(x)]
    if present.size >= 4 and np.all(present == present[0]):
        return True, np.nan, np.nan
    sk, kt = skewness(x), kurtosis(x)
    return (abs(sk) < skew_threshold) or (kt < kurtosis_threshold), sk, kt


def _winsorise(
    x: np.ndarray, winmax: int | None, skew_threshold: float, kurtosis_threshold: float
) -> tuple[np.ndarray, int, np.ndarray, str]:
    """COINr ``winsorise``: clip the current extreme to the next value until the column passes."""
    x = x.copy()
    n_clipped, clipped, side = 0, np.zeros(x.shape, dtype=bool), ""
    passing, sk, _ = _passes(x, skew_threshold, kurtosis_threshold)
    while not passing and (winmax is None or n_clipped < winmax):
        if np.unique(x[~np.isnan(x)]).size < 3:
            break  # nothing left to clip towards without making the column constant
        if sk >= 0:  # positive skew: high outliers
            extreme = x == np.nanmax(x)
            x[extreme] = np.nanmax(x[~extreme])
            side = "winhi"
        else:
            extreme = x == np.nanmin(x)
            x[extreme] = np.nanmin(x[~extreme])
            side = "winlo"
        # The previously clipped points now tie with the extreme, so this counts them all.
        clipped, n_clipped = extreme, int(extreme.sum())
        passing, sk, _ = _passes(x, skew_threshold, kurtosis_threshold)
    return x, n_clipped, clipped, side


def treat_outliers(
    data: pd.DataFrame,
    *,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    winmax: int | None = 5,
    log_fallback: bool = True,
) -> TreatmentResult:
    """Winsorise skewed, heavy-tailed indicators as COINr ``Treat`` does by default.

    An indicator *passes* when ``|skew| < skew_threshold`` **or** ``kurtosis < kurtosis_threshold``
    (:func:`skewness`, :func:`kurtosis`). A failing indicator is winsorised iteratively: if its
    skew is >= 0 every point equal to the maximum is set to the largest remaining value, else
    every point equal to the minimum is set to the smallest remaining value, until it passes or
    ``winmax`` points have been clipped (the count is the number of points tied at the clipped
    extreme). If it still fails, the log transform ``log(x - min + 0.01 (max - min))`` (COINr
    ``log_CT``) is applied to the *original* column. Handbook section 1.5; COINr ``Treat``,
    ``winsorise``, ``log_CT`` (Becker et al. 2022).

    A constant indicator has no skew and is left untreated (its statistics are reported missing).

    Parameters
    ----------
    data
        Units by indicators (numeric), at least 4 non-missing values each. Missing values are
        ignored in the statistics and kept.
    skew_threshold, kurtosis_threshold
        COINr defaults 2 and 3.5.
    winmax
        Maximum number of clipped points per indicator (COINr default 5; ``None`` = no limit).
    log_fallback
        Apply ``log_CT`` when winsorisation does not bring the indicator within the limits.

    Returns
    -------
    TreatmentResult
    """
    values = _indicator_matrix(data, list(data.columns))
    treated = values.copy()
    details, points = [], []
    for column in values.columns:
        x = values[column].to_numpy()
        try:
            passing, sk, kt = _passes(x, skew_threshold, kurtosis_threshold)
        except ValueError as err:
            raise ValueError(f"treat_outliers: indicator {column!r}: {err}") from None
        row: dict[str, object] = {
            "indicator": column,
            "pass_before": passing,
            "skew_before": sk,
            "kurtosis_before": kt,
            "n_winsorised": 0,
            "pass_after_winsorise": pd.NA,
            "skew_after_winsorise": np.nan,
            "kurtosis_after_winsorise": np.nan,
            "log_transformed": False,
            "pass_after_log": pd.NA,
        }
        if not passing:
            xw, n_clipped, clipped, side = _winsorise(x, winmax, skew_threshold, kurtosis_threshold)
            passing, sk, kt = _passes(xw, skew_threshold, kurtosis_threshold)
            row.update(n_winsorised=n_clipped, pass_after_winsorise=passing, skew_after_winsorise=sk,
                       kurtosis_after_winsorise=kt)
            if passing or not log_fallback:
                treated[column] = xw
                points += [(unit, column, side) for unit in values.index[clipped]]
            else:
                lo, hi = np.nanmin(x), np.nanmax(x)
                treated[column] = np.log(x - lo + 0.01 * (hi - lo))
                row.update(log_transformed=True, pass_after_log=_passes(treated[column].to_numpy(),
                                                                        skew_threshold, kurtosis_threshold)[0])
                points += [(unit, column, "log_CT") for unit in values.index[~np.isnan(x)]]
        details.append(row)
    details_df = pd.DataFrame(details)
    for col in ("pass_after_winsorise", "pass_after_log"):
        details_df[col] = details_df[col].astype("boolean")
    out = data.copy()
    out[list(values.columns)] = treated
    points_df = pd.DataFrame(points, columns=["unit", "indicator", "treatment"])
    return TreatmentResult(out, details_df, points_df)


# --------------------------------------------------------------------------------------------
# 4. Normalisation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NormalisationContext:
    """What a normaliser may need besides the values: the target range and the per-method options.

    ``names`` and ``units`` label the indicators (columns) and units (rows) in error messages.
    """

    lower: float
    upper: float
    goalposts: np.ndarray | None
    reference_row: int | None
    names: list[str]
    units: list[object]


def _n_none(x: np.ndarray, direction: np.ndarray, ctx: NormalisationContext) -> np.ndarray:
    return x.copy()


def _n_minmax(x: np.ndarray, direction: np.ndarray, ctx: NormalisationContext) -> np.ndarray:
    signed = x * direction
    lo, hi = np.nanmin(signed, axis=0), np.nanmax(signed, axis=0)
    span = hi - lo
    if np.any(span == 0):
        raise ValueError(f"min-max normalisation: indicator {ctx.names[int(np.argmax(span == 0))]!r} is constant")
    return (signed - lo) / span * (ctx.upper - ctx.lower) + ctx.lower


def _n_zscore(x: np.ndarray, direction: np.ndarray, ctx: NormalisationContext) -> np.ndarray:
    signed = x * direction
    sd = np.nanstd(signed, axis=0, ddof=1)
    if np.any(sd == 0):
        raise ValueError(f"z-score normalisation: indicator {ctx.names[int(np.argmax(sd == 0))]!r} is constant")
    return (signed - np.nanmean(signed, axis=0)) / sd


def _n_rank(x: np.ndarray, direction: np.ndarray, ctx: NormalisationContext) -> np.ndarray:
    return stats.rankdata(x * direction, axis=0, method="min", nan_policy="omit")


def _n_goalposts(x: np.ndarray, direction: np.ndarray, ctx: NormalisationContext) -> np.ndarray:
    if ctx.goalposts is None:
        raise ValueError("goalposts normalisation needs goalposts (a DataFrame with columns 'low', 'high')")
    low, high = ctx.goalposts[:, 0], ctx.goalposts[:, 1]
    # Distance from the worst goalpost towards the best; direction -1 swaps which one is best.
    worst = np.where(direction > 0, low, high)
    best = np.where(direction > 0, high, low)
    scaled = np.clip((x - worst) / (best - worst), 0.0, 1.0)
    return scaled * (ctx.upper - ctx.lower) + ctx.lower


def _n_distance_to_reference(x: np.ndarray, direction: np.ndarray, ctx: NormalisationContext) -> np.ndarray:
    if ctx.reference_row is None:
        raise ValueError("distance_to_reference normalisation needs a reference unit")
    bad = x <= 0
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"distance_to_reference normalisation needs positive values; indicator {ctx.names[col]!r} is "
            f"{float(x[row, col])!r} for unit {ctx.units[row]!r}"
        )
    ref = x[ctx.reference_row]
    ratio = np.where(direction > 0, x / ref, ref / x)
    return ratio * 100.0


#: The normalisers by name, as COINr looks up its ``n_*`` functions: each maps a units-by-indicators
#: array, the indicator directions and a :class:`NormalisationContext` to the normalised array.
NORMALISERS: dict[str, Callable[[np.ndarray, np.ndarray, NormalisationContext], np.ndarray]] = {
    "minmax": _n_minmax,
    "zscore": _n_zscore,
    "rank": _n_rank,
    "goalposts": _n_goalposts,
    "distance_to_reference": _n_distance_to_reference,
    "none": _n_none,
}
NORMALISATION_METHODS: tuple[str, ...] = tuple(NORMALISERS)


def normalise_matrix(
    x: np.ndarray,
    direction: np.ndarray,
    method: str,
    *,
    lower: float,
    upper: float,
    goalposts: np.ndarray | None = None,
    reference_row: int | None = None,
    names: Sequence[str] | None = None,
    units: Sequence[object] | None = None,
) -> np.ndarray:
    """Normalise the columns of ``x`` (units x indicators) with the normaliser named ``method``; NaN stays NaN."""
    if method not in NORMALISERS:
        raise ValueError(f"unknown normalisation method {method!r}; choose from {NORMALISATION_METHODS}")
    ctx = NormalisationContext(
        lower=lower, upper=upper, goalposts=goalposts, reference_row=reference_row,
        names=list(names) if names is not None else [f"column {j}" for j in range(x.shape[1])],
        units=list(units) if units is not None else list(range(x.shape[0])),
    )
    return NORMALISERS[method](x, direction, ctx)


def normalise(
    data: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    method: NormalisationMethod = "minmax",
    *,
    lower: float = 0.0,
    upper: float = 100.0,
    goalposts: pd.DataFrame | None = None,
    reference_unit: object | None = None,
) -> pd.DataFrame:
    """Bring indicators onto a common scale, reversing those of direction -1 (Handbook section 1.5).

    Methods (x is the indicator, d its direction, statistics over units, missing values ignored):

    ``minmax``
        ``(d x - min(d x)) / (max(d x) - min(d x)) * (upper - lower) + lower``, COINr ``n_minmax``.
    ``zscore``
        ``(d x - mean(d x)) / sd(d x)`` with the n-1 standard deviation, COINr ``n_zscore``.
    ``rank``
        Rank of ``d x`` among the units, 1 = worst, ties share the lowest rank (COINr ``n_rank``,
        R ``rank(ties.method = "min")``).
    ``goalposts``
        ``(x - worst) / (best - worst)`` clipped to [0, 1] then mapped onto [lower, upper], with
        ``worst, best = low, high`` for d = +1 and ``high, low`` for d = -1 (COINr ``n_goalposts``;
        Handbook "distance to a target").
    ``distance_to_reference``
        ``100 x / x_ref`` for d = +1 and ``100 x_ref / x`` for d = -1, the Handbook's "distance
        to a reference" ratio (Handbook section 5, normalisation); values must be positive. This is not COINr's
        ``n_dist2ref``, which is ``1 - (x_ref - x) / (x_ref - min x)``.
    ``none``
        Values unchanged (scores already on a common scale).

    Parameters
    ----------
    data
        Units by indicators; extra columns are ignored.
    structure
        Structure table or :class:`Hierarchy` giving the indicators and directions.
    goalposts
        Indexed by indicator with columns ``low`` and ``high`` (only for ``goalposts``).
    reference_unit
        Index label of the reference unit (only for ``distance_to_reference``).

    Returns
    -------
    pandas.DataFrame
        Units by indicators, normalised.
    """
    hierarchy = parse_structure(structure)
    values = _indicator_matrix(data, hierarchy.indicators)
    direction = np.array([hierarchy.direction[c] for c in hierarchy.indicators], dtype=float)
    gp = None
    if method == "goalposts" and goalposts is not None:
        missing = [c for c in hierarchy.indicators if c not in goalposts.index]
        if missing:
            raise ValueError(f"goalposts lacks indicator(s) {missing}")
        gp = goalposts.loc[hierarchy.indicators, ["low", "high"]].to_numpy(dtype=float)
        same = gp[:, 0] == gp[:, 1]
        if same.any():
            raise ValueError(f"goalposts low == high for indicator(s) {list(np.array(hierarchy.indicators)[same])}")
    ref_row = None
    if method == "distance_to_reference" and reference_unit is not None:
        if reference_unit not in values.index:
            raise ValueError(f"reference unit {reference_unit!r} is not in the data index")
        ref_row = int(values.index.get_loc(reference_unit))
    try:
        out = normalise_matrix(values.to_numpy(), direction, method, lower=lower, upper=upper,
                                goalposts=gp, reference_row=ref_row, names=hierarchy.indicators,
                                units=list(values.index))
    except ValueError as err:
        raise ValueError(f"normalise({method!r}): {err}") from None
    return pd.DataFrame(out, index=values.index, columns=values.columns)


# --------------------------------------------------------------------------------------------
# 5. Weights and aggregation
# --------------------------------------------------------------------------------------------


def pca_weights(children: pd.DataFrame) -> pd.Series:
    """Weights of a group of children from the first principal component of their correlations.

    The weight of each child is its squared loading on the first principal component of the
    correlation matrix (units with any missing child are left out), which sums to 1: the share of
    that component each child carries (Handbook section 6.1, Nicoletti et al. 2000). A single
    child gets weight 1.

    Parameters
    ----------
    children
        Units by the children of one aggregate.

    Returns
    -------
    pandas.Series
        Weight per child, summing to 1.
    """
    if children.shape[1] == 1:
        return pd.Series(1.0, index=children.columns)
    complete = children.dropna().to_numpy(dtype=float)
    if complete.shape[0] < 3:
        raise ValueError(f"PCA weights need at least 3 complete units for {list(children.columns)}")
    corr = np.corrcoef(complete, rowvar=False)
    if not np.all(np.isfinite(corr)):
        raise ValueError(f"PCA weights: a constant column among {list(children.columns)}")
    _, vectors = np.linalg.eigh(corr)  # eigenvalues ascending, so the last vector is PC1
    loadings = vectors[:, -1]
    return pd.Series(loadings**2, index=children.columns)


def _resolve_weights(hierarchy: Hierarchy, weights: str | Mapping[str, float] | pd.Series | None) -> dict[str, float]:
    if weights is None or (isinstance(weights, str) and weights == "structure"):
        return dict(hierarchy.weight)
    if isinstance(weights, str):
        if weights == "equal":
            return dict.fromkeys(hierarchy.weight, 1.0)
        if weights == "pca":
            return dict(hierarchy.weight)  # placeholder; replaced group by group in aggregate()
        raise ValueError(f"weights must be 'structure', 'equal', 'pca' or a mapping, got {weights!r}")
    given = dict(weights.items())
    unknown = [k for k in given if k not in hierarchy.weight]
    if unknown:
        raise ValueError(f"weights given for code(s) not in the structure: {unknown}")
    out = dict(hierarchy.weight)
    for code, value in given.items():
        value = float(value)
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"weight for {code!r} is {value!r}; it must be finite and >= 0")
        out[code] = value
    return out


def _power_mean(values: np.ndarray, weights: np.ndarray, power: float) -> np.ndarray:
    """Weighted power mean over the last axis of ``values`` with NaN children dropped.

    ``values`` has shape (..., units, k) and ``weights`` (..., k); weights are rescaled to sum
    to 1 over the non-missing children of each unit. All children missing gives NaN.
    """
    present = ~np.isnan(values)
    if power == 1.0:
        transformed = values
    elif power == 0.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            transformed = np.log(values)
    else:
        with np.errstate(divide="ignore"):
            transformed = values**power
    filled = np.where(present, transformed, 0.0)
    w = weights[..., :, None]
    numerator = (filled @ w)[..., 0]
    denominator = (present.astype(float) @ w)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = numerator / denominator
    if power == 1.0:
        return mean
    if power == 0.0:
        return np.exp(mean)
    return mean ** (1.0 / power)


def _check_positive(values: np.ndarray, method: str, node: str, children: Sequence[str], units: pd.Index) -> None:
    bad = values <= 0
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{method} mean of {node!r} needs strictly positive values, but child {children[col]!r} is "
            f"{float(values[row, col])!r} for unit {units[row]!r}. Normalise onto a positive range "
            "(for example min-max with lower=1, as COINr recommends) before a geometric or harmonic mean."
        )


def aggregate(
    normalised: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    method: AggregationMethod = "arithmetic",
    *,
    weights: str | Mapping[str, float] | pd.Series | None = "structure",
    power: float | None = None,
) -> pd.DataFrame:
    """Aggregate normalised indicators level by level up the hierarchy (Handbook section 1.6).

    Each aggregate is the weighted mean of its children (indicators or lower aggregates), with
    the weights rescaled to sum to 1 over the children present for that unit: missing children
    are dropped, as COINr ``Aggregate`` does. Aggregates are computed from the lowest height up,
    so a sub-index is the mean of its pillars, not a flat mean of the indicators.

    Means, with weights w summing to 1: arithmetic ``sum w x`` (COINr ``a_amean``); geometric
    ``prod x^w`` (``a_gmean``); harmonic ``1 / sum(w / x)`` (``a_hmean``); generalised
    ``(sum w x^p)^(1/p)`` with ``power=p`` (p = 1, 0, -1 give the three above).

    Zero handling: the geometric and harmonic means (and the generalised mean with p <= 0) are
    undefined or degenerate at zero and for negative values, so they raise ``ValueError`` naming
    the node, child and unit instead of returning 0. Min-max onto [0, 100] gives exact zeros
    (each indicator's worst unit), so normalise onto [1, 100] (``lower=1``) before a geometric or
    harmonic mean, as COINr advises; z-scores cannot be used with these means.

    Parameters
    ----------
    normalised
        Units by indicators (extra columns ignored).
    structure
        Structure table or :class:`Hierarchy`.
    method
        ``arithmetic``, ``geometric``, ``harmonic`` or ``generalised``.
    weights
        ``"structure"`` (the structure's ``weight`` column), ``"equal"``, ``"pca"`` (see
        :func:`pca_weights`, computed group by group from the children's values), or a mapping
        code -> weight that overrides the structure for the codes it names.
    power
        Exponent of the generalised mean (required for ``generalised``, ignored otherwise).

    Returns
    -------
    pandas.DataFrame
        Units by aggregates, one column per aggregate node, in structure order.
    """
    hierarchy = parse_structure(structure)
    if method not in AGGREGATION_METHODS:
        raise ValueError(f"unknown aggregation method {method!r}; choose from {AGGREGATION_METHODS}")
    if method == "generalised":
        if power is None or not np.isfinite(power):
            raise ValueError("the generalised mean needs a finite power p")
        p = float(power)
    else:
        p = _POWER[method]
    w = _resolve_weights(hierarchy, weights)
    values = _indicator_matrix(normalised, hierarchy.indicators, "normalised data")
    columns: dict[str, np.ndarray] = {c: values[c].to_numpy() for c in hierarchy.indicators}
    for node in hierarchy.aggregation_order:
        kids = hierarchy.children[node]
        block = np.column_stack([columns[k] for k in kids])
        if p <= 0:
            present = block[~np.isnan(block)]
            if present.size and present.min() <= 0:
                _check_positive(np.nan_to_num(block, nan=1.0), method, node, kids, values.index)
        if isinstance(weights, str) and weights == "pca":
            wk = pca_weights(pd.DataFrame(block, columns=kids)).to_numpy()
        else:
            wk = np.array([w[k] for k in kids])
        if wk.sum() == 0:
            raise ValueError(f"all weights of the children of {node!r} are zero")
        columns[node] = _power_mean(block, wk, p)
    return pd.DataFrame({a: columns[a] for a in hierarchy.aggregates}, index=values.index)
