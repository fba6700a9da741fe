"""The five partner areas as the partners define them, with official populations and boundary methods.

The survey partners are not NUTS 3 regions: Donegal County Council speaks for County Donegal, one
of the five counties of NUTS 3 IE041 Border, and SASS for Suðurland, a small part of IS002
Landsbyggð (all of Iceland outside the capital region). :func:`partner_areas` returns one polygon per
partner with its NUTS 3 parent, its official population (``data/external/partner_areas_official.csv``,
with year and source) and how its boundary was made:

* **County Donegal**: no boundary file is embedded. The county is *derived*
  (:func:`derive_county_from_places`): every cell of a full 5 km lattice over IE041 (aligned to
  the GEOSTAT grid) takes the county of its nearest GeoNames place (GeoNames admin2 = county for
  Ireland; ``data/external/geonames_admin2.csv``), the Donegal cells are dissolved and the result is
  clipped to the IE041 polygon. It is a nearest-place (Voronoi-like) approximation at 5 km; its area
  is reported beside the official 4,861 km². Donegal touches the rest of the Republic only at the
  short Leitrim border near Bundoran, so the approximation is decided almost only there; the rest
  of its land boundary is the Northern Ireland border, which comes from the IE041 polygon itself.
* **Suðurland**: the region polygon of Landmælingar Íslands IS 50V (without Hornafjörður).
* **Etelä-Savo FI1D1**, **Västernorrland SE321**: the NUTS 3 polygons (GISCO 1:10M).
* **Newfoundland and Labrador**: the Natural Earth 1:50m province outline.

Areas (``area_km2``) are measured on the polygons in a Lambert azimuthal equal-area projection
centred on each area; they include inland water and follow the generalised coastline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .. import config, provenance
from .places import read_geonames_admin2
from .population_grid import CELL_SIZE_M, cell_squares
from .regions import assign_points_to_regions, load_regions
from .settlements import read_geonames_extract

#: Order, labels and NUTS 3 / territory parent of the partner areas.
PARTNER_AREA_KEYS: tuple[str, ...] = (
    "donegal", "south_iceland", "south_savo", "vasternorrland", "newfoundland_labrador",
)
PARTNER_AREA_LABELS: dict[str, str] = {
    "donegal": "County Donegal",
    "south_iceland": "Suðurland (South Iceland)",
    "south_savo": "Etelä-Savo (FI1D1)",
    "vasternorrland": "Västernorrland (SE321)",
    "newfoundland_labrador": "Newfoundland and Labrador",
}
#: GeoNames admin2 name of County Donegal (code IE.U.06).
DONEGAL_ADMIN2_NAME = "Donegal"
#: Name of Suðurland in the LMI IS 50V regions file.
SUDURLAND_NAME = "Suðurland"
OFFICIAL_COLUMNS = [
    "partner_key", "area_id", "name", "country", "nuts3_parent", "population", "population_year",
    "population_reference_date", "population_source", "population_source_url", "area_km2_official",
    "area_source", "population_note",
]


def read_partner_official(path: Path | None = None) -> pd.DataFrame:
    """Read the official figures of the partner areas (one row per partner, with sources)."""
    path = Path(path) if path is not None else config.PARTNER_AREAS_OFFICIAL_CSV
    provenance.record_input(path)
    table = pd.read_csv(path, dtype={"population_year": "string", "nuts3_parent": "string"})
    missing = [c for c in OFFICIAL_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    keys = set(table["partner_key"])
    if keys != set(PARTNER_AREA_KEYS) or table["partner_key"].duplicated().any():
        raise ValueError(f"{path}: partner_key must list each of {PARTNER_AREA_KEYS} once, found "
                         f"{table['partner_key'].tolist()}")
    bad = ~(table["population"] > 0) | table["population_source"].isna()
    if bad.any():
        lines = (np.flatnonzero(bad.to_numpy()) + 2).tolist()
        raise ValueError(f"{path}: population must be positive and sourced (line(s) {lines})")
    return table[OFFICIAL_COLUMNS]


def equal_area_km2(geometry: gpd.GeoSeries) -> np.ndarray:
    """Area (km²) of each polygon in a Lambert azimuthal equal-area projection centred on it."""
    geometry = geometry.to_crs("EPSG:4326")
    out = np.empty(len(geometry))
    for i, geom in enumerate(geometry.values):  # one projection per polygon (five polygons)
        centre = geom.representative_point()
        crs = f"+proj=laea +lat_0={centre.y:.4f} +lon_0={centre.x:.4f} +datum=WGS84 +units=m +no_defs"
        out[i] = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(crs).area.iloc[0] / 1e6
    return out


def derive_county_from_places(
    parent: gpd.GeoDataFrame,
    places: pd.DataFrame,
    county: str,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Derive a county polygon inside its parent region from the counties of the nearest places.

    Parameters
    ----------
    parent
        One row: the parent region (e.g. NUTS 3 IE041) in any CRS.
    places
        Places with ``longitude``, ``latitude`` and ``admin2_name`` (their county); only places
        with a county are used.
    county
        The county to derive (an ``admin2_name`` value).

    Returns
    -------
    (geopandas.GeoDataFrame, geopandas.GeoDataFrame)
        The county polygon (one row, EPSG:4326), and the lattice: one 5 km cell per row with
        ``x_ll_3035``, ``y_ll_3035``, ``county`` (of its nearest place, Euclidean in EPSG:3035) and
        its square clipped to the parent (EPSG:3035).

    Notes
    -----
    The lattice covers every 5 km cell (aligned to the GEOSTAT grid origin) that intersects the
    parent, inhabited or not, so the derived polygon has no holes where nobody lives.
    """
    places = places[places["admin2_name"].notna()]
    if places.empty:
        raise ValueError("derive_county_from_places: no place has a county (admin2_name)")
    if county not in set(places["admin2_name"]):
        raise ValueError(f"no place lies in county {county!r}; counties found: {sorted(set(places['admin2_name']))}")
    shape = parent.to_crs("EPSG:3035").geometry.union_all()
    xmin, ymin, xmax, ymax = shape.bounds
    xs = np.arange(np.floor(xmin / CELL_SIZE_M), np.ceil(xmax / CELL_SIZE_M)) * CELL_SIZE_M
    ys = np.arange(np.floor(ymin / CELL_SIZE_M), np.ceil(ymax / CELL_SIZE_M)) * CELL_SIZE_M
    x_ll, y_ll = (a.ravel() for a in np.meshgrid(xs, ys))
    squares = cell_squares(x_ll, y_ll)
    hits = squares.intersects(shape).to_numpy()
    x_ll, y_ll = x_ll[hits], y_ll[hits]
    clipped = squares[hits].intersection(shape)
    place_xy = gpd.GeoSeries(gpd.points_from_xy(places["longitude"], places["latitude"]), crs="EPSG:4326")
    place_xy = place_xy.to_crs("EPSG:3035")
    tree = cKDTree(np.column_stack([place_xy.x.to_numpy(), place_xy.y.to_numpy()]))
    _, nearest = tree.query(np.column_stack([x_ll + CELL_SIZE_M / 2, y_ll + CELL_SIZE_M / 2]))
    lattice = gpd.GeoDataFrame(
        {"x_ll_3035": x_ll.astype("int64"), "y_ll_3035": y_ll.astype("int64"),
         "county": places["admin2_name"].to_numpy(dtype=object)[nearest]},
        geometry=clipped.values, crs="EPSG:3035")
    polygon = lattice[lattice["county"] == county].geometry.union_all()
    return gpd.GeoDataFrame({"county": [county]}, geometry=[polygon], crs="EPSG:3035").to_crs("EPSG:4326"), lattice


