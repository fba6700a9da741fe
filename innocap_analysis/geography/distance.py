"""Nearest-service distances on the sphere and on the WGS84 ellipsoid.

The nearest service point of every demand point (settlement, grid cell, person) is
found with a KD-tree on 3-D unit vectors: the chord between two points of the unit
sphere, ``2 sin(arc / 2)``, is monotone in their great-circle arc, so the Euclidean
nearest neighbour of the unit vectors *is* the great-circle nearest neighbour. This
is exact at the poles, across Greenland and Svalbard and across the antimeridian,
where Euclidean distance in any single projected CRS is not.

Two distances are offered:

``"geodesic"``
    The WGS84 ellipsoidal geodesic (Karney 2013, through :class:`pyproj.Geod`), the
    reference answer. The nearest point on the ellipsoid is not always the nearest
    point on the sphere (east-west lengths are relatively longer on the ellipsoid, by
    up to ~0.3 % at high latitudes), so the sphere-nearest is only a candidate: every
    supply point that could still be ellipsoid-nearer is fetched and refined with
    ``Geod.inv``. The bound is provable (see :func:`~innocap_analysis.geography.nearest.nearest_service`), so the result
    equals a brute-force ellipsoidal search.
``"great_circle"``
    The great circle on a sphere of the IUGG mean Earth radius ``R1 = 6371.0088 km``
    (Moritz 2000), within about 0.5 % of the geodesic.

An optional road-distance estimate multiplies the distance by a detour (circuity)
factor; see :func:`~innocap_analysis.geography.nearest.nearest_service`. For the many short pairs of a catchment analysis,
:func:`short_geodesic_km` gives the WGS84 geodesic from the chord and the curvature at
the midpoint, within nanometres of ``Geod`` at a fraction of its cost.

References
----------
Karney, C. F. F. (2013). Algorithms for geodesics. *Journal of Geodesy* 87, 43-55.
Moritz, H. (2000). Geodetic Reference System 1980. *Journal of Geodesy* 74, 128-133.
Ballou, R. H., Rahardja, H. & Sakai, N. (2002). Selected country circuity factors for
road travel distance estimation. *Transportation Research Part A* 36(9), 843-848.
Boscoe, F. P., Henry, K. A. & Zdeb, M. S. (2012). A nationwide comparison of driving
distance versus straight-line distance to hospitals. *The Professional Geographer*
64(2), 188-196.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from .._compat import moved
from ..progress import progress_bar

__all__ = [
    "EARTH_MEAN_RADIUS_KM",
    "WGS84_MIN_CURVATURE_RADIUS_KM",
    "WGS84_MAX_CURVATURE_RADIUS_KM",
    "DistanceKind",
    "lonlat_of",
    "unit_vectors",
    "great_circle_km",
    "geodesic_km",
    "ellipsoid_xyz_km",
    "short_geodesic_km",
    "SHORT_GEODESIC_MAX_KM",
    "nearest_service_in_memory",
]

DistanceKind = Literal["geodesic", "great_circle"]

#: IUGG mean Earth radius R1 = (2a + b) / 3 of GRS80/WGS84, km (Moritz 2000).
EARTH_MEAN_RADIUS_KM: float = 6371.0088

_GEOD = Geod(ellps="WGS84")
_A_KM = _GEOD.a / 1000.0
_B_KM = _GEOD.b / 1000.0
#: Smallest radius of curvature of WGS84, the meridional one at the equator, b**2 / a (km).
WGS84_MIN_CURVATURE_RADIUS_KM: float = _B_KM**2 / _A_KM
#: Largest radius of curvature of WGS84, at the poles, a**2 / b (km).
WGS84_MAX_CURVATURE_RADIUS_KM: float = _A_KM**2 / _B_KM

# Relative and absolute (radian) slack on the candidate bound, far above float rounding
# of the chord (~1e-16) and far below any distance that matters (1e-12 rad = 6 micrometres).
_BOUND_REL_SLACK = 1e-9
_BOUND_ABS_SLACK = 1e-12

# Below this many pairs per thread, threading costs more than it saves.
_MIN_PAIRS_PER_THREAD = 50_000

_LON_NAMES = ("lon", "lng", "long", "longitude", "x")
_LAT_NAMES = ("lat", "latitude", "y")


# ----------------------------------------------------------------------------- inputs


def lonlat_of(points: Any, role: str = "points") -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Return longitude, latitude (degrees, WGS84) and the index of a set of points.

    Parameters
    ----------
    points
        A GeoDataFrame or GeoSeries of points in any CRS (converted to EPSG:4326);
        a DataFrame with longitude/latitude columns (``lon``/``lat``,
        ``longitude``/``latitude``, case-insensitive) in degrees; or an array-like of
        shape ``(n, 2)`` holding ``(lon, lat)`` in degrees.
    role
        Name used in error messages (``"demand"``, ``"supply"``).

    Returns
    -------
    lon, lat : numpy.ndarray of float64, degrees
    index : pandas.Index
        The index of ``points`` (a RangeIndex for arrays).

    Raises
    ------
    ValueError
        On a missing CRS, non-point or empty geometries, missing columns, non-finite
        coordinates or latitudes outside [-90, 90]; the offending rows are named.
    """
    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        geometry = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if geometry.crs is None:
            raise ValueError(
                f"{role}: the GeoDataFrame/GeoSeries has no CRS; set it (e.g. .set_crs(4326)) "
                "so that coordinates can be converted to longitude/latitude"
            )
        geoms = geometry.to_numpy()
        # shapely's vectorised type ids (0 = Point, -1 = missing) avoid building a string per row.
        bad = (shapely.get_type_id(geoms) != 0) | shapely.is_empty(geoms)
        if bad.any():
            labels = list(geometry.index[bad][:5])
            kinds = [getattr(g, "geom_type", "missing") for g in geoms[bad][:5]]
            raise ValueError(
                f"{role}: {int(bad.sum())} geometries are not non-empty points, e.g. index "
                f"{labels} with types {kinds}; use representative points or centroids explicitly"
            )
        lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)
        if not geometry.crs.equals("EPSG:4326"):
            # Same transformation as GeoSeries.to_crs(4326), on the coordinate arrays directly.
            lon, lat = Transformer.from_crs(geometry.crs, 4326, always_xy=True).transform(lon, lat)
        index = points.index
    elif isinstance(points, pd.DataFrame):
        lower = {str(c).lower(): c for c in points.columns}
        lon_col = next((lower[n] for n in _LON_NAMES if n in lower), None)
        lat_col = next((lower[n] for n in _LAT_NAMES if n in lower), None)
        if lon_col is None or lat_col is None:
            raise ValueError(
                f"{role}: DataFrame needs longitude and latitude columns (one of {_LON_NAMES} and "
                f"one of {_LAT_NAMES}); found {list(points.columns)}"
            )
        lon = points[lon_col].to_numpy(dtype=float)
        lat = points[lat_col].to_numpy(dtype=float)
        index = points.index
    else:
        array = np.asarray(points, dtype=float)
        if array.ndim != 2 or array.shape[1] != 2:
            raise ValueError(f"{role}: expected an array of shape (n, 2) of (lon, lat); got {array.shape}")
        lon, lat = array[:, 0].copy(), array[:, 1].copy()
        index = pd.RangeIndex(len(array))
    _check_lonlat(lon, lat, index, role)
    return lon, lat, index


