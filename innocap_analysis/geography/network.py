"""Road (and ferry) distance to the nearest service over an OpenStreetMap network.

:func:`read_road_network` reads a local OpenStreetMap extract (``.osm.pbf``, e.g. a Geofabrik
country file) with pyosmium: every way with a drivable ``highway`` tag, and every ``route=ferry``
way (kept by default: the Labrador coast, the Icelandic islands and the Finnish lakes are served by
ferries), becomes edges between consecutive OSM nodes, weighted by their WGS84 geodesic length.
The graph is a ``scipy.sparse`` CSR matrix.

:func:`network_distance` snaps demand points and services to their nearest network node and runs
one multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra``) from all services at once: a virtual
source is joined to every service node by an edge as long as that service's snap distance, so the
result is, for every demand point,

    network_km = snap(point) + min over services s of [ path(node(point), node(s)) + snap(s) ]

exactly, with the nearest service identified by walking the shortest-path tree back to the
virtual source (pointer doubling, vectorised). Snap distances are geodesic straight lines.

Directions. By default the network is undirected (``directed=False``): access to a service is a
return trip, and one-way streets change it little at this scale. With ``directed=True`` the
``oneway`` tags (``yes``/``true``/``1``, ``-1``, implied on motorways and roundabouts) are honoured
and distances are *to* the service.

References
----------
Snap and straight-line distances are WGS84 geodesics (:func:`pair_geodesic_km`).

Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. *Numerische Mathematik* 1,
269-271. Multi-source shortest paths by a virtual super-source: e.g. Cormen et al., *Introduction to
Algorithms*, 3rd ed., exercise 24.1. OpenStreetMap data © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from .distance import (
    SHORT_GEODESIC_MAX_KM,
    ellipsoid_xyz_km,
    geodesic_km,
    lonlat_of,
    short_geodesic_km,
    unit_vectors,
)

#: ``highway`` values of a drivable network (as OSMnx's "drive" network type, plus ``service``
#: roads, which lead to many hospitals and ferry terminals).
DRIVING_HIGHWAYS: frozenset[str] = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
    "road", "service",
})
#: Access tags that close a way to the public by car.
_CLOSED = {"no", "private"}
_ONEWAY_FORWARD = {"yes", "true", "1"}
#: A zero-length edge is stored as the smallest positive float: scipy.sparse drops explicit zeros.
_ZERO_KM = np.nextafter(0.0, 1.0)


@dataclass(frozen=True)
class RoadNetwork:
    """A road network: node coordinates, the CSR graph (km) and its edge list.

    Attributes
    ----------
    node_id
        OSM node ids, sorted (position = graph index).
    lon, lat
        Node coordinates, degrees WGS84.
    graph
        ``(n, n)`` CSR matrix; ``graph[i, j]`` the length (km) of the shortest edge from ``i`` to ``j``.
    edges
        One row per segment: ``u``, ``v`` (node positions), ``length_km``, ``kind`` (``road``/``ferry``),
        ``way_id``, ``both_ways``.
    counts
        What was read and dropped: ``ways_read``, ``ways_closed`` (access=no/private),
        ``segments_missing_location`` (an end node outside a clipped extract), ``ferry_segments``.
    directed
        Whether ``oneway`` tags were honoured.
    """

    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    graph: sparse.csr_array
    edges: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    directed: bool = False

    @property
    def n_nodes(self) -> int:
        return len(self.node_id)


def _keep_way(tags: Any, ferries: bool, highways: frozenset[str] | None) -> str | None:
    """``"road"``, ``"ferry"`` or None for a way's tags (``highways=None``: any highway)."""
    if ferries and tags.get("route") == "ferry":
        return "ferry"
    highway = tags.get("highway")
    if highway is None or (highways is not None and highway not in highways) or tags.get("area") == "yes":
        return None
    return "road"


def _closed(tags: Any) -> bool:
    return (tags.get("access") in _CLOSED or tags.get("motor_vehicle") in _CLOSED
            or tags.get("motorcar") in _CLOSED)


def _oneway(tags: Any) -> int:
    """+1 forward only, -1 backward only, 0 both ways."""
    value = tags.get("oneway")
    if value in _ONEWAY_FORWARD:
        return 1
    if value == "-1":
        return -1
    if value == "no":
        return 0
    if tags.get("highway") in ("motorway", "motorway_link") or tags.get("junction") == "roundabout":
        return 1
    return 0


