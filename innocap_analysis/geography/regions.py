"""Regions of the study area: NUTS 2021 (FI, SE, NO, IE, IS, UK) plus Newfoundland and Labrador,
the Faroe Islands and Greenland, with eligibility, partner flag, official statistics and typologies.

Also the point-in-region assignment with a nearest-region fallback: the GISCO 1:10M coastline is
generalised, so coastal places fall just outside every polygon (358 of the 8,845 GeoNames places,
for example Seltjarnarnes on the Reykjavík peninsula, 2.0 km outside IS001; Reykjavík's own GeoNames
point and the point lat 64.1466, lon -21.9426 are inside IS001 in this file, the latter by 53 m). They are assigned to the nearest region of their own country when it is within a tolerance,
and the assignment method and distance are returned so that callers can count them.

References
----------
Eurostat GISCO, NUTS 2021 1:10M; Eurostat demo_r_pjanaggr3 / reg_area3; Eurostat NUTS2021.xlsx
typologies (all described in ``data/external/SOURCES.md``). Statistics Canada, 2021 Census of Population.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from .. import config, provenance

#: The official statistics of the non-NUTS territories (see that file's source columns).
TERRITORY_POPULATION_CSV = config.TERRITORY_POPULATION_CSV

#: GeoNames / ISO country code -> the country code used in the region table (GISCO writes UK, not GB).
COUNTRY_TO_REGION_COUNTRY: dict[str, str] = {"GB": "UK", "SJ": "NO"}

#: Projected CRS used only to find the nearest region in the coastline fallback (distances reported
#: are geodesic). LAEA Europe suits the NUTS countries and the Faroe Islands; Greenland and Canada get
#: their own equal-area / Lambert projections so that the search is not distorted there.
FALLBACK_SEARCH_CRS: dict[str, str] = {
    "europe": "EPSG:3035",
    "GL": "+proj=laea +lat_0=72 +lon_0=-40 +datum=WGS84 +units=m +no_defs",
    "CA": "EPSG:3978",
}

#: Default tolerance of the nearest-region fallback, in km (geodesic distance to the polygon).
#: At 1:10M, 0.5 mm of drawing is 5 km on the ground, and skerry and fjord coasts are simplified
#: away; 15 km keeps every GeoNames place of the study area's own countries (the largest distance
#: found is Maniitsoq, Greenland, 12.9 km) while the British Sovereign Base Areas on Cyprus
#: (GeoNames country GB, > 3,000 km away) stay unassigned.
DEFAULT_TOLERANCE_KM: float = 15.0

REGION_COLUMNS: list[str] = [
    "region_id", "name", "country", "level", "territory", "npa_2021_27", "partner", "partner_key",
    "population", "population_year", "population_source", "area_km2", "area_source", "density",
    "urban_rural_code", "urban_rural_label", "remoteness_code", "remoteness_label", "geometry",
]

_GEOD = Geod(ellps="WGS84")


def _nuts_regions(level: int) -> gpd.GeoDataFrame:
    path = config.NUTS_GEOJSON[level]
    provenance.record_input(path)
    nuts = gpd.read_file(path)
    return gpd.GeoDataFrame(
        {
            "region_id": nuts["NUTS_ID"].astype("string"),
            "name": nuts["NAME_LATN"].astype("string"),
            "country": nuts["CNTR_CODE"].astype("string"),
            "level": level,
            "territory": "NUTS 2021",
            "polygon_area_km2": nuts["area_km2"].astype(float),
        },
        geometry=nuts.geometry.values,
        crs=nuts.crs,
    )


def _territories() -> gpd.GeoDataFrame:
    provenance.record_input(config.NEWFOUNDLAND_LABRADOR_GEOJSON)
    provenance.record_input(config.FAROE_GREENLAND_GEOJSON)
    nl = gpd.read_file(config.NEWFOUNDLAND_LABRADOR_GEOJSON)
    fo_gl = gpd.read_file(config.FAROE_GREENLAND_GEOJSON)
    ids = pd.concat([nl["iso_3166_2"], fo_gl["ISO_A2_EH"]], ignore_index=True).astype("string")
    names = pd.concat([nl["name"], fo_gl["ADMIN"]], ignore_index=True).astype("string")
    countries = pd.concat([pd.Series(["CA"] * len(nl)), fo_gl["ISO_A2_EH"]], ignore_index=True)
    return gpd.GeoDataFrame(
        {
            "region_id": ids,
            "name": names,
            "country": countries.astype("string"),
            "territory": np.where(ids == "CA-NL", "Canadian province", "non-NUTS territory"),
            "polygon_area_km2": pd.concat([nl["area_km2"], fo_gl["area_km2"]], ignore_index=True).astype(float),
        },
        geometry=pd.concat([nl.geometry, fo_gl.geometry], ignore_index=True).values,
        crs="EPSG:4326",
    )


def _nuts3_statistics() -> pd.DataFrame:
    provenance.record_input(config.NUTS3_POPULATION_CSV)
    pop = pd.read_csv(config.NUTS3_POPULATION_CSV)
    uk = pop["country"].eq("UK")
    # SOURCES.md: 1 January 2021, or 2019-2020 where 2021 was missing; the row's year is not recorded.
    year = np.where(uk, "pre-2021 (year not recorded)", "2021 (or 2019-2020 where 2021 was missing)")
    return pd.DataFrame(
        {
            "region_id": pop["nuts_id"].astype("string"),
            "population": pop["pop_2021"].astype("Float64"),
            "population_year": pd.array(year, dtype="string"),
            "population_source": "Eurostat demo_r_pjanaggr3 via riatelab/map-templates",
            "official_area_km2": pop["area_km2_2021"].astype("Float64"),
            "official_density": pop["density_2021"].astype("Float64"),
        }
    )


def _territory_statistics() -> pd.DataFrame:
    provenance.record_input(TERRITORY_POPULATION_CSV)
    terr = pd.read_csv(TERRITORY_POPULATION_CSV, dtype={"population_year": "string"})
    return pd.DataFrame(
        {
            "region_id": terr["region_id"].astype("string"),
            "population": terr["population"].astype("Float64"),
            "population_year": terr["population_year"].astype("string"),
            "population_source": terr["source"].astype("string"),
        }
    )


def _typologies() -> pd.DataFrame:
    provenance.record_input(config.NUTS3_TYPOLOGIES_CSV)
    typ = pd.read_csv(config.NUTS3_TYPOLOGIES_CSV)
    return pd.DataFrame(
        {
            "region_id": typ["nuts_id"].astype("string"),
            "urban_rural_code": typ["urban_rural_code"].astype("Int64"),
            "urban_rural_label": typ["urban_rural_label"].astype("string"),
            "remoteness_code": typ["remoteness_code"].astype("Int64"),
            "remoteness_label": typ["remoteness_label"].astype("string"),
        }
    )


def _npa_ids() -> set[str]:
    provenance.record_input(config.NPA_REGIONS_2021_2027_CSV)
    return set(pd.read_csv(config.NPA_REGIONS_2021_2027_CSV)["nuts_id"].astype(str))


def load_regions(level: int = 3) -> gpd.GeoDataFrame:
    """Load the study-area regions as one GeoDataFrame (EPSG:4326).

    Parameters
    ----------
    level
        NUTS level 0-3 for FI, SE, NO, IE, IS and UK. Newfoundland and Labrador (``CA-NL``), the
        Faroe Islands (``FO``) and Greenland (``GL``) are added as single regions at every level.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per region, columns :data:`REGION_COLUMNS`:

        * ``npa_2021_27``: the region's code is in the NPA 2021-2027 eligibility list;
        * ``partner`` / ``partner_key``: one of :data:`config.PARTNER_REGIONS`;
        * ``population`` (persons), ``population_year``, ``population_source``: Eurostat for NUTS 3
          (summed from NUTS 3 at levels 0-2, NA when any part is missing); Statistics Canada 2021
          census for CA-NL; NA for FO and GL (see ``data/external/territory_population_official.csv``);
        * ``area_km2``, ``area_source``: Eurostat total area at NUTS 3; otherwise the polygon area in an
          equal-area projection from the boundary file (includes inland water);
        * ``density``: persons per km² (Eurostat's value at NUTS 3, else population / area);
        * urban-rural and remoteness typology codes (NUTS 3 only; NA elsewhere and for NO0B1/NO0B2's
          remoteness, as published).
    """
    if level not in config.NUTS_GEOJSON:
        raise ValueError(f"level must be one of {sorted(config.NUTS_GEOJSON)}, got {level!r}")
    nuts = _nuts_regions(level)
    territories = _territories().assign(level=level)
    regions = pd.concat([nuts, territories], ignore_index=True)

    stats3 = _nuts3_statistics()
    if level == 3:
        nuts_stats = stats3
    else:
        # Aggregate NUTS 3 by code prefix; min_count=len(group) keeps NA when any part is missing.
        parent = stats3["region_id"].str.slice(0, 2 + level)
        grouped = stats3.assign(region_id=parent).groupby("region_id", sort=True)
        sizes = grouped.size()
        sums = grouped[["population", "official_area_km2"]].sum(min_count=1)
        complete = grouped["population"].count() == sizes
        sums.loc[~complete, "population"] = pd.NA
        nuts_stats = sums.reset_index().assign(
            population_year=grouped["population_year"].first().values,
            population_source=stats3["population_source"].iloc[0],
            official_density=pd.NA,
        )
    stats = pd.concat([nuts_stats, _territory_statistics()], ignore_index=True)
    regions = regions.merge(stats, on="region_id", how="left", validate="one_to_one")

    has_official_area = regions["official_area_km2"].notna()
    regions["area_km2"] = regions["official_area_km2"].fillna(regions["polygon_area_km2"]).astype(float)
    regions["area_source"] = pd.array(
        np.where(has_official_area, "Eurostat reg_area3 (total area)", "boundary polygon, equal-area projection"),
        dtype="string",
    )
    computed_density = regions["population"] / regions["area_km2"]
    regions["density"] = regions["official_density"].astype("Float64").fillna(computed_density).astype("Float64")

    if level == 3:
        regions = regions.merge(_typologies(), on="region_id", how="left", validate="one_to_one")
    else:
        for column, dtype in [("urban_rural_code", "Int64"), ("urban_rural_label", "string"),
                              ("remoteness_code", "Int64"), ("remoteness_label", "string")]:
            regions[column] = pd.Series(pd.NA, index=regions.index, dtype=dtype)

    regions["npa_2021_27"] = regions["region_id"].isin(_npa_ids())
    partner_by_code = {code: key for key, (_, code) in config.PARTNER_REGIONS.items()}
    regions["partner_key"] = regions["region_id"].map(partner_by_code).astype("string")
    regions["partner"] = regions["partner_key"].notna()
    regions = gpd.GeoDataFrame(regions[REGION_COLUMNS], geometry="geometry", crs="EPSG:4326")
    return regions.sort_values("region_id", kind="stable").reset_index(drop=True)


def _search_group(country: pd.Series) -> pd.Series:
    group = pd.Series("europe", index=country.index, dtype="string")
    group[country.eq("GL")] = "GL"
    group[country.eq("CA")] = "CA"
    return group


def assign_points_to_regions(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    country: Sequence[str] | pd.Series | None = None,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> pd.DataFrame:
    """Assign points to the region that contains them, or else to the nearest region within a tolerance.

    Parameters
    ----------
    points
        Points (any CRS; converted to EPSG:4326).
    regions
        Output of :func:`load_regions` (needs ``region_id``, ``country`` and geometry).
    country
        Optional country code of each point (GeoNames/ISO: ``GB`` is matched to GISCO's ``UK``,
        ``SJ`` to ``NO``). When given, a point is only assigned to a region of its own country, which
        prevents generalised borders (for example Ireland / Northern Ireland) from moving it abroad.
    tolerance_km
        Largest geodesic distance (WGS84, km) from a point outside every polygon to the nearest
        region for the fallback to apply. Points farther away stay unassigned (``region_id`` NA).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``points``: ``region_id``; ``assignment`` (``"within"``, ``"nearest"`` or
        ``"unassigned"``); ``distance_to_region_km`` (0 for ``within``, the geodesic distance to the
        nearest polygon point otherwise, NA when no region of the country exists).

    Notes
    -----
    The nearest polygon point is found in a projected CRS (:data:`FALLBACK_SEARCH_CRS`) and its
    distance is then measured on the WGS84 ellipsoid (Karney 2013, via pyproj ``Geod``).
    """
    if tolerance_km < 0:
        raise ValueError(f"tolerance_km must be >= 0, got {tolerance_km}")
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    geoms = gpd.GeoSeries(geoms).to_crs("EPSG:4326")
    index = geoms.index
    pts = gpd.GeoDataFrame({"_pos": np.arange(len(geoms))}, geometry=geoms.values, crs="EPSG:4326")
    if country is not None:
        country_codes = pd.Series(np.asarray(country, dtype=object), dtype="string")
        if len(country_codes) != len(pts):
            raise ValueError(f"country has {len(country_codes)} values for {len(pts)} points")
        pts["_country"] = country_codes.replace(COUNTRY_TO_REGION_COUNTRY).values
    regs = regions[["region_id", "country", "geometry"]].reset_index(drop=True)

    region_id = pd.Series(pd.NA, index=range(len(pts)), dtype="string")
    distance = pd.Series(np.nan, index=range(len(pts)), dtype=float)
    within = gpd.sjoin(pts, regs, how="inner", predicate="intersects")
    if country is not None:
        within = within[within["_country"] == within["country"]]
    # A point on a shared boundary intersects two polygons: take the first region id, deterministically.
    within = within.sort_values(["_pos", "region_id"]).drop_duplicates("_pos")
    region_id.iloc[within["_pos"].to_numpy()] = within["region_id"].to_numpy()
    distance.iloc[within["_pos"].to_numpy()] = 0.0

    outside = pts[region_id.isna().to_numpy()]
    candidates = []
    for group, crs in FALLBACK_SEARCH_CRS.items():
        group_regions = regs[_search_group(regs["country"]).eq(group).to_numpy()]
        group_points = outside
        if country is not None:
            group_points = outside[_search_group(outside["_country"]).eq(group).to_numpy()]
        if group_points.empty or group_regions.empty:
            continue
        projected_points = group_points.to_crs(crs)
        projected_regions = group_regions.to_crs(crs)
        if country is None:
            near = gpd.sjoin_nearest(projected_points, projected_regions, how="inner")
        else:
            # Nearest within the same country: one nearest search per country present.
            parts = []
            for code in sorted(set(projected_points["_country"].dropna())):
                mine = projected_points[projected_points["_country"].eq(code).to_numpy()]
                theirs = projected_regions[projected_regions["country"].eq(code).to_numpy()]
                if not theirs.empty:
                    parts.append(gpd.sjoin_nearest(mine, theirs, how="inner"))
            if not parts:
                continue
            near = pd.concat(parts)
        near = near.sort_values(["_pos", "region_id"]).drop_duplicates("_pos")
        region_geoms = projected_regions.geometry.loc[near["index_right"].to_numpy()].values
        lines = shapely.shortest_line(near.geometry.values, region_geoms)
        ends = gpd.GeoSeries(shapely.get_point(lines, 1), crs=crs).to_crs("EPSG:4326")
        starts = gpd.GeoSeries(shapely.get_point(lines, 0), crs=crs).to_crs("EPSG:4326")
        _, _, metres = _GEOD.inv(starts.x.to_numpy(), starts.y.to_numpy(), ends.x.to_numpy(), ends.y.to_numpy())
        candidates.append(pd.DataFrame({"_pos": near["_pos"].to_numpy(),
                                        "region_id": near["region_id"].to_numpy(),
                                        "distance_km": metres / 1000.0}))
    if candidates:
        best = (pd.concat(candidates).sort_values(["_pos", "distance_km", "region_id"])
                .drop_duplicates("_pos"))
        distance.iloc[best["_pos"].to_numpy()] = best["distance_km"].to_numpy()
        close = best[best["distance_km"] <= tolerance_km]
        region_id.iloc[close["_pos"].to_numpy()] = close["region_id"].to_numpy()

    assignment = np.where(distance.to_numpy() == 0.0, "within",
                          np.where(region_id.notna().to_numpy(), "nearest", "unassigned"))
    return pd.DataFrame(
        {
            "region_id": region_id.to_numpy(),
            "assignment": pd.array(assignment, dtype="string"),
            "distance_to_region_km": distance.to_numpy(),
        },
        index=index,
    ).astype({"region_id": "string"})


def programme_area_summary(regions: pd.DataFrame) -> pd.DataFrame:
    """Regions per country: how many there are, how many are NPA 2021-2027 eligible, how many are partners.

    Parameters
    ----------
    regions
        :func:`load_regions` output (``country``, ``region_id``, ``npa_2021_27``, ``partner``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``country``: ``regions``, ``npa_eligible``, ``partner`` (counts of regions).
    """
    return regions.groupby("country", sort=True).agg(
        regions=("region_id", "size"), npa_eligible=("npa_2021_27", "sum"), partner=("partner", "sum")
    )