def _check_lonlat(lon: np.ndarray, lat: np.ndarray, index: pd.Index, role: str) -> None:
    problems = {
        "non-finite coordinate": ~(np.isfinite(lon) & np.isfinite(lat)),
        "latitude outside [-90, 90]": np.abs(lat) > 90.0,
        "longitude outside [-180, 360]": (lon < -180.0) | (lon > 360.0),
    }
    for what, mask in problems.items():
        if mask.any():
            rows = np.flatnonzero(mask)[:5]
            examples = ", ".join(f"{index[r]!r}: (lon={lon[r]}, lat={lat[r]})" for r in rows)
            raise ValueError(f"{role}: {int(mask.sum())} rows with {what}, e.g. {examples}")


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return ``(n, 3)`` unit vectors of points given in degrees on the unit sphere.

    Geodetic latitude is used as spherical latitude, which is the convention of every
    great-circle (haversine) distance on geographic coordinates.
    """
    lon_r = np.radians(lon)
    lat_r = np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.column_stack((cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)))


def _chord_to_arc(chord: np.ndarray) -> np.ndarray:
    return 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


# -------------------------------------------------------------------------- distances


def great_circle_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray,
    radius_km: float = EARTH_MEAN_RADIUS_KM,
) -> np.ndarray:
    """Great-circle distance (km) between paired points given in degrees.

    Uses the atan2 (Vincenty 1975, special case of the sphere) form, which is well
    conditioned for coincident and antipodal points alike, unlike the haversine.
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    dlon = lon2 - lon1
    sin1, cos1, sin2, cos2 = np.sin(lat1), np.cos(lat1), np.sin(lat2), np.cos(lat2)
    num = np.hypot(cos2 * np.sin(dlon), cos1 * sin2 - sin1 * cos2 * np.cos(dlon))
    den = sin1 * sin2 + cos1 * cos2 * np.cos(dlon)
    return radius_km * np.arctan2(num, den)


