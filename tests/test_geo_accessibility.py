"""two_step_fca: equal to PySAL access's two_stage_fca on the same distances, and to hand-worked cases."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from innocap_analysis.geography.accessibility import catchment_pairs, decay_weights, two_step_fca
from innocap_analysis.geography.distance import EARTH_MEAN_RADIUS_KM

access = pytest.importorskip("access")
from access import weights as access_weights  # noqa: E402

GEOD = Geod(ellps="WGS84")
# access 1.1 uses DataFrame.set_index(inplace=True), deprecated in pandas 3.1.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")
logging.getLogger("access").setLevel(logging.WARNING)


def _points(rng: np.random.Generator, n: int) -> np.ndarray:
    # A Nordic-sized box (includes the Arctic) so catchments of tens of km hold several points.
    return np.column_stack([rng.uniform(10, 16, n), rng.uniform(62, 72, n)])


def _dense_geodesic_cost(demand: np.ndarray, supply: np.ndarray) -> pd.DataFrame:
    """Every origin-destination pair, brute force with Geod (independent of the KD-tree)."""
    n, m = len(demand), len(supply)
    _, _, metres = GEOD.inv(
        np.repeat(demand[:, 0], m), np.repeat(demand[:, 1], m), np.tile(supply[:, 0], n), np.tile(supply[:, 1], n)
    )
    return pd.DataFrame(
        {"origin": np.repeat(np.arange(n), m), "dest": np.tile(np.arange(m), n) + 100_000, "cost": metres / 1000}
    )


def _access_2sfca(demand, supply, population, capacity, cost, max_cost, weight_fn) -> pd.Series:
    demand_df = pd.DataFrame({"pop": population}, index=pd.Index(np.arange(len(demand)), name="geoid"))
    supply_df = pd.DataFrame(
        {"cap": capacity}, index=pd.Index(np.arange(len(supply)) + 100_000, name="geoid")
    )
    model = access.Access(
        demand_df=demand_df.reset_index(), demand_index="geoid", demand_value="pop",
        supply_df=supply_df.reset_index(), supply_index="geoid", supply_value="cap",
        cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost",
    )
    out = model.two_stage_fca(name="a", max_cost=max_cost, weight_fn=weight_fn)
    return out["a_cap"].reindex(demand_df.index)


@pytest.fixture(scope="module")
def inputs() -> dict:
    rng = np.random.default_rng(42)
    demand, supply = _points(rng, 600), _points(rng, 120)
    return {
        "demand": demand,
        "supply": supply,
        "population": rng.integers(1, 5000, len(demand)).astype(float),
        "capacity": rng.integers(1, 20, len(supply)).astype(float),
        "cost": _dense_geodesic_cost(demand, supply),
    }


@pytest.mark.parametrize(
    ("decay", "bandwidth", "weight_fn"),
    [
        ("step", None, None),
        ("gaussian", 20.0, access_weights.gaussian(20.0)),
        ({10.0: 1.0, 20.0: 0.68, 30.0: 0.22}, None, access_weights.step_fn({10.0: 1.0, 20.0: 0.68, 30.0: 0.22})),
    ],
    ids=["step", "gaussian", "e2sfca-zones"],
)
def test_equals_access_two_stage_fca(inputs: dict, decay, bandwidth, weight_fn) -> None:
    catchment = 30.0
    ours = two_step_fca(
        inputs["demand"], inputs["supply"], catchment, decay=decay, bandwidth_km=bandwidth,
        demand_weight=inputs["population"], supply_capacity=inputs["capacity"],
    )
    theirs = _access_2sfca(
        inputs["demand"], inputs["supply"], inputs["population"], inputs["capacity"],
        inputs["cost"], catchment, weight_fn,
    )
    # access leaves demand without reachable supply out; we give 0 there.
    unreachable = theirs.isna().to_numpy()
    assert 0 < unreachable.sum() < len(theirs) / 2, "the fixture should exercise both cases"
    assert (ours.to_numpy()[unreachable] == 0).all()
    np.testing.assert_allclose(ours.to_numpy()[~unreachable], theirs.to_numpy()[~unreachable], rtol=1e-9, atol=0)


def test_catchment_pairs_equal_brute_force(inputs: dict) -> None:
    pairs = catchment_pairs(inputs["demand"], inputs["supply"], 30.0)
    brute = inputs["cost"].query("cost <= 30.0")
    assert len(pairs) == len(brute) > 0
    np.testing.assert_array_equal(pairs["demand_position"], brute["origin"])
    np.testing.assert_array_equal(pairs["supply_position"], brute["dest"] - 100_000)
    np.testing.assert_allclose(pairs["distance_km"], brute["cost"], rtol=0, atol=1e-9)


def test_great_circle_pairs_across_the_antimeridian() -> None:
    demand = np.array([[179.95, 66.0], [0.0, 0.0]])
    supply = np.array([[-179.95, 66.0], [179.0, 66.0]])
    pairs = catchment_pairs(demand, supply, 10.0, distance="great_circle")
    assert pairs[["demand_position", "supply_position"]].to_numpy().tolist() == [[0, 0]]
    expected = 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.cos(np.radians(66.0)) * np.sin(np.radians(0.05)))
    assert pairs["distance_km"].iloc[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("decay", ["step", {10.0: 1.0, 30.0: 0.5}])
def test_catchment_edge_is_decided_by_the_geodesic(decay) -> None:
    # At the equator a north-south geodesic is shorter than the mean-sphere arc
    # (M = 6335 km < 6371 km) and an east-west one longer (N = a = 6378 km): supply 0 at
    # 29.99 km due north is inside a 30 km catchment, supply 1 at 30.01 km due east is not,
    # while on the sphere it is the other way round.
    lon0, lat0, _ = GEOD.fwd(0.0, 0.0, 0.0, 29_990.0)
    lon1, lat1, _ = GEOD.fwd(0.0, 0.0, 90.0, 30_010.0)
    supply = np.array([[lon0, lat0], [lon1, lat1]])
    demand = np.array([[0.0, 0.0]])
    geodesic = catchment_pairs(demand, supply, 30.0)
    assert geodesic["supply_position"].tolist() == [0]
    sphere = catchment_pairs(demand, supply, 30.0, distance="great_circle")
    assert sphere["supply_position"].tolist() == [1]
    # two_step_fca (which skips the exact geodesic away from weight breakpoints) agrees:
    # only supply 0 serves the village, so A = capacity 3 / population 1.
    out = two_step_fca(demand, supply, 30.0, decay=decay, supply_capacity=[3.0, 5.0])
    assert out.iloc[0] == pytest.approx(3.0)
    out_sphere = two_step_fca(demand, supply, 30.0, decay=decay, supply_capacity=[3.0, 5.0], distance="great_circle")
    assert out_sphere.iloc[0] == pytest.approx(5.0)


def test_hand_worked_two_step_fca() -> None:
    # Three villages on the equator at 0, 0.1 and 0.3 degrees (11.1 and 33.4 km apart),
    # one service at 0.05 degrees with capacity 2, catchment 20 km:
    # villages 0 and 1 (populations 100 and 300) reach it, village 2 does not.
    # R = 2 / 400 = 0.005 -> A = [0.005, 0.005, 0].
    demand = pd.DataFrame({"lon": [0.0, 0.1, 0.3], "lat": [0.0, 0.0, 0.0], "pop": [100, 300, 50]}, index=list("abc"))
    supply = pd.DataFrame({"lon": [0.05], "lat": [0.0], "beds": [2]})
    out = two_step_fca(demand, supply, 20.0, demand_weight="pop", supply_capacity="beds")
    assert out.index.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(out.to_numpy(), [0.005, 0.005, 0.0], rtol=1e-15)
    # Total accessibility weighted by population equals total capacity when every
    # service's catchment demand is reachable (a property of 2SFCA).
    assert (out * demand["pop"]).sum() == pytest.approx(2.0)


def test_gaussian_hand_worked() -> None:
    # One village, one service 10 km away, sigma 10 km: w = exp(-1/2);
    # R = 1 / (P w), A = R w = 1 / P, whatever the weight.
    km_per_degree = 6378.137 * np.pi / 180
    demand = np.array([[0.0, 0.0]])
    supply = np.array([[10.0 / km_per_degree, 0.0]])
    out = two_step_fca(demand, supply, 30.0, decay="gaussian", bandwidth_km=10.0, demand_weight=[250.0])
    assert out.iloc[0] == pytest.approx(1 / 250, rel=1e-12)
    np.testing.assert_allclose(decay_weights(np.array([0.0, 10.0]), "gaussian", 10.0), [1.0, np.exp(-0.5)])


def test_geodataframe_inputs_in_projected_crs_match_arrays(inputs: dict) -> None:
    demand = gpd.GeoDataFrame(
        {"pop": inputs["population"]}, geometry=gpd.points_from_xy(*inputs["demand"].T), crs=4326
    ).to_crs(3035)
    supply = gpd.GeoDataFrame(
        {"cap": inputs["capacity"]}, geometry=gpd.points_from_xy(*inputs["supply"].T), crs=4326
    ).to_crs(3035)
    from_gdf = two_step_fca(demand, supply, 30.0, demand_weight="pop", supply_capacity="cap")
    from_arrays = two_step_fca(
        inputs["demand"], inputs["supply"], 30.0,
        demand_weight=inputs["population"], supply_capacity=inputs["capacity"],
    )
    np.testing.assert_allclose(from_gdf.to_numpy(), from_arrays.to_numpy(), rtol=1e-9)


def test_chunked_queries_give_the_same_answer(inputs: dict) -> None:
    whole = two_step_fca(inputs["demand"], inputs["supply"], 30.0, demand_weight=inputs["population"])
    chunked = two_step_fca(
        inputs["demand"], inputs["supply"], 30.0, demand_weight=inputs["population"], chunk_size=97
    )
    np.testing.assert_allclose(whole.to_numpy(), chunked.to_numpy(), rtol=1e-12)


def test_precomputed_pairs_give_the_same_answer(inputs: dict) -> None:
    # The dense brute-force table (pairs beyond the catchment included) as precomputed costs.
    cost = inputs["cost"]
    pairs = pd.DataFrame(
        {"demand_position": cost["origin"], "supply_position": cost["dest"] - 100_000, "distance_km": cost["cost"]}
    )
    options = {"decay": "gaussian", "bandwidth_km": 12.0, "demand_weight": inputs["population"]}
    searched = two_step_fca(inputs["demand"], inputs["supply"], 30.0, **options)
    given = two_step_fca(inputs["demand"], inputs["supply"], 30.0, pairs=pairs, **options)
    np.testing.assert_allclose(given.to_numpy(), searched.to_numpy(), rtol=1e-12)
    # Doubling every cost changes the answer: the given costs are really used.
    doubled = two_step_fca(
        inputs["demand"], inputs["supply"], 30.0, pairs=pairs.assign(distance_km=2 * pairs["distance_km"]), **options
    )
    assert not np.allclose(doubled.to_numpy(), searched.to_numpy())


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (pd.DataFrame({"demand_position": [0], "supply_position": [0]}), "missing columns"),
        (pd.DataFrame({"demand_position": [2], "supply_position": [0], "distance_km": [1.0]}), "outside 0..1"),
        (pd.DataFrame({"demand_position": [0.0], "supply_position": [0], "distance_km": [1.0]}), "integer"),
        (pd.DataFrame({"demand_position": [0], "supply_position": [0], "distance_km": [-1.0]}), "negative"),
    ],
)
def test_bad_pairs_are_reported(pairs: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        two_step_fca(np.array([[0.0, 0.0], [0.1, 0.0]]), np.array([[0.0, 0.0]]), 10.0, pairs=pairs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decay": "gaussian"}, "bandwidth_km"),
        ({"decay": "exponential"}, "decay must be"),
        ({"demand_weight": "population"}, "column 'population' not found"),
        ({"demand_weight": [1.0, -2.0]}, "negative"),
        ({"demand_weight": [1.0]}, "expected 2 values"),
        ({"supply_capacity": [np.nan]}, "missing"),
        ({"catchment_km": -5.0}, "positive"),
    ],
)
def test_bad_inputs_are_reported(kwargs: dict, message: str) -> None:
    arguments = {"catchment_km": 10.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        two_step_fca(np.array([[0.0, 0.0], [0.1, 0.0]]), np.array([[0.0, 0.0]]), **arguments)
