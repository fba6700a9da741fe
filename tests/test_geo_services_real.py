"""Own-country nearest services, GISCO hospitals, the proxy check, partner indicators and sensitivity."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from pyproj import Geod  # noqa: E402
from scipy import stats  # noqa: E402

from innocap_analysis.geography import partner_geography  # noqa: E402
from innocap_analysis.geography.borders import nearest_service_by_country, share_nearest_abroad  # noqa: E402
from innocap_analysis.geography.demand import demand_layer  # noqa: E402
from innocap_analysis.geography.hospitals import load_hospitals, proxy_check, worst_disagreements  # noqa: E402
from innocap_analysis.geography.partner_areas import partner_areas  # noqa: E402
from innocap_analysis.geography.partner_indicators import (  # noqa: E402
    old_new_comparison,
    partner_area_indicators,
    service_points,
)
from innocap_analysis.geography.regions import load_regions  # noqa: E402
from innocap_analysis.geography.sensitivity import partner_sensitivity, sensitivity_summary  # noqa: E402
from innocap_analysis.geography.settlements import load_settlements  # noqa: E402
from innocap_analysis.labels import share_with_range
from innocap_analysis.plots.geo_checks import (  # noqa: E402
    hospital_proxy_scatter,
    partner_area_map,
    sensitivity_figure,
)


@pytest.fixture(scope="module")
def world():
    regions = load_regions(3)
    settlements = load_settlements(regions=regions)
    areas = partner_areas(regions)
    demand, _ = demand_layer(regions, areas, settlements)
    hospitals = load_hospitals(study_area=regions)
    services = service_points(settlements, hospitals=hospitals)
    return {"regions": regions, "settlements": settlements, "areas": areas, "demand": demand,
            "hospitals": hospitals, "services": services}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _points(lonlat):
    lonlat = np.asarray(lonlat, dtype=float)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs=4326)


def test_own_country_by_hand():
    # A resident at the border: the foreign service is 5 km away, the home one 20 km.
    demand = _points([[0.0, 60.0]])
    supply = _points([[0.09, 60.0], [-0.36, 60.0]])
    geod = Geod(ellps="WGS84")
    home_km = geod.inv(0.0, 60.0, -0.36, 60.0)[2] / 1000
    restricted = nearest_service_by_country(demand, supply, demand_country=["IE"], supply_country=["GB", "IE"])
    free = nearest_service_by_country(demand, supply, demand_country=["IE"], supply_country=["GB", "IE"],
                                      restrict=False)
    assert restricted.loc[0, "distance_km"] == pytest.approx(home_km, rel=1e-12)
    assert restricted.loc[0, "supply_position"] == 1 and not restricted.loc[0, "abroad"]
    assert free.loc[0, "supply_position"] == 0 and free.loc[0, "abroad"] and free.loc[0, "supply_country"] == "UK"
    # A country without any service: NaN and flagged, not dropped.
    none = nearest_service_by_country(demand, supply, demand_country=["IS"], supply_country=["GB", "IE"])
    assert np.isnan(none.loc[0, "distance_km"]) and none.loc[0, "no_service_in_country"]


def test_share_nearest_abroad_by_hand():
    demand = _points([[0.0, 60.0], [-0.5, 60.0]])
    supply = _points([[0.09, 60.0], [-0.36, 60.0]])
    out = share_nearest_abroad(demand, supply, demand_country=["IE", "IE"], supply_country=["GB", "IE"],
                               group=["a", "a"], weight=[3.0, 1.0])
    assert out.loc[0, "share_nearest_abroad"] == pytest.approx(0.75)
    assert out.loc[0, "main_foreign_country"] == "UK"


def test_hospitals_load_as_a_tier(world):
    hospitals = world["hospitals"]
    assert len(hospitals) == 1343 and (hospitals["tier"] == "hospital").all()
    assert hospitals["country"].value_counts().to_dict() == {"NO": 640, "FI": 372, "IE": 199, "SE": 132}
    assert hospitals.index.is_unique and hospitals["problem"].isna().all()


def test_proxy_check_correlations_match_scipy(world):
    regional = world["services"][world["services"]["tier"] == "regional_centre"]
    table, summary = proxy_check(world["demand"], world["hospitals"], regional, world["regions"])
    assert set(table["country"]) == {"FI", "SE", "IE", "NO"}
    assert summary["n_regions"] == len(table) > 50
    assert summary["spearman_rho"] == pytest.approx(
        stats.spearmanr(table["mean_km_hospital"], table["mean_km_regional_centre"]).statistic, rel=1e-12)
    worst = worst_disagreements(table, 5)
    assert worst["disagreement_rank"].tolist() == [1, 2, 3, 4, 5]
    assert worst["log_ratio"].abs().is_monotonic_decreasing
    fig = hospital_proxy_scatter(table, summary, highlight=("FI1D1",))
    offsets = np.concatenate([c.get_offsets() for c in fig.axes[0].collections if c.get_gid()])
    assert len(offsets) == len(table)
    np.testing.assert_allclose(np.sort(offsets[:, 0]), np.sort(table["mean_km_hospital"].to_numpy()))


def test_partner_indicators(world):
    out = partner_area_indicators(world["demand"], world["services"], world["areas"])
    by = out.set_index(["partner_key", "tier"])
    # Own-country services: nobody's service lies abroad, and the unrestricted share abroad is reported.
    assert by.loc[("donegal", "regional_centre"), "share_nearest_abroad"] > 0.1  # Derry, Omagh, Enniskillen
    assert by.loc[("south_savo", "regional_centre"), "share_nearest_abroad"] == 0
    # No hospital register for Iceland and Canada: no hospital rows there.
    assert ("south_iceland", "hospital") not in by.index and ("donegal", "hospital") in by.index
    assert (out["population_beyond_25km"] <= out["population_official"] + 1e-6).all()
    # Restricting can only lengthen distances.
    free = partner_area_indicators(world["demand"], world["services"], world["areas"], own_country=False)
    merged = out.merge(free, on=["partner_key", "tier"], suffixes=("", "_free"))
    assert (merged["mean_km"] >= merged["mean_km_free"] - 1e-9).all()


def test_old_new_comparison_reproduces_the_published_figures(world):
    table = old_new_comparison(world["settlements"], world["demand"], world["areas"], world["regions"])
    by = table.set_index("partner_key")
    # The first evidence base: 171,092 people of IE041 and 123,345 of IS002 beyond 25 km.
    assert by.loc["donegal", "population_beyond_published"] == pytest.approx(171_091.85, abs=0.01)
    assert by.loc["south_iceland", "population_beyond_published"] == pytest.approx(123_344.67, abs=0.01)
    assert by.loc["newfoundland_labrador", "share_published"] == pytest.approx(0.376, abs=5e-4)
    # The partner figure never quotes more people than the partner has.
    assert (table["population_beyond_new"] <= table["population_partner"] + 1e-6).all()


def test_sensitivity_design_and_summary(world):
    table = partner_sensitivity(world["demand"], world["settlements"], world["areas"])
    assert len(table) == 5 * 27 and table["central"].sum() == 5
    central = table[table["central"]].set_index("partner_key")["share_beyond"]
    indicators = partner_area_indicators(world["demand"], world["services"], world["areas"])
    regional = indicators[indicators["tier"] == "regional_centre"].set_index("partner_key")["share_beyond_25km"]
    np.testing.assert_allclose(central.loc[regional.index], regional, rtol=1e-12)
    # Monotone: a longer detour or a shorter cut never lowers the share.
    for _, part in table.groupby(["partner_key", "regional_threshold", "cut_km"]):
        assert part.sort_values("detour_factor")["share_beyond"].is_monotonic_increasing
    for _, part in table.groupby(["partner_key", "regional_threshold", "detour_factor"]):
        assert part.sort_values("cut_km")["share_beyond"].is_monotonic_decreasing
    summary = sensitivity_summary(table)
    row = summary.set_index("partner_key").loc["donegal"]
    assert row["range_low"] <= row["central_share"] <= row["range_high"]
    assert share_with_range(row["central_share"], row["range_low"], row["range_high"]) == (
        f"{100 * row['central_share']:.0f}% (range {100 * row['range_low']:.0f}-{100 * row['range_high']:.0f}%)")
    fig = sensitivity_figure(summary)
    central_dots = next(c for c in fig.axes[0].collections if c.get_gid() == "central").get_offsets()
    np.testing.assert_allclose(central_dots[:, 0], 100 * summary["central_share"].to_numpy())


def test_partner_geography_bundles_the_tables(world):
    geo = partner_geography(world["regions"], world["settlements"])
    assert geo.area_table()["partner_key"].tolist() == world["areas"]["partner_key"].tolist()
    assert "geometry" not in geo.area_table().columns
    assert len(geo.sensitivity_summary) == 5 and geo.proxy_summary["n_regions"] == len(geo.proxy)
    assert (geo.population_check["deviation"].abs() < 1e-9).all()
    assert set(geo.double_counts["reason"]) == {"neighbourhood", "merged_municipality", "duplicate"}
    regional = geo.indicators[geo.indicators["tier"] == "regional_centre"].set_index("partner_key")
    assert regional.loc["donegal", "share_beyond_25km"] == pytest.approx(geo.old_new.set_index("partner_key").loc[
        "donegal", "share_own_country"], rel=1e-12)


def test_partner_area_map_draws_parent_and_area(world):
    fig = partner_area_map(world["areas"], world["regions"])
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title().startswith("County Donegal in Border (IE041)")
    assert "Landsbyggð (IS002)" in fig.axes[1].get_title()
