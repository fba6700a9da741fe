"""Composite capability index: the JRC/OECD Handbook pipeline, with COINr as the model.

The steps follow the *Handbook on Constructing Composite Indicators* (OECD & JRC 2008,
"the Handbook") as implemented by the R package COINr (Becker et al. 2022, JOSS 7(78), 4567):

1. :func:`denominate` divides indicators by a size variable (COINr ``Denominate``).
2. :func:`impute_group_mean` fills missing values with the group mean (COINr ``i_mean_grp``).
3. :func:`treat_outliers` winsorises indicators with |skew| >= 2 and kurtosis >= 3.5, with a
   log fallback (COINr ``Treat`` defaults).
4. :func:`normalise` maps indicators onto a common scale (min-max, z-score, rank, goalposts,
   distance to a reference), reversing indicators of direction -1.
5. :func:`aggregate` aggregates level by level up any hierarchy (arithmetic, geometric, harmonic
   or generalised mean) with equal, user-given or PCA-derived weights.

:func:`composite_index` composes them. :func:`uncertainty_analysis` runs a vectorised Monte Carlo
over the modelling choices and :func:`sensitivity_analysis` splits the rank variance into
first-order indices; :func:`rank_interval_pairs` says which pairs of units have separated rank
intervals. :func:`capability_index` is the survey adapter (index per organisation and its means
per region and stakeholder type); :func:`group_indicator_matrix` turns the same scores into the
groups-by-dimensions matrix that :func:`uncertainty_analysis` takes, and
:func:`group_rank_uncertainty` adds the sampling uncertainty of the group means (a bootstrap of
the organisations) to the modelling choices.

The hierarchy is a ``structure`` table with one row per node: ``code, parent, weight, direction``
(the shape of COINr's ``iMeta``; :func:`structure_from_coinr` converts one). Leaves are the
indicators; every code named as a parent is an aggregate; a node whose parent is empty is a root.
Any depth and any number of roots work.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from . import config
from .progress import progress_bar

__all__ = [
    "AGGREGATION_METHODS",
    "NORMALISATION_METHODS",
    "CapabilityIndex",
    "CompositeResult",
    "GroupIndicators",
    "Hierarchy",
    "TreatmentResult",
    "UncertaintyResult",
    "aggregate",
    "build_composite",
    "capability_index",
    "composite_index",
    "denominate",
    "group_indicator_matrix",
    "group_rank_uncertainty",
    "impute_group_mean",
    "kurtosis",
    "normalise",
    "parse_structure",
    "pca_weights",
    "rank_interval_pairs",
    "rank_separation_sentence",
    "sensitivity_analysis",
    "sensitivity_sentence",
    "skewness",
    "structure_from_coinr",
    "treat_outliers",
    "uncertainty_analysis",
]

NormalisationMethod = Literal["minmax", "zscore", "rank", "goalposts", "distance_to_reference", "none"]
AggregationMethod = Literal["arithmetic", "geometric", "harmonic", "generalised"]
NORMALISATION_METHODS: tuple[str, ...] = ("minmax", "zscore", "rank", "goalposts", "distance_to_reference", "none")
AGGREGATION_METHODS: tuple[str, ...] = ("arithmetic", "geometric", "harmonic", "generalised")
#: Power of the generalised mean for each named aggregation (0 means the geometric limit).
_POWER = {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0}


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """A validated indicator hierarchy (see :func:`parse_structure`).

    Attributes
    ----------
    indicators
        Leaf codes, in structure order.
    aggregates
        Aggregate codes in structure order (the output column order).
    aggregation_order
        Aggregates sorted by height (children before parents), then structure order.
    children
        Aggregate code -> its child codes, in structure order.
    parent
        Code -> parent code (``None`` for a root).
    weight
        Code -> weight of the node inside its parent's group.
    direction
        Indicator code -> +1 or -1.
    height
        Code -> 0 for indicators, 1 + max height of the children for aggregates.
    """

    indicators: list[str]
    aggregates: list[str]
    aggregation_order: list[str]
    children: dict[str, list[str]]
    parent: dict[str, str | None]
    weight: dict[str, float]
    direction: dict[str, int]
    height: dict[str, int]

    @property
    def roots(self) -> list[str]:
        """Codes without a parent (normally the single overall index)."""
        return [code for code in self.aggregates if self.parent[code] is None]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value == ""


def parse_structure(structure: pd.DataFrame | Hierarchy) -> Hierarchy:
    """Validate a ``code, parent, weight, direction`` table and return a :class:`Hierarchy`.

    Parameters
    ----------
    structure
        One row per node. ``code`` unique and non-empty; ``parent`` empty for a root, else the
        code of another row; ``weight`` finite and >= 0 (the weight inside the parent's group,
        rescaled to sum to 1 there at aggregation time, as in COINr); ``direction`` +1 or -1
        for every indicator (ignored, and may be empty, for aggregates).

    Raises
    ------
    ValueError
        Naming the row and column of any missing column, duplicate code, unknown parent,
        cycle, bad weight or bad direction.
    """
    if isinstance(structure, Hierarchy):
        return structure
    required = ["code", "parent", "weight", "direction"]
    missing = [c for c in required if c not in structure.columns]
    if missing:
        raise ValueError(f"structure lacks column(s) {missing}; it needs {required}")
    codes = [str(c) for c in structure["code"]]
    for row, code in enumerate(structure["code"]):
        if _is_blank(code):
            raise ValueError(f"structure row {row}: column 'code' is empty")
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ValueError(f"structure column 'code' has duplicates: {duplicated}")
    parent: dict[str, str | None] = {}
    for row, (code, par) in enumerate(zip(codes, structure["parent"], strict=True)):
        if _is_blank(par):
            parent[code] = None
            continue
        par = str(par)
        if par not in codes:
            raise ValueError(f"structure row {row} (code {code!r}): parent {par!r} is not a code of the structure")
        if par == code:
            raise ValueError(f"structure row {row} (code {code!r}) is its own parent")
        parent[code] = par
    children: dict[str, list[str]] = {}
    for code in codes:
        if parent[code] is not None:
            children.setdefault(parent[code], []).append(code)
    aggregates = [c for c in codes if c in children]
    indicators = [c for c in codes if c not in children]

    # Heights by repeated relaxation; more passes than nodes means a cycle.
    height = dict.fromkeys(indicators, 0)
    pending = list(aggregates)
    for _ in range(len(codes) + 1):
        if not pending:
            break
        still = []
        for code in pending:
            if all(child in height for child in children[code]):
                height[code] = 1 + max(height[child] for child in children[code])
            else:
                still.append(code)
        if len(still) == len(pending):
            raise ValueError(f"structure has a cycle among codes {sorted(still)}")
        pending = still

    weight: dict[str, float] = {}
    for row, (code, value) in enumerate(zip(codes, structure["weight"], strict=True)):
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"structure row {row} (code {code!r}): weight {value!r} is not a number") from None
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"structure row {row} (code {code!r}): weight {value!r} must be finite and >= 0")
        weight[code] = w
    direction: dict[str, int] = {}
    for row, (code, value) in enumerate(zip(codes, structure["direction"], strict=True)):
        if code not in children:
            try:
                numeric = float(value)
            except (TypeError, ValueError):
                numeric = np.nan
            if _is_blank(value) or numeric not in (1.0, -1.0):
                raise ValueError(f"structure row {row} (indicator {code!r}): direction {value!r} must be +1 or -1")
            direction[code] = int(numeric)
    order = sorted(aggregates, key=lambda c: (height[c], codes.index(c)))
    return Hierarchy(indicators, aggregates, order, children, parent, weight, direction, height)


def structure_from_coinr(imeta: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Convert COINr's ``iMeta`` table to a structure table and a denominator mapping.

    Parameters
    ----------
    imeta
        COINr indicator metadata with columns ``iCode, Parent, Weight, Direction, Type``
        and optionally ``Denominator`` (Becker et al. 2022, ``new_coin`` documentation).
        Rows of ``Type`` ``Indicator`` and ``Aggregate`` form the hierarchy; ``Group`` and
        ``Denominator`` rows describe other columns and are left out.

    Returns
    -------
    structure : pandas.DataFrame
        Columns ``code, parent, weight, direction``.
    denominators : dict
        Indicator code -> name of the column it is divided by.
    """
    missing = [c for c in ("iCode", "Parent", "Weight", "Direction", "Type") if c not in imeta.columns]
    if missing:
        raise ValueError(f"iMeta lacks column(s) {missing}")
    nodes = imeta[imeta["Type"].isin(["Indicator", "Aggregate"])]
    structure = pd.DataFrame(
        {
            "code": nodes["iCode"].astype(str).to_numpy(),
            "parent": nodes["Parent"].to_numpy(),
            "weight": nodes["Weight"].astype(float).to_numpy(),
            "direction": nodes["Direction"].to_numpy(),
        }
    )
    denominators: dict[str, str] = {}
    if "Denominator" in imeta.columns:
        has = nodes["Denominator"].notna() & (nodes["Denominator"].astype(str) != "")
        denominators = dict(zip(nodes.loc[has, "iCode"].astype(str), nodes.loc[has, "Denominator"].astype(str), strict=True))
    return structure, denominators


