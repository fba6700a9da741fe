"""Package support for notebook 04_service_distance: tables, layers, GeoPackage output, maps."""

from __future__ import annotations

import json
import math
import warnings

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib_scalebar.scalebar import ScaleBar

from innocap_analysis import config
from innocap_analysis.evidence.publish import save_layers as save_indicator_layers
from innocap_analysis.geography.indicators import (
    explain_remoteness_disagreements,
    indicator_layers,
    partner_indicator_table,
    region_indicator_table,
    settlement_service_distances,
)
from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.settlements import load_settlements
from innocap_analysis.plots.maps import (
    class_labels,
    classify_values,
    local_equal_area_crs,
    partner_region_maps,
    programme_area_indicator_map,
)
from innocap_analysis.provenance import ATTRIBUTION_GEO

matplotlib.use("Agg")

#: WGS84 equatorial radius: along the equator the geodesic is a * dlon (radians).
A_KM = 6378.137
PARTNER_CODES = [code for _, code in config.PARTNER_REGIONS.values()]


def _equator_points():
    settlements = gpd.GeoDataFrame(
        {"region_id": ["A", "A", "B"], "population_geonames": [3.0, 1.0, 2.0]},
        geometry=[shapely.Point(0, 0), shapely.Point(0.1, 0), shapely.Point(1.0, 0)], crs="EPSG:4326")
    services = gpd.GeoDataFrame({"tier": ["city", "local_centre", "local_centre"]},
                                geometry=[shapely.Point(0, 0), shapely.Point(0, 0), shapely.Point(1, 0)],
                                crs="EPSG:4326")
    return settlements, services


def test_settlement_service_distances_hand_worked():
    # Local centres at lon 0 and 1, the city at lon 0: settlement at lon 0.1 is 0.1° from both kinds,
    # the one at lon 1 is 0 km from a local centre and 1° from the city. Geodesic on the equator = a·Δλ.
    settlements, services = _equator_points()
    out = settlement_service_distances(settlements, services)
    assert [c for c in out.columns if c.startswith("km_to_")] == ["km_to_local_centre", "km_to_city"]
    d01, d1 = A_KM * math.radians(0.1), A_KM * math.radians(1.0)
    np.testing.assert_allclose(out["km_to_local_centre"], [0.0, d01, 0.0], atol=1e-9)
    np.testing.assert_allclose(out["km_to_city"], [0.0, d01, d1], rtol=1e-9)
    assert list(out["region_id"]) == ["A", "A", "B"] and out.crs == settlements.crs


def _tidy(regions_ids, tiers=("city", "local_centre")):
    rows = [{"region_id": r, "tier": t, "mean_km": float(i * 10 + j), "share_beyond_25km": 0.1 * j}
            for i, r in enumerate(regions_ids) for j, t in enumerate(tiers)]
    return pd.DataFrame(rows)


def test_region_and_partner_tables():
    regions = gpd.GeoDataFrame(
        {"region_id": pd.array(["IE041", "SE321", "XX1"], dtype="string"), "name": ["Border", "Vn", "Other"],
         "country": ["IE", "SE", "XX"], "npa_2021_27": [True, True, False],
         "partner_key": pd.array(["donegal", "vasternorrland", pd.NA], dtype="string")},
        geometry=[shapely.Point(0, 0)] * 3, crs="EPSG:4326")
    distances = _tidy(["XX1", "SE321", "IE041"])
    access = pd.DataFrame({"region_id": ["IE041", "IE041"], "tier": ["local_centre", "city"],
                           "accessibility_mean": [2.0, 0.5], "demand_weight_source": "calibrated"})
    sparsity = pd.DataFrame({"region_id": ["IE041", "SE321", "XX1"], "density": [35.8, 10.7, 1.0],
                             "settlements_per_1000_km2": [5.9, 2.3, 0.1], "sparsely_populated": [False, True, True]})
    table = region_indicator_table(regions, distances, access, sparsity)
    # Sorted by region, then tier in TIER_ORDER (local centre before city).
    assert list(zip(table["region_id"], table["tier"], strict=True))[:2] == [("IE041", "local_centre"),
                                                                             ("IE041", "city")]
    ie = table[table["region_id"] == "IE041"].set_index("tier")
    assert ie.loc["city", "accessibility_mean"] == 0.5 and ie.loc["local_centre", "density"] == 35.8
    assert pd.isna(table.loc[table["region_id"] == "SE321", "accessibility_mean"]).all()
    assert table.loc[table["region_id"] == "XX1", "name"].eq("Other").all()

    partners = partner_indicator_table(table, keys=["vasternorrland", "donegal"])
    # Order of config.PARTNER_REGIONS (Donegal first), every tier present, label first.
    assert list(partners["region_id"]) == ["IE041", "IE041", "SE321", "SE321"]
    assert partners.columns[0] == "partner_region"
    assert partners["partner_region"].iloc[0] == config.PARTNER_REGIONS["donegal"][0]
    with pytest.raises(ValueError, match="unknown partner"):
        partner_indicator_table(table, keys=["atlantis"])
    # All five by default: three are missing from this table, which must fail, not shrink.
    with pytest.raises(ValueError, match="missing"):
        partner_indicator_table(table)
    with pytest.raises(ValueError, match="missing"):
        partner_indicator_table(table[~((table["region_id"] == "SE321") & (table["tier"] == "city"))],
                                keys=["vasternorrland"])


