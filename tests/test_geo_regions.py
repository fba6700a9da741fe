"""load_regions and the point-in-region assignment with the nearest-region fallback."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from innocap_analysis import config
from innocap_analysis.geography.regions import assign_points_to_regions, load_regions

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return load_regions(3)


def _points(lonlat: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.Point(x, y) for x, y in lonlat], crs="EPSG:4326")


def test_level3_has_all_nuts3_and_three_territories(regions):
    assert len(regions) == 242 + 3
    assert regions["region_id"].is_unique
    assert {"CA-NL", "FO", "GL"} <= set(regions["region_id"])
    assert regions.crs.equals("EPSG:4326")
    assert regions.geometry.is_valid.all()


def test_partner_flags_match_config(regions):
    partners = regions[regions["partner"]]
    assert sorted(partners["region_id"]) == sorted(code for _, code in config.PARTNER_REGIONS.values())
    assert dict(zip(partners["region_id"], partners["partner_key"], strict=True))["SE321"] == "vasternorrland"


def test_npa_eligibility_matches_gisco_flag(regions):
    # Independent source: the npa_2021_27 flag carried in the NUTS 3 GeoJSON itself.
    gisco = gpd.read_file(config.NUTS_GEOJSON[3]).set_index("NUTS_ID")["npa_2021_27"]
    ours = regions.set_index("region_id")["npa_2021_27"].reindex(gisco.index)
    assert (ours.to_numpy() == gisco.to_numpy()).all()
    by_id = regions.set_index("region_id")["npa_2021_27"]
    assert by_id["FO"] and by_id["GL"] and not by_id["CA-NL"]


def test_official_statistics_joined(regions):
    by_id = regions.set_index("region_id")
    raw = pd.read_csv(config.NUTS3_POPULATION_CSV).set_index("nuts_id")
    assert by_id.loc["SE321", "population"] == raw.loc["SE321", "pop_2021"] == 244554
    assert by_id.loc["FI1D1", "area_km2"] == raw.loc["FI1D1", "area_km2_2021"]
    assert by_id.loc["CA-NL", "population"] == 510550  # Statistics Canada, 2021 census
    assert pd.isna(by_id.loc["FO", "population"]) and pd.isna(by_id.loc["GL", "population"])
    assert pd.isna(by_id.loc["UKN0A", "population"])
    assert by_id.loc["CA-NL", "density"] == pytest.approx(510550 / by_id.loc["CA-NL", "area_km2"])
    assert by_id.loc["IS002", "remoteness_code"] == 32 and by_id.loc["IS002", "urban_rural_code"] == 3
    assert pd.isna(by_id.loc["NO0B2", "remoteness_code"])


def test_level2_population_is_sum_of_children_or_na():
    level2 = load_regions(2).set_index("region_id")
    level3 = load_regions(3).set_index("region_id")
    assert level2.loc["IS00", "population"] == level3.loc["IS001", "population"] + level3.loc["IS002", "population"]
    assert pd.isna(level2.loc["UKN0", "population"])  # Northern Ireland's NUTS 3 figures are missing
    assert pd.isna(level2.loc["NO0B", "population"])


def test_reykjavik_lands_in_is001(regions):
    # The brief's coordinates (lat 64.1466, lon -21.9426) are 53 m *inside* IS001 in this GISCO file.
    out = assign_points_to_regions(_points([(-21.9426, 64.1466)]), regions, country=["IS"])
    assert out["region_id"].iloc[0] == "IS001"


def test_reykjavik_area_fallback_to_is001(regions):
    # Seltjarnarnes (GeoNames 64.15309, -21.99499), the tip of the Reykjavík peninsula, is cut off by
    # the 1:10M coastline; and a point 180 m off the coast next to Reykjavík.
    is001 = regions.set_index("region_id").geometry["IS001"]
    inside = shapely.Point(-21.9426, 64.1466)
    boundary = shapely.ops.nearest_points(is001.boundary, inside)[0]
    azimuth, _, _ = GEOD.inv(inside.x, inside.y, boundary.x, boundary.y)
    off_x, off_y, _ = GEOD.fwd(boundary.x, boundary.y, azimuth, 180.0)
    out = assign_points_to_regions(_points([(-21.99499, 64.15309), (off_x, off_y)]), regions, country=["IS", "IS"])
    assert list(out["region_id"]) == ["IS001", "IS001"]
    assert list(out["assignment"]) == ["nearest", "nearest"]
    assert 0.05 < out["distance_to_region_km"].iloc[1] < 0.5


def test_tolerance_and_country_restriction(regions):
    # Akrotiri (Cyprus, GeoNames country GB) is thousands of km away: unassigned, kept, distance reported.
    far = assign_points_to_regions(_points([(32.95536, 34.60088)]), regions, country=["GB"])
    assert far["assignment"].iloc[0] == "unassigned" and pd.isna(far["region_id"].iloc[0])
    assert far["distance_to_region_km"].iloc[0] > 2000
    # A point inside Northern Ireland labelled as Irish goes to the nearest Irish region, not to UKN.
    strabane = (-7.43, 54.83)  # just inside Northern Ireland, next to Lifford (IE041)
    free = assign_points_to_regions(_points([strabane]), regions)
    irish = assign_points_to_regions(_points([strabane]), regions, country=["IE"], tolerance_km=15)
    assert free["region_id"].iloc[0].startswith("UKN")
    assert irish["region_id"].iloc[0] == "IE041" and irish["assignment"].iloc[0] == "nearest"
    none = assign_points_to_regions(_points([strabane]), regions, country=["IE"], tolerance_km=0.0)
    assert none["assignment"].iloc[0] == "unassigned"


def test_assignment_keeps_index_and_rejects_bad_input(regions):
    pts = _points([(27.27, 61.69), (17.3, 62.39)])
    pts.index = ["mikkeli", "sundsvall"]
    out = assign_points_to_regions(pts, regions)
    assert list(out.index) == ["mikkeli", "sundsvall"]
    assert list(out["region_id"]) == ["FI1D1", "SE321"]
    assert np.all(out["distance_to_region_km"].to_numpy() == 0.0)
    with pytest.raises(ValueError, match="tolerance_km"):
        assign_points_to_regions(pts, regions, tolerance_km=-1)
    with pytest.raises(ValueError, match="country has 1 values for 2 points"):
        assign_points_to_regions(pts, regions, country=["FI"])
    with pytest.raises(ValueError, match="level"):
        load_regions(4)