def pair_geodesic_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """WGS84 geodesic (km) of paired points: the chord-and-curvature formula for short lines.

    Lines with a chord up to :data:`~innocap_analysis.geography.distance.SHORT_GEODESIC_MAX_KM`
    use :func:`~innocap_analysis.geography.distance.short_geodesic_km` (within a micrometre of
    Karney's geodesic at 100 km, far less for road segments), longer ones ``pyproj.Geod``.
    """
    p, q = ellipsoid_xyz_km(lon1, lat1), ellipsoid_xyz_km(lon2, lat2)
    chord = np.sqrt(np.einsum("ij,ij->j", q - p, q - p))
    out = np.empty(len(chord))
    short = chord <= SHORT_GEODESIC_MAX_KM
    out[short] = short_geodesic_km(p[:, short], q[:, short], workers=-1)
    if (~short).any():
        out[~short] = geodesic_km(lon1[~short], lat1[~short], lon2[~short], lat2[~short])
    return out


def network_from_segments(
    node_id: np.ndarray, lon: np.ndarray, lat: np.ndarray, segments: pd.DataFrame, *, directed: bool = False,
    counts: dict[str, int] | None = None,
) -> RoadNetwork:
    """Build a :class:`RoadNetwork` from segments between OSM node ids.

    Parameters
    ----------
    node_id, lon, lat
        Coordinates of every node a segment refers to (duplicates allowed, identical coordinates).
    segments
        ``from_id``, ``to_id``, ``kind``, ``way_id`` and ``direction`` (+1, -1 or 0 = both ways).
    directed
        Honour ``direction``; otherwise every segment is two-way.
    """
    order = np.argsort(node_id, kind="stable")
    ids, first = np.unique(node_id[order], return_index=True)
    node_lon, node_lat = lon[order][first], lat[order][first]
    u = np.searchsorted(ids, segments["from_id"].to_numpy(dtype=np.int64))
    v = np.searchsorted(ids, segments["to_id"].to_numpy(dtype=np.int64))
    length = pair_geodesic_km(node_lon[u], node_lat[u], node_lon[v], node_lat[v])
    direction = segments["direction"].to_numpy(dtype=np.int64) if directed else np.zeros(len(u), dtype=np.int64)
    edges = pd.DataFrame({"u": np.where(direction < 0, v, u), "v": np.where(direction < 0, u, v),
                          "length_km": length, "kind": segments["kind"].to_numpy(dtype=object),
                          "way_id": segments["way_id"].to_numpy(dtype=np.int64), "both_ways": direction == 0})
    edges = edges[edges["u"] != edges["v"]].reset_index(drop=True)  # a way visiting a node twice in a row
    tail = np.concatenate([edges["u"], edges.loc[edges["both_ways"], "v"]])
    head = np.concatenate([edges["v"], edges.loc[edges["both_ways"], "u"]])
    weight = np.concatenate([edges["length_km"], edges.loc[edges["both_ways"], "length_km"]])
    # Parallel edges: keep the shortest (coo -> csr would add them up).
    frame = pd.DataFrame({"t": tail, "h": head, "w": np.maximum(weight, _ZERO_KM)})
    shortest = frame.groupby(["t", "h"], sort=True)["w"].min().reset_index()
    n = len(ids)
    graph = sparse.csr_array((shortest["w"].to_numpy(), (shortest["t"].to_numpy(), shortest["h"].to_numpy())),
                             shape=(n, n))
    edges["kind"] = edges["kind"].astype("string")
    return RoadNetwork(ids, node_lon, node_lat, graph, edges, dict(counts or {}), directed)


