"""Dask-geopandas support for :func:`~innocap_analysis.geography.nearest.nearest_service`.

The demand points are partitioned; the supply points are small (thousands to tens of
thousands), so they are materialised once as a longitude/latitude table and broadcast
to every partition, where the in-memory search
(:func:`~innocap_analysis.geography.distance.nearest_service_in_memory`) runs unchanged. The
result is therefore identical to the in-memory one, partition by partition.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .distance import DistanceKind, lonlat_of, nearest_service_in_memory

__all__ = ["nearest_service_dask", "supply_as_lonlat_frame"]


def supply_as_lonlat_frame(supply: Any) -> pd.DataFrame:
    """Materialise supply points (dask or in-memory) as a ``lon``/``lat`` DataFrame with their index."""
    if hasattr(supply, "compute") and hasattr(supply, "map_partitions"):
        supply = supply.compute()
    lon, lat, index = lonlat_of(supply, "supply")
    return pd.DataFrame({"lon": lon, "lat": lat}, index=index)


def nearest_service_dask(
    demand: Any,
    supply: Any,
    distance: DistanceKind = "geodesic",
    max_km: float | None = None,
    detour_factor: float | None = None,
    *,
    chunk_size: int = 500_000,
    workers: int = 1,
) -> Any:
    """Lazy :func:`nearest_service` over a dask-geopandas GeoDataFrame of demand points.

    Parameters are those of :func:`~innocap_analysis.geography.nearest.nearest_service`;
    ``workers`` (KD-tree threads per task) defaults to 1 because dask already runs
    partitions in parallel.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitioned like ``demand``; ``.compute()`` gives the in-memory result.
    """
    supply_frame = supply_as_lonlat_frame(supply)
    options = {
        "distance": distance, "max_km": max_km, "detour_factor": detour_factor,
        "chunk_size": chunk_size, "workers": workers,
    }
    meta = nearest_service_in_memory(demand._meta, supply_frame, **options)
    return demand.map_partitions(nearest_service_in_memory, supply_frame, meta=meta, **options)
