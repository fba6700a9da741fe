"""service_distance_indicators on a dask-geopandas GeoDataFrame (distributed LocalCluster) equals in-memory.

The comparison runs in a fresh interpreter: a second in-process LocalCluster in a long test session (after
``test_geo_dask``'s and after the notebook kernels' event loops) once hung at start-up with no CPU use, so the
check gets a process of its own and a time limit, and a hang is a failure with a message, never a stuck CI.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("dask_geopandas")
pytest.importorskip("distributed")

_CHECK = textwrap.dedent("""
    import dask_geopandas, distributed
    import pandas as pd
    from innocap_analysis.geography.indicators import service_distance_indicators
    from innocap_analysis.geography.regions import load_regions
    from innocap_analysis.geography.services import service_centre_tiers
    from innocap_analysis.geography.settlements import load_settlements

    regions = load_regions(3)
    settlements = load_settlements(regions=regions)
    services = service_centre_tiers(settlements)
    expected = service_distance_indicators(settlements, services, regions)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        partitioned = dask_geopandas.from_geopandas(settlements, npartitions=4)
        assert partitioned.npartitions == 4
        result = service_distance_indicators(partitioned, services, regions)
    pd.testing.assert_frame_equal(result, expected)
    print("equal", len(result))
""")


def test_indicators_on_partitions_equal_in_memory():
    try:
        done = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.fail("the dask comparison did not finish within 600 s (LocalCluster hung)")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("equal")
