"""service_distance_indicators on a dask-geopandas GeoDataFrame (distributed LocalCluster) equals in-memory."""

from __future__ import annotations

import pandas as pd
import pytest

from innocap_analysis.geography.indicators import service_distance_indicators
from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.services import service_centre_tiers
from innocap_analysis.geography.settlements import load_settlements

dask_geopandas = pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")


def test_indicators_on_partitions_equal_in_memory():
    regions = load_regions(3)
    settlements = load_settlements(regions=regions)
    services = service_centre_tiers(settlements)
    expected = service_distance_indicators(settlements, services, regions)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        partitioned = dask_geopandas.from_geopandas(settlements, npartitions=4)
        assert partitioned.npartitions == 4
        result = service_distance_indicators(partitioned, services, regions)
    finally:
        client.close()
        cluster.close()
    pd.testing.assert_frame_equal(result, expected)
