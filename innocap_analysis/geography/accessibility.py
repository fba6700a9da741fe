"""Two-step floating catchment area (2SFCA) accessibility, on sparse radius queries.

The 2SFCA (Luo & Wang 2003) measures how much supply (service points, doctors,
capacity) each demand location can reach, relative to the demand competing for it:

1. for every supply point ``j``: ``R_j = S_j / sum_i P_i w(d_ij)`` over the demand
   points ``i`` with ``d_ij <= d0`` (the catchment);
2. for every demand point ``i``: ``A_i = sum_j R_j w(d_ij)`` over the supply points
   ``j`` with ``d_ij <= d0``.

``w = 1`` is the original 2SFCA; a Gaussian ``w(d) = exp(-d^2 / (2 sigma^2))`` (the
kernel of PySAL ``access.weights.gaussian``) or stepped zone weights (Luo & Qi 2009,
the E2SFCA) give distance decay inside the catchment.

Only the pairs within the catchment are ever formed: a KD-tree on 3-D unit vectors
returns them, chunk of demand points by chunk, with a chord radius
(``scipy.spatial.cKDTree.sparse_distance_matrix``), and the two sums are
``numpy.bincount`` over compact pair chunks (uint16 positions and float64 weights, about
12 bytes per pair for a Gaussian, 4 for a step), never a dense origin-by-destination
matrix nor a pair table.

Distances: ``"great_circle"`` arcs come straight from the KD-tree chord. ``"geodesic"``
(WGS84) lines up to 100 km use
:func:`~innocap_analysis.geography.distance.short_geodesic_km` (chord and midpoint
curvature, within nanometres of ``pyproj.Geod``), longer ones ``Geod.inv``. With
piecewise-constant weights (step, E2SFCA zones) a distance is computed only when the
curvature bounds of its arc straddle a weight breakpoint; otherwise the weight is
already determined.

References
----------
Luo, W. & Wang, F. (2003). Measures of spatial accessibility to health care in a GIS
environment. *Environment and Planning B* 30(6), 865-884.
Luo, W. & Qi, Y. (2009). An enhanced two-step floating catchment area (E2SFCA) method
for measuring spatial accessibility to primary care physicians. *Health & Place* 15(4),
1100-1107.
Dai, D. (2010). Black residential segregation, disparities in spatial access to health
care facilities, and late-stage breast cancer diagnosis in metropolitan Detroit.
*Health & Place* 16(5), 1038-1052 (Gaussian 2SFCA).
Saxon, J., Koschinsky, J., Acosta, K., Anguiano, V., Anselin, L. & Rey, S. (2022). An
open software environment to make spatial access metrics more accessible. *Journal of
Computational Social Science* 5, 265-284 (PySAL ``access``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..progress import progress_bar
from .distance import (
    EARTH_MEAN_RADIUS_KM,
    SHORT_GEODESIC_MAX_KM,
    WGS84_MAX_CURVATURE_RADIUS_KM,
    WGS84_MIN_CURVATURE_RADIUS_KM,
    DistanceKind,
    _geodesic_km_inplace,
    ellipsoid_xyz_km,
    lonlat_of,
    short_geodesic_km,
    unit_vectors,
)

__all__ = ["catchment_pairs", "decay_weights", "two_step_fca"]

Decay = Literal["step", "gaussian"] | Mapping[float, float]


def catchment_pairs(
    demand: Any,
    supply: Any,
    radius_km: float,
    distance: DistanceKind = "geodesic",
    *,
    chunk_size: int = 10_000,
    progress: bool = False,
) -> pd.DataFrame:
    """All (demand, supply) pairs within ``radius_km`` of each other, as a sparse list.

    Parameters
    ----------
    demand, supply
        Points as accepted by :func:`~innocap_analysis.geography.distance.lonlat_of`.
    radius_km
        Catchment radius (km), in the chosen metric; pairs with distance ``<= radius_km``
        are returned.
    distance
        ``"geodesic"`` (WGS84) or ``"great_circle"`` (mean-radius sphere).
    chunk_size
        Demand points queried at a time (drives the progress bar).
    progress
        Show a tqdm progress bar.

    Returns
    -------
    pandas.DataFrame
        Columns ``demand_position``, ``supply_position`` (int64 positions in the inputs)
        and ``distance_km``, sorted by demand then supply position.

    Notes
    -----
    The KD-tree radius is a chord on the unit sphere. For ``"geodesic"`` the arc radius is
    ``radius_km / Rmin`` with ``Rmin = b^2/a`` the smallest WGS84 radius of curvature,
    which contains every pair whose geodesic is within ``radius_km`` (see
    :func:`~innocap_analysis.geography.distance.nearest_service`); the geodesics of
    those pairs are then computed and filtered: lines up to ``SHORT_GEODESIC_MAX_KM``
    (100 km) with :func:`~innocap_analysis.geography.distance.short_geodesic_km` (within
    a few nanometres of ``pyproj.Geod`` at 30 km, under a micrometre at 100 km), longer
    ones with ``Geod.inv``.
    """
    d_lon, d_lat, _ = lonlat_of(demand, "demand")
    s_lon, s_lat, _ = lonlat_of(supply, "supply")
    i, j, km = _catchment_pairs_lonlat(d_lon, d_lat, s_lon, s_lat, radius_km, distance, chunk_size, progress)
    order = np.lexsort((j, i))
    return pd.DataFrame({"demand_position": i[order], "supply_position": j[order], "distance_km": km[order]})


def _catchment_pairs_lonlat(
    d_lon: np.ndarray, d_lat: np.ndarray, s_lon: np.ndarray, s_lat: np.ndarray,
    radius_km: float, distance: DistanceKind, chunk_size: int = 10_000, progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unsorted (demand position, supply position, km) arrays of the pairs within radius_km."""
    pieces = [
        (i_local.astype(np.int64) + start, j.astype(np.int64), km)
        for start, i_local, j, km in _catchment_pair_chunks(
            d_lon, d_lat, s_lon, s_lat, radius_km, distance, chunk_size, progress
        )
    ]
    if not pieces:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return tuple(np.concatenate([piece[k] for piece in pieces]) for k in range(3))  # type: ignore[return-value]


