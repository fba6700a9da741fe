"""Remoteness estimate: the proxy, the classing rule, and the agreement with Eurostat's typology."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from statsmodels.stats.inter_rater import cohens_kappa

from innocap_analysis.geography.regions import load_regions
from innocap_analysis.geography.remoteness import (
    classify_remoteness,
    drive_time_threshold_km,
    remoteness_agreement,
    remoteness_disagreements,
    remoteness_estimate,
)
from innocap_analysis.geography.settlements import load_settlements


def test_threshold_by_hand():
    assert drive_time_threshold_km() == pytest.approx(45 / 60 * 70 / 1.3)  # 40.38 km
    assert drive_time_threshold_km(60, 60, 1.0) == 60.0
    with pytest.raises(ValueError):
        drive_time_threshold_km(45, 70, 0.9)


def test_classing_rule():
    codes = pd.Series([1, 2, 2, 3, 3, 3, pd.NA, 2], dtype="Int64")
    share = pd.Series([0.0, 0.5, 0.49, 0.9, 0.1, pd.NA, 0.9, 0.5001], dtype="Float64")
    out = classify_remoteness(codes, share)
    assert out.tolist()[:5] == [1, 21, 22, 31, 32]
    assert pd.isna(out.iloc[5]) and pd.isna(out.iloc[6]) and out.iloc[7] == 21


def test_share_within_hand_worked():
    # Region R: 3 people 0.2 degrees (22 km) from the city, 1 person 1 degree (111 km) away at the
    # equator; the city itself (50,000) is in region U. Share within 40.4 km = 3/4 -> 21 (intermediate).
    settlements = gpd.GeoDataFrame(
        {"region_id": ["R", "R", "U"], "name": ["near", "far", "city"],
         "population_geonames": [3.0, 1.0, 50_000.0]},
        geometry=[shapely.Point(0.2, 0), shapely.Point(1.0, 0), shapely.Point(0, 0)], crs="EPSG:4326")
    regions = pd.DataFrame({"region_id": ["R", "U"], "name": ["r", "u"],
                            "urban_rural_code": pd.array([2, 1], dtype="Int64"),
                            "remoteness_code": pd.array([22, 1], dtype="Int64")})
    out = remoteness_estimate(settlements, regions).set_index("region_id")
    assert out.loc["R", "share_within"] == 0.75
    assert out.loc["R", "remoteness_estimated"] == 21 and out.loc["U", "remoteness_estimated"] == 1
    assert out.loc["R", "its_nearest_city"] == "city"


@pytest.fixture(scope="module")
def estimate() -> pd.DataFrame:
    regions = load_regions(3)
    return remoteness_estimate(load_settlements(regions=regions), regions)


def test_agreement_over_all_242_nuts3_regions(estimate):
    result = remoteness_agreement(estimate)
    assert result.n_regions == 242
    assert result.confusion.loc["total", "total"] == 242
    # NO0B1 (Jan Mayen) has no settlement and neither NO0B1 nor NO0B2 has a published class.
    assert result.n_compared == 239
    table = result.confusion.drop(index=["total", "not published"], columns=["total", "no settlements"])
    labels = [c for c in table.columns if c in table.index]
    diagonal = sum(table.loc[c, c] for c in labels)
    assert result.agreement == pytest.approx(diagonal / 239)
    # Independent kappa (statsmodels) from the square table.
    square = table.reindex(index=labels, columns=labels, fill_value=0).to_numpy()
    assert result.kappa == pytest.approx(cohens_kappa(square).kappa, rel=1e-12)
    # The values documented in the report (defaults: 45 min, 70 km/h, circuity 1.3; not tuned).
    assert (diagonal, result.n_compared_non_urban) == (217, 111)
    assert result.agreement_non_urban == pytest.approx(89 / 111)


def test_disagreements_listed_with_direction(estimate):
    table = remoteness_disagreements(estimate)
    assert len(table) == 239 - 217
    assert (table["remoteness_published"] != table["remoteness_estimated"]).all()
    closer = table[table["direction"] == "estimate closer"]
    assert (closer["remoteness_published"] % 10 == 2).all() and (closer["share_within"] >= 0.5).all()
    assert "SE321" in set(closer["region_id"])  # Sundsvall: GeoNames 57,606 (municipality) >= 50,000
    assert np.isfinite(table["its_city_km"].to_numpy(dtype=float)).all()


def test_kappa_of_a_hand_worked_table():
    # 50 regions: 20 agree on class 1, 15 on class 2, 5 + 10 disagree. Observed agreement 0.7;
    # chance agreement (25 * 30 + 25 * 20) / 50**2 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    from innocap_analysis.geography.remoteness import _kappa

    published = pd.Series([1] * 20 + [1] * 5 + [2] * 10 + [2] * 15)
    estimated = pd.Series([1] * 20 + [2] * 5 + [1] * 10 + [2] * 15)
    assert _kappa(published, estimated) == pytest.approx(0.4, abs=1e-12)
    assert np.isnan(_kappa(pd.Series([1, 1]), pd.Series([1, 1])))
