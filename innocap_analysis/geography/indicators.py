"""Service-distance indicators per region, and the GeoPackage of indicator layers for QGIS.

For every settlement (demand point) the distance to the nearest service point of each tier is found
with :func:`~innocap_analysis.geography.distance.nearest_service` (exact nearest on the WGS84
ellipsoid). The distances are then summarised per region, weighted by population:

* population-weighted mean, median and 90th percentile (km);
* share of the population beyond 10, 25 and 50 km (thresholds are a parameter);
* people per service point (official population / service points of the tier in the region);
* settlement-based sparsity;
* optionally 2SFCA accessibility (:func:`accessibility_indicators`).

Weights. Within a region the calibrated settlement populations are the raw GeoNames figures times a
single regional factor (:func:`~innocap_analysis.geography.settlements.load_settlements`), so the
weighted mean, quantiles and shares are the same with either weight; the raw figure is used for them
because it exists also where the official total is missing (Northern Ireland, Faroe, Greenland,
Svalbard). Population *counts* (``population_official``, ``population_beyond_*``) only ever come from
the official total, never from raw GeoNames sums.

Distances are straight lines on the ellipsoid: the sea is crossed, and a service across a border
counts. Ferries, fjords and roads are not modelled (use ``detour_factor`` for a road-distance estimate).

References
----------
Weighted quantiles: the inverted empirical distribution function (Hyndman & Fan 1996, definition 1),
as ``numpy.quantile(..., weights=w, method="inverted_cdf")``.
Sparsely populated areas: NUTS 3 regions with fewer than 12.5 inhabitants per km², as used in EU
cohesion policy (Regulation (EU) 2021/1058, ERDF and Cohesion Fund).
"""


from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .. import config
from .._compat import moved
from .accessibility import two_step_fca
from .nearest import nearest_service

#: Default distance thresholds for the "share of population beyond" indicators, km.
DEFAULT_THRESHOLDS_KM: tuple[float, ...] = (10.0, 25.0, 50.0)


#: EU cohesion-policy sparsity threshold for NUTS 3 regions, inhabitants per km².
SPARSE_DENSITY_NUTS3: float = 12.5


