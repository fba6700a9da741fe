"""nearest_service: exact nearest on sphere and ellipsoid, checked by brute force with pyproj Geod."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from innocap_analysis.geography.distance import (
    EARTH_MEAN_RADIUS_KM,
    WGS84_MAX_CURVATURE_RADIUS_KM,
    WGS84_MIN_CURVATURE_RADIUS_KM,
    ellipsoid_xyz_km,
    great_circle_km,
    short_geodesic_km,
)
from innocap_analysis.geography.nearest import nearest_service

GEOD = Geod(ellps="WGS84")


def _random_points(rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniform on the sphere, plus clusters at >80N, around both poles and on the antimeridian."""
    lon = rng.uniform(-180, 180, n)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    k = n // 5
    lat[:k] = rng.uniform(80, 90, k)  # Arctic, Svalbard, north of Greenland
    lat[k : k + 10] = rng.uniform(-90, -88, 10)  # south pole region
    lon[k + 10 : 2 * k] = rng.choice([179.9, -179.9, 180.0, -180.0], k - 10) + rng.normal(0, 0.02, k - 10)
    lon[k + 10 : 2 * k] = (lon[k + 10 : 2 * k] + 180) % 360 - 180
    lat[k + 10 : 2 * k] = rng.uniform(50, 75, k - 10)  # Chukotka / Alaska side
    return np.column_stack([lon, lat])