def _catchment_pair_chunks(
    d_lon: np.ndarray, d_lat: np.ndarray, s_lon: np.ndarray, s_lat: np.ndarray,
    radius_km: float, distance: DistanceKind, chunk_size: int, progress: bool,
    breakpoints_km: np.ndarray | None = None,
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(start, i_local, j, km)`` per chunk of demand points, in compact dtypes.

    ``i_local`` is the position within the chunk ``start:start + chunk_size`` and ``j``
    the supply position, each in the smallest unsigned integer type that holds them
    (uint16 for chunks and supply sets below 65,536), so that a stored pair list costs
    little more than its distances.

    ``breakpoints_km`` (geodesic only) declares that the caller needs ``km`` only up to
    which interval between breakpoints it falls in (piecewise-constant weights: the step
    catchment, E2SFCA zones). Then a pair's geodesic is computed only when a breakpoint
    lies within its bounds ``[Rmin * arc, Rmax * arc]``; otherwise ``km`` is ``Rmin * arc``,
    which falls in the same interval as the true geodesic, so weights and catchment
    membership are exact.
    """
    if distance not in ("geodesic", "great_circle"):
        raise ValueError(f"distance must be 'geodesic' or 'great_circle', got {distance!r}")
    if not (np.isfinite(radius_km) and radius_km > 0):
        raise ValueError(f"the catchment radius must be a positive finite number of km, got {radius_km!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size!r}")
    search_radius = WGS84_MIN_CURVATURE_RADIUS_KM if distance == "geodesic" else EARTH_MEAN_RADIUS_KM
    # Slack far below a millimetre; the exact filter on distance_km follows.
    arc = min(radius_km / search_radius * (1 + 1e-9) + 1e-12, np.pi)
    chord = 2.0 * np.sin(arc / 2.0)
    supply_tree = cKDTree(unit_vectors(s_lon, s_lat))
    supply_xyz = ellipsoid_xyz_km(s_lon, s_lat) if distance == "geodesic" else None
    i_type = np.min_scalar_type(max(chunk_size - 1, 0))
    j_type = np.min_scalar_type(max(len(s_lon) - 1, 0))
    n = len(d_lon)
    for start in progress_bar(range(0, n, chunk_size), enabled=progress, desc="catchment pairs", unit="chunk"):
        stop = min(start + chunk_size, n)
        demand_tree = cKDTree(unit_vectors(d_lon[start:stop], d_lat[start:stop]))
        if distance == "geodesic" and breakpoints_km is None:
            demand_xyz = ellipsoid_xyz_km(d_lon[start:stop], d_lat[start:stop])
        found = demand_tree.sparse_distance_matrix(supply_tree, chord, output_type="ndarray")
        i_local, j = found["i"].astype(i_type), found["j"].astype(j_type)
        if distance == "geodesic" and breakpoints_km is not None:
            arc = 2.0 * np.arcsin(np.minimum(found["v"] / 2.0, 1.0))
            del found
            low = np.maximum(arc * (WGS84_MIN_CURVATURE_RADIUS_KM * (1 - 1e-9)) - 1e-9, 0.0)
            high = arc * (WGS84_MAX_CURVATURE_RADIUS_KM * (1 + 1e-9)) + 1e-9
            uncertain = np.searchsorted(breakpoints_km, low, "left") != np.searchsorted(
                breakpoints_km, high, "right"
            )
            km = low
            i = i_local[uncertain].astype(np.intp) + start
            j_uncertain = j[uncertain]
            km[uncertain] = _geodesic_km_inplace(
                d_lon[i], d_lat[i], s_lon[j_uncertain], s_lat[j_uncertain], workers=-1
            )
            del i, j_uncertain, arc, high
        elif distance == "geodesic":
            unit_chord = found["v"]
            del found
            # Short lines from the chord and the midpoint curvature (nanometre-accurate, a
            # fraction of the cost of Geod.inv); long ones (rare catchments) with Geod.inv.
            km = short_geodesic_km(demand_xyz[:, i_local], supply_xyz[:, j], workers=-1)
            long = unit_chord * WGS84_MIN_CURVATURE_RADIUS_KM > SHORT_GEODESIC_MAX_KM
            if long.any():
                i = i_local[long].astype(np.intp) + start
                km[long] = _geodesic_km_inplace(d_lon[i], d_lat[i], s_lon[j[long]], s_lat[j[long]], workers=-1)
            del unit_chord, long
        else:
            # Arc from the chord of the unit vectors: absolute error ~R * 1e-16, a few
            # nanometres; no trigonometry on the coordinates of every pair.
            km = EARTH_MEAN_RADIUS_KM * 2.0 * np.arcsin(np.minimum(found["v"] / 2.0, 1.0))
            del found
        keep = km <= radius_km
        yield start, i_local[keep], j[keep], km[keep]


def decay_weights(distance_km: np.ndarray, decay: Decay, bandwidth_km: float | None) -> np.ndarray:
    """Distance-decay weights inside the catchment.

    Parameters
    ----------
    distance_km
        Distances (km) of pairs already within the catchment.
    decay
        ``"step"``: 1 everywhere (Luo & Wang 2003). ``"gaussian"``:
        ``exp(-d^2 / (2 sigma^2))`` with ``sigma = bandwidth_km``, unnormalised so that
        ``w(0) = 1``, identical to ``access.weights.gaussian(sigma)``. A mapping
        ``{upper_km: weight}``: the weight of the smallest ``upper_km >= d`` and 0 beyond
        the largest (E2SFCA zones, Luo & Qi 2009; the rule of ``access.weights.step_fn``).
    bandwidth_km
        Gaussian sigma (km); only for ``decay="gaussian"``.

    Returns
    -------
    numpy.ndarray of float64
    """
    distance_km = np.asarray(distance_km, dtype=float)
    if isinstance(decay, Mapping):
        if not decay:
            raise ValueError("decay zones must not be empty")
        uppers = np.array(sorted(decay), dtype=float)
        weights = np.array([decay[k] for k in sorted(decay)], dtype=float)
        if (weights < 0).any() or not np.isfinite(weights).all():
            raise ValueError(f"decay zone weights must be finite and >= 0, got {dict(decay)!r}")
        zone = np.searchsorted(uppers, distance_km, side="left")
        return np.append(weights, 0.0)[zone]
    if decay == "step":
        return np.ones_like(distance_km)
    if decay == "gaussian":
        if bandwidth_km is None or not (np.isfinite(bandwidth_km) and bandwidth_km > 0):
            raise ValueError(f"decay='gaussian' needs a positive bandwidth_km (sigma, km), got {bandwidth_km!r}")
        return np.exp(-distance_km * distance_km / (2.0 * bandwidth_km**2))
    raise ValueError(f"decay must be 'step', 'gaussian' or a mapping {{upper_km: weight}}, got {decay!r}")


def _values(points: Any, spec: Any, n: int, role: str, what: str) -> np.ndarray:
    """Demand weights / supply capacities: None (1 each), a column name, or an array of length n."""
    if spec is None:
        return np.ones(n)
    if isinstance(spec, str):
        if not isinstance(points, pd.DataFrame) or spec not in points.columns:
            columns = list(points.columns) if isinstance(points, pd.DataFrame) else "none (not a DataFrame)"
            raise ValueError(f"{role}: {what} column {spec!r} not found; columns are {columns}")
        series = points[spec]
        label = f"{role} column {spec!r}"
    else:
        series = pd.Series(np.asarray(spec), index=getattr(points, "index", None))
        label = f"{role} {what}"
    if len(series) != n:
        raise ValueError(f"{label}: expected {n} values, got {len(series)}")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5]
        examples = ", ".join(f"{series.index[r]!r}: {series.iloc[r]!r}" for r in rows)
        raise ValueError(f"{label}: {int(bad.sum())} values are missing, non-numeric or negative, e.g. {examples}")
    return values


def _given_pair_chunks(
    pairs: pd.DataFrame, n_demand: int, n_supply: int, catchment_km: float,
    decay: Decay, bandwidth_km: float | None, pairs_per_chunk: int = 1_000_000,
) -> Callable[[], Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]]]:
    """Validate precomputed pairs; return a factory of chunk iterators over them (no copy)."""
    needed = ["demand_position", "supply_position", "distance_km"]
    missing = [c for c in needed if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs: missing columns {missing}; columns are {list(pairs.columns)}")
    i = pairs["demand_position"].to_numpy()
    j = pairs["supply_position"].to_numpy()
    km = pairs["distance_km"].to_numpy(dtype=float)
    for column, values, size in (("demand_position", i, n_demand), ("supply_position", j, n_supply)):
        if not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"pairs: column {column!r} must hold integer positions, got dtype {values.dtype}")
        bad = (values < 0) | (values >= size)
        if bad.any():
            raise ValueError(
                f"pairs: {int(bad.sum())} rows of {column!r} are outside 0..{size - 1}, "
                f"e.g. row {pairs.index[np.flatnonzero(bad)[0]]!r}"
            )
    bad = ~np.isfinite(km) | (km < 0)
    if bad.any():
        raise ValueError(
            f"pairs: {int(bad.sum())} distance_km values are missing or negative, "
            f"e.g. row {pairs.index[np.flatnonzero(bad)[0]]!r}"
        )

    def chunks() -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]]:
        for first in range(0, len(km), pairs_per_chunk):
            part = slice(first, first + pairs_per_chunk)
            inside = km[part] <= catchment_km
            weight = None if decay == "step" else decay_weights(km[part][inside], decay, bandwidth_km)
            yield 0, i[part][inside], j[part][inside], weight

    return chunks


def two_step_fca(
    demand: Any,
    supply: Any,
    catchment_km: float,
    decay: Decay = "step",
    bandwidth_km: float | None = None,
    demand_weight: str | np.ndarray | pd.Series | None = None,
    supply_capacity: str | np.ndarray | pd.Series | None = None,
    distance: DistanceKind = "geodesic",
    *,
    pairs: pd.DataFrame | None = None,
    chunk_size: int = 10_000,
    progress: bool = False,
) -> pd.Series:
    """Two-step floating catchment area accessibility (2SFCA, Gaussian 2SFCA, E2SFCA).

    Parameters
    ----------
    demand, supply
        Points (GeoDataFrame/GeoSeries in any CRS, DataFrame with lon/lat columns, or
        ``(n, 2)`` arrays of ``(lon, lat)`` degrees).
    catchment_km
        Catchment radius ``d0`` (km): pairs farther apart do not interact.
    decay
        ``"step"`` (no decay), ``"gaussian"`` or E2SFCA zones ``{upper_km: weight}``;
        see :func:`decay_weights`.
    bandwidth_km
        Gaussian sigma (km), required with ``decay="gaussian"``.
    demand_weight
        Population (or other demand) of each demand point: a column of ``demand``, an
        array, or None for 1 per point. Must be finite and >= 0.
    supply_capacity
        Capacity of each supply point (doctors, beds, 1 per office): a column of
        ``supply``, an array, or None for 1 per point. Must be finite and >= 0.
    distance
        ``"geodesic"`` (WGS84, default) or ``"great_circle"``.
    pairs
        Optional precomputed costs instead of the radius search: a DataFrame with
        ``demand_position``, ``supply_position`` (integer positions in ``demand`` and
        ``supply``) and ``distance_km`` (e.g. :func:`catchment_pairs`, or road-network
        travel distances). Pairs with ``distance_km > catchment_km`` are ignored.
    chunk_size, progress
        Demand points per radius query, and a tqdm progress bar over them.

    Returns
    -------
    pandas.Series
        ``accessibility`` (supply capacity per unit of demand, e.g. services per person),
        indexed like ``demand``. Demand points with no supply point within the catchment
        get 0. A supply point whose catchment holds no demand weight serves nobody and
        contributes 0 (``access`` would divide by zero there).

    Notes
    -----
    With the same pair distances, the values equal PySAL ``access``'s
    ``Access.two_stage_fca(max_cost=catchment_km, weight_fn=...)`` (the test suite
    checks this to a relative 1e-9), except that ``access`` leaves demand points
    without reachable supply out (NaN) where this returns 0.

    References
    ----------
    Luo & Wang (2003), Environment and Planning B 30:865-884; Luo & Qi (2009), Health &
    Place 15:1100-1107; Dai (2010), Health & Place 16:1038-1052.
    """
    if not (np.isfinite(catchment_km) and catchment_km > 0):
        raise ValueError(f"catchment_km must be a positive finite number of km, got {catchment_km!r}")
    if not isinstance(decay, Mapping) and decay not in ("step", "gaussian"):
        raise ValueError(f"decay must be 'step', 'gaussian' or a mapping {{upper_km: weight}}, got {decay!r}")
    if decay == "gaussian" and (bandwidth_km is None or not (np.isfinite(bandwidth_km) and bandwidth_km > 0)):
        raise ValueError(f"decay='gaussian' needs a positive bandwidth_km (sigma, km), got {bandwidth_km!r}")
    d_lon, d_lat, d_index = lonlat_of(demand, "demand")
    s_lon, s_lat, _ = lonlat_of(supply, "supply")
    population = _values(demand, demand_weight, len(d_lon), "demand", "demand_weight")
    capacity = _values(supply, supply_capacity, len(s_lon), "supply", "supply_capacity")

    n_demand, n_supply = len(d_lon), len(s_lon)
    # Pair chunks as (demand offset, demand positions within the chunk, supply positions,
    # weights or None for 1). Only compact per-chunk arrays exist at any time, plus, for a
    # radius search, the stored positions and weights (about 12 bytes per pair for the
    # Gaussian, 4 for the step), so the peak memory stays far below a pair table.
    if pairs is None:
        stored = []
        # Piecewise-constant weights need only which interval a distance falls in.
        if decay == "step":
            breakpoints = np.array([catchment_km])
        elif isinstance(decay, Mapping):
            breakpoints = np.unique(np.append(np.array(list(decay), dtype=float), catchment_km))
        else:
            breakpoints = None
        for start, i_local, j, km in _catchment_pair_chunks(
            d_lon, d_lat, s_lon, s_lat, catchment_km, distance, chunk_size, progress, breakpoints
        ):
            weight = None if decay == "step" else decay_weights(km, decay, bandwidth_km)
            stored.append((start, i_local, j, weight))
            del km
        chunks: Any = stored
    else:
        chunks = _given_pair_chunks(pairs, n_demand, n_supply, catchment_km, decay, bandwidth_km)

    # Step 1: weighted demand in each supply point's catchment, and its supply ratio.
    catchment_demand = np.zeros(n_supply)
    for start, i_local, j, weight in chunks() if callable(chunks) else chunks:
        demand_w = population[i_local.astype(np.intp) + start]
        if weight is not None:
            demand_w *= weight
        catchment_demand += np.bincount(j, weights=demand_w, minlength=n_supply)
    ratio = np.divide(capacity, catchment_demand, out=np.zeros(n_supply), where=catchment_demand > 0)
    # Step 2: weighted sum of the ratios reachable from each demand point.
    accessibility = np.zeros(n_demand)
    for start, i_local, j, weight in chunks() if callable(chunks) else chunks:
        supply_w = ratio[j]
        if weight is not None:
            supply_w *= weight
        span = int(i_local.max()) + 1 if i_local.size else 0
        accessibility[start : start + span] += np.bincount(i_local, weights=supply_w, minlength=span)
    return pd.Series(accessibility, index=d_index, name="accessibility")
