"""The demand layer: where people live, from the population grid in Europe and GeoNames elsewhere.

* **Europe** (FI, SE, NO, IE, IS, UK): the GEOSTAT 2011 5 km cells
  (:mod:`~innocap_analysis.geography.population_grid`), each cell at its centre.
* **Newfoundland and Labrador, the Faroe Islands and Greenland**, where no grid is embedded: the
  GeoNames places of 500+, cleaned of neighbourhoods, merged municipalities and duplicates
  (:mod:`~innocap_analysis.geography.places`).

Calibration areas. Each unit is scaled to an official total (:func:`calibrate_population`):

* a partner area that is smaller than its NUTS 3 region (County Donegal in IE041, Suðurland in
  IS002) is a calibration area of its own, calibrated to its official figure, and the rest of the
  NUTS 3 region to the region's official figure minus the partner's (``"<NUTS3> outside <area>"``);
* every other NUTS 3 region (and CA-NL) to its official figure;
* the Faroe Islands and Greenland keep the raw GeoNames figure (no official total is embedded;
  flagged in ``calibrated``).

Because of the first rule the partner-area totals equal the official figures by construction. As an
independent check, :func:`partner_population_check` also reports what calibrating to the NUTS 3 total
alone gives for each partner area, i.e. how well the 2011 grid locates the partner's share of its
region.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .partner_areas import assign_partner_areas, partner_areas
from .places import clean_settlements
from .population_grid import GRID_SOURCE, calibrate_population, load_population_grid
from .regions import COUNTRY_TO_REGION_COUNTRY, load_regions
from .settlements import load_settlements

#: Countries whose demand comes from the grid (GISCO codes).
GRID_COUNTRIES: tuple[str, ...] = ("FI", "SE", "NO", "IE", "IS", "UK")
DEMAND_COLUMNS = [
    "demand_id", "source", "name", "country", "region_id", "partner_area", "calibration_area",
    "population_input", "population", "calibrated", "geometry",
]


def _calibration_areas(region: pd.Series, partner: pd.Series, areas: pd.DataFrame) -> pd.Series:
    sub_areas = areas[areas["area_id"] != areas["nuts3_parent"]].dropna(subset=["nuts3_parent"])
    parent_of = sub_areas.set_index("partner_key")["nuts3_parent"]
    label = pd.Series(region.to_numpy(dtype=object), index=region.index)
    inside = partner.isin(parent_of.index).to_numpy()
    label[inside] = partner[inside].to_numpy(dtype=object)
    for key, parent in parent_of.items():
        rest = (region == parent).to_numpy() & ~(partner == key).fillna(False).to_numpy()
        label[rest] = f"{parent} outside {key}"
    return label


def _calibration_targets(regions: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
    targets = regions.set_index("region_id")["population"].astype("Float64").copy()
    sub_areas = areas[areas["area_id"] != areas["nuts3_parent"]].dropna(subset=["nuts3_parent"])
    for row in sub_areas.itertuples():  # at most the two sub-NUTS partner areas
        targets[row.partner_key] = float(row.population)
        targets[f"{row.nuts3_parent} outside {row.partner_key}"] = targets[row.nuts3_parent] - float(row.population)
    return targets


def demand_layer(
    regions: gpd.GeoDataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    settlements: gpd.GeoDataFrame | None = None,
    grid: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Build the demand points and their calibration.

    Parameters
    ----------
    regions, areas, settlements, grid
        ``load_regions(3)``, :func:`~innocap_analysis.geography.partner_areas.partner_areas`,
        ``load_settlements()`` and ``load_population_grid()``; loaded when omitted.

    Returns
    -------
    (geopandas.GeoDataFrame, pandas.DataFrame)
        Demand points (EPSG:4326, columns :data:`DEMAND_COLUMNS`; ``population_input`` is the grid's
        2011 count or the raw GeoNames figure, ``population`` the calibrated persons), sorted by
        ``demand_id``; and the calibration table (one row per calibration area: ``source``,
        ``n_units``, ``population_input``, ``population_target``, ``calibration_factor``).
        Grid cells or places outside every region (beyond the coastline tolerance) are kept with
        ``region_id`` NA and ``population`` NaN.
    """
    regions = load_regions(3) if regions is None else regions
    areas = partner_areas(regions) if areas is None else areas
    settlements = load_settlements(regions=regions) if settlements is None else settlements
    grid = load_population_grid(regions=regions) if grid is None else grid

    cells = grid[grid["country"].isin(GRID_COUNTRIES).to_numpy()]
    cell_partner = assign_partner_areas(cells, areas, regions)
    grid_part = pd.DataFrame({
        "demand_id": "grid:" + cells["cell_id"].astype(str),
        "source": GRID_SOURCE,
        "name": pd.NA,
        "country": cells["country"].astype(str).to_numpy(),
        "region_id": cells["region_id"].to_numpy(dtype=object),
        "partner_area": cell_partner.to_numpy(dtype=object),
        "population_input": cells["population_2011"].to_numpy(dtype=float),
        "geometry": cells.geometry.to_numpy(),
    })

    kept, _ = clean_settlements(settlements)
    place_country = kept["countrycode"].replace(COUNTRY_TO_REGION_COUNTRY).astype(str)
    elsewhere = ~place_country.isin(GRID_COUNTRIES).to_numpy()
    places = kept[elsewhere]
    place_partner = assign_partner_areas(places, areas, regions)
    place_part = pd.DataFrame({
        "demand_id": "geonames:" + places["geonameid"].astype(str),
        "source": "GeoNames places of 500+ (cleaned)",
        "name": places["name"].astype(str).to_numpy(),
        "country": place_country[elsewhere].to_numpy(),
        "region_id": places["region_id"].to_numpy(dtype=object),
        "partner_area": place_partner.to_numpy(dtype=object),
        "population_input": places["population_geonames"].to_numpy(dtype=float),
        "geometry": places.geometry.to_numpy(),
    })
    demand = pd.concat([grid_part, place_part], ignore_index=True)
    demand["calibration_area"] = _calibration_areas(demand["region_id"], demand["partner_area"], areas).to_numpy()
    targets = _calibration_targets(regions, areas)
    calibrated, table = calibrate_population(demand["population_input"], demand["calibration_area"], targets)
    has_target = np.isfinite(calibrated)
    demand["calibrated"] = has_target
    # No official total (Faroe Islands, Greenland): the raw figure, flagged.
    demand["population"] = np.where(has_target, calibrated,
                                    np.where(demand["region_id"].notna(), demand["population_input"], np.nan))
    source_of = demand.groupby("calibration_area")["source"].first()
    table.insert(1, "source", table["calibration_area"].map(source_of).to_numpy())
    demand = gpd.GeoDataFrame(demand[DEMAND_COLUMNS], geometry="geometry", crs="EPSG:4326")
    demand = demand.astype({"name": "string", "country": "string", "region_id": "string",
                            "partner_area": "string", "calibration_area": "string"})
    return demand.sort_values("demand_id", kind="stable").reset_index(drop=True), table


