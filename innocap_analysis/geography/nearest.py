"""The public nearest-service search: in memory, or over a dask-geopandas collection.

:func:`nearest_service` dispatches on the type of the demand points: in-memory points go to
:func:`~innocap_analysis.geography.distance.nearest_service_in_memory`, dask-geopandas collections to
:mod:`innocap_analysis.geography._dask` (an optional dependency, imported only when needed), which
runs the in-memory search partition by partition. Neither implementation imports this module.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .distance import DistanceKind, nearest_service_in_memory

__all__ = ["nearest_service"]


def nearest_service(
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
    """Distance from every demand point to its nearest supply (service) point.

    Parameters
    ----------
    demand, supply
        Points: GeoDataFrame/GeoSeries in any CRS (converted to EPSG:4326), DataFrame
        with longitude/latitude columns, or ``(n, 2)`` arrays of ``(lon, lat)`` degrees
        (see :func:`lonlat_of`). ``demand`` may also be a dask-geopandas GeoDataFrame;
        the result is then a lazy dask DataFrame (``supply`` is broadcast to every
        partition). ``supply`` must not be empty.
    distance
        ``"geodesic"`` (WGS84 ellipsoid, exact nearest on the ellipsoid) or
        ``"great_circle"`` (sphere of radius :data:`EARTH_MEAN_RADIUS_KM`, exact
        nearest on the sphere).
    max_km
        Optional search limit (km, in the chosen metric). Demand points whose nearest
        supply point is farther get ``distance_km``, ``supply_index`` and
        ``supply_position`` NA and ``beyond_max_km = True``; nothing is dropped.
    detour_factor
        Optional circuity factor (road distance / straight-line distance, >= 1). When
        given, a column ``road_km_estimate = distance_km * detour_factor`` is added.
        Published national averages are about 1.2-1.4 (Ballou et al. 2002 report
        1.15-1.65 by country; Boscoe et al. 2012 find about 1.4 for short trips,
        falling towards 1.2 with distance). It is an estimate for sparse road
        networks with fjords and lakes, not a routed distance.
    chunk_size
        Demand points processed at a time (bounds memory; drives the progress bar).
    workers
        Threads for the KD-tree queries (``-1``: all cores).
    progress
        Show a tqdm progress bar over demand chunks.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``demand``, with ``distance_km`` (float, km), ``supply_index``
        (the index label of the nearest supply point), ``supply_position`` (its
        integer position in ``supply``), plus ``beyond_max_km`` (bool) when ``max_km``
        is given and ``road_km_estimate`` (km) when ``detour_factor`` is given.
        Exact distance ties go to the lowest supply position for ``"geodesic"``.

    Notes
    -----
    The sphere-nearest supply point (unit-vector KD-tree) is exact for the sphere. For
    the ellipsoid it is only a candidate. With geodetic latitude/longitude used as
    spherical coordinates, the WGS84 metric ``M^2 dphi^2 + N^2 cos^2(phi) dlambda^2``
    lies between ``Rmin^2`` and ``Rmax^2`` times the unit-sphere metric, where
    ``Rmin = b^2/a = 6335.44 km`` (meridional curvature radius at the equator) and
    ``Rmax = a^2/b = 6399.59 km`` (polar curvature radius). Hence for any pair
    ``Rmin * arc <= geodesic <= Rmax * arc``. If ``g0`` is the geodesic distance to the
    sphere-nearest point, any ellipsoid-nearer point has ``arc < g0 / Rmin``; all supply
    points within that arc are fetched from the tree and their geodesics computed with
    ``Geod.inv``. Usually the second-nearest is already beyond the bound and a single
    geodesic per demand point suffices.

    References
    ----------
    Karney (2013), Algorithms for geodesics, J. Geodesy 87:43-55 (pyproj ``Geod``).
    Ballou, Rahardja & Sakai (2002), Transportation Research A 36:843-848.
    Boscoe, Henry & Zdeb (2012), The Professional Geographer 64:188-196.
    """
    if _is_dask_collection(demand):
        from ._dask import nearest_service_dask  # optional dependency: dask-geopandas

        # dask already runs partitions in parallel: one KD-tree thread per task by default.
        return nearest_service_dask(
            demand, supply, distance=distance, max_km=max_km, detour_factor=detour_factor,
            chunk_size=chunk_size, workers=1 if workers == -1 else workers,
        )
    return nearest_service_in_memory(
        demand, supply, distance=distance, max_km=max_km, detour_factor=detour_factor,
        chunk_size=chunk_size, workers=workers, progress=progress,
    )


def _is_dask_collection(obj: Any) -> bool:
    return type(obj).__module__.startswith(("dask_geopandas", "dask.")) and hasattr(obj, "map_partitions")