def _indicator_matrix(data: pd.DataFrame, indicators: Sequence[str], what: str = "data") -> pd.DataFrame:
    missing = [c for c in indicators if c not in data.columns]
    if missing:
        raise ValueError(f"{what} lacks indicator column(s) {missing}")
    out = data[list(indicators)]
    bad = [c for c in indicators if not pd.api.types.is_numeric_dtype(out[c])]
    if bad:
        raise ValueError(f"{what} column(s) {bad} are not numeric (dtypes {[str(out[c].dtype) for c in bad]})")
    if data.index.has_duplicates:
        raise ValueError(f"{what} index has duplicate unit labels: {sorted(set(data.index[data.index.duplicated()]))[:10]}")
    values = out.to_numpy(dtype=float)
    if np.isinf(values).any():
        row, col = np.argwhere(np.isinf(values))[0]
        raise ValueError(f"{what} has an infinite value at unit {data.index[row]!r}, column {indicators[col]!r}")
    return out.astype(float)


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


def _normalise_matrix(
    x: np.ndarray,
    direction: np.ndarray,
    method: str,
    *,
    lower: float,
    upper: float,
    goalposts: np.ndarray | None,
    reference_row: int | None,
    names: Sequence[str] | None = None,
    units: Sequence[object] | None = None,
) -> np.ndarray:
    """Normalise the columns of ``x`` (units x indicators); NaN stays NaN."""
    names = list(names) if names is not None else [f"column {j}" for j in range(x.shape[1])]
    units = list(units) if units is not None else list(range(x.shape[0]))
    signed = x * direction
    if method == "none":
        return x.copy()
    if method == "minmax":
        lo, hi = np.nanmin(signed, axis=0), np.nanmax(signed, axis=0)
        span = hi - lo
        if np.any(span == 0):
            raise ValueError(f"min-max normalisation: indicator {names[int(np.argmax(span == 0))]!r} is constant")
        return (signed - lo) / span * (upper - lower) + lower
    if method == "zscore":
        sd = np.nanstd(signed, axis=0, ddof=1)
        if np.any(sd == 0):
            raise ValueError(f"z-score normalisation: indicator {names[int(np.argmax(sd == 0))]!r} is constant")
        return (signed - np.nanmean(signed, axis=0)) / sd
    if method == "rank":
        return stats.rankdata(signed, axis=0, method="min", nan_policy="omit")
    if method == "goalposts":
        if goalposts is None:
            raise ValueError("goalposts normalisation needs goalposts (a DataFrame with columns 'low', 'high')")
        low, high = goalposts[:, 0], goalposts[:, 1]
        # Distance from the worst goalpost towards the best; direction -1 swaps which one is best.
        worst = np.where(direction > 0, low, high)
        best = np.where(direction > 0, high, low)
        scaled = np.clip((x - worst) / (best - worst), 0.0, 1.0)
        return scaled * (upper - lower) + lower
    if method == "distance_to_reference":
        if reference_row is None:
            raise ValueError("distance_to_reference normalisation needs a reference unit")
        bad = x <= 0
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"distance_to_reference normalisation needs positive values; indicator {names[col]!r} is "
                f"{float(x[row, col])!r} for unit {units[row]!r}"
            )
        ref = x[reference_row]
        ratio = np.where(direction > 0, x / ref, ref / x)
        return ratio * 100.0
    raise ValueError(f"unknown normalisation method {method!r}; choose from {NORMALISATION_METHODS}")


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
        out = _normalise_matrix(values.to_numpy(), direction, method, lower=lower, upper=upper,
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


# --------------------------------------------------------------------------------------------
# The whole pipeline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompositeResult:
    """Every stage of :func:`build_composite` (COINr's ``coin$Data`` and ``coin$Analysis``).

    Attributes are units-by-columns DataFrames except ``treatment`` (a :class:`TreatmentResult`
    or ``None`` when treatment was switched off).
    """

    denominated: pd.DataFrame
    imputed: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    aggregated: pd.DataFrame
    treatment: TreatmentResult | None = None

    def ranks(self, code: str | None = None) -> pd.Series:
        """Rank of each unit on an aggregate (default: the first root), 1 = highest, ties share the minimum."""
        code = code or self.aggregated.columns[-1]
        return self.aggregated[code].rank(ascending=False, method="min")


def build_composite(
    data: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    *,
    denominators: Mapping[str, str] | None = None,
    denominator_data: pd.DataFrame | None = None,
    imputation: Literal["none", "group_mean"] = "none",
    groups: pd.Series | None = None,
    treatment: bool = True,
    treatment_options: Mapping[str, object] | None = None,
    normalisation: NormalisationMethod = "minmax",
    normalisation_options: Mapping[str, object] | None = None,
    aggregation: AggregationMethod = "arithmetic",
    weights: str | Mapping[str, float] | pd.Series | None = "structure",
    power: float | None = None,
) -> CompositeResult:
    """Run denominate -> impute -> treat -> normalise -> aggregate and keep every stage.

    See :func:`composite_index` for the parameters. With ``imputation="none"`` missing values
    go through to the aggregation, where they are dropped child by child with the weights rescaled.
    """
    hierarchy = parse_structure(structure)
    indicators = _indicator_matrix(data, hierarchy.indicators)
    denominated = indicators
    if denominators:
        source = data if denominator_data is None else denominator_data
        denominated = denominate(data, denominators, denominator_data=source)[hierarchy.indicators]
    if imputation == "group_mean":
        imputed = impute_group_mean(denominated, groups)
    elif imputation == "none":
        imputed = denominated
    else:
        raise ValueError(f"imputation must be 'none' or 'group_mean', got {imputation!r}")
    treated_result = treat_outliers(imputed, **dict(treatment_options or {})) if treatment else None
    treated = treated_result.data if treated_result is not None else imputed
    normalised = normalise(treated, hierarchy, normalisation, **dict(normalisation_options or {}))
    aggregated = aggregate(normalised, hierarchy, aggregation, weights=weights, power=power)
    return CompositeResult(denominated, imputed, treated, normalised, aggregated, treated_result)


def composite_index(
    data: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    normalisation: NormalisationMethod = "minmax",
    aggregation: AggregationMethod = "arithmetic",
    weights: str | Mapping[str, float] | pd.Series | None = "structure",
    **options: object,
) -> pd.DataFrame:
    """Composite indicator of any hierarchy: one column per aggregate node.

    Parameters
    ----------
    data
        Units (index) by indicators (plus any denominator columns).
    structure
        Rows ``code, parent, weight, direction`` of any depth (see :func:`parse_structure`).
    normalisation
        See :func:`normalise`; ``normalisation_options`` passes ``lower``, ``upper``,
        ``goalposts`` or ``reference_unit``.
    aggregation
        See :func:`aggregate`; ``power`` for the generalised mean.
    weights
        ``"structure"``, ``"equal"``, ``"pca"`` or a mapping code -> weight.
    **options
        ``denominators``, ``denominator_data``, ``imputation`` (``"none"`` or ``"group_mean"``),
        ``groups``, ``treatment`` (bool, default True), ``treatment_options``,
        ``normalisation_options``, ``power``; see :func:`build_composite`.

    Returns
    -------
    pandas.DataFrame
        Units by aggregate codes, in structure order.
    """
    return build_composite(
        data, structure, normalisation=normalisation, aggregation=aggregation, weights=weights, **options
    ).aggregated


# --------------------------------------------------------------------------------------------
# Uncertainty and sensitivity analysis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UncertaintyResult:
    """Output of :func:`uncertainty_analysis`.

    Attributes
    ----------
    rank_stats
        One row per unit: ``unit, nominal_rank, median_rank, mean_rank, q05_rank, q95_rank``.
    ranks
        Ranks of the target in every draw, shape (draws, units), 1 = best.
    draws
        One row per draw: the level of each uncertain choice (``normalisation``, ``aggregation``,
        ``weights``: the index of the perturbed weight set).
    units
        Unit labels, the columns of ``ranks``.
    target
        The aggregate whose ranks were recorded.
    weight_sets
        The pool of perturbed weights, shape (n_weight_sets, nodes), columns in the order
        ``weight_codes``; row 0 is the nominal set.
    weight_codes
        Structure codes (indicators then aggregates) labelling the columns of ``weight_sets``.
    settings
        Noise level, nominal choices and normalisation range used.
    """

    rank_stats: pd.DataFrame
    ranks: np.ndarray
    draws: pd.DataFrame
    units: pd.Index
    target: str
    weight_sets: np.ndarray
    weight_codes: list[str]
    settings: dict[str, object] = field(default_factory=dict)


def _perturbed_weight_sets(
    base: np.ndarray, n_sets: int, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """Weight sets with every weight multiplied by 1 + U(-noise, +noise); set 0 is the nominal set."""
    factors = 1.0 + rng.uniform(-noise, noise, size=(n_sets, base.size))
    factors[0] = 1.0
    return base[None, :] * factors


def _normalise_for_ranking(
    x: np.ndarray,
    direction: np.ndarray,
    method: str,
    names: Sequence[str] | None = None,
    units: Sequence[object] | None = None,
) -> np.ndarray:
    """Normalise onto [1, 100] for the uncertainty analyses; a single unit becomes all ones.

    With one unit min-max and z-scores are undefined (a constant column) and its rank is 1
    whatever the choices, so its indicators are set to 1 instead of raising.
    """
    if x.shape[0] == 1:
        return np.where(np.isnan(x), np.nan, 1.0)
    return _normalise_matrix(x, direction, method, lower=1.0, upper=100.0, goalposts=None, reference_row=None,
                             names=names, units=units)


def _rank_descending(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest score, ties share the lowest rank (R ``ties='min'``)."""
    return stats.rankdata(-scores, axis=-1, method="min", nan_policy="omit")


def _rank_summary(units: pd.Index, ranks: np.ndarray, nominal_ranks: np.ndarray) -> pd.DataFrame:
    """Per unit: nominal, median and mean rank and the 5-95 % rank interval over the draws."""
    q05, median, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame(
        {
            "unit": units,
            "nominal_rank": nominal_ranks,
            "median_rank": median,
            "mean_rank": ranks.mean(axis=0, dtype=float),
            "q05_rank": q05,
            "q95_rank": q95,
        }
    )


def _label_draws(draws: pd.DataFrame, normalisations: Sequence[str], aggregations: Sequence[str]) -> pd.DataFrame:
    """Turn the integer choice codes of the draws into categoricals named by the choices."""
    return draws.assign(
        normalisation=pd.Categorical.from_codes(draws["normalisation"], categories=list(normalisations)),
        aggregation=pd.Categorical.from_codes(draws["aggregation"], categories=list(aggregations)),
    )


def _check_uncertainty_choices(
    caller: str,
    normalisations: Sequence[str],
    aggregations: Sequence[str],
    n_draws: int,
    n_weight_sets: int,
    weight_noise: float,
) -> None:
    """Reject Monte Carlo choices the vectorised draws cannot sample (shared by both analyses)."""
    for m in normalisations:
        if m not in ("minmax", "zscore", "rank", "none"):
            raise ValueError(f"{caller} cannot sample normalisation {m!r}")
    for a in aggregations:
        if a not in ("arithmetic", "geometric", "harmonic"):
            raise ValueError(f"{caller} samples arithmetic, geometric or harmonic means, not {a!r}")
    if "zscore" in normalisations and any(a != "arithmetic" for a in aggregations):
        raise ValueError("z-scores are negative for half the units: combine 'zscore' only with 'arithmetic'")
    if n_draws < 2 or n_weight_sets < 1 or not 0 <= weight_noise < 1:
        raise ValueError("need n_draws >= 2, n_weight_sets >= 1 and 0 <= weight_noise < 1")


def uncertainty_analysis(
    normalised_inputs: pd.DataFrame,
    structure: pd.DataFrame | Hierarchy,
    *,
    n_draws: int = 1000,
    normalisations: Sequence[NormalisationMethod] = ("minmax", "rank"),
    aggregations: Sequence[AggregationMethod] = ("arithmetic", "geometric"),
    weight_noise: float = 0.25,
    n_weight_sets: int = 100,
    target: str | None = None,
    nominal: tuple[NormalisationMethod, AggregationMethod] | None = None,
    seed: int | np.random.Generator | None = 0,
    batch_size: int = 500,
    progress: bool | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of unit ranks over the modelling choices (Handbook step 7).

    Each draw picks, uniformly and independently, a normalisation method, an aggregation method and
    one of ``n_weight_sets`` perturbed weight sets, rebuilds the composite from the (already
    treated) indicators and records every unit's rank on ``target`` (Saisana, Saltelli & Tarantola
    2005, J. R. Stat. Soc. A 168:307; COINr ``get_sensitivity`` with ``SA_type = "UA"``).

    Weight noise: every weight of the structure (indicators and aggregates) is multiplied by
    ``1 + u`` with ``u ~ Uniform(-weight_noise, +weight_noise)`` independently, then rescaled within
    its group at aggregation. Weight set 0 is the nominal (unperturbed) set. Drawing the weights
    from a finite pool makes the weight choice a discrete factor, so :func:`sensitivity_analysis`
    can estimate its first-order index from the same draws.

    Min-max is taken onto [1, 100] so that geometric and harmonic means are defined; this is an
    affine change of the [0, 100] scale and leaves arithmetic-mean ranks unchanged. z-scores can
    only be combined with the arithmetic mean (a ``ValueError`` says so otherwise). A single unit
    gets rank 1 in every draw (every normalisation of one unit is degenerate).

    The computation is vectorised over draws: draws with the same normalisation and aggregation
    are aggregated together as batched matrix products, ``batch_size`` draws at a time to bound
    memory: the node values of a batch take ``batch_size x units x nodes x 8`` bytes and the peak is
    about three times that (158 MiB measured for 500 draws x 500 units x 25 nodes; see
    ``benchmarks/bench_composite.py``), plus the float32 rank matrix of ``n_draws x units``.

    Parameters
    ----------
    normalised_inputs
        Units by indicators after imputation and treatment (the input of normalisation).
    structure
        Structure table or :class:`Hierarchy`.
    n_draws
        Number of Monte Carlo draws.
    normalisations, aggregations
        Alternatives sampled uniformly (``goalposts`` and ``distance_to_reference`` need extra
        inputs and are not sampled).
    weight_noise
        Half-width of the multiplicative uniform noise on the weights (0.25 = +-25 %).
    n_weight_sets
        Size of the pool of perturbed weight sets.
    target
        Aggregate whose ranks are analysed; default the first root.
    nominal
        (normalisation, aggregation) of the nominal ranks; default the first of each list.
    seed
        Seed or :class:`numpy.random.Generator`.
    batch_size
        Draws aggregated at once.
    progress
        Show a tqdm progress bar; default only when ``n_draws >= 5000``.

    Returns
    -------
    UncertaintyResult
        Ranks per draw and each unit's median rank and 5-95 % interval (quantiles of R type 7,
        :func:`numpy.quantile` ``method="linear"``).
    """
    hierarchy = parse_structure(structure)
    target = target or hierarchy.roots[0]
    if target not in hierarchy.aggregates:
        raise ValueError(f"target {target!r} is not an aggregate of the structure {hierarchy.aggregates}")
    _check_uncertainty_choices("uncertainty_analysis", normalisations, aggregations, n_draws, n_weight_sets,
                               weight_noise)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    values = _indicator_matrix(normalised_inputs, hierarchy.indicators)
    units = values.index
    direction = np.array([hierarchy.direction[c] for c in hierarchy.indicators], dtype=float)
    normalised = {
        m: _normalise_for_ranking(values.to_numpy(), direction, m)
        for m in normalisations
    }
    codes = hierarchy.indicators + hierarchy.aggregates
    position = {c: i for i, c in enumerate(codes)}
    base = np.array([hierarchy.weight[c] for c in codes])
    weight_sets = _perturbed_weight_sets(base, n_weight_sets, weight_noise, rng)

    draws = pd.DataFrame(
        {
            "normalisation": rng.integers(len(normalisations), size=n_draws),
            "aggregation": rng.integers(len(aggregations), size=n_draws),
            "weights": rng.integers(n_weight_sets, size=n_draws),
        }
    )
    n_indicators = len(hierarchy.indicators)
    plan = [(node, np.array([position[k] for k in hierarchy.children[node]])) for node in hierarchy.aggregation_order]
    ranks = np.empty((n_draws, len(units)), dtype=np.float32)

    def run(batch_norm: np.ndarray, power: float, wsets: np.ndarray) -> np.ndarray:
        # Node values for the batch: (draws, units, nodes); indicators are shared across draws.
        nodes = np.empty((wsets.shape[0], len(units), len(codes)))
        nodes[:, :, :n_indicators] = batch_norm[None]
        for node, kids in plan:
            nodes[:, :, position[node]] = _power_mean(nodes[:, :, kids], wsets[:, kids], power)
        return nodes[:, :, position[target]]

    if progress is None:
        progress = n_draws >= 5000
    with progress_bar(total=n_draws, enabled=progress, desc="uncertainty draws") as bar:
        for (ni, ai), rows in draws.groupby(["normalisation", "aggregation"]).indices.items():
            x = normalised[normalisations[ni]]
            power = _POWER[aggregations[ai]]
            if power <= 0 and np.nanmin(x) <= 0:
                raise ValueError(f"{aggregations[ai]} mean needs positive values; {normalisations[ni]!r} gives <= 0")
            for start in range(0, rows.size, batch_size):
                chunk = rows[start:start + batch_size]
                scores = run(x, power, weight_sets[draws["weights"].to_numpy()[chunk]])
                ranks[chunk] = _rank_descending(scores)
                bar.update(chunk.size)

    nominal = nominal or (normalisations[0], aggregations[0])
    nominal_scores = run(
        _normalise_for_ranking(values.to_numpy(), direction, nominal[0]),
        _POWER[nominal[1]], base[None, :],
    )
    rank_stats = _rank_summary(units, ranks, _rank_descending(nominal_scores)[0])
    draws = _label_draws(draws, normalisations, aggregations)
    settings = {"weight_noise": weight_noise, "n_weight_sets": n_weight_sets, "nominal": nominal,
                "normalisation_range": (1.0, 100.0)}
    return UncertaintyResult(rank_stats, ranks, draws, units, target, weight_sets, codes, settings)


def sensitivity_analysis(result: UncertaintyResult, factors: Iterable[str] | None = None) -> pd.DataFrame:
    """First-order sensitivity index of each uncertain choice on the units' ranks.

    For a unit with rank Y and a choice X with levels l (drawn independently of the other
    choices), the first-order index is ``S = Var_X(E[Y | X]) / Var(Y)`` (Saltelli et al. 2008,
    *Global Sensitivity Analysis: The Primer*, Wiley, ch. 1 and 4). It is estimated from the
    Monte Carlo draws of :func:`uncertainty_analysis` by the correlation ratio
    ``eta^2 = sum_l n_l (mean_l - mean)^2 / sum_i (y_i - mean)^2`` (the between-level share of the
    sum of squares), computed for every unit with non-zero rank variance and averaged over those units.

    With L levels and N draws, eta^2 is biased upwards by about ``(L - 1)/(N - 1) (1 - S)``;
    ``first_order_adjusted`` removes that bias (the omega^2 estimator,
    ``(SS_between - (L - 1) MS_within) / (SS_total + MS_within)``), which matters for the weight
    factor with its many levels.

    Parameters
    ----------
    result
        Output of :func:`uncertainty_analysis`.
    factors
        Columns of ``result.draws`` to analyse; default all.

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor, n_levels, first_order, first_order_adjusted, n_units``.
        The sum over factors is at most 1 for an additive model; the rest is interaction.
    """
    ranks = result.ranks.astype(float)
    n = ranks.shape[0]
    total_ss = ((ranks - ranks.mean(axis=0)) ** 2).sum(axis=0)
    varying = total_ss > 0
    rows = []
    for factor in factors or list(result.draws.columns):
        codes = pd.factorize(result.draws[factor])[0]
        n_levels = int(codes.max()) + 1
        counts = np.bincount(codes, minlength=n_levels).astype(float)
        # Level means via one scatter-add per level code, for all units at once.
        sums = np.zeros((n_levels, ranks.shape[1]))
        np.add.at(sums, codes, ranks)
        level_means = sums / counts[:, None]
        between = (counts[:, None] * (level_means - ranks.mean(axis=0)) ** 2).sum(axis=0)
        within_ms = (total_ss - between) / max(n - n_levels, 1)
        eta2 = between[varying] / total_ss[varying]
        omega2 = (between[varying] - (n_levels - 1) * within_ms[varying]) / (total_ss[varying] + within_ms[varying])
        rows.append(
            {
                "factor": factor,
                "n_levels": n_levels,
                "first_order": float(eta2.mean()) if eta2.size else np.nan,
                "first_order_adjusted": float(np.clip(omega2, 0, None).mean()) if omega2.size else np.nan,
                "n_units": int(varying.sum()),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Survey adapter
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapabilityIndex:
    """Output of :func:`capability_index`.

    Attributes
    ----------
    by_organisation
        One row per organisation: its id, group columns, ``n_dimensions`` scored and
        ``capability_index`` (0-100).
    by_group
        Tidy: ``grouping`` (``region`` / ``stakeholder`` / ...), ``group``, ``n``,
        ``mean_index``, ``sd_index``, ``suppressed`` (n below the minimum cell size, mean withheld).
    """

    by_organisation: pd.DataFrame
    by_group: pd.DataFrame


def capability_index(
    scores: pd.DataFrame,
    *,
    unit_col: str = "respondent_id",
    dimension_col: str = "dimension",
    score_col: str = "score_0_100",
    group_cols: Sequence[str] = ("region", "stakeholder"),
    role: str | None = "capability",
    weights: Mapping[str, float] | None = None,
    aggregation: AggregationMethod = "arithmetic",
    min_dimensions: int = 1,
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> CapabilityIndex:
    """Capability index per organisation from its dimension scores, and its group means.

    The dimension scores (already 0-100, so not re-normalised) are aggregated with
    :func:`aggregate` under a one-level structure ``dimensions -> capability_index``; a missing
    dimension is dropped and the weights of the others rescaled (COINr's rule), and
    ``n_dimensions`` records how many were scored.

    Parameters
    ----------
    scores
        Tidy table: one row per organisation and dimension with ``unit_col``, ``dimension_col``,
        ``score_col`` and the ``group_cols``, as :func:`innocap_analysis.scoring.score_dimensions`
        returns it.
    role
        If ``scores`` has a ``role`` column (``score_dimensions`` scores each dimension per role),
        only the rows of this role are used; ``None`` uses every row (then each organisation must
        have one row per dimension).
    weights
        Dimension -> weight; default equal weights.
    aggregation
        Mean used across dimensions (see :func:`aggregate`).
    min_dimensions
        Organisations with fewer scored dimensions get a missing index (reported, not dropped).
    min_cell_size
        Group means of fewer organisations are withheld (``suppressed`` = True), default
        :data:`innocap_analysis.config.MIN_CELL_SIZE`.
    """
    if scores.columns.has_duplicates:
        raise ValueError(
            f"scores has duplicate column name(s) {sorted(set(scores.columns[scores.columns.duplicated()]))}; "
            "rename one (for example the profile 'role' and the scoring 'role')"
        )
    required = [unit_col, dimension_col, score_col, *group_cols]
    missing = [c for c in required if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; it has {list(scores.columns)}")
    if role is not None and "role" in scores.columns:
        if not (scores["role"] == role).any():
            raise ValueError(f"scores has no rows with role {role!r}; roles present: {sorted(scores['role'].unique())}")
        scores = scores[scores["role"] == role]
    duplicated = scores.duplicated([unit_col, dimension_col])
    if duplicated.any():
        first = scores.loc[duplicated, [unit_col, dimension_col]].iloc[0].tolist()
        raise ValueError(f"scores has more than one row for ({unit_col}, {dimension_col}) = {first}")
    score = pd.to_numeric(scores[score_col], errors="coerce")
    bad = score.isna() & scores[score_col].notna() | (score < 0) | (score > 100)
    if bad.any():
        row = scores.index[bad][0]
        raise ValueError(f"scores row {row!r}: {score_col} = {scores.loc[row, score_col]!r} is not a number in [0, 100]")
    groups = scores[[unit_col, *group_cols]].drop_duplicates()
    if groups[unit_col].duplicated().any():
        unit = groups.loc[groups[unit_col].duplicated(), unit_col].iloc[0]
        raise ValueError(f"{unit_col} {unit!r} has more than one value of {list(group_cols)} across its rows")
    wide = scores.assign(**{score_col: score}).pivot(index=unit_col, columns=dimension_col, values=score_col)
    dimensions = list(wide.columns)
    structure = pd.DataFrame(
        {
            "code": [*dimensions, "capability_index"],
            "parent": ["capability_index"] * len(dimensions) + [None],
            "weight": [float((weights or {}).get(d, 1.0)) for d in dimensions] + [1.0],
            "direction": [1] * len(dimensions) + [np.nan],
        }
    )
    if weights:
        unknown = [d for d in weights if d not in dimensions]
        if unknown:
            raise ValueError(f"weights name dimension(s) not in the scores: {unknown}")
    index = aggregate(wide, structure, aggregation)["capability_index"]
    n_dimensions = wide.notna().sum(axis=1)
    index = index.where(n_dimensions >= min_dimensions)
    by_org = (
        groups.set_index(unit_col)
        .loc[wide.index]
        .assign(n_dimensions=n_dimensions, capability_index=index)
        .reset_index()
    )
    parts = []
    for grouping in group_cols:
        summary = (
            by_org.groupby(grouping, dropna=False)["capability_index"]
            .agg(n="count", mean_index="mean", sd_index="std")
            .reset_index()
            .rename(columns={grouping: "group"})
        )
        summary.insert(0, "grouping", grouping)
        parts.append(summary)
    by_group = pd.concat(parts, ignore_index=True)
    by_group["group"] = by_group["group"].astype("string")
    by_group["suppressed"] = by_group["n"] < min_cell_size
    by_group.loc[by_group["suppressed"], ["mean_index", "sd_index"]] = np.nan
    return CapabilityIndex(by_org, by_group)


@dataclass(frozen=True)
class GroupIndicators:
    """Output of :func:`group_indicator_matrix`.

    Attributes
    ----------
    matrix
        Published groups (index: the ``unit`` label) by dimensions: the mean 0-100 score of the
        group's organisations, the indicators of :func:`uncertainty_analysis`.
    structure
        One-level structure ``dimensions -> index_code`` (equal weights, direction +1).
    groups
        Every group, after :func:`~innocap_analysis.survey.suppress_small_cells`: ``unit``, the
        ``by`` columns, ``n`` and the dimension means (masked, with ``n``, when ``suppressed``).
    """

    matrix: pd.DataFrame
    structure: pd.DataFrame
    groups: pd.DataFrame


def _group_scores(
    scores: pd.DataFrame, by: list[str], unit_col: str, dimension_col: str, score_col: str, role: str | None
) -> pd.DataFrame:
    """Checked rows of one role for :func:`group_indicator_matrix` and :func:`group_rank_uncertainty`."""
    missing = [c for c in [unit_col, dimension_col, score_col, *by] if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; it has {list(scores.columns)}")
    if role is not None and "role" in scores.columns:
        if not (scores["role"] == role).any():
            raise ValueError(f"scores has no rows with role {role!r}")
        scores = scores[scores["role"] == role]
    if scores.duplicated([unit_col, dimension_col]).any():
        raise ValueError(f"scores has more than one row per ({unit_col}, {dimension_col})")
    if scores[by].isna().any().any():
        raise ValueError(f"scores has missing values in the grouping column(s) {by}")
    if scores[[unit_col, *by]].drop_duplicates()[unit_col].duplicated().any():
        raise ValueError(f"an organisation ({unit_col}) has more than one value of {by} across its rows")
    return scores.assign(**{score_col: pd.to_numeric(scores[score_col], errors="coerce").astype(float)})


def group_indicator_matrix(
    scores: pd.DataFrame,
    by: str | Sequence[str] = "region",
    *,
    unit_col: str = "respondent_id",
    dimension_col: str = "dimension",
    score_col: str = "score_0_100",
    role: str | None = "capability",
    min_cell_size: int = config.MIN_CELL_SIZE,
    index_code: str = "capability_index",
    separator: str = " / ",
) -> GroupIndicators:
    """Group means of the dimension scores as a units-by-indicators matrix with its structure.

    The units of the uncertainty analysis are groups of organisations (partner regions, or
    region x stakeholder type); their indicators are the group means of each dimension's 0-100
    score, over the organisations scored on that dimension. A group's ``n`` is the smallest of
    those per-dimension counts, so no published mean rests on fewer organisations than ``n``.
    Groups with ``n < min_cell_size`` are masked by
    :func:`~innocap_analysis.survey.suppress_small_cells` and left out of ``matrix``.

    With no missing scores the arithmetic mean of a group's dimension means is the mean of its
    organisations' :func:`capability_index` (equal weights), so the ``"none"`` normalisation with
    the arithmetic mean reproduces the ranking of ``capability_index(...).by_group``.

    Parameters
    ----------
    scores
        Tidy scores as :func:`innocap_analysis.scoring.score_dimensions` returns them.
    by
        Grouping column(s). With several, the unit label joins the values with ``separator``.
    role
        If ``scores`` has a ``role`` column, only the rows of this role are used (``None``: all).
    min_cell_size
        Smallest publishable group.
    index_code
        Code of the root of the structure.

    Returns
    -------
    GroupIndicators
        Groups in the order of the grouping columns (category order for categoricals), dimensions
        in their order of first appearance in ``scores``.
    """
    from .disclosure import suppress_small_cells

    by = [by] if isinstance(by, str) else list(by)
    scores = _group_scores(scores, by, unit_col, dimension_col, score_col, role)
    dimensions = list(pd.unique(scores[dimension_col]))
    frame = scores[by].assign(_dimension=pd.Categorical(scores[dimension_col], categories=dimensions),
                              _score=scores[score_col].to_numpy())
    grouped = frame.groupby([*by, "_dimension"], observed=True, sort=True)["_score"]
    means = grouped.mean().unstack("_dimension").reindex(columns=dimensions)
    counts = grouped.count().unstack("_dimension").reindex(columns=dimensions).fillna(0)
    keys = means.index.to_frame(index=False)
    labels = keys.astype(str).agg(separator.join, axis=1)
    groups = pd.concat([keys, means.reset_index(drop=True)], axis=1)
    groups.columns.name = None
    groups.insert(0, "unit", labels.to_numpy())
    groups.insert(len(by) + 1, "n", counts.min(axis=1).astype(int).to_numpy())
    if groups["unit"].duplicated().any():
        raise ValueError(f"unit labels are not unique with separator {separator!r}")
    groups = suppress_small_cells(groups, min_n=min_cell_size, value_columns=dimensions)
    kept = groups[~groups["suppressed"]]
    matrix = kept.set_index("unit")[dimensions].astype(float)
    matrix.index.name = "unit"
    structure = pd.DataFrame(
        {
            "code": [*dimensions, index_code],
            "parent": [index_code] * len(dimensions) + [None],
            "weight": [1.0] * (len(dimensions) + 1),
            "direction": [1] * len(dimensions) + [np.nan],
        }
    )
    return GroupIndicators(matrix, structure, groups.reset_index(drop=True))


def rank_interval_pairs(
    rank_stats: pd.DataFrame, *, lower: str = "q05_rank", upper: str = "q95_rank"
) -> pd.DataFrame:
    """Every pair of units, and whether their rank intervals are separated.

    Two intervals ``[lower, upper]`` overlap when each starts no later than the other ends;
    intervals that only touch (a shared end rank) count as overlapping. Only a pair whose
    intervals do not overlap supports a claim that one unit ranks ahead of the other, and only
    with respect to the uncertainty the intervals describe.

    Parameters
    ----------
    rank_stats
        :attr:`UncertaintyResult.rank_stats`: ``unit``, ``median_rank`` and the interval columns.

    Returns
    -------
    pandas.DataFrame
        One row per pair, ``unit_a`` the one with the better (smaller) median rank (ties broken by
        table order): ``unit_a, unit_b, a_lower, a_upper, b_lower, b_upper, overlap`` and
        ``ahead`` (``unit_a`` when separated, else missing). Pairs in the order of ``unit_a``'s,
        then ``unit_b``'s, median rank.
    """
    missing = [c for c in ("unit", "median_rank", lower, upper) if c not in rank_stats.columns]
    if missing:
        raise ValueError(f"rank_stats lacks column(s) {missing}")
    ordered = rank_stats.sort_values("median_rank", kind="stable").reset_index(drop=True)
    i, j = np.triu_indices(len(ordered), k=1)
    a, b = ordered.iloc[i].reset_index(drop=True), ordered.iloc[j].reset_index(drop=True)
    pairs = pd.DataFrame(
        {
            "unit_a": a["unit"],
            "unit_b": b["unit"],
            "a_lower": a[lower].astype(float),
            "a_upper": a[upper].astype(float),
            "b_lower": b[lower].astype(float),
            "b_upper": b[upper].astype(float),
        }
    )
    pairs["overlap"] = (pairs["a_lower"] <= pairs["b_upper"]) & (pairs["b_lower"] <= pairs["a_upper"])
    pairs["ahead"] = pairs["unit_a"].astype(object).where(~pairs["overlap"], None)
    return pairs


def rank_separation_sentence(
    pairs: pd.DataFrame,
    *,
    labels: Mapping[object, str] | None = None,
    what: str = "5-95 % rank intervals",
    max_listed: int | None = None,
) -> str:
    """A sentence on which pairs of :func:`rank_interval_pairs` support an "ahead" claim.

    Parameters
    ----------
    pairs
        Output of :func:`rank_interval_pairs`.
    labels
        Display name of each unit (default: the unit label).
    what
        Name of the intervals, for the sentence.
    max_listed
        List at most this many separated pairs (in table order) and count the rest; default all.
    """
    n_pairs, n_overlap = len(pairs), int(pairs["overlap"].sum())
    if n_pairs == 0:
        return "There is only one unit, so there is no pair to compare."
    text = (
        f"Of the {n_pairs} pairs, {n_overlap} have overlapping {what}: for "
        f"{'these' if n_overlap != 1 else 'this pair'} no claim that one is ahead of the other is supported."
    )
    separated = pairs[~pairs["overlap"]]
    if separated.empty:
        return text + " No pair is separated."
    shown = separated if max_listed is None else separated.iloc[:max_listed]
    name = (labels or {}).get
    listed = "; ".join(f"{name(a, a)} ahead of {name(b, b)}" for a, b in zip(shown["unit_a"], shown["unit_b"],
                                                                          strict=True))
    more = len(separated) - len(shown)
    return text + f" Separated ({len(separated)}): {listed}" + (f"; and {more} more." if more else ".")


def sensitivity_sentence(
    modelling: pd.DataFrame, combined: pd.DataFrame, n_units: int, *, what: str = "units"
) -> str:
    """Sentence on how much of the rank variance the modelling choices explain, without and with sampling.

    Parameters
    ----------
    modelling, combined
        :func:`sensitivity_analysis` of the modelling-only analysis (:func:`uncertainty_analysis`)
        and of the one that also resamples organisations (:func:`group_rank_uncertainty`).
    n_units
        Number of units ranked.
    what
        Plural name of the units.
    """
    varying = int(modelling["n_units"].iloc[0]) if len(modelling) else 0
    text = f"Over the modelling choices alone, the ranks of {varying} of the {n_units} {what} change at all."
    combined_varying = int(combined["n_units"].iloc[0]) if len(combined) else 0
    if combined_varying == 0:
        return text + " With the sampling of organisations too, no rank changes."
    explained = float(combined["first_order_adjusted"].sum())
    return text + (
        f" With the sampling of organisations, the ranks of {combined_varying} change, and the modelling choices "
        f"explain {explained:.0%} of their variance (first order, bias-adjusted); the remaining "
        f"{1 - explained:.0%} is the sampling of organisations and interactions."
    )


def group_rank_uncertainty(
    scores: pd.DataFrame,
    by: str | Sequence[str] = "region",
    *,
    n_draws: int = 1000,
    resample: bool = True,
    normalisations: Sequence[NormalisationMethod] = ("none", "minmax", "rank"),
    aggregations: Sequence[AggregationMethod] = ("arithmetic", "geometric"),
    weight_noise: float = 0.25,
    n_weight_sets: int = 100,
    nominal: tuple[NormalisationMethod, AggregationMethod] | None = None,
    seed: int | np.random.Generator | None = 0,
    unit_col: str = "respondent_id",
    dimension_col: str = "dimension",
    score_col: str = "score_0_100",
    role: str | None = "capability",
    min_cell_size: int = config.MIN_CELL_SIZE,
    index_code: str = "capability_index",
    separator: str = " / ",
) -> UncertaintyResult:
    """Rank uncertainty of group capability indices over the organisations sampled *and* the modelling choices.

    :func:`uncertainty_analysis` of the :func:`group_indicator_matrix` treats the group means as
    exact. They are means over the organisations that answered, so a ranking of groups also
    varies with who answered. Each draw here first resamples the organisations of every published
    group with replacement (a stratified bootstrap, Efron & Tibshirani 1993, *An Introduction to
    the Bootstrap*, ch. 6; the group sizes are kept), recomputes the group means of each
    dimension (over the resampled organisations scored on it), and then rebuilds the index with
    a normalisation, an aggregation and a perturbed weight set drawn as in
    :func:`uncertainty_analysis` (same meaning of ``weight_noise`` and ``n_weight_sets``; min-max
    onto [1, 100]). ``resample=False`` leaves out the bootstrap, which gives the modelling
    uncertainty alone. A single published group gets rank 1 in every draw.

    The resampled organisations are not a factor with levels, so :func:`sensitivity_analysis` of
    the result gives the first-order indices of the three modelling choices; the rest of the rank
    variance is sampling and interactions.

    Parameters
    ----------
    scores
        Tidy scores as :func:`innocap_analysis.scoring.score_dimensions` returns them.
    by, role, min_cell_size, index_code, separator
        As in :func:`group_indicator_matrix`; only its published groups are ranked.
    n_draws
        Number of draws.
    normalisations, aggregations
        Alternatives sampled uniformly: ``none``, ``minmax`` and ``rank`` (``zscore`` only with
        ``arithmetic`` alone); ``arithmetic``, ``geometric``, ``harmonic``.
    nominal
        (normalisation, aggregation) of the nominal ranks, computed on the observed group means
        with the unperturbed weights; default the first of each list.
    seed
        Seed or :class:`numpy.random.Generator`.

    Returns
    -------
    UncertaintyResult
        As from :func:`uncertainty_analysis`; ``settings["resample"]`` records the bootstrap.
    """
    by = [by] if isinstance(by, str) else list(by)
    _check_uncertainty_choices("group_rank_uncertainty", normalisations, aggregations, n_draws, n_weight_sets,
                               weight_noise)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    groups = group_indicator_matrix(scores, by, unit_col=unit_col, dimension_col=dimension_col, score_col=score_col,
                                    role=role, min_cell_size=min_cell_size, index_code=index_code,
                                    separator=separator)
    observed, dimensions = groups.matrix, list(groups.matrix.columns)
    units = observed.index
    if len(units) == 0:
        raise ValueError(f"no group of {by} has at least {min_cell_size} organisations")
    rows = _group_scores(scores, by, unit_col, dimension_col, score_col, role)
    wide = rows.pivot(index=unit_col, columns=dimension_col, values=score_col).reindex(columns=dimensions)
    keys = rows[[unit_col, *by]].drop_duplicates().set_index(unit_col).loc[wide.index]
    label = keys.astype(str).agg(separator.join, axis=1)

    means = np.broadcast_to(observed.to_numpy(), (n_draws, *observed.shape)).copy()
    if resample:
        for u, unit in enumerate(units):
            x = wide[label == unit].to_numpy(dtype=float)
            counts = rng.multinomial(x.shape[0], np.full(x.shape[0], 1.0 / x.shape[0]), size=n_draws)
            present = ~np.isnan(x)
            with np.errstate(invalid="ignore", divide="ignore"):
                means[:, u, :] = (counts @ np.where(present, x, 0.0)) / (counts @ present.astype(float))

    codes = [*dimensions, index_code]
    base = np.ones(len(codes))
    weight_sets = _perturbed_weight_sets(base, n_weight_sets, weight_noise, rng)
    draws = pd.DataFrame(
        {
            "normalisation": rng.integers(len(normalisations), size=n_draws),
            "aggregation": rng.integers(len(aggregations), size=n_draws),
            "weights": rng.integers(n_weight_sets, size=n_draws),
        }
    )
    direction = np.ones(len(dimensions))
    k = len(dimensions)

    def index_of(x: np.ndarray, normalisation: str, aggregation: str, weights: np.ndarray) -> np.ndarray:
        z = _normalise_for_ranking(x, direction, normalisation, names=dimensions, units=list(units))
        power = _POWER[aggregation]
        if power <= 0 and np.nanmin(z) <= 0:
            raise ValueError(f"{aggregation} mean needs positive values; {normalisation!r} gives <= 0")
        return _power_mean(z, weights[:k], power)

    ranks = np.empty((n_draws, len(units)), dtype=np.float32)
    norm_idx, agg_idx, w_idx = (draws[c].to_numpy() for c in ("normalisation", "aggregation", "weights"))
    for d in range(n_draws):
        score = index_of(means[d], normalisations[norm_idx[d]], aggregations[agg_idx[d]], weight_sets[w_idx[d]])
        ranks[d] = _rank_descending(score)
    nominal = nominal or (normalisations[0], aggregations[0])
    nominal_scores = index_of(observed.to_numpy(dtype=float), nominal[0], nominal[1], base)
    rank_stats = _rank_summary(units, ranks, _rank_descending(nominal_scores))
    draws = _label_draws(draws, normalisations, aggregations)
    settings = {"weight_noise": weight_noise, "n_weight_sets": n_weight_sets, "nominal": nominal,
                "normalisation_range": (1.0, 100.0), "resample": resample}
    return UncertaintyResult(rank_stats, ranks, draws, units, index_code, weight_sets, codes, settings)