def _brute_geodesic_km(demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    n, m = len(demand), len(supply)
    _, _, metres = GEOD.inv(
        np.repeat(demand[:, 0], m), np.repeat(demand[:, 1], m), np.tile(supply[:, 0], n), np.tile(supply[:, 1], n)
    )
    return np.asarray(metres).reshape(n, m) / 1000.0


def _brute_haversine_km(demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    # Independent formula (haversine), not the atan2 form used by the module.
    lon1, lat1 = np.radians(demand[:, :1].T).T, np.radians(demand[:, 1:])
    lon2, lat2 = np.radians(supply[:, 0])[None, :], np.radians(supply[:, 1])[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_geodesic_equals_brute_force_including_arctic_poles_antimeridian(seed: int) -> None:
    rng = np.random.default_rng(seed)
    demand = _random_points(rng, 400)
    supply = _random_points(rng, 150)
    supply[:4] = [[179.9, 65.0], [-179.9, 65.0], [0.0, 89.99], [45.0, -89.95]]
    result = nearest_service(demand, supply, "geodesic")
    brute = _brute_geodesic_km(demand, supply)
    np.testing.assert_allclose(result["distance_km"], brute.min(axis=1), rtol=0, atol=1e-9)
    # The chosen supply point attains the brute-force minimum (ties are allowed to differ).
    chosen = brute[np.arange(len(demand)), result["supply_position"].to_numpy(dtype=int)]
    np.testing.assert_allclose(chosen, brute.min(axis=1), rtol=0, atol=1e-9)
    assert (result["supply_position"].to_numpy(dtype=int) == brute.argmin(axis=1)).mean() > 0.99


@pytest.mark.parametrize("seed", [3, 4])
def test_great_circle_equals_brute_force_haversine(seed: int) -> None:
    rng = np.random.default_rng(seed)
    demand = _random_points(rng, 400)
    supply = _random_points(rng, 150)
    result = nearest_service(demand, supply, "great_circle")
    brute = _brute_haversine_km(demand, supply)
    np.testing.assert_allclose(result["distance_km"], brute.min(axis=1), rtol=1e-9, atol=1e-7)
    assert (result["supply_position"].to_numpy(dtype=int) == brute.argmin(axis=1)).all()


def test_sphere_nearest_is_not_ellipsoid_nearest_and_geodesic_refines_it() -> None:
    # At 60N a north-south arc is shorter on WGS84 (M ~ 6383 km) than an east-west one
    # (N ~ 6394 km). Supply B (east) is 0.1 % nearer on the sphere, A (north) is nearer
    # on the ellipsoid.
    lat0 = 60.0
    arc_a = np.radians(1.0)
    arc_b = 0.999 * arc_a
    # B: point at spherical distance arc_b due east along a great circle (initial azimuth 90 deg).
    lat_b = np.degrees(np.arcsin(np.sin(np.radians(lat0)) * np.cos(arc_b)))
    lon_b = np.degrees(
        np.arctan2(
            np.sin(arc_b) * np.cos(np.radians(lat0)),
            np.cos(arc_b) - np.sin(np.radians(lat0)) * np.sin(np.radians(lat_b)),
        )
    )
    demand = np.array([[0.0, lat0]])
    supply = np.array([[0.0, lat0 + 1.0], [lon_b, lat_b]])
    sphere = nearest_service(demand, supply, "great_circle")
    ellipsoid = nearest_service(demand, supply, "geodesic")
    assert sphere["supply_position"].iloc[0] == 1
    assert ellipsoid["supply_position"].iloc[0] == 0
    brute = _brute_geodesic_km(demand, supply)[0]
    assert brute[0] < brute[1]
    assert ellipsoid["distance_km"].iloc[0] == pytest.approx(brute[0], abs=1e-9)


def test_many_equidistant_candidates_on_a_spherical_circle() -> None:
    # 60 supply points at the same spherical arc around the demand point: all are
    # candidates, the refinement loop must widen k beyond its first steps.
    lat0, arc = np.radians(70.0), np.radians(0.5)
    azimuth = np.linspace(0, 2 * np.pi, 60, endpoint=False) + 0.013
    lat = np.arcsin(np.sin(lat0) * np.cos(arc) + np.cos(lat0) * np.sin(arc) * np.cos(azimuth))
    lon = np.arctan2(np.sin(azimuth) * np.sin(arc) * np.cos(lat0), np.cos(arc) - np.sin(lat0) * np.sin(lat))
    supply = np.degrees(np.column_stack([lon, lat]))
    demand = np.array([[0.0, 70.0]])
    result = nearest_service(demand, supply, "geodesic")
    brute = _brute_geodesic_km(demand, supply)[0]
    assert result["distance_km"].iloc[0] == pytest.approx(brute.min(), abs=1e-9)
    assert result["supply_position"].iloc[0] == brute.argmin()


def test_hand_worked_values_equator_pole_and_antimeridian() -> None:
    # One degree along the equator is a geodesic of length a * pi / 180.
    out = nearest_service(np.array([[10.0, 0.0]]), np.array([[11.0, 0.0], [12.0, 0.0]]))
    assert out["distance_km"].iloc[0] == pytest.approx(6378.137 * np.pi / 180, rel=1e-12)
    # Across the north pole: 0.02 degree of meridian at the pole, where the radius of
    # curvature is a**2 / b, beats 0.49 degree along the same meridian.
    out = nearest_service(np.array([[0.0, 89.99]]), np.array([[0.0, 89.5], [180.0, 89.99]]))
    assert out["supply_position"].iloc[0] == 1
    assert out["distance_km"].iloc[0] == pytest.approx(np.radians(0.02) * WGS84_MAX_CURVATURE_RADIUS_KM, rel=1e-6)
    # Across the antimeridian: 179.9E to 179.9W at 60N is 0.2 degree of longitude.
    out = nearest_service(np.array([[179.9, 60.0]]), np.array([[170.0, 60.0], [-179.9, 60.0]]), "great_circle")
    assert out["supply_position"].iloc[0] == 1
    expected = 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.cos(np.radians(60)) * np.sin(np.radians(0.1)))
    assert out["distance_km"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_curvature_bounds_hold_on_random_pairs() -> None:
    # The proof of exactness rests on Rmin * arc <= geodesic <= Rmax * arc.
    rng = np.random.default_rng(7)
    a, b = _random_points(rng, 5000), _random_points(rng, 5000)
    arc = great_circle_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1], radius_km=1.0)
    _, _, metres = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    ratio = np.asarray(metres) / 1000.0 / arc
    assert ratio.min() >= WGS84_MIN_CURVATURE_RADIUS_KM * (1 - 1e-12)
    assert ratio.max() <= WGS84_MAX_CURVATURE_RADIUS_KM * (1 + 1e-12)


def test_geodataframes_in_any_crs_are_aligned_to_demand_index() -> None:
    rng = np.random.default_rng(11)
    demand_ll = np.column_stack([rng.uniform(-10, 30, 200), rng.uniform(52, 70, 200)])
    supply_ll = np.column_stack([rng.uniform(-10, 30, 40), rng.uniform(52, 70, 40)])
    demand = gpd.GeoDataFrame(
        {"pop": 1}, geometry=gpd.points_from_xy(*demand_ll.T), crs=4326, index=[f"d{i}" for i in range(200)]
    ).to_crs(3035)
    supply = gpd.GeoSeries(gpd.points_from_xy(*supply_ll.T), crs=4326, index=[f"s{i}" for i in range(40)])
    supply = supply.to_crs(3857)
    shuffled = demand.sample(frac=1.0, random_state=3)
    result = nearest_service(shuffled, supply)
    reference = nearest_service(demand_ll, supply_ll)
    assert list(result.index) == list(shuffled.index)
    positions = [int(label[1:]) for label in shuffled.index]
    np.testing.assert_allclose(result["distance_km"], reference["distance_km"].to_numpy()[positions], atol=1e-6)
    assert list(result["supply_index"]) == [f"s{p}" for p in reference["supply_position"].to_numpy()[positions]]


def test_max_km_flags_and_masks_without_dropping() -> None:
    demand = np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 5.0]])
    supply = np.array([[0.0, 0.5]])
    out = nearest_service(demand, supply, max_km=100.0, detour_factor=1.3)
    assert len(out) == 3
    assert out["beyond_max_km"].tolist() == [False, False, True]
    assert out["distance_km"].isna().tolist() == [False, False, True]
    assert out["supply_index"].isna().tolist() == [False, False, True]
    assert out["supply_position"].dtype == "Int64"
    np.testing.assert_allclose(out["road_km_estimate"].iloc[:2], 1.3 * out["distance_km"].iloc[:2])