def read_road_network(
    path: str | Path,
    *,
    ferries: bool = True,
    directed: bool = False,
    highways: frozenset[str] | None = DRIVING_HIGHWAYS,
) -> RoadNetwork:
    """Read the drivable road network (and ferry routes) of a local OpenStreetMap extract.

    Parameters
    ----------
    path
        ``.osm.pbf`` (or ``.osm``/``.osm.bz2``) file; read locally, nothing is downloaded.
    ferries
        Keep ``route=ferry`` ways as edges (default). Ferry edges carry their geodesic length like
        roads; waiting and sailing time are not modelled.
    directed
        Honour ``oneway`` tags (see the module docstring).
    highways
        ``highway`` values to keep (default :data:`DRIVING_HIGHWAYS`); ``None`` keeps every highway
        (footways and tracks too, e.g. for walking distance). Closed ways (``access``,
        ``motor_vehicle`` or ``motorcar`` = ``no``/``private``) are dropped and counted either way.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    FileNotFoundError, ValueError
        When the file is missing or holds no usable way.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"OpenStreetMap extract not found: {path}")
    ids: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    lats: list[np.ndarray] = []
    parts: list[tuple[np.ndarray, np.ndarray, str, int, int]] = []
    counts = {"ways_read": 0, "ways_closed": 0, "segments_missing_location": 0, "ferry_segments": 0}
    reader = osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway", "route"))
    for way in reader:  # pyosmium hands over one way at a time; per-node work stays in numpy below
        if not way.is_way():
            continue
        kind = _keep_way(way.tags, ferries, highways)
        if kind is None:
            continue
        counts["ways_read"] += 1
        if kind == "road" and _closed(way.tags):
            counts["ways_closed"] += 1
            continue
        refs = np.fromiter((n.ref for n in way.nodes), dtype=np.int64)
        valid = np.fromiter((n.location.valid() for n in way.nodes), dtype=bool)
        lon = np.fromiter((n.location.lon if n.location.valid() else np.nan for n in way.nodes), dtype=float)
        lat = np.fromiter((n.location.lat if n.location.valid() else np.nan for n in way.nodes), dtype=float)
        both = valid[:-1] & valid[1:]
        counts["segments_missing_location"] += int((~both).sum())
        if not both.any():
            continue
        ids.append(refs[valid])
        lons.append(lon[valid])
        lats.append(lat[valid])
        parts.append((refs[:-1][both], refs[1:][both], kind, way.id, _oneway(way.tags) if kind == "road" else 0))
        if kind == "ferry":
            counts["ferry_segments"] += int(both.sum())
    if not parts:
        raise ValueError(f"{path}: no drivable highway or ferry way with node locations")
    segments = pd.DataFrame({
        "from_id": np.concatenate([p[0] for p in parts]),
        "to_id": np.concatenate([p[1] for p in parts]),
        "kind": np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in parts]),
        "way_id": np.concatenate([np.full(len(p[0]), p[3], dtype=np.int64) for p in parts]),
        "direction": np.concatenate([np.full(len(p[0]), p[4], dtype=np.int64) for p in parts]),
    })
    return network_from_segments(np.concatenate(ids), np.concatenate(lons), np.concatenate(lats), segments,
                                 directed=directed, counts=counts)


def snap_to_nodes(network: RoadNetwork, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest network node of each point (great-circle nearest) and the geodesic snap distance (km)."""
    tree = cKDTree(unit_vectors(network.lon, network.lat))
    _, node = tree.query(unit_vectors(lon, lat), k=1, workers=-1)
    node = np.asarray(node, dtype=np.int64)
    return node, pair_geodesic_km(lon, lat, network.lon[node], network.lat[node])


def _roots(predecessor: np.ndarray, source: int) -> np.ndarray:
    """For every node, the child of ``source`` on its shortest-path tree branch (-1 if unreached)."""
    parent = predecessor.astype(np.int64).copy()
    reached = parent >= 0
    parent[~reached] = -1
    # Children of the virtual source are their own roots; pointer doubling climbs to them.
    root = np.where(parent == source, np.arange(len(parent)), parent)
    root[~reached] = -1
    while True:
        ok = root >= 0
        step = root.copy()
        step[ok] = root[root[ok]]
        if np.array_equal(step, root):
            return root
        root = step


