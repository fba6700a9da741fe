"""nearest_service on dask-geopandas partitions equals the in-memory result (distributed LocalCluster)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from innocap_analysis.geography.nearest import nearest_service

dask_geopandas = pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def points() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(5)
    n, m = 5000, 300
    demand = gpd.GeoDataFrame(
        {"population": rng.integers(1, 1000, n)},
        geometry=gpd.points_from_xy(rng.uniform(-25, 32, n), rng.uniform(51, 81, n)),
        crs=4326,
        index=pd.Index([f"place{i}" for i in range(n)], name="place"),
    ).to_crs(3035)
    supply = gpd.GeoDataFrame(
        {"kind": "office"},
        geometry=gpd.points_from_xy(rng.uniform(-25, 32, m), rng.uniform(51, 81, m)),
        crs=4326,
        index=pd.Index(np.arange(m) * 10, name="office_id"),
    )
    return demand, supply


def _assert_same(result: pd.DataFrame, expected: pd.DataFrame) -> None:
    # dask converts string indexes to its pyarrow-backed string dtype (NA missing value);
    # labels, order, columns, dtypes of the columns and every value must still be equal.
    assert result.index.tolist() == expected.index.tolist()
    pd.testing.assert_frame_equal(result, expected, check_index_type=False)


@pytest.mark.parametrize("options", [{}, {"distance": "great_circle"}, {"max_km": 40.0, "detour_factor": 1.3}])
def test_partitioned_equals_in_memory(client, points, options: dict) -> None:
    demand, supply = points
    expected = nearest_service(demand, supply, **options)
    lazy = nearest_service(dask_geopandas.from_geopandas(demand, npartitions=4, sort=False), supply, **options)
    assert lazy.npartitions == 4
    result = client.compute(lazy).result()
    _assert_same(result, expected)
    if "max_km" in options:
        assert result["beyond_max_km"].any() and not result["beyond_max_km"].all()


def test_dask_supply_is_broadcast(client, points) -> None:
    demand, supply = points
    lazy = nearest_service(
        dask_geopandas.from_geopandas(demand, npartitions=3, sort=False), dask_geopandas.from_geopandas(supply, npartitions=2)
    )
    _assert_same(client.compute(lazy).result(), nearest_service(demand, supply))
