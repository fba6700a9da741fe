"""Indicator maths by hand, against numpy, and for the partner regions from the embedded data."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from innocap_analysis import config
from innocap_analysis.geography.indicators import (
    accessibility_indicators,
    distance_summary,
    grouped_weighted_quantile,
    service_distance_indicators,
    settlement_sparsity,
    write_indicator_layers,
)
from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.services import service_centre_tiers
from innocap_analysis.geography.settlements import load_settlements

#: WGS84 equatorial radius: along the equator the geodesic is a * dlon (radians).
A_KM = 6378.137


def test_distance_summary_hand_worked():
    # Region a: distances 5, 20, 60 km with weights 2, 1, 1 -> cumulative shares 0.5, 0.75, 1.
    # mean = (10 + 20 + 60) / 4 = 22.5; median = 5 (share 0.5 reached at 5); p90 = 60;
    # beyond 10 km: 2/4; beyond 25: 1/4; beyond 50: 1/4.
    # Region b: 1, 2, 3, 10 equal weights -> mean 4, median 2, p90 10, beyond 2.5 = 0.5.
    out = distance_summary([5, 20, 60, 1, 2, 3, 10], [2, 1, 1, 1, 1, 1, 1], list("aaabbbb"), (10, 25, 50, 2.5))
    a, b = out.loc["a"], out.loc["b"]
    assert (a["mean_km"], a["median_km"], a["p90_km"]) == (22.5, 5.0, 60.0)
    assert (a["share_beyond_10km"], a["share_beyond_25km"], a["share_beyond_50km"]) == (0.5, 0.25, 0.25)
    assert (b["mean_km"], b["median_km"], b["p90_km"], b["share_beyond_2.5km"]) == (4.0, 2.0, 10.0, 0.5)
    assert a["n_points"] == 3 and b["weight_total"] == 4
    with pytest.raises(ValueError, match="NaN"):
        distance_summary([1.0, np.nan], [1, 1], ["a", "a"])


def test_grouped_weighted_quantile_equals_numpy():
    rng = np.random.default_rng(7)
    groups = rng.integers(0, 30, 4000)
    values = rng.exponential(25, 4000)
    weights = rng.integers(0, 6, 4000).astype(float)
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        ours = grouped_weighted_quantile(values, weights, groups, q)
        reference = [np.quantile(values[groups == g], q, weights=weights[groups == g], method="inverted_cdf")
                     for g in range(30)]
        np.testing.assert_array_equal(ours.to_numpy(), reference)
    with pytest.raises(ValueError, match=">= 0"):
        grouped_weighted_quantile([1.0], [-1.0], ["a"], 0.5)


def _equator_case():
    """Region A: people at lon 0 (3) and 0.1 (1); region B: at lon 1 (2); services at lon 0 and 1."""
    settlements = gpd.GeoDataFrame(
        {"region_id": ["A", "A", "B"], "population_geonames": [3.0, 1.0, 2.0]},
        geometry=[shapely.Point(0, 0), shapely.Point(0.1, 0), shapely.Point(1.0, 0)], crs="EPSG:4326")
    services = gpd.GeoDataFrame({"tier": ["local", "local", "city"], "region_id": ["A", "B", "A"]},
                                geometry=[shapely.Point(0, 0), shapely.Point(1, 0), shapely.Point(0, 0)],
                                crs="EPSG:4326")
    regions = pd.DataFrame({"region_id": ["A", "B", "C"], "population": pd.array([8000, 500, pd.NA], "Float64")})
    return settlements, services, regions


def test_service_distance_indicators_hand_worked():
    settlements, services, regions = _equator_case()
    out = service_distance_indicators(settlements, services, regions, thresholds_km=(10,))
    out = out.set_index(["region_id", "tier"])
    d01 = A_KM * math.radians(0.1)  # 11.132 km
    local_a = out.loc[("A", "local")]
    assert local_a["mean_km"] == pytest.approx(d01 / 4, rel=1e-9)
    assert local_a["median_km"] == 0.0 and local_a["p90_km"] == pytest.approx(d01, rel=1e-9)
    assert local_a["share_beyond_10km"] == 0.25
    assert local_a["population_beyond_10km"] == pytest.approx(2000.0)
    assert local_a["n_service_points"] == 1 and local_a["people_per_service_point"] == 8000
    city_b = out.loc[("B", "city")]
    assert city_b["mean_km"] == pytest.approx(A_KM * math.radians(1.0), rel=1e-9)
    assert city_b["n_service_points"] == 0 and pd.isna(city_b["people_per_service_point"])
    region_c = out.loc[("C", "local")]  # no settlements: NA statistics, row kept
    assert region_c["n_settlements"] == 0 and pd.isna(region_c["mean_km"])
    # Road estimate scales every distance statistic.
    road = service_distance_indicators(settlements, services, regions, detour_factor=1.3).set_index(
        ["region_id", "tier"])
    assert road.loc[("A", "local"), "p90_km"] == pytest.approx(1.3 * d01, rel=1e-9)


def test_accessibility_hand_worked():
    # One service; both settlements of A within 30 km (0 and 11 km), B at 111 km outside.
    # Step 2SFCA: R = 1 / (3 + 1) -> every A settlement 0.25 per person = 2,500 per 10,000.
    settlements, services, _ = _equator_case()
    settlements["population_calibrated"] = pd.array([3.0, 1.0, 2.0], dtype="Float64")
    out = accessibility_indicators(settlements, services[services["tier"] == "city"], catchment_km=30)
    out = out.set_index("region_id")
    assert out.loc["A", "accessibility_mean"] == pytest.approx(2500.0, rel=1e-12)
    assert out.loc["B", "accessibility_mean"] == 0.0


@pytest.fixture(scope="module")
def embedded():
    regions = load_regions(3)
    settlements = load_settlements(regions=regions)
    return regions, settlements, service_centre_tiers(settlements)


def test_partner_region_indicators_compute(embedded):
    regions, settlements, services = embedded
    out = service_distance_indicators(settlements, services, regions)
    partner_codes = [code for _, code in config.PARTNER_REGIONS.values()]
    partners = out[out["region_id"].isin(partner_codes)]
    assert len(partners) == len(partner_codes) * 3
    stats = partners[["mean_km", "median_km", "p90_km"]].to_numpy(dtype=float)
    assert np.isfinite(stats).all() and (stats >= 0).all()
    assert (partners["median_km"] <= partners["p90_km"]).all()
    shares = partners[["share_beyond_10km", "share_beyond_25km", "share_beyond_50km"]].to_numpy(dtype=float)
    assert ((shares >= 0) & (shares <= 1)).all() and (np.diff(shares, axis=1) <= 0).all()
    local = partners[partners["tier"] == "local_centre"].set_index("region_id")
    assert local["people_per_service_point"].notna().all()
    # Cross-check one value independently: South Savo's population share beyond 25 km of a city.
    from innocap_analysis.geography.nearest import nearest_service
    savo = settlements[settlements["region_id"] == "FI1D1"]
    d = nearest_service(savo, services[services["tier"] == "city"])["distance_km"].to_numpy()
    w = savo["population_geonames"].to_numpy(dtype=float)
    city = partners[partners["tier"] == "city"].set_index("region_id")
    assert city.loc["FI1D1", "share_beyond_25km"] == pytest.approx(w[d > 25].sum() / w.sum(), rel=1e-12)
    assert city.loc["FI1D1", "mean_km"] == pytest.approx(np.average(d, weights=w), rel=1e-12)


def test_settlement_sparsity(embedded):
    regions, settlements, _ = embedded
    out = settlement_sparsity(settlements, regions).set_index("region_id")
    se = settlements[settlements["region_id"] == "SE321"]
    area = regions.set_index("region_id").loc["SE321", "area_km2"]
    assert out.loc["SE321", "settlements_per_1000_km2"] == pytest.approx(1000 * len(se) / area)
    assert bool(out.loc["SE321", "sparsely_populated"])  # 10.65 per km2 < 12.5
    assert not bool(out.loc["FI193", "sparsely_populated"])  # Keski-Suomi 13.77 per km2
    assert pd.isna(out.loc["GL", "sparsely_populated"])


def test_geopackage_is_deterministic_and_round_trips(tmp_path, embedded):
    regions, settlements, services = embedded
    out = service_distance_indicators(settlements, services, regions)
    layer = regions.merge(out[out["tier"] == "city"], on="region_id")
    layers = {"regions_city": layer, "service_points": services.reset_index()}
    first = write_indicator_layers(layers, tmp_path / "a.gpkg")
    second = write_indicator_layers(layers, tmp_path / "b.gpkg")
    assert first.read_bytes() == second.read_bytes()
    back = gpd.read_file(first, layer="regions_city").set_index("region_id")
    np.testing.assert_allclose(back["mean_km"].to_numpy(), layer.set_index("region_id")["mean_km"].to_numpy())
    assert pd.isna(back.loc["GL", "population_official"])
    with pytest.raises(ValueError, match=".gpkg"):
        write_indicator_layers(layer, tmp_path / "x.shp")


def test_gaussian_accessibility_hand_worked():
    # Gaussian 2SFCA (Dai 2010): weight g(d) = exp(-d^2 / (2 sigma^2)) in both steps.
    # Service at lon 0; demand 3 at 0 km (region A), 1 at d = 11.13 km and 2 at 111 km (region B);
    # sigma 10 km; catchment 30 km. R = 1 / (3 g(0) + 1 g(d)); A_i = g(d_i) R, 0 outside the catchment.
    # Region means: A = R; B = (1 g(d) R + 2 * 0) / 3.
    settlements, services, _ = _equator_case()
    settlements["region_id"] = ["A", "B", "B"]
    settlements["population_calibrated"] = pd.array([3.0, 1.0, 2.0], dtype="Float64")
    d = A_KM * math.radians(0.1)
    g = math.exp(-d * d / (2 * 10.0**2))
    ratio = 1.0 / (3.0 + g)
    out = accessibility_indicators(settlements, services[services["tier"] == "city"], catchment_km=30,
                                   decay="gaussian", bandwidth_km=10.0, per_people=1.0).set_index("region_id")
    assert out.loc["A", "accessibility_mean"] == pytest.approx(ratio, rel=1e-9)
    assert out.loc["B", "accessibility_mean"] == pytest.approx(g * ratio / 3, rel=1e-9)