def geodesic_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray, workers: int = 1
) -> np.ndarray:
    """WGS84 geodesic distance (km) between paired points given in degrees (Karney 2013).

    ``workers > 1`` (or -1 for all cores) splits large inputs over threads; pyproj's
    ``Geod.inv`` loop releases the GIL, so the threads run in parallel.
    """
    arrays = [np.array(v, dtype=float, copy=True).ravel() for v in (lon1, lat1, lon2, lat2)]
    return _geodesic_km_inplace(*arrays, workers=workers)


def _geodesic_km_inplace(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray, workers: int = 1
) -> np.ndarray:
    """:func:`geodesic_km` on float64 1-D arrays that the caller owns; they are overwritten."""
    n = lon1.size
    if n == 0:
        return np.zeros(0)
    threads = (os.cpu_count() or 1) if workers == -1 else max(1, workers)
    threads = min(threads, max(1, n // _MIN_PAIRS_PER_THREAD))

    def inverse(part: slice) -> None:
        # inplace: pyproj writes the distances (m) into the lon2 buffer, no new arrays.
        _GEOD.inv(lon1[part], lat1[part], lon2[part], lat2[part], inplace=True)

    if threads == 1:
        inverse(slice(None))
    else:
        bounds = np.linspace(0, n, threads + 1).astype(int)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(inverse, [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]))
    lon2 /= 1000.0
    return lon2


#: Longest chord (km) for which :func:`short_geodesic_km` is used; beyond, ``Geod.inv``.
SHORT_GEODESIC_MAX_KM: float = 100.0
_E2 = _GEOD.es


def ellipsoid_xyz_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Earth-centred Cartesian coordinates (km) of points on the WGS84 ellipsoid, shape ``(3, n)``."""
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    sin_lat, cos_lat = np.sin(lat_r), np.cos(lat_r)
    prime_vertical = _A_KM / np.sqrt(1.0 - _E2 * sin_lat * sin_lat)
    return np.stack(
        (
            prime_vertical * cos_lat * np.cos(lon_r),
            prime_vertical * cos_lat * np.sin(lon_r),
            prime_vertical * (1.0 - _E2) * sin_lat,
        )
    )


def short_geodesic_km(p: np.ndarray, q: np.ndarray, workers: int = 1) -> np.ndarray:
    """WGS84 geodesic length (km) of short lines from the chord and the curvature at the midpoint.

    Parameters
    ----------
    p, q
        Points on the ellipsoid from :func:`ellipsoid_xyz_km`, shape ``(3, k)``, paired
        column by column. Chords up to :data:`SHORT_GEODESIC_MAX_KM`.
    workers
        Threads (numpy releases the GIL in its loops); -1 for all cores.

    Returns
    -------
    numpy.ndarray
        Geodesic lengths (km).

    Notes
    -----
    A geodesic has no geodesic curvature, so its curvature as a space curve is the normal
    curvature of the ellipsoid in its direction, ``1/rho = cos^2(alpha)/M + sin^2(alpha)/N``
    (Euler's theorem; ``M``, ``N`` the meridional and prime-vertical radii at latitude
    ``phi``, ``alpha`` the azimuth). Evaluated at the midpoint of the line (the normal of the
    chord midpoint, the chord direction for ``alpha``), the osculating circle gives
    ``s = 2 rho asin(c / (2 rho))`` for a chord ``c``. Taking the curvature at the midpoint
    cancels the odd-order terms of its variation; the remaining error is of order
    ``e^2 (s/R)^4 s``: under a micrometre at 100 km and a few nanometres at 30 km, checked
    against ``pyproj.Geod`` (Karney 2013) in the test suite. It costs a fraction of
    ``Geod.inv`` because it is a few vectorised arithmetic operations per pair.
    """
    k = p.shape[1]
    if k == 0:
        return np.zeros(0)
    threads = (os.cpu_count() or 1) if workers == -1 else max(1, workers)
    threads = min(threads, max(1, k // _MIN_PAIRS_PER_THREAD))
    if threads > 1:
        bounds = np.linspace(0, k, threads + 1).astype(int)
        parts = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        with ThreadPoolExecutor(threads) as pool:
            return np.concatenate(list(pool.map(lambda part: short_geodesic_km(p[:, part], q[:, part]), parts)))
    chord_vec = q - p
    chord = np.sqrt(np.einsum("ij,ij->j", chord_vec, chord_vec))
    mid = (p + q) * 0.5
    # Surface normal at the midpoint: the gradient of x^2/a^2 + y^2/a^2 + z^2/b^2.
    normal = mid
    normal[2] *= 1.0 / (1.0 - _E2)
    normal /= np.sqrt(np.einsum("ij,ij->j", normal, normal))
    sin2_lat = normal[2] * normal[2]
    cos2_lat = 1.0 - sin2_lat
    direction = chord_vec / np.where(chord > 0.0, chord, 1.0)
    along_normal = np.einsum("ij,ij->j", direction, normal)
    # Northward component of the direction: e_N = (-sin(phi) n_xy, cos(phi)) with n_xy = n / cos(phi).
    north = (cos2_lat * direction[2] - normal[2] * (normal[0] * direction[0] + normal[1] * direction[1]))
    tangent2 = np.maximum(1.0 - along_normal * along_normal, 1e-300)
    cos2_azimuth = np.clip(north * north / (np.maximum(cos2_lat, 1e-300) * tangent2), 0.0, 1.0)
    w2 = 1.0 - _E2 * sin2_lat
    meridional = _A_KM * (1.0 - _E2) / (w2 * np.sqrt(w2))
    prime_vertical = _A_KM / np.sqrt(w2)
    rho = 1.0 / (cos2_azimuth / meridional + (1.0 - cos2_azimuth) / prime_vertical)
    return 2.0 * rho * np.arcsin(np.minimum(chord / (2.0 * rho), 1.0))


# ---------------------------------------------------------------------------- nearest


def _pick_min(distance: np.ndarray, position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise minimum of ``distance`` (inf = no candidate); exact ties go to the lowest position."""
    best = distance.min(axis=1)
    tied = distance <= best[:, None]
    sentinel = np.iinfo(np.int64).max
    chosen = np.where(tied, position, sentinel).min(axis=1)
    return best, chosen


def _nearest_geodesic_chunk(
    tree: cKDTree, s_lon: np.ndarray, s_lat: np.ndarray,
    d_uv: np.ndarray, d_lon: np.ndarray, d_lat: np.ndarray, workers: int,
) -> tuple[np.ndarray, np.ndarray]:
    n_supply = tree.n
    k_first = min(2, n_supply)
    chord, pos = tree.query(d_uv, k=k_first, workers=workers)
    chord = chord.reshape(len(d_uv), k_first)
    pos = pos.reshape(len(d_uv), k_first).astype(np.int64)
    best_pos = pos[:, 0].copy()
    best_km = geodesic_km(d_lon, d_lat, s_lon[best_pos], s_lat[best_pos], workers)
    # Any supply point ellipsoid-nearer than the sphere-nearest lies within this arc.
    bound_arc = best_km / WGS84_MIN_CURVATURE_RADIUS_KM * (1.0 + _BOUND_REL_SLACK) + _BOUND_ABS_SLACK
    if n_supply == 1:
        return best_km, best_pos
    unresolved = np.flatnonzero(_chord_to_arc(chord[:, 1]) <= bound_arc)
    k = 8
    while unresolved.size:
        k = min(k, n_supply)
        chord_k, pos_k = tree.query(d_uv[unresolved], k=k, workers=workers)
        is_candidate = _chord_to_arc(chord_k) <= bound_arc[unresolved, None]
        rows, cols = np.nonzero(is_candidate)
        cand_pos = pos_k[rows, cols].astype(np.int64)
        cand_km = np.full(chord_k.shape, np.inf)
        cand_km[rows, cols] = geodesic_km(
            d_lon[unresolved[rows]], d_lat[unresolved[rows]], s_lon[cand_pos], s_lat[cand_pos], workers
        )
        km, chosen = _pick_min(cand_km, np.where(is_candidate, pos_k, np.iinfo(np.int64).max))
        best_km[unresolved] = km
        best_pos[unresolved] = chosen
        # Rows whose k-th neighbour is still a candidate may have more candidates further out.
        more = is_candidate[:, -1] & (k < n_supply)
        unresolved = unresolved[more]
        k *= 4
    return best_km, best_pos


def _nearest_great_circle_chunk(
    tree: cKDTree, s_lon: np.ndarray, s_lat: np.ndarray,
    d_uv: np.ndarray, d_lon: np.ndarray, d_lat: np.ndarray, workers: int,
) -> tuple[np.ndarray, np.ndarray]:
    _, pos = tree.query(d_uv, k=1, workers=workers)
    pos = np.asarray(pos, dtype=np.int64)
    return great_circle_km(d_lon, d_lat, s_lon[pos], s_lat[pos]), pos


def nearest_service_in_memory(
    demand: Any,
    supply: Any,
    distance: DistanceKind = "geodesic",
    max_km: float | None = None,
    detour_factor: float | None = None,
    *,
    chunk_size: int = 500_000,
    workers: int = -1,
    progress: bool = False,
) -> pd.DataFrame:
    """:func:`~innocap_analysis.geography.nearest.nearest_service` on in-memory points (its parameters)."""
    if distance not in ("geodesic", "great_circle"):
        raise ValueError(f"distance must be 'geodesic' or 'great_circle', got {distance!r}")
    if max_km is not None and not (np.isfinite(max_km) and max_km > 0):
        raise ValueError(f"max_km must be a positive finite number of km, got {max_km!r}")
    if detour_factor is not None and not (np.isfinite(detour_factor) and detour_factor >= 1.0):
        raise ValueError(f"detour_factor must be a finite number >= 1, got {detour_factor!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size!r}")

    s_lon, s_lat, s_index = lonlat_of(supply, "supply")
    if len(s_lon) == 0:
        raise ValueError("supply: no supply points; the nearest service is undefined")
    d_lon, d_lat, d_index = lonlat_of(demand, "demand")

    tree = cKDTree(unit_vectors(s_lon, s_lat))
    chunk_fn = _nearest_geodesic_chunk if distance == "geodesic" else _nearest_great_circle_chunk
    n = len(d_lon)
    distance_km = np.empty(n)
    position = np.empty(n, dtype=np.int64)
    starts = range(0, n, chunk_size)
    for start in progress_bar(starts, enabled=progress, desc=f"nearest_service ({distance})", unit="chunk"):
        part = slice(start, min(start + chunk_size, n))
        distance_km[part], position[part] = chunk_fn(
            tree, s_lon, s_lat, unit_vectors(d_lon[part], d_lat[part]), d_lon[part], d_lat[part], workers
        )
    return _assemble(distance_km, position, d_index, s_index, max_km, detour_factor)


def _assemble(
    distance_km: np.ndarray, position: np.ndarray, d_index: pd.Index, s_index: pd.Index,
    max_km: float | None, detour_factor: float | None,
) -> pd.DataFrame:
    supply_label = pd.Series(s_index.take(position), index=d_index, name="supply_index")
    result = pd.DataFrame(
        {
            "distance_km": distance_km,
            "supply_index": supply_label,
            "supply_position": pd.array(position, dtype="Int64"),
        },
        index=d_index,
    )
    if max_km is not None:
        beyond = distance_km > max_km
        # Same dtypes whether or not any point is beyond the limit.
        if pd.api.types.is_integer_dtype(result["supply_index"].dtype):
            result["supply_index"] = result["supply_index"].astype("Int64")
        if beyond.any():
            result.loc[beyond, ["distance_km", "supply_index", "supply_position"]] = pd.NA
        result["beyond_max_km"] = beyond
    if detour_factor is not None:
        result["road_km_estimate"] = result["distance_km"] * detour_factor
    return result


# Names that lived here before the 0.2 layout (deprecated, removed in the next release).
__getattr__ = moved(__name__, ["innocap_analysis.geography.nearest"])
