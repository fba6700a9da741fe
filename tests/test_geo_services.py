"""Tiered service-centre proxies and the service-point registry loader."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.services import (
    DEFAULT_TIER_THRESHOLDS,
    ServicePointError,
    load_service_points,
    service_centre_tiers,
)


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return load_regions(3)


def _settlements() -> gpd.GeoDataFrame:
    sizes = [600, 5_000, 19_999, 20_000, 50_000, 120_000]
    return gpd.GeoDataFrame(
        {"geonameid": range(1, 7), "name": list("abcdef"), "population_geonames": sizes},
        geometry=[shapely.Point(25 + i, 62) for i in range(6)], crs="EPSG:4326",
    )


def test_tiers_are_cumulative_with_documented_thresholds():
    tiers = service_centre_tiers(_settlements())
    counts = tiers["tier"].value_counts()
    assert counts["local_centre"] == 5 and counts["regional_centre"] == 3 and counts["city"] == 2
    assert list(tiers[tiers["tier"] == "city"]["geonameid"]) == [5, 6]
    assert tiers.index.is_unique and tiers.index[0] == "local_centre:2"
    assert DEFAULT_TIER_THRESHOLDS == {"local_centre": 5_000, "regional_centre": 20_000, "city": 50_000}
    custom = service_centre_tiers(_settlements(), {"big": 100_000})
    assert list(custom["name"]) == ["f"]
    with pytest.raises(ValueError, match="positive"):
        service_centre_tiers(_settlements(), {"bad": 0})
    with pytest.raises(ValueError, match="no column 'pop'"):
        service_centre_tiers(_settlements(), population_column="pop")


def test_csv_with_semicolons_decimal_commas_and_detected_columns(tmp_path, regions):
    path = tmp_path / "clinics.csv"
    path.write_text("Name;Breddegrad;Lengdegrad\nMikkeli clinic;61,688;27,273\nSundsvall;62,39;17,30\n",
                    encoding="utf-8")
    points = load_service_points(path, study_area=regions)
    assert list(points["region_id"]) == ["FI1D1", "SE321"]
    assert points.geometry.y.iloc[0] == pytest.approx(61.688) and points.geometry.x.iloc[1] == pytest.approx(17.30)
    assert list(points["source_row"]) == [2, 3] and points["problem"].isna().all()


def test_csv_problems_are_reported_with_file_and_row(tmp_path, regions):
    path = tmp_path / "bad.csv"
    path.write_text("name,lat,lon\nok,61.688,27.273\nnotnum,abc,27.2\nswapped,17.30,62.39\n"
                    "africa,10.0,10.0\nrange,95.0,10.0\n", encoding="utf-8")
    with pytest.raises(ServicePointError) as caught:
        load_service_points(path, study_area=regions)
    message = str(caught.value)
    assert "bad.csv, row 3: column 'lat' is not a number ('abc')" in message
    assert "bad.csv, row 4: latitude and longitude appear swapped" in message
    assert "bad.csv, row 5: point outside the study area" in message
    assert "bad.csv, row 6: coordinates out of range" in message
    assert len(caught.value.problems) == 4
    flagged = load_service_points(path, study_area=regions, errors="flag")
    assert len(flagged) == 5 and flagged["problem"].notna().sum() == 4 and pd.isna(flagged["problem"].iloc[0])


def test_missing_columns_and_unknown_types(tmp_path, regions):
    path = tmp_path / "nocoords.csv"
    path.write_text("name,address\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot find a latitude column"):
        load_service_points(path, study_area=regions)
    other = tmp_path / "points.xlsx"
    other.write_bytes(b"")
    with pytest.raises(ValueError, match="unsupported file type"):
        load_service_points(other, study_area=regions)


def test_geojson_and_geopackage_in_other_crs(tmp_path, regions):
    wgs = gpd.GeoDataFrame({"name": ["Mikkeli", "Oulu", "Reykjavik"]},
                           geometry=[shapely.Point(27.273, 61.688), shapely.Point(25.47, 65.01),
                                     shapely.Point(-21.94, 64.146)], crs="EPSG:4326")
    wgs.to_crs(3035).to_file(tmp_path / "p.gpkg", layer="services", driver="GPKG")
    wgs.to_crs(3067).to_file(tmp_path / "p.geojson", driver="GeoJSON")
    for name in ["p.gpkg", "p.geojson"]:
        points = load_service_points(tmp_path / name, study_area=regions)
        assert list(points["region_id"]) == ["FI1D1", "FI1D9", "IS001"], name
        assert points.geometry.x.iloc[0] == pytest.approx(27.273, abs=1e-6)


def test_csv_in_projected_crs(tmp_path, regions):
    xy = gpd.GeoSeries([shapely.Point(27.273, 61.688)], crs=4326).to_crs(3067)
    path = tmp_path / "tm35.csv"
    path.write_text(f"id,northing,easting\n1,{xy.y.iloc[0]:.2f},{xy.x.iloc[0]:.2f}\n", encoding="utf-8")
    points = load_service_points(path, latitude="northing", longitude="easting", crs=3067, study_area=regions)
    assert points["region_id"].iloc[0] == "FI1D1"
    assert points.geometry.y.iloc[0] == pytest.approx(61.688, abs=1e-6)


def test_non_point_geometries_are_reported(tmp_path, regions):
    gdf = gpd.GeoDataFrame({"name": ["pt", "poly"]},
                           geometry=[shapely.Point(27.273, 61.688), shapely.box(27, 61, 27.5, 61.5)], crs=4326)
    gdf.to_file(tmp_path / "mixed.geojson", driver="GeoJSON")
    with pytest.raises(ServicePointError, match=r"mixed.geojson, row 2: geometry is not a single point \(Polygon\)"):
        load_service_points(tmp_path / "mixed.geojson", study_area=regions)