def test_indicator_layers_one_per_tier_with_percent():
    regions = gpd.GeoDataFrame(
        {"region_id": pd.array(["A", "B"], dtype="string"), "population_year": ["2021", "2021"],
         "area_km2": [1.0, 2.0], "urban_rural_code": pd.array([3, 1], dtype="Int64"),
         "remoteness_code": pd.array([32, 1], dtype="Int64")},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
    table = _tidy(["A", "B"])
    settlements, services = _equator_points()
    layers = indicator_layers(regions, table, settlement_service_distances(settlements, services), services)
    assert list(layers) == ["regions_local_centre", "regions_city", "settlements", "service_points"]
    city = layers["regions_city"].set_index("region_id")
    assert city.loc["B", "mean_km"] == 10.0 and city.loc["A", "pct_beyond_25km"] == 0.0
    assert layers["regions_local_centre"].set_index("region_id").loc["A", "pct_beyond_25km"] == pytest.approx(10.0)
    assert all(layer.crs == "EPSG:4326" for layer in layers.values())


def test_save_indicator_layers_byte_identical_and_recorded(tmp_path, monkeypatch):
    settlements, services = _equator_points()
    layers = {"settlements": settlement_service_distances(settlements, services),
              "service_points": services.reset_index()}
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("INNOCAP_PROVENANCE_LOG", str(log))
    monkeypatch.setenv("INNOCAP_NOTEBOOK", "04_service_distance.ipynb")
    monkeypatch.setenv("INNOCAP_STAGING_DIR", str(tmp_path / "staging"))
    first = save_indicator_layers(layers, "04_layers", caption="Test layers.")
    assert repr(first) == "saved: 04_layers.gpkg"
    assert first[0] == tmp_path / "staging" / "04_layers.gpkg"
    content = first[0].read_bytes()
    second = save_indicator_layers(layers, "04_layers", caption="Test layers.")
    assert second[0].read_bytes() == content
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["file"], r["kind"], r["caption"]) for r in records] == [("04_layers.gpkg", "layer", "Test layers.")] * 2
    back = gpd.read_file(first[0], layer="settlements")
    np.testing.assert_allclose(back["km_to_city"], layers["settlements"]["km_to_city"])
    with pytest.raises(ValueError, match="caption"):
        save_indicator_layers(layers, "04_layers", caption="")
    with pytest.raises(ValueError, match="plain file stem"):
        save_indicator_layers(layers, "../04_layers", caption="x")


def test_explain_remoteness_disagreements_rules():
    # Threshold 40 km. Row 1: closer, largest place is a city (0 km) -> city rule even though borderline.
    # Row 2: more remote, nearest city at 47 km > 40 -> beyond. Row 3: closer, city 43 km, share 0.51 ->
    # borderline. Row 4: closer, city 15 km, share 1.0 -> other (the Isle of Wight case).
    frame = pd.DataFrame({
        "direction": ["estimate closer", "estimate more remote", "estimate closer", "estimate closer"],
        "its_city_km": [0.0, 47.0, 43.0, 15.0],
        "borderline": [True, False, True, False],
    })
    out = explain_remoteness_disagreements(frame, threshold_km=40.0)
    assert list(out["reason"]) == ["largest place counted as a city", "nearest city just beyond the proxy",
                                   "borderline share", "other"]


def test_local_equal_area_crs_centre():
    box = gpd.GeoDataFrame(geometry=[shapely.box(10.0, 60.0, 20.0, 64.0)], crs="EPSG:4326")
    assert local_equal_area_crs(box) == "+proj=laea +lat_0=62 +lon_0=15 +datum=WGS84 +units=m +no_defs"


def test_classify_values_ties_do_not_warn():
    # Eight zeros and two larger values: quantile bounds collapse; fewer classes, no warning.
    values = pd.Series([0.0] * 8 + [5.0, 9.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classes, bounds = classify_values(values, "quantiles", 5)
    assert len(bounds) < 5 and bounds[-1] == 9.0 and classes.max() == len(bounds) - 1


@pytest.fixture(scope="module")
def embedded():
    regions = load_regions(3)
    return regions, load_settlements(regions=regions)


def test_partner_region_maps_share_classes(embedded):
    regions, settlements = embedded
    fig = partner_region_maps(settlements, "population_geonames", regions, k=4, fmt="{:.0f}")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [label for label, _ in config.PARTNER_REGIONS.values()]
    values = settlements.loc[settlements["region_id"].isin(PARTNER_CODES).fillna(False), "population_geonames"]
    _, bounds = classify_values(values, "quantiles", 4)
    legend = fig.axes[len(PARTNER_CODES)].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == class_labels(float(values.min()), bounds, "{:.0f}")
    texts = " ".join(" ".join(t.get_text().split()) for t in fig.findobj(matplotlib.text.Text))
    assert ATTRIBUTION_GEO in texts  # attribution
    bars = [a for ax in fig.axes for a in ax.artists if isinstance(a, ScaleBar)]
    assert bars and {b.fixed_units for b in bars} == {"km"}  # a scale bar (matplotlib-scalebar) per panel
    matplotlib.pyplot.close(fig)
    one = partner_region_maps(settlements, "population_geonames", regions, keys=["south_savo"])
    assert [ax.get_title() for ax in one.axes if ax.get_title()] == [config.PARTNER_REGIONS["south_savo"][0]]
    matplotlib.pyplot.close(one)
    with pytest.raises(ValueError, match="unknown partner"):
        partner_region_maps(settlements, "population_geonames", regions, keys=["atlantis"])


def test_programme_area_indicator_map_draws_programme_regions(embedded):
    regions, _ = embedded
    layer = regions.assign(value=regions["density"].astype(float))
    fig = programme_area_indicator_map(layer, "value", regions, k=3)
    inside = layer[(regions["npa_2021_27"] | regions["partner"]) & regions["country"].ne("CA")]
    _, bounds = classify_values(inside["value"], "quantiles", 3)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:len(bounds)] == class_labels(float(inside["value"].min()), bounds)
    matplotlib.pyplot.close(fig)