def partner_areas(
    regions: gpd.GeoDataFrame | None = None,
    places: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The five partner areas with NUTS 3 parent, official population, area and boundary method.

    Parameters
    ----------
    regions
        Output of ``load_regions(3)`` (default: loaded).
    places
        GeoNames places with ``admin2_name`` for the County Donegal derivation (default: the
        extract joined to ``data/external/geonames_admin2.csv``, places assigned to IE041).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per partner in :data:`PARTNER_AREA_KEYS` order: ``partner_key``,
        ``area_id``, ``name``, ``label``, ``country`` (GISCO code), ``nuts3_parent``,
        ``nuts3_parent_name``, ``population`` (official, persons), ``population_year``,
        ``population_reference_date``, ``population_source``, ``area_km2`` (polygon, equal-area),
        ``area_km2_official`` (where known), ``area_ratio`` (= area_km2 / area_km2_official),
        ``boundary_method``.
    """
    regions = load_regions(3) if regions is None else regions
    official = read_partner_official().set_index("partner_key")
    by_id = regions.set_index("region_id")
    border = regions[regions["region_id"] == official.loc["donegal", "nuts3_parent"]]
    if places is None:
        extract = read_geonames_extract()
        extract = extract[extract["countrycode"] == "IE"].merge(read_geonames_admin2(), on="geonameid", how="left")
        points = gpd.GeoDataFrame(extract, geometry=gpd.points_from_xy(extract["longitude"], extract["latitude"]),
                                  crs="EPSG:4326")
        where = assign_points_to_regions(points, regions, country=points["countrycode"])
        places = extract[(where["region_id"] == border["region_id"].iloc[0]).to_numpy()]
    donegal, lattice = derive_county_from_places(border, places, DONEGAL_ADMIN2_NAME)
    counties = lattice.dissolve("county").reset_index().to_crs("EPSG:4326")

    provenance.record_input(config.ICELAND_REGIONS_GEOJSON)
    iceland = gpd.read_file(config.ICELAND_REGIONS_GEOJSON).to_crs("EPSG:4326")
    sudurland = iceland[iceland["Name"] == SUDURLAND_NAME]
    if len(sudurland) != 1:
        raise ValueError(f"{config.ICELAND_REGIONS_GEOJSON}: expected one region named {SUDURLAND_NAME!r}")

    geometry = {
        "donegal": donegal.geometry.iloc[0],
        "south_iceland": sudurland.geometry.iloc[0],
        "south_savo": by_id.loc["FI1D1", "geometry"],
        "vasternorrland": by_id.loc["SE321", "geometry"],
        "newfoundland_labrador": by_id.loc["CA-NL", "geometry"],
    }
    method = {
        "donegal": ("derived: 5 km lattice over NUTS 3 IE041, each cell given the county (GeoNames admin2) of "
                    "its nearest GeoNames place, Donegal cells dissolved and clipped to the IE041 polygon "
                    "(GISCO 1:10M)"),
        "south_iceland": "Landmælingar Íslands IS 50V regions (v4.0, simplified 100 m): Suðurland without Hornafjörður",
        "south_savo": "NUTS 2021 level 3 polygon FI1D1 (GISCO 1:10M)",
        "vasternorrland": "NUTS 2021 level 3 polygon SE321 (GISCO 1:10M)",
        "newfoundland_labrador": "Natural Earth 1:50m admin-1 outline of CA-NL",
    }
    keys = list(PARTNER_AREA_KEYS)
    table = official.loc[keys].reset_index()
    parent = table["nuts3_parent"]
    out = gpd.GeoDataFrame(
        {
            "partner_key": keys,
            "area_id": table["area_id"].to_numpy(),
            "name": table["name"].to_numpy(),
            "label": [PARTNER_AREA_LABELS[k] for k in keys],
            "country": table["country"].replace({"GB": "UK"}).to_numpy(),
            "nuts3_parent": parent.to_numpy(),
            "nuts3_parent_name": parent.map(by_id["name"]).to_numpy(),
            "population": table["population"].astype("int64").to_numpy(),
            "population_year": table["population_year"].to_numpy(),
            "population_reference_date": table["population_reference_date"].to_numpy(),
            "population_source": table["population_source"].to_numpy(),
            "area_km2_official": table["area_km2_official"].astype(float).to_numpy(),
            "boundary_method": [method[k] for k in keys],
        },
        geometry=[geometry[k] for k in keys], crs="EPSG:4326",
    )
    # Eurostat's total area for the areas that are NUTS 3 regions themselves.
    nuts_area = parent.map(by_id["area_km2"]).to_numpy(dtype=float)
    is_nuts = (out["area_id"] == out["nuts3_parent"]).to_numpy()
    out.loc[is_nuts, "area_km2_official"] = nuts_area[is_nuts]
    out.insert(out.columns.get_loc("area_km2_official"), "area_km2", equal_area_km2(out.geometry))
    out.insert(out.columns.get_loc("area_km2_official") + 1, "area_ratio",
               out["area_km2"] / out["area_km2_official"])
    # How each sub-NUTS area splits its parent, in the boundary source's own pieces (used by
    # assign_partner_areas, so that points are assigned with the rule that made the boundary).
    out.attrs["partitions"] = {
        "donegal": gpd.GeoDataFrame({"piece": counties["county"].to_numpy()}, geometry=counties.geometry.values,
                                    crs="EPSG:4326"),
        "south_iceland": gpd.GeoDataFrame({"piece": iceland["Name"].to_numpy()}, geometry=iceland.geometry.values,
                                          crs="EPSG:4326"),
    }
    out.attrs["partition_pieces"] = {"donegal": DONEGAL_ADMIN2_NAME, "south_iceland": SUDURLAND_NAME}
    return out


def assign_partner_areas(
    points: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    region_column: str = "region_id",
) -> pd.Series:
    """The partner area (``partner_key``) of each point already assigned to a region; NA elsewhere.

    A partner area that *is* a region (FI1D1, SE321, CA-NL) takes the points of that region. A
    partner area inside a region (County Donegal in IE041, Suðurland in IS002) is one piece of a
    partition of its parent made by the boundary's own source (the derived counties of IE041, the
    LMI regions of Iceland; ``areas.attrs["partitions"]``); each point of the parent goes to the piece
    that contains it or, outside every piece (the coastlines differ), to the nearest piece. So a
    point is never moved out of the region it was assigned to, and the 1:10M and the LMI coastlines
    do not leave slivers.

    Parameters
    ----------
    points
        Points with a ``region_column`` (from ``load_settlements``, ``load_population_grid``, ...).
    areas
        Output of :func:`partner_areas`.
    regions
        The regions the points were assigned to (``load_regions(3)``).
    """
    region = points[region_column].astype("string")
    partner = pd.Series(pd.NA, index=points.index, dtype="string", name="partner_area")
    whole = areas[areas["area_id"] == areas["nuts3_parent"].fillna(areas["area_id"])]
    for row in whole.itertuples():  # five partner areas at most
        partner[(region == row.area_id).fillna(False).to_numpy()] = row.partner_key
    partitions = areas.attrs.get("partitions", {})
    wanted = areas.attrs.get("partition_pieces", {})
    for row in areas[~areas.index.isin(whole.index)].itertuples():
        in_parent = (region == row.nuts3_parent).fillna(False).to_numpy()
        if not in_parent.any():
            continue
        if row.partner_key not in partitions:
            raise ValueError(f"areas has no partition for {row.partner_key!r}; pass the output of partner_areas()")
        pieces = partitions[row.partner_key].rename(columns={"piece": "region_id"}).assign(country=row.country)
        # Every point of the parent is near some piece; the tolerance only bounds the search.
        piece = assign_points_to_regions(points[in_parent], pieces, tolerance_km=1_000.0)["region_id"]
        partner[np.flatnonzero(in_parent)[(piece == wanted[row.partner_key]).to_numpy()]] = row.partner_key
    return partner


def partner_area_summary(
    areas: pd.DataFrame, regions: pd.DataFrame, keys: Sequence[str] | None = None
) -> pd.DataFrame:
    """Population, area and density of the partner areas, with their NUTS 3 parent and NPA status.

    Parameters
    ----------
    areas
        :func:`partner_areas` output.
    regions
        :func:`~innocap_analysis.geography.load_regions` at level 3 (``region_id``, ``npa_2021_27``).
    keys
        Partner keys to keep (``region_selection``); all when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per partner area, in :data:`~innocap_analysis.config.PARTNER_AREAS` order:
        ``partner_key``, ``partner_area``, ``area_id`` (its code: NUTS 3, ISO 3166-2 or the
        derived area's own), ``country``, ``nuts3_parent``, ``population`` (persons),
        ``population_year``, ``population_source``, ``area_km2`` (the official area where one is
        recorded, else the polygon's equal-area area), ``area_source``, ``density_per_km2``
        (persons per km²) and ``in_npa_2021_27`` (whether the area lies in the programme area;
        Newfoundland and Labrador is a partner outside it).
    """
    unknown = sorted(set(keys or []) - set(config.PARTNER_AREAS))
    if unknown:
        raise ValueError(f"unknown partner area(s) {unknown}; known: {sorted(config.PARTNER_AREAS)}")
    table = pd.DataFrame(areas.drop(columns="geometry")).set_index("partner_key")
    table = table.loc[[k for k in config.PARTNER_AREAS if k in table.index and (not keys or k in keys)]]
    official = table["area_km2_official"].astype("Float64")
    area = official.fillna(table["area_km2"].astype("Float64")).astype(float)
    eligible = regions.set_index("region_id")["npa_2021_27"].astype(bool)
    parent = table["nuts3_parent"].where(table["nuts3_parent"].notna(), table["area_id"])
    out = pd.DataFrame({
        "partner_key": table.index,
        "partner_area": [config.PARTNER_AREAS[k] for k in table.index],
        "area_id": table["area_id"].to_numpy(),
        "country": table["country"].to_numpy(),
        "nuts3_parent": [f"{name} ({code})" if isinstance(code, str) and code != aid else "-"
                         for name, code, aid in zip(table["nuts3_parent_name"], table["nuts3_parent"],
                                                    table["area_id"], strict=True)],
        "population": table["population"].astype("int64").to_numpy(),
        "population_year": table["population_year"].to_numpy(),
        "population_source": table["population_source"].to_numpy(),
        "area_km2": area.to_numpy(),
        "area_source": np.where(official.notna().to_numpy(), "official", "boundary polygon (equal-area)"),
        "density_per_km2": (table["population"].astype(float) / area).to_numpy(),
        "in_npa_2021_27": parent.map(eligible).fillna(False).astype(bool).to_numpy(),
    })
    return out.reset_index(drop=True)


def partner_remoteness(regions: pd.DataFrame, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """The official remoteness class of each partner area's NUTS 3 region (Eurostat's typology).

    Eurostat classifies NUTS 3 regions, not the partners' own areas, so the class is that of the
    NUTS 3 region that is or contains the partner area, labelled as such
    (:data:`~innocap_analysis.config.PARTNER_REGIONS`). Newfoundland and Labrador lies outside the
    typology (``<NA>``).

    Parameters
    ----------
    regions
        :func:`~innocap_analysis.geography.load_regions` at level 3 (``region_id``,
        ``urban_rural_label``, ``remoteness_code``, ``remoteness_label``).
    keys
        Partner keys (``region_selection``); all when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``partner_key``, ``classified_region`` (the NUTS 3 region's label, e.g. "Border (IE041), which
        contains County Donegal"), ``region_id``, ``urban_rural_label``, ``remoteness_code``,
        ``remoteness_label`` and ``typology`` (the classification's name, or why there is none).
    """
    unknown = sorted(set(keys or []) - set(config.PARTNER_REGIONS))
    if unknown:
        raise ValueError(f"unknown partner area(s) {unknown}; known: {sorted(config.PARTNER_REGIONS)}")
    chosen = [k for k in config.PARTNER_REGIONS if not keys or k in keys]
    by_id = regions.set_index("region_id")
    codes = [config.PARTNER_REGIONS[k][1] for k in chosen]
    known = [c in by_id.index for c in codes]
    label = by_id["remoteness_label"].reindex(codes).astype("string")
    return pd.DataFrame({
        "partner_key": chosen,
        "classified_region": [config.PARTNER_REGIONS[k][0] for k in chosen],
        "region_id": codes,
        "urban_rural_label": by_id["urban_rural_label"].reindex(codes).astype("string").array,
        "remoteness_code": by_id["remoteness_code"].reindex(codes).astype("Int64").array,
        "remoteness_label": label.array,
        "typology": ["Eurostat urban-rural remoteness typology (NUTS 2021 level 3)" if ok and pd.notna(lab)
                     else "none: outside Eurostat's NUTS typologies" for ok, lab in zip(known, label, strict=True)],
    })