def test_dtypes_do_not_depend_on_whether_points_are_beyond_max_km() -> None:
    supply = np.array([[0.0, 0.5]])
    near = nearest_service(np.array([[0.0, 0.0]]), supply, max_km=1000.0)
    far = nearest_service(np.array([[0.0, 40.0]]), supply, max_km=1000.0)
    assert near.dtypes.equals(far.dtypes)


def test_dataframe_with_lat_lon_columns() -> None:
    demand = pd.DataFrame({"Latitude": [60.0, 61.0], "Longitude": [25.0, 26.0]}, index=["a", "b"])
    out = nearest_service(demand, pd.DataFrame({"lon": [25.0], "lat": [60.5]}))
    _, _, metres = GEOD.inv([25.0, 26.0], [60.0, 61.0], [25.0, 25.0], [60.5, 60.5])
    np.testing.assert_allclose(out["distance_km"], np.asarray(metres) / 1000, rtol=1e-12)


@pytest.mark.parametrize(
    ("demand", "supply", "message"),
    [
        (np.array([[0.0, 91.0]]), np.array([[0.0, 0.0]]), "latitude outside"),
        (np.array([[np.nan, 1.0]]), np.array([[0.0, 0.0]]), "non-finite"),
        (np.array([[0.0, 1.0]]), np.zeros((0, 2)), "no supply points"),
        (np.array([0.0, 1.0, 2.0]), np.array([[0.0, 0.0]]), "shape"),
        (pd.DataFrame({"a": [1.0], "b": [2.0]}), np.array([[0.0, 0.0]]), "longitude and latitude columns"),
    ],
)
def test_bad_inputs_are_reported(demand: object, supply: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nearest_service(demand, supply)


def test_geodataframe_without_crs_or_with_polygons_is_rejected() -> None:
    from shapely.geometry import Point

    no_crs = gpd.GeoDataFrame(geometry=[Point(0, 0)])
    with pytest.raises(ValueError, match="no CRS"):
        nearest_service(no_crs, np.array([[0.0, 0.0]]))
    polygons = gpd.GeoDataFrame(geometry=[Point(0, 0).buffer(1)], crs=4326, index=["row7"])
    with pytest.raises(ValueError, match="row7"):
        nearest_service(polygons, np.array([[0.0, 0.0]]))


def test_unknown_distance_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="great_circle"):
        nearest_service(np.array([[0.0, 0.0]]), np.array([[0.0, 0.0]]), distance="euclidean")  # type: ignore[arg-type]


def test_property_geodesic_nearest_equals_brute_force_with_duplicates_and_antipodes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    lon = st.floats(-180, 180, allow_nan=False)
    lat = st.floats(-90, 90, allow_nan=False)
    point = st.tuples(lon, lat)

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(st.lists(point, min_size=1, max_size=12), st.lists(point, min_size=1, max_size=12), st.booleans())
    def check(demand_list, supply_list, add_twins):
        demand, supply = np.array(demand_list), np.array(supply_list)
        if add_twins:
            # duplicated supply points and antipodes of the demand points
            antipodes = np.column_stack([(demand[:, 0] + 360) % 360 - 180, -demand[:, 1]])
            supply = np.vstack([supply, supply, antipodes])
        result = nearest_service(demand, supply)
        brute = _brute_geodesic_km(demand, supply)
        np.testing.assert_allclose(result["distance_km"], brute.min(axis=1), rtol=0, atol=1e-9)
        # exact ties go to the lowest position
        lowest = np.argmax(brute <= brute.min(axis=1, keepdims=True), axis=1)
        tied_exactly = (brute == brute.min(axis=1, keepdims=True)).sum(axis=1) > 1
        assert (result["supply_position"].to_numpy(dtype=int)[tied_exactly] == lowest[tied_exactly]).all()

    check()


@pytest.mark.parametrize(("max_km", "tolerance_km"), [(1.0, 1e-11), (30.0, 1e-11), (100.0, 1e-9)])
def test_short_geodesic_matches_geod_to_nanometres(max_km: float, tolerance_km: float) -> None:
    # Random starts everywhere (poles, antimeridian included), random azimuths and lengths.
    rng = np.random.default_rng(int(max_km))
    n = 100_000
    lon = rng.uniform(-180, 180, n)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lat[:200], lat[200:400], lon[400:600] = 90.0, rng.uniform(-90, -89.99, 200), 179.999
    lon2, lat2, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360, n), rng.uniform(0, max_km * 1000, n))
    estimate = short_geodesic_km(ellipsoid_xyz_km(lon, lat), ellipsoid_xyz_km(lon2, lat2), workers=-1)
    _, _, metres = GEOD.inv(lon, lat, lon2, lat2)
    assert np.abs(estimate - np.asarray(metres) / 1000).max() < tolerance_km
    # The curvature term matters: the plain chord is off by far more.
    chord = np.linalg.norm(ellipsoid_xyz_km(lon, lat) - ellipsoid_xyz_km(lon2, lat2), axis=0)
    assert np.abs(chord - np.asarray(metres) / 1000).max() > 100 * tolerance_km