def network_distance(
    points: Any,
    services: Any,
    network: RoadNetwork,
    *,
    max_snap_km: float | None = None,
    max_km: float | None = None,
) -> pd.DataFrame:
    """Network distance from every point to its nearest service (multi-source Dijkstra).

    Parameters
    ----------
    points, services
        Points in any form :func:`~innocap_analysis.geography.distance.lonlat_of` accepts.
    network
        Output of :func:`read_road_network` (or :func:`network_from_segments`).
    max_snap_km
        Points (and services) farther than this from every network node are left unrouted
        (``snapped`` False; distances NA). Default: no limit.
    max_km
        Optional Dijkstra search limit (km); farther points get NA and ``reachable`` False.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points``: ``network_km`` (= ``snap_km`` + ``path_km`` + ``service_snap_km``),
        ``path_km`` (node to node), ``snap_km``, ``service_snap_km``, ``supply_index`` and
        ``supply_position`` of the nearest service by network, ``straight_km`` (WGS84 geodesic to that
        service), ``detour_ratio`` = network_km / straight_km, ``snapped`` and ``reachable`` (False
        when the point's node is in a component without a service; nothing is dropped).
    """
    p_lon, p_lat, p_index = lonlat_of(points, "points")
    s_lon, s_lat, s_index = lonlat_of(services, "services")
    if len(s_lon) == 0:
        raise ValueError("services: no service points; the nearest service is undefined")
    if max_snap_km is not None and not max_snap_km > 0:
        raise ValueError(f"max_snap_km must be positive, got {max_snap_km!r}")
    p_node, p_snap = snap_to_nodes(network, p_lon, p_lat)
    s_node, s_snap = snap_to_nodes(network, s_lon, s_lat)
    s_ok = np.ones(len(s_lon), dtype=bool) if max_snap_km is None else s_snap <= max_snap_km
    if not s_ok.any():
        raise ValueError(f"services: none lies within {max_snap_km} km of the network")
    # Per node, the service with the shortest snap (ties: lowest position) joins the virtual source.
    by_node = (pd.DataFrame({"node": s_node[s_ok], "snap": s_snap[s_ok], "pos": np.flatnonzero(s_ok)})
               .sort_values(["node", "snap", "pos"], kind="stable").drop_duplicates("node"))
    n = network.n_nodes
    source = n
    graph = network.graph if not network.directed else network.graph.T.tocsr()  # paths *to* services
    extra = sparse.csr_array((np.maximum(by_node["snap"].to_numpy(), _ZERO_KM),
                              (np.full(len(by_node), source), by_node["node"].to_numpy())), shape=(n + 1, n + 1))
    augmented = sparse.block_diag((graph, sparse.csr_array((1, 1))), format="csr") + extra
    limit = np.inf if max_km is None else float(max_km)
    dist, predecessor = csgraph.dijkstra(augmented, directed=True, indices=source, return_predecessors=True,
                                         limit=limit)
    root = _roots(predecessor, source)[:n]
    service_of_node = np.full(n, -1, dtype=np.int64)
    service_of_node[by_node["node"].to_numpy()] = by_node["pos"].to_numpy()
    node_dist = dist[:n]
    reachable = np.isfinite(node_dist[p_node])
    snapped = np.ones(len(p_lon), dtype=bool) if max_snap_km is None else p_snap <= max_snap_km
    ok = reachable & snapped
    supply = np.where(ok, service_of_node[np.where(root[p_node] >= 0, root[p_node], 0)], -1)
    service_snap = np.where(ok, s_snap[np.maximum(supply, 0)], np.nan)
    network_km = np.where(ok, p_snap + node_dist[p_node], np.nan)
    path_km = network_km - p_snap - service_snap
    straight = np.full(len(p_lon), np.nan)
    if ok.any():
        straight[ok] = pair_geodesic_km(p_lon[ok], p_lat[ok], s_lon[supply[ok]], s_lat[supply[ok]])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = network_km / straight
    supply_label = pd.Series(pd.NA, index=p_index, dtype=object)
    supply_label[ok] = s_index.take(supply[ok])
    return pd.DataFrame({
        "network_km": network_km,
        "path_km": path_km,
        "snap_km": p_snap,
        "service_snap_km": service_snap,
        "supply_index": supply_label.to_numpy(),
        "supply_position": pd.Series(supply, index=p_index).where(ok).astype("Int64").to_numpy(),
        "straight_km": straight,
        "detour_ratio": ratio,
        "snapped": snapped,
        "reachable": reachable,
    }, index=p_index)


def network_detour_summary(result: pd.DataFrame, min_straight_km: float = 1.0) -> dict[str, float]:
    """Median and quartiles of the detour ratio over routed points at least ``min_straight_km`` away.

    An empirical detour factor for the sensitivity analysis, from a partner's own network.
    """
    routed = result[result["detour_ratio"].notna() & (result["straight_km"] >= min_straight_km)]
    ratio = routed["detour_ratio"].to_numpy(dtype=float)
    if len(ratio) == 0:
        return {"n": 0, "median": float("nan"), "q25": float("nan"), "q75": float("nan")}
    q25, median, q75 = np.quantile(ratio, [0.25, 0.5, 0.75])
    return {"n": int(len(ratio)), "median": float(median), "q25": float(q25), "q75": float(q75)}


