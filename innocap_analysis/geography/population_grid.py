"""The GEOSTAT 2011 5 km population grid as a demand layer, and its calibration to official totals.

``data/external/geostat_2011_population_grid_5km_fi_se_no_ie_is_uk.csv`` holds the 42,970 inhabited
5 km x 5 km cells of the GEOSTAT 2011 grid (census 2011) in FI, SE, NO, IE, IS and the UK, in
ETRS89-LAEA (EPSG:3035). Unlike GeoNames points the grid counts the dispersed rural population and
counts nobody twice, so it is the demand layer for Europe. A cell is represented by its centre.

The grid is a 2011 count; :func:`calibrate_population` scales the cells of each calibration area by
``official / grid total`` (a ratio adjustment to one margin, Deming & Stephan 1940), so that each
area adds up to its official figure while the cells keep their relative sizes. The factor and the
grid total are reported beside the result.

References
----------
Eurostat GISCO, GEOSTAT 2011 population grid (1 km, aggregated to 5 km by Eurostat), "Source:
Eurostat, GEOSTAT 2011". Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a
sampled frequency table when the expected marginal totals are known. *Ann. Math. Stat.* 11, 427-444.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import config, provenance
from .regions import assign_points_to_regions, load_regions

GRID_COLUMNS = ["x_ll_3035", "y_ll_3035", "population_2011", "country"]
#: Cell size of the grid, metres (EPSG:3035).
CELL_SIZE_M: int = 5_000
GRID_SOURCE = "Eurostat, GEOSTAT 2011 population grid (5 km)"
#: Coastal cells whose centre falls outside the generalised 1:10M coastline are assigned to the
#: nearest region of their country within this distance (km); the file kept cells within 5 km of
#: the coastline, so 5 km + half a cell diagonal (3.5 km) covers every cell.
GRID_TOLERANCE_KM: float = 10.0


def read_population_grid(path: Path | None = None) -> pd.DataFrame:
    """Read and check the grid: integer corners on the 5 km lattice, population >= 0, unique cells.

    Returns
    -------
    pandas.DataFrame
        :data:`GRID_COLUMNS` plus ``cell_id`` (Eurostat's INSPIRE-style code
        ``CRS3035RES5000mN<y>E<x>`` of the lower-left corner), sorted by ``cell_id``.

    Raises
    ------
    ValueError
        Naming the file, line and column of the first bad rows.
    """
    path = Path(path) if path is not None else config.POPULATION_GRID_CSV
    if not path.is_file():
        raise FileNotFoundError(f"population grid not found: {path}")
    provenance.record_input(path)
    table = pd.read_csv(path, dtype={"country": "string"})
    missing = [c for c in GRID_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; columns are {list(table.columns)}")
    checks = {
        ("x_ll_3035", "not a multiple of 5,000 m"): table["x_ll_3035"] % CELL_SIZE_M != 0,
        ("y_ll_3035", "not a multiple of 5,000 m"): table["y_ll_3035"] % CELL_SIZE_M != 0,
        ("population_2011", "negative or missing"): ~(table["population_2011"] >= 0),
        ("country", "missing"): table["country"].isna(),
        ("x_ll_3035/y_ll_3035", "duplicate cell"): table.duplicated(["x_ll_3035", "y_ll_3035"]),
    }
    for (column, problem), bad in checks.items():
        if bad.any():
            lines = (np.flatnonzero(bad.to_numpy()) + 2).tolist()[:10]
            raise ValueError(f"{path}: column {column} {problem} at line(s) {lines}, e.g. "
                             f"{table.loc[bad, column.split('/')[0]].iloc[0]!r}")
    table["cell_id"] = ("CRS3035RES5000mN" + table["y_ll_3035"].astype("int64").astype(str)
                        + "E" + table["x_ll_3035"].astype("int64").astype(str))
    return table.sort_values("cell_id", kind="stable").reset_index(drop=True)


def cell_squares(x_ll: np.ndarray, y_ll: np.ndarray, crs: str = "EPSG:3035") -> gpd.GeoSeries:
    """The 5 km squares of cells given by their lower-left corners (EPSG:3035 metres)."""
    x_ll = np.asarray(x_ll, dtype=float)
    y_ll = np.asarray(y_ll, dtype=float)
    return gpd.GeoSeries(shapely.box(x_ll, y_ll, x_ll + CELL_SIZE_M, y_ll + CELL_SIZE_M), crs=crs)


def load_population_grid(
    path: Path | None = None,
    *,
    regions: gpd.GeoDataFrame | None = None,
    tolerance_km: float = GRID_TOLERANCE_KM,
) -> gpd.GeoDataFrame:
    """Load the grid as cell-centre points (EPSG:4326) assigned to NUTS 3 regions of their country.

    Parameters
    ----------
    path
        Grid CSV (default :data:`config.POPULATION_GRID_CSV`).
    regions
        Regions (default ``load_regions(3)``).
    tolerance_km
        Coastline fallback tolerance (see :data:`GRID_TOLERANCE_KM`).

    Returns
    -------
    geopandas.GeoDataFrame
        One point per cell with ``cell_id``, the grid columns, ``region_id``, ``assignment`` and
        ``distance_to_region_km`` (as :func:`~innocap_analysis.geography.regions.assign_points_to_regions`).
        Nothing is dropped: a cell farther than the tolerance stays with ``region_id`` NA.
    """
    table = read_population_grid(path)
    regions = load_regions(3) if regions is None else regions
    centres = gpd.GeoSeries(gpd.points_from_xy(table["x_ll_3035"] + CELL_SIZE_M / 2,
                                               table["y_ll_3035"] + CELL_SIZE_M / 2), crs="EPSG:3035")
    cells = gpd.GeoDataFrame(table, geometry=centres.to_crs("EPSG:4326").values, crs="EPSG:4326")
    assigned = assign_points_to_regions(cells, regions, country=cells["country"], tolerance_km=tolerance_km)
    return cells.join(assigned)


def calibrate_population(
    population: pd.Series | np.ndarray,
    area: pd.Series | np.ndarray,
    targets: pd.Series,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Scale the population of each area to its official total (one-margin ratio calibration).

    Parameters
    ----------
    population
        Population of each unit (cell or place), persons.
    area
        Calibration area of each unit (NA: not calibrated).
    targets
        Official total per area (index: area), persons; NA where unknown.

    Returns
    -------
    (numpy.ndarray, pandas.DataFrame)
        The calibrated population (``population × target / area total``; NaN where the area or its
        target is missing), and one row per area with units: ``n_units``, ``population_input`` (the
        area's sum, persons), ``population_target`` and ``calibration_factor``.

    Raises
    ------
    ValueError
        When an area with a target has a zero total (nothing to scale).
    """
    values = np.asarray(population, dtype=float)
    keys = pd.Series(np.asarray(area, dtype=object))
    frame = pd.DataFrame({"area": keys, "population": values}).dropna(subset=["area"])
    totals = frame.groupby("area", sort=True)["population"].agg(["size", "sum"])
    target = pd.Series(targets, dtype="Float64").reindex(totals.index)
    empty = target.notna() & (totals["sum"] == 0)
    if empty.any():
        raise ValueError(f"calibration areas with an official total but no population: {list(totals.index[empty])}")
    factor = (target / totals["sum"]).astype(float)
    calibrated = values * keys.map(factor).to_numpy(dtype=float)
    table = pd.DataFrame({
        "calibration_area": totals.index.astype(str),
        "n_units": totals["size"].to_numpy(),
        "population_input": totals["sum"].to_numpy(),
        "population_target": target.to_numpy(),
        "calibration_factor": factor.to_numpy(),
    })
    return calibrated, table.reset_index(drop=True)