def grouped_weighted_quantile(
    values: np.ndarray | pd.Series,
    weights: np.ndarray | pd.Series,
    groups: np.ndarray | pd.Series,
    q: float,
) -> pd.Series:
    """Weighted quantile per group by the inverted empirical CDF, vectorised.

    Parameters
    ----------
    values, weights, groups
        Equal-length arrays; weights finite and >= 0. Rows with a NaN value are excluded.
    q
        Probability in [0, 1].

    Returns
    -------
    pandas.Series
        Indexed by group: the smallest value ``x`` with ``W(x) / W >= q``, where ``W(x)`` is the
        weight of values <= x and ``W`` the group's total weight (Hyndman & Fan 1996, definition 1;
        equals ``numpy.quantile(v, q, weights=w, method="inverted_cdf")``). NaN for a group whose
        total weight is 0.

    Notes
    -----
    Kept instead of calling ``numpy.quantile(weights=..., method="inverted_cdf")`` group by group
    because it is measurably faster at the build's sizes: one sort and one cumulative sum for all
    groups, against a Python loop over groups. Measured (numpy 2.4, pandas 3.1, 242 NUTS 3 regions,
    best of 5): 3.9 ms against 23.5 ms for the 8,846 GeoNames settlements (6.0x), 11.2 ms against
    28.8 ms for the 42,970 GEOSTAT grid cells (2.6x). The results are identical (a test compares
    every group with ``numpy.quantile``).
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q}")
    frame = pd.DataFrame({"g": np.asarray(groups, dtype=object), "v": np.asarray(values, dtype=float),
                          "w": np.asarray(weights, dtype=float)})
    if (frame["w"] < 0).any() or not np.isfinite(frame["w"]).all():
        raise ValueError("weights must be finite and >= 0")
    frame = frame[frame["v"].notna()].sort_values(["g", "v"], kind="stable")
    by_group = frame.groupby("g", sort=True)["w"]
    total = by_group.transform("sum")
    cdf = by_group.cumsum() / total
    # First sorted row of each group whose cumulative share reaches q; for q > 0 that row has a
    # positive weight, so zero-weight rows cannot move the quantile.
    reached = (cdf >= q) & (frame["w"] > 0)
    first = frame[reached.to_numpy()].groupby("g", sort=True)["v"].first()
    return first.reindex(by_group.size().index).rename(f"q{q:g}")


def distance_summary(
    distance_km: np.ndarray | pd.Series,
    weight: np.ndarray | pd.Series,
    group: np.ndarray | pd.Series,
    thresholds_km: Sequence[float] = DEFAULT_THRESHOLDS_KM,
) -> pd.DataFrame:
    """Population-weighted distance statistics per group.

    Parameters
    ----------
    distance_km
        Distance of each demand point to its nearest service (km).
    weight
        Population of each demand point (any scale: results are shares and weighted statistics).
    group
        Group (region) of each demand point.
    thresholds_km
        Distances (km) for the shares beyond.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``n_points``, ``weight_total``, ``mean_km`` = Σ w d / Σ w, ``median_km``
        and ``p90_km`` (weighted inverted-CDF quantiles), and ``share_beyond_<t>km`` = Σ w [d > t] / Σ w.
    """
    d = np.asarray(distance_km, dtype=float)
    w = np.asarray(weight, dtype=float)
    g = np.asarray(group, dtype=object)
    if not (len(d) == len(w) == len(g)):
        raise ValueError(f"distance_km, weight and group differ in length: {len(d)}, {len(w)}, {len(g)}")
    if np.isnan(d).any():
        raise ValueError(f"{int(np.isnan(d).sum())} distances are NaN; nearest distances must all be known")
    frame = pd.DataFrame({"g": g, "w": w, "wd": w * d})
    for t in thresholds_km:
        frame[f"share_beyond_{t:g}km"] = w * (d > t)
    sums = frame.groupby("g", sort=True).sum()
    out = pd.DataFrame(index=sums.index)
    out["n_points"] = frame.groupby("g", sort=True).size()
    out["weight_total"] = sums["w"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_km"] = sums["wd"] / sums["w"]
        out["median_km"] = grouped_weighted_quantile(d, w, g, 0.5).reindex(out.index)
        out["p90_km"] = grouped_weighted_quantile(d, w, g, 0.9).reindex(out.index)
        for t in thresholds_km:
            column = f"share_beyond_{t:g}km"
            out[column] = sums[column] / sums["w"]
    out.index.name = None
    return out


def _materialise(frame: Any) -> Any:
    """Compute a dask collection; leave pandas objects alone."""
    return frame.compute() if hasattr(frame, "compute") and not isinstance(frame, pd.DataFrame | pd.Series) else frame


def service_distance_indicators(
    settlements: gpd.GeoDataFrame,
    service_points: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    tier_column: str = "tier",
    weight_column: str = "population_geonames",
    region_column: str = "region_id",
    thresholds_km: Sequence[float] = DEFAULT_THRESHOLDS_KM,
    distance: str = "geodesic",
    detour_factor: float | None = None,
) -> pd.DataFrame:
    """Population-weighted distance to the nearest service of each tier, per region.

    Parameters
    ----------
    settlements
        Demand points with ``region_id`` and a population weight (output of ``load_settlements``);
        a dask-geopandas GeoDataFrame is accepted (distances are computed partition by partition).
    service_points
        Supply points with a tier column (output of ``service_centre_tiers`` or a registry with a
        ``tier`` column); a registry without tiers can be given ``tier="all"``.
    regions
        Regions with ``region_id`` and official ``population`` (``load_regions``).
    tier_column, weight_column, region_column
        Column names.
    thresholds_km
        Thresholds for the shares beyond (km).
    distance
        ``"geodesic"`` (WGS84) or ``"great_circle"``.
    detour_factor
        When given, statistics are of the road-distance estimate ``distance × detour_factor``.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (region, tier) for every region of ``regions`` and every tier, with
        ``n_settlements``, ``mean_km``, ``median_km``, ``p90_km``, ``share_beyond_<t>km``,
        ``population_official``, ``population_beyond_<t>km`` (= share × official population),
        ``n_service_points`` (of the tier inside the region) and ``people_per_service_point``
        (official population / n_service_points; NA when either is missing or n is 0).
        Unassigned settlements (outside every region) are left out of the regional rows.
    """
    tiers = sorted(pd.unique(_materialise(service_points[tier_column])).tolist(), key=str)
    columns = [region_column, weight_column]
    demand_attrs = _materialise(settlements[columns])
    if demand_attrs[weight_column].isna().any():
        raise ValueError(f"settlements: {int(demand_attrs[weight_column].isna().sum())} rows have no "
                         f"{weight_column!r}; weights must be known")
    official = regions.set_index("region_id")["population"].astype("Float64")
    region_ids = regions["region_id"].astype(str).tolist()
    supply_region = _materialise(service_points[[tier_column, region_column]]) \
        if region_column in service_points.columns else None

    rows = []
    for tier in tiers:
        supply = service_points[(service_points[tier_column] == tier).to_numpy()]
        nearest = _materialise(nearest_service(settlements, supply, distance=distance))
        d = nearest["distance_km"].to_numpy(dtype=float)
        if detour_factor is not None:
            d = d * detour_factor
        assigned = demand_attrs[region_column].notna().to_numpy()
        summary = distance_summary(d[assigned], demand_attrs[weight_column].to_numpy(dtype=float)[assigned],
                                   demand_attrs[region_column].astype(str).to_numpy()[assigned], thresholds_km)
        summary = summary.reindex(region_ids)
        summary.insert(0, "tier", tier)
        summary["n_settlements"] = summary.pop("n_points").fillna(0).astype("int64")
        summary = summary.drop(columns="weight_total")
        summary["population_official"] = official.reindex(region_ids).to_numpy()
        for t in thresholds_km:
            summary[f"population_beyond_{t:g}km"] = (summary[f"share_beyond_{t:g}km"]
                                                      * summary["population_official"]).astype("Float64")
        if supply_region is not None:
            in_tier = supply_region[supply_region[tier_column] == tier]
            counts = in_tier[region_column].value_counts()
            n_points = counts.reindex(region_ids).fillna(0).astype("int64").to_numpy()
        else:
            n_points = np.zeros(len(region_ids), dtype="int64")
        summary["n_service_points"] = n_points
        denominator = pd.array(np.where(n_points > 0, n_points, np.nan), dtype="Float64")
        summary["people_per_service_point"] = summary["population_official"].astype("Float64") / denominator
        rows.append(summary.rename_axis("region_id").reset_index())
    out = pd.concat(rows, ignore_index=True)
    first = ["region_id", "tier", "n_settlements", "population_official"]
    return out[first + [c for c in out.columns if c not in first]]


def settlement_sparsity(settlements: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.DataFrame:
    """Settlement-based sparsity per region.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``n_settlements`` (GeoNames places of 500+), ``settlements_per_1000_km2``,
        ``median_settlement_size`` (GeoNames persons), ``largest_settlement`` (GeoNames persons),
        ``density`` (official persons per km²) and ``sparsely_populated`` (density < 12.5 per km²,
        the EU cohesion-policy NUTS 3 threshold; NA where density is unknown).
    """
    grouped = settlements.groupby("region_id")["population_geonames"]
    stats = pd.DataFrame({"n_settlements": grouped.size(), "median_settlement_size": grouped.median(),
                          "largest_settlement": grouped.max()})
    out = regions[["region_id", "area_km2", "density"]].merge(stats, left_on="region_id", right_index=True,
                                                             how="left")
    out["n_settlements"] = out["n_settlements"].fillna(0).astype("int64")
    out["settlements_per_1000_km2"] = 1000.0 * out["n_settlements"] / out["area_km2"]
    out["sparsely_populated"] = (out["density"] < SPARSE_DENSITY_NUTS3).astype("boolean")
    return pd.DataFrame(out.drop(columns="area_km2")).reset_index(drop=True)


def accessibility_indicators(
    settlements: gpd.GeoDataFrame,
    service_points: gpd.GeoDataFrame,
    *,
    catchment_km: float = 30.0,
    decay: str | Mapping[float, float] = "step",
    bandwidth_km: float | None = None,
    tier_column: str = "tier",
    per_people: float = 10_000.0,
) -> pd.DataFrame:
    """Population-weighted 2SFCA / Gaussian 2SFCA accessibility per region and tier.

    ``decay`` is ``"step"`` (2SFCA), ``"gaussian"`` (with ``bandwidth_km``) or E2SFCA zones
    ``{upper_km: weight}``, as in ``two_step_fca``. Demand is the calibrated settlement population (the raw GeoNames figure where a region has no
    official total, flagged in ``demand_weight_source``); every service point has capacity 1.
    Accessibility is service points per ``per_people`` people within the catchment
    (Luo & Wang 2003; Dai 2010 for the Gaussian decay), computed by
    :func:`~innocap_analysis.geography.accessibility.two_step_fca`.

    Returns
    -------
    pandas.DataFrame
        One row per (region, tier): ``accessibility_mean`` (population-weighted mean over the
        region's settlements) and ``demand_weight_source``.
    """
    calibrated = settlements["population_calibrated"].astype("Float64")
    weight = calibrated.fillna(settlements["population_geonames"].astype("Float64")).to_numpy(dtype=float)
    uses_raw = settlements.assign(_raw=calibrated.isna().to_numpy()).groupby("region_id")["_raw"].any()
    rows = []
    for tier in sorted(pd.unique(service_points[tier_column]).tolist(), key=str):
        supply = service_points[(service_points[tier_column] == tier).to_numpy()]
        access = two_step_fca(settlements, supply, catchment_km, decay=decay, bandwidth_km=bandwidth_km,
                              demand_weight=weight).to_numpy(dtype=float) * per_people
        frame = pd.DataFrame({"region_id": settlements["region_id"], "w": weight, "wa": weight * access})
        sums = frame.dropna(subset=["region_id"]).groupby("region_id")[["w", "wa"]].sum()
        rows.append(pd.DataFrame({"region_id": sums.index, "tier": tier,
                                  "accessibility_mean": (sums["wa"] / sums["w"]).to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out["demand_weight_source"] = np.where(out["region_id"].map(uses_raw), "GeoNames raw (no official total)",
                                           "calibrated to official population")
    return out


def write_indicator_layers(
    layers: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    timestamp: str = "2021-01-01T00:00:00Z",
) -> Path:
    """Write indicator layers to a GeoPackage for QGIS users, as deterministically as GDAL allows.

    Parameters
    ----------
    layers
        One GeoDataFrame (written as layer ``indicators``) or a mapping layer name -> GeoDataFrame
        (for example regions with indicators, settlements with distances, service points).
    path
        Output ``.gpkg``; an existing file is replaced.
    timestamp
        Fixed ``last_change`` written into ``gpkg_contents`` (GDAL's ``OGR_CURRENT_DATE``) so that two
        runs produce the same bytes.

    Returns
    -------
    pathlib.Path
        The file written. Rows are written in the given order; pandas extension dtypes are converted
        to plain ones (NA becomes NULL).
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise ValueError(f"write_indicator_layers writes a GeoPackage; the path must end in .gpkg, got {path}")
    if isinstance(layers, gpd.GeoDataFrame):
        layers = {"indicators": layers}
    if not layers:
        raise ValueError("no layers to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": timestamp})
    try:
        for name, layer in layers.items():
            if not isinstance(layer, gpd.GeoDataFrame) or layer.crs is None:
                raise ValueError(f"layer {name!r} must be a GeoDataFrame with a CRS")
            plain = layer.copy()
            for column in plain.columns:
                if column == plain.geometry.name:
                    continue
                dtype = plain[column].dtype
                if isinstance(dtype, pd.StringDtype | pd.BooleanDtype) or pd.api.types.is_object_dtype(dtype):
                    plain[column] = plain[column].astype(object).where(plain[column].notna(), None)
                elif pd.api.types.is_extension_array_dtype(dtype):
                    plain[column] = plain[column].astype("float64")
            plain.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return path


# --- Support for notebook 04_service_distance ------------------------------------------------------

#: Order of the default service tiers in published tables (smallest centre first).
TIER_ORDER: tuple[str, ...] = ("local_centre", "regional_centre", "city")


def _tier_rank(tiers: pd.Series) -> pd.Series:
    """Rank of each tier in :data:`TIER_ORDER`; unknown tiers after them, alphabetically."""
    known = {t: i for i, t in enumerate(TIER_ORDER)}
    extra = sorted(set(tiers.astype(str)) - set(known))
    known.update({t: len(TIER_ORDER) + i for i, t in enumerate(extra)})
    return tiers.astype(str).map(known)


def settlement_service_distances(
    settlements: gpd.GeoDataFrame,
    service_points: gpd.GeoDataFrame,
    *,
    tier_column: str = "tier",
    distance: str = "geodesic",
) -> gpd.GeoDataFrame:
    """Each settlement with its distance to the nearest service point of every tier.

    Parameters
    ----------
    settlements
        Demand points (``load_settlements``).
    service_points
        Supply points with a tier column (``service_centre_tiers``).
    tier_column
        Column naming the tier.
    distance
        ``"geodesic"`` (WGS84) or ``"great_circle"``, as in ``nearest_service``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``settlements`` (same rows and order) plus one column ``km_to_<tier>`` per tier: the
        straight-line distance (km) to the nearest service point of that tier, wherever it is
        (across region and country borders). Tiers in :data:`TIER_ORDER`, others after them.
    """
    tiers = pd.Series(pd.unique(service_points[tier_column]).astype(str))
    tiers = tiers.iloc[np.lexsort((tiers.to_numpy(), _tier_rank(tiers).to_numpy()))].tolist()
    out = settlements.copy()
    for tier in tiers:
        supply = service_points[(service_points[tier_column].astype(str) == tier).to_numpy()]
        nearest = nearest_service(settlements, supply, distance=distance)
        out[f"km_to_{tier}"] = nearest["distance_km"].to_numpy(dtype=float)
    return out


def region_indicator_table(
    regions: gpd.GeoDataFrame,
    distance_indicators: pd.DataFrame,
    accessibility: pd.DataFrame | None = None,
    sparsity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One tidy table of the per-region indicators: one row per (region, tier).

    Parameters
    ----------
    regions
        ``load_regions(3)``: names, country, NPA eligibility and partner key are taken from it.
    distance_indicators
        ``service_distance_indicators`` (one row per region and tier, every region present).
    accessibility
        Optional ``accessibility_indicators``; adds ``accessibility_mean`` and
        ``demand_weight_source`` (NA for regions without settlements).
    sparsity
        Optional ``settlement_sparsity``; adds ``density``, ``settlements_per_1000_km2`` and
        ``sparsely_populated`` (the same value on every tier row of a region).

    Returns
    -------
    pandas.DataFrame
        Rows sorted by region then tier (:data:`TIER_ORDER`); columns ``region_id``, ``name``,
        ``country``, ``npa_2021_27``, ``partner_key``, ``tier`` and the indicator columns.
    """
    ids = regions[["region_id", "name", "country", "npa_2021_27", "partner_key"]].copy()
    ids["region_id"] = ids["region_id"].astype(str)
    table = distance_indicators.copy()
    table["region_id"] = table["region_id"].astype(str)
    out = ids.merge(table, on="region_id", how="right", validate="one_to_many")
    if accessibility is not None:
        acc = accessibility[["region_id", "tier", "accessibility_mean", "demand_weight_source"]].copy()
        acc["region_id"] = acc["region_id"].astype(str)
        out = out.merge(acc, on=["region_id", "tier"], how="left", validate="one_to_one")
    if sparsity is not None:
        sp = sparsity[["region_id", "density", "settlements_per_1000_km2", "sparsely_populated"]].copy()
        sp["region_id"] = sp["region_id"].astype(str)
        out = out.merge(sp, on="region_id", how="left", validate="many_to_one")
    out = out.assign(_rank=_tier_rank(out["tier"])).sort_values(["region_id", "_rank"], kind="stable")
    return pd.DataFrame(out.drop(columns="_rank")).reset_index(drop=True)


def partner_indicator_table(table: pd.DataFrame, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of :func:`region_indicator_table` for the INNOCAP partner regions.

    Parameters
    ----------
    table
        Output of :func:`region_indicator_table`.
    keys
        Partner-region keys of :data:`innocap_analysis.config.PARTNER_REGIONS` (all when None).

    Returns
    -------
    pandas.DataFrame
        ``partner_region`` (label) first, rows in the order of ``config.PARTNER_REGIONS`` and then by
        tier. Raises ``ValueError`` for an unknown key, or when a selected partner region is missing
        for any tier of the table (every partner region must be reported for every tier).
    """
    unknown = sorted(set(keys or []) - set(config.PARTNER_REGIONS))
    if unknown:
        raise ValueError(f"unknown partner region(s) {unknown}; known: {sorted(config.PARTNER_REGIONS)}")
    selected = [k for k in config.PARTNER_REGIONS if not keys or k in keys]
    code_of = {k: config.PARTNER_REGIONS[k][1] for k in selected}
    tiers = table["tier"].unique()
    rows = table[table["region_id"].isin(list(code_of.values()))]
    present = set(zip(rows["region_id"], rows["tier"], strict=True))
    missing = [(code, t) for code in code_of.values() for t in tiers if (code, t) not in present]
    if missing:
        raise ValueError(f"partner regions missing from the indicator table (region, tier): {missing}")
    order = {code: i for i, code in enumerate(code_of.values())}
    rows = rows.assign(_order=rows["region_id"].map(order), _rank=_tier_rank(rows["tier"]))
    rows = rows.sort_values(["_order", "_rank"], kind="stable").drop(columns=["_order", "_rank"])
    label = {code: config.PARTNER_REGIONS[k][0] for k, code in code_of.items()}
    rows.insert(0, "partner_region", rows["region_id"].map(label))
    return pd.DataFrame(rows).reset_index(drop=True)


def indicator_layers(
    regions: gpd.GeoDataFrame,
    table: pd.DataFrame,
    settlement_distances: gpd.GeoDataFrame | None = None,
    service_points: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The indicator layers for the GeoPackage (and for the maps): one region layer per tier.

    Parameters
    ----------
    regions
        ``load_regions(3)`` (geometry, official statistics, typologies).
    table
        :func:`region_indicator_table`.
    settlement_distances
        Optional :func:`settlement_service_distances` output, written as layer ``settlements``.
    service_points
        Optional ``service_centre_tiers`` output, written as layer ``service_points``
        (``service_id`` kept as a column).

    Returns
    -------
    dict of str -> geopandas.GeoDataFrame
        ``regions_<tier>`` (EPSG:4326 region polygons with that tier's indicators; ``share_beyond_*``
        are also given in percent as ``pct_beyond_*``), then ``settlements`` and ``service_points``.
    """
    geo = regions[["region_id", "population_year", "area_km2", "urban_rural_code", "remoteness_code",
                   "geometry"]].copy()
    geo["region_id"] = geo["region_id"].astype(str)
    layers: dict[str, gpd.GeoDataFrame] = {}
    tiers = table.drop_duplicates("tier").assign(_rank=lambda f: _tier_rank(f["tier"])).sort_values("_rank")
    for tier in tiers["tier"]:
        part = table[table["tier"] == tier]
        layer = geo.merge(part, on="region_id", how="left", validate="one_to_one")
        for column in [c for c in layer.columns if c.startswith("share_beyond_")]:
            layer["pct_" + column.removeprefix("share_")] = 100.0 * layer[column].astype(float)
        layers[f"regions_{tier}"] = gpd.GeoDataFrame(layer, geometry="geometry", crs=regions.crs)
    if settlement_distances is not None:
        layers["settlements"] = gpd.GeoDataFrame(settlement_distances.reset_index(drop=True),
                                                 geometry=settlement_distances.geometry.name,
                                                 crs=settlement_distances.crs)
    if service_points is not None:
        points = service_points.reset_index()
        layers["service_points"] = gpd.GeoDataFrame(points, geometry=service_points.geometry.name,
                                                    crs=service_points.crs)
    return layers


def explain_remoteness_disagreements(disagreements: pd.DataFrame, threshold_km: float) -> pd.DataFrame:
    """Attach a first explanation to each disagreement of the remoteness estimate.

    Parameters
    ----------
    disagreements
        Output of :func:`~innocap_analysis.geography.remoteness.remoteness_disagreements`.
    threshold_km
        The straight-line drive-time proxy used (``remoteness_estimate``'s ``threshold_km``).

    Returns
    -------
    pandas.DataFrame
        The input with ``reason``, the first rule that applies, in this order:

        * ``"largest place counted as a city"``: estimate closer and the region's largest place is
          itself a GeoNames place of 50,000+ (distance 0). GeoNames gives municipality or locality
          figures; Eurostat's city is an urban centre of 50,000+ in the 1 km² grid;
        * ``"nearest city just beyond the proxy"``: estimate more remote and the largest place's
          nearest city lies beyond ``threshold_km`` in a straight line (fast roads reach further);
        * ``"borderline share"``: the share within reach is near 0.5 (``borderline`` column);
        * ``"other"``: to be checked on a map (for example a sea crossing counted as a drive).
    """
    closer = disagreements["direction"].eq("estimate closer")
    city_in_region = closer & disagreements["its_city_km"].eq(0.0)
    beyond = ~closer & (disagreements["its_city_km"] > threshold_km)
    borderline = disagreements["borderline"].astype(bool)
    reason = np.select([city_in_region, beyond, borderline],
                       ["largest place counted as a city", "nearest city just beyond the proxy",
                        "borderline share"], default="other")
    return disagreements.assign(reason=pd.array(reason, dtype="string"))


# Names that lived here before the 0.2 layout (deprecated, removed in the next release).
__getattr__ = moved(__name__, ["innocap_analysis.evidence.publish"], {"save_indicator_layers": "save_layers"})