def partner_population_check(demand: pd.DataFrame, areas: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Partner-area population from the demand layer against the official figure.

    Returns
    -------
    pandas.DataFrame
        One row per partner area: ``demand_source``, ``n_units``, ``population_input`` (grid 2011 or
        raw GeoNames sum), ``population_demand`` (calibrated, persons), ``population_official``,
        ``population_year``, ``population_source``, ``deviation`` = demand / official - 1 (0 by
        construction where the area is a calibration area), ``population_nuts3_only`` (the
        independent check: the area's units calibrated to the NUTS 3 total alone) and
        ``deviation_nuts3_only``.
    """
    official_region = regions.set_index("region_id")["population"].astype(float)
    by_region = demand.groupby("region_id")["population_input"].sum()
    factor = official_region / by_region.reindex(official_region.index)
    unit_nuts3 = demand["population_input"].to_numpy(dtype=float) * demand["region_id"].map(factor).to_numpy(dtype=float)
    frame = pd.DataFrame({"partner_area": demand["partner_area"].to_numpy(dtype=object),
                          "source": demand["source"].to_numpy(dtype=object),
                          "population_input": demand["population_input"].to_numpy(dtype=float),
                          "population": demand["population"].to_numpy(dtype=float),
                          "nuts3_only": unit_nuts3})
    grouped = frame.dropna(subset=["partner_area"]).groupby("partner_area")
    sums = grouped[["population_input", "population", "nuts3_only"]].sum()
    out = areas[["partner_key", "label", "nuts3_parent", "population", "population_year", "population_source"]].rename(
        columns={"population": "population_official"}).copy()
    key = out["partner_key"]
    out.insert(2, "demand_source", key.map(grouped["source"].first()).to_numpy())
    out.insert(3, "n_units", key.map(grouped.size()).fillna(0).astype("int64").to_numpy())
    out.insert(4, "population_input", key.map(sums["population_input"]).to_numpy())
    out.insert(5, "population_demand", key.map(sums["population"]).to_numpy())
    out["deviation"] = out["population_demand"] / out["population_official"] - 1.0
    out["population_nuts3_only"] = key.map(sums["nuts3_only"]).to_numpy()
    out["deviation_nuts3_only"] = out["population_nuts3_only"] / out["population_official"] - 1.0
    return pd.DataFrame(out).reset_index(drop=True)
