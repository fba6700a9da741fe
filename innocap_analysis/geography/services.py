"""Service points: tiered service-centre proxies from settlements, and real registries from files.

Tiered proxies
--------------
Where no registry of service points exists, settlements of a given size stand in for the places
where services are found. Three tiers, cumulative (a city is also a regional and a local centre):

``local_centre`` (default >= 5,000 GeoNames inhabitants)
    5,000 is the minimum population of an urban cluster ("town") in the Degree of Urbanisation
    (Eurostat 2021, *Applying the Degree of Urbanisation*, section 2.2); places of that size
    usually hold a primary health-care centre, a school and a municipal office.
``regional_centre`` (default >= 20,000)
    a judgement threshold for towns with secondary services (hospital, upper-secondary school,
    regional administration) in the Nordic and Irish settlement pattern; it is a parameter and the
    indicators should be read with its sensitivity in mind.
``city`` (default >= 50,000)
    the "city of 50,000 inhabitants or more" of Eurostat's urban-rural remoteness typology
    (Dijkstra & Poelman 2008) and the minimum of an urban centre in the Degree of Urbanisation.

GeoNames populations are place (sometimes municipality) figures, not functional urban areas, so a
proxy is a proxy: Finnish municipalities may pass a threshold that their town does not.

Registries
----------
:func:`load_service_points` reads CSV (latitude/longitude columns detected, decimal commas
handled), GeoPackage or GeoJSON in any CRS, and reports invalid coordinates, probably swapped
latitude/longitude and points outside the study area with file and row. Nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import provenance
from .regions import DEFAULT_TOLERANCE_KM, assign_points_to_regions, load_regions

#: Default minimum GeoNames population of each service tier (persons); see the module docstring.
DEFAULT_TIER_THRESHOLDS: dict[str, int] = {"local_centre": 5_000, "regional_centre": 20_000, "city": 50_000}

LATITUDE_NAMES: tuple[str, ...] = (
    "latitude", "lat", "y", "lat_wgs84", "latitude_wgs84", "lat_dd", "breddegrad", "breiddargráða",
    "leveys", "leveysaste", "latitud", "wgs84_lat",
)
LONGITUDE_NAMES: tuple[str, ...] = (
    "longitude", "lon", "lng", "long", "x", "lon_wgs84", "longitude_wgs84", "lon_dd", "lengdegrad",
    "lengdargráða", "pituus", "pituusaste", "longitud", "wgs84_lon",
)
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def service_centre_tiers(
    settlements: gpd.GeoDataFrame,
    thresholds: Mapping[str, int] | None = None,
    population_column: str = "population_geonames",
) -> gpd.GeoDataFrame:
    """Derive tiered service-centre proxies from settlements.

    Parameters
    ----------
    settlements
        Output of :func:`~innocap_analysis.geography.settlements.load_settlements`.
    thresholds
        Tier name -> minimum population (persons); default :data:`DEFAULT_TIER_THRESHOLDS`.
        Thresholds are applied to the raw GeoNames figure (a place size, not a regional total).
    population_column
        Column holding the place size.

    Returns
    -------
    geopandas.GeoDataFrame
        Long format: one row per (settlement, tier) it qualifies for, with ``tier`` and the
        settlement's columns; index ``service_id`` = ``"<tier>:<geonameid>"`` (or the settlement's
        index label when there is no ``geonameid``). Tiers are cumulative.
    """
    thresholds = dict(DEFAULT_TIER_THRESHOLDS if thresholds is None else thresholds)
    if not thresholds:
        raise ValueError("thresholds is empty: give at least one tier")
    bad = {k: v for k, v in thresholds.items() if not (np.isfinite(v) and v > 0)}
    if bad:
        raise ValueError(f"tier thresholds must be positive numbers of inhabitants, got {bad}")
    if population_column not in settlements.columns:
        raise ValueError(f"settlements has no column {population_column!r}; columns: {list(settlements.columns)}")
    size = pd.to_numeric(settlements[population_column], errors="raise")
    ids = settlements["geonameid"] if "geonameid" in settlements.columns else pd.Series(settlements.index)
    parts = []
    for tier, minimum in thresholds.items():
        part = settlements[(size >= minimum).to_numpy()].copy()
        part.insert(0, "tier", tier)
        part.index = pd.Index(f"{tier}:" + ids[(size >= minimum).to_numpy()].astype(str).to_numpy(dtype=object),
                              name="service_id")
        parts.append(part)
    return gpd.GeoDataFrame(pd.concat(parts), geometry=settlements.geometry.name, crs=settlements.crs)


@dataclass(frozen=True)
class ServicePointProblem:
    """One bad row of a service-point file."""

    file: str
    row: int
    problem: str
    value: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}: {self.problem} ({self.value})"


class ServicePointError(ValueError):
    """Raised when a service-point file has bad rows; ``problems`` lists them all."""

    def __init__(self, problems: list[ServicePointProblem]):
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in service-point data:\n  {shown}{more}")


def _detect_column(columns: list[str], names: tuple[str, ...], what: str, path: Path, given: str | None) -> str:
    if given is not None:
        if given not in columns:
            raise ValueError(f"{path}: no {what} column {given!r}; columns are {columns}")
        return given
    lower = {str(c).strip().lower(): c for c in columns}
    found = [lower[n] for n in names if n in lower]
    if not found:
        raise ValueError(
            f"{path}: cannot find a {what} column (looked for {list(names)}); columns are {columns}; "
            f"pass {what}=... explicitly"
        )
    return found[0]


def _parse_coordinate(text: pd.Series) -> pd.Series:
    """Strings to floats; a decimal comma (``"62,39"``) is read as a decimal point."""
    text = text.astype("string").str.strip()
    comma = text.str.match(_DECIMAL_COMMA).fillna(False)
    text = text.where(~comma, text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce")


def _read_table(path: Path, latitude: str | None, longitude: str | None, crs: str | int | None,
                sep: str | None) -> tuple[gpd.GeoDataFrame, list[ServicePointProblem], np.ndarray]:
    """Read a CSV into points; returns the points (NaN geometry for bad rows), problems, row numbers."""
    table = pd.read_csv(path, sep=sep, engine="python", dtype="string", keep_default_na=False,
                        encoding="utf-8-sig")
    lat_col = _detect_column(list(table.columns), LATITUDE_NAMES, "latitude", path, latitude)
    lon_col = _detect_column(list(table.columns), LONGITUDE_NAMES, "longitude", path, longitude)
    rows = np.arange(len(table)) + 2  # file line: header is line 1
    lat = _parse_coordinate(table[lat_col])
    lon = _parse_coordinate(table[lon_col])
    problems = []
    for name, parsed, raw in [(lat_col, lat, table[lat_col]), (lon_col, lon, table[lon_col])]:
        for r, value in zip(rows[parsed.isna().to_numpy()], raw[parsed.isna()], strict=True):
            problems.append(ServicePointProblem(path.name, int(r), f"column {name!r} is not a number", repr(value)))
    source_crs = crs if crs is not None else "EPSG:4326"
    points = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(lon.astype(float), lat.astype(float)), crs=source_crs
    )
    return points, problems, rows


def load_service_points(
    path: str | Path,
    *,
    latitude: str | None = None,
    longitude: str | None = None,
    crs: str | int | None = None,
    layer: str | None = None,
    sep: str | None = None,
    study_area: gpd.GeoDataFrame | None = None,
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
    errors: str = "raise",
) -> gpd.GeoDataFrame:
    """Read a registry of service points from CSV, GeoPackage or GeoJSON and check it.

    Parameters
    ----------
    path
        ``.csv``/``.txt`` (separator sniffed unless ``sep`` is given), ``.gpkg``, ``.geojson``/``.json``.
    latitude, longitude
        CSV column names; detected case-insensitively from :data:`LATITUDE_NAMES` /
        :data:`LONGITUDE_NAMES` when omitted. Decimal commas (``62,39``) are accepted.
    crs
        CRS of CSV coordinates (default EPSG:4326, degrees); for example ``3067`` for ETRS-TM35FIN
        easting/northing (then name the columns, e.g. ``latitude="northing", longitude="easting"``).
        GeoPackage/GeoJSON carry their own CRS.
    layer
        GeoPackage layer (default: the first).
    study_area
        Regions the points must fall in or near (default ``load_regions(3)``).
    tolerance_km
        Points within this geodesic distance of a region count as inside (coastline generalisation).
    errors
        ``"raise"`` (default): raise :class:`ServicePointError` listing every bad row;
        ``"flag"``: return every row with a ``problem`` column (NA when fine) instead.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the file's columns, ``source_file``, ``source_row`` (line number in a
        CSV, 1-based feature number otherwise), ``region_id`` and ``problem``.

    Raises
    ------
    ServicePointError
        With ``errors="raise"``: coordinates that are not numbers, out of range, probably swapped
        (the swapped pair falls in the study area and the given one does not), non-point or empty
        geometries, or points outside the study area.
    """
    if errors not in ("raise", "flag"):
        raise ValueError(f"errors must be 'raise' or 'flag', got {errors!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"service-point file not found: {path}")
    provenance.record_input(path)
    suffix = path.suffix.lower()
    problems: list[ServicePointProblem] = []
    if suffix in (".csv", ".txt", ".tsv"):
        points, problems, rows = _read_table(path, latitude, longitude, crs, sep)
    elif suffix in (".gpkg", ".geojson", ".json"):
        points = gpd.read_file(path, layer=layer) if suffix == ".gpkg" else gpd.read_file(path)
        rows = np.arange(len(points)) + 1
        if points.crs is None:
            raise ValueError(f"{path}: the file has no CRS; cannot place its points")
        geom = points.geometry
        bad = (geom.isna() | geom.is_empty | (geom.geom_type != "Point")).to_numpy()
        for r, kind in zip(rows[bad], geom[bad].geom_type.astype(object).fillna("missing"), strict=True):
            problems.append(ServicePointProblem(path.name, int(r), "geometry is not a single point", str(kind)))
        points = points.set_geometry(geom.where(~bad, None))
    else:
        raise ValueError(f"{path}: unsupported file type {suffix!r} (use .csv, .gpkg or .geojson)")

    valid = points.geometry.notna().to_numpy() & ~points.geometry.is_empty.to_numpy()
    wgs84 = points.to_crs("EPSG:4326") if points.crs is not None and not points.crs.equals("EPSG:4326") else points
    lon = np.where(valid, wgs84.geometry.x.to_numpy(), np.nan) if valid.any() else np.full(len(points), np.nan)
    lat = np.where(valid, wgs84.geometry.y.to_numpy(), np.nan) if valid.any() else np.full(len(points), np.nan)
    finite = np.isfinite(lon) & np.isfinite(lat)
    in_range = finite & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    raw_lon = points.geometry.x.to_numpy() if valid.any() else lon
    raw_lat = points.geometry.y.to_numpy() if valid.any() else lat
    out_of_range = valid & finite & ~in_range
    for r, x, y in zip(rows[out_of_range], raw_lon[out_of_range], raw_lat[out_of_range], strict=True):
        problems.append(ServicePointProblem(path.name, int(r), "coordinates out of range after conversion to "
                                            "WGS84 (|lat| <= 90, |lon| <= 180)", f"x={x}, y={y}"))

    study_area = load_regions(3) if study_area is None else study_area
    region = pd.Series(pd.NA, index=range(len(points)), dtype="string")
    if in_range.any():
        candidates = gpd.GeoSeries(gpd.points_from_xy(lon[in_range], lat[in_range]), crs="EPSG:4326")
        assigned = assign_points_to_regions(candidates, study_area, tolerance_km=tolerance_km)
        region.iloc[np.flatnonzero(in_range)] = assigned["region_id"].to_numpy()
        outside = np.flatnonzero(in_range)[assigned["region_id"].isna().to_numpy()]
        # Would the swapped pair be in the study area? Only meaningful for |lon| <= 90.
        swappable = outside[np.abs(lon[outside]) <= 90]
        swapped_in = np.zeros(len(outside), dtype=bool)
        if len(swappable):
            swapped = gpd.GeoSeries(gpd.points_from_xy(lat[swappable], lon[swappable]), crs="EPSG:4326")
            hit = assign_points_to_regions(swapped, study_area, tolerance_km=tolerance_km)["region_id"].notna()
            swapped_in[np.isin(outside, swappable[hit.to_numpy()])] = True
        for pos, is_swapped in zip(outside, swapped_in, strict=True):
            coords = f"lat={lat[pos]:.6f}, lon={lon[pos]:.6f}"
            problem = ("latitude and longitude appear swapped (the swapped point lies in the study area)"
                       if is_swapped else f"point outside the study area (more than {tolerance_km:g} km "
                       "from every region)")
            problems.append(ServicePointProblem(path.name, int(rows[pos]), problem, coords))

    out = gpd.GeoDataFrame(
        points.drop(columns=points.geometry.name),
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326",
    )
    out["source_file"] = path.name
    out["source_row"] = rows
    out["region_id"] = region.to_numpy()
    by_row: dict[int, str] = {}
    for p in problems:
        by_row[p.row] = f"{by_row[p.row]}; {p.problem}" if p.row in by_row else p.problem
    out["problem"] = pd.Series(rows).map(by_row).astype("string").to_numpy()
    if problems and errors == "raise":
        raise ServicePointError(sorted(problems, key=lambda p: (p.row, p.problem)))
    return out
