"""Service-distance indicators of the partner areas, and the old (NUTS 3, GeoNames) figures beside them.

:func:`service_points` builds the services: the tiered settlement-size proxies from the *cleaned*
GeoNames places (:func:`~innocap_analysis.geography.places.clean_settlements`) plus, optionally, the
GISCO hospitals as tier ``hospital``. :func:`partner_area_indicators` measures, for every demand point
of a partner area (:func:`~innocap_analysis.geography.demand.demand_layer`), the distance to the
nearest service of each tier, within the resident's own country by default
(:func:`~innocap_analysis.geography.borders.nearest_service_by_country`), and summarises it weighted
by the calibrated population. :func:`old_new_comparison` shows, step by step, how the published
NUTS 3 / GeoNames figure becomes the partner-area figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from .borders import country_codes, nearest_service_by_country
from .indicators import DEFAULT_THRESHOLDS_KM, distance_summary
from .places import clean_settlements
from .services import service_centre_tiers

REGIONAL_TIER = "regional_centre"


def service_points(
    settlements: gpd.GeoDataFrame,
    *,
    thresholds: Mapping[str, int] | None = None,
    hospitals: gpd.GeoDataFrame | None = None,
    clean: bool = True,
) -> gpd.GeoDataFrame:
    """Service points: settlement-size tiers (from cleaned places by default) and optional hospitals.

    Parameters
    ----------
    settlements
        ``load_settlements()`` output.
    thresholds
        Tier thresholds for :func:`~innocap_analysis.geography.services.service_centre_tiers`.
    hospitals
        Output of :func:`~innocap_analysis.geography.hospitals.load_hospitals` to add as tier ``hospital``.
    clean
        Drop neighbourhoods, merged municipalities and duplicates first (a neighbourhood is not a
        service centre of its own, and a merged municipality's old population says nothing about
        the village).

    Returns
    -------
    geopandas.GeoDataFrame
        ``tier``, ``name``, ``country`` (GISCO code), ``region_id`` and geometry, indexed by ``service_id``.
    """
    places = clean_settlements(settlements)[0] if clean else settlements
    tiers = service_centre_tiers(places, thresholds)
    tiers["country"] = pd.array(country_codes(tiers["countrycode"]), dtype="string")
    columns = ["tier", "name", "country", "region_id", "geometry"]
    parts = [tiers[columns]]
    if hospitals is not None:
        parts.append(hospitals[columns])
    out = gpd.GeoDataFrame(pd.concat(parts), geometry="geometry", crs="EPSG:4326")
    return out.astype({"tier": "string", "name": "string", "region_id": "string"})


def distances_by_tier(
    demand: pd.DataFrame,
    services: gpd.GeoDataFrame,
    *,
    own_country: bool = True,
    tiers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Distance (km, straight line on the WGS84 ellipsoid) of each demand point to each tier.

    Returns
    -------
    pandas.DataFrame
        Long: one row per (demand point, tier) with ``demand_position``, ``tier``, ``distance_km``,
        ``abroad`` and ``no_service_in_country``.
    """
    tiers = sorted(pd.unique(services["tier"]).tolist()) if tiers is None else list(tiers)
    parts = []
    for tier in tiers:  # one nearest search per tier (four at most)
        supply = services[(services["tier"] == tier).to_numpy()]
        near = nearest_service_by_country(demand, supply, demand_country=demand["country"],
                                          supply_country=supply["country"], restrict=own_country)
        parts.append(pd.DataFrame({"demand_position": np.arange(len(demand)), "tier": tier,
                                   "distance_km": near["distance_km"].to_numpy(dtype=float),
                                   "abroad": near["abroad"].to_numpy(),
                                   "no_service_in_country": near["no_service_in_country"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def partner_area_indicators(
    demand: pd.DataFrame,
    services: gpd.GeoDataFrame,
    areas: pd.DataFrame,
    *,
    own_country: bool = True,
    thresholds_km: Sequence[float] = DEFAULT_THRESHOLDS_KM,
    detour_factor: float = 1.0,
) -> pd.DataFrame:
    """Population-weighted distance to the nearest service of each tier, per partner area.

    Parameters
    ----------
    demand
        ``demand_layer()`` points (``partner_area``, ``country``, ``population``).
    services
        :func:`service_points` output.
    areas
        :func:`~innocap_analysis.geography.partner_areas.partner_areas` output.
    own_country
        Restrict to services of the resident's country (default); the share whose unrestricted
        nearest service lies abroad is reported either way.
    thresholds_km
        Distances for the shares beyond (km).
    detour_factor
        Road distance estimated as straight line × factor (1.0 = straight line).

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per (partner area, tier): ``partner_key``, ``label``, ``tier``, ``n_units``,
        ``population_official``, ``mean_km``, ``median_km``, ``p90_km``, ``share_beyond_<t>km``,
        ``population_beyond_<t>km`` (share × official population), ``share_nearest_abroad``
        (unrestricted nearest service in another country), ``own_country`` and ``detour_factor``.
        An area whose country has no service of a tier (no hospital register for IS and CA) has
        no row for that tier.
    """
    if not (np.isfinite(detour_factor) and detour_factor >= 1.0):
        raise ValueError(f"detour_factor must be a finite number >= 1, got {detour_factor!r}")
    inside = demand[demand["partner_area"].notna().to_numpy()]
    weight = inside["population"].to_numpy(dtype=float)
    group = inside["partner_area"].astype(str).to_numpy()
    chosen = distances_by_tier(inside, services, own_country=own_country)
    anywhere = chosen if not own_country else distances_by_tier(inside, services, own_country=False)
    official = areas.set_index("partner_key")
    rows = []
    for tier, part in chosen.groupby("tier", sort=True):
        d = part["distance_km"].to_numpy(dtype=float) * detour_factor
        # A tier with no service in an area's country (hospitals in IS and CA) gives no row for it.
        missing = pd.Series(np.isnan(d), index=group).groupby(level=0).agg(["all", "any"])
        partial = missing.index[missing["any"] & ~missing["all"]]
        if len(partial):
            raise ValueError(f"tier {tier!r}: some residents of {list(partial)} have no service in their country")
        keep = ~np.isnan(d)
        if not keep.any():
            continue
        summary = distance_summary(d[keep], weight[keep], group[keep], thresholds_km)
        abroad = anywhere[anywhere["tier"] == tier]["abroad"].to_numpy(dtype=float)[keep]
        share_abroad = (pd.Series(weight[keep] * abroad, index=group[keep]).groupby(level=0).sum()
                        / summary["weight_total"])
        summary = summary.drop(columns="weight_total").rename(columns={"n_points": "n_units"})
        summary.insert(0, "tier", tier)
        summary["population_official"] = official["population"].reindex(summary.index).to_numpy(dtype=float)
        for t in thresholds_km:
            summary[f"population_beyond_{t:g}km"] = summary[f"share_beyond_{t:g}km"] * summary["population_official"]
        summary["share_nearest_abroad"] = share_abroad.reindex(summary.index).to_numpy()
        rows.append(summary.rename_axis("partner_key").reset_index())
    out = pd.concat(rows, ignore_index=True)
    out.insert(1, "label", out["partner_key"].map(official["label"]).to_numpy())
    out["own_country"] = own_country
    out["detour_factor"] = detour_factor
    order = {k: i for i, k in enumerate(areas["partner_key"])}
    return out.sort_values(["partner_key", "tier"], key=lambda s: s.map(order) if s.name == "partner_key" else s,
                           kind="stable").reset_index(drop=True)


def old_new_comparison(
    settlements: gpd.GeoDataFrame,
    demand: pd.DataFrame,
    areas: pd.DataFrame,
    regions: pd.DataFrame,
    *,
    thresholds: Mapping[str, int] | None = None,
    cut_km: float = 25.0,
    tier: str = REGIONAL_TIER,
) -> pd.DataFrame:
    """The published NUTS 3 / GeoNames figure next to the partner-area figure, step by step.

    Steps (each changes one thing; share of the population beyond ``cut_km`` of the nearest
    ``tier`` service, straight line):

    1. ``published``: the NUTS 3 parent (the territory for CA-NL), raw GeoNames places as weights
       and as service centres, services in any country (the figure of the first evidence base);
    2. ``cleaned_places``: as 1, without neighbourhoods, merged municipalities and duplicates;
    3. ``grid_demand``: as 2, with the demand layer (grid cells in Europe) as weights;
    4. ``partner_area``: as 3, over the partner area instead of the NUTS 3 parent;
    5. ``own_country``: as 4, with services of the resident's own country only (the new figure).

    Returns
    -------
    pandas.DataFrame
        One row per partner area: ``partner_key``, ``label``, ``nuts3_parent``,
        ``population_nuts3`` and ``population_partner`` (official), ``share_<step>`` for each
        step, ``population_beyond_published`` (share × NUTS 3 population, the number quoted in the
        first findings) and ``population_beyond_new`` (share × partner population).
    """
    thresholds = dict(thresholds) if thresholds is not None else None
    parents = areas["nuts3_parent"].fillna(areas["area_id"]).to_numpy(dtype=object)
    official = regions.set_index("region_id")["population"].astype(float)

    def share_by_region(points: pd.DataFrame, weight: np.ndarray, supply: gpd.GeoDataFrame, restrict: bool,
                        group: np.ndarray) -> pd.Series:
        near = nearest_service_by_country(points, supply, demand_country=points["country"],
                                          supply_country=supply["country"], restrict=restrict)
        known = ~pd.isna(group)
        summary = distance_summary(near["distance_km"].to_numpy(dtype=float)[known], weight[known],
                                   group[known].astype(str), thresholds_km=(cut_km,))
        return summary[f"share_beyond_{cut_km:g}km"]

    raw = settlements[settlements["region_id"].isin(parents).to_numpy()].assign(
        country=country_codes(settlements.loc[settlements["region_id"].isin(parents), "countrycode"]))
    raw_services = service_points(settlements, thresholds=thresholds, clean=False)
    raw_services = raw_services[(raw_services["tier"] == tier).to_numpy()]
    kept, _ = clean_settlements(settlements)
    clean_services = service_points(settlements, thresholds=thresholds, clean=True)
    clean_services = clean_services[(clean_services["tier"] == tier).to_numpy()]
    kept = kept[kept["region_id"].isin(parents).to_numpy()]
    kept = kept.assign(country=country_codes(kept["countrycode"]))
    in_parent = demand[demand["region_id"].isin(parents).to_numpy()]

    steps = {
        "published": share_by_region(raw, raw["population_geonames"].to_numpy(dtype=float), raw_services, False,
                                     raw["region_id"].to_numpy(dtype=object)),
        "cleaned_places": share_by_region(kept, kept["population_geonames"].to_numpy(dtype=float), clean_services,
                                          False, kept["region_id"].to_numpy(dtype=object)),
        "grid_demand": share_by_region(in_parent, in_parent["population"].to_numpy(dtype=float), clean_services,
                                       False, in_parent["region_id"].to_numpy(dtype=object)),
        "partner_area": share_by_region(in_parent, in_parent["population"].to_numpy(dtype=float), clean_services,
                                        False, in_parent["partner_area"].to_numpy(dtype=object)),
        "own_country": share_by_region(in_parent, in_parent["population"].to_numpy(dtype=float), clean_services,
                                       True, in_parent["partner_area"].to_numpy(dtype=object)),
    }
    out = pd.DataFrame({
        "partner_key": areas["partner_key"].to_numpy(),
        "label": areas["label"].to_numpy(),
        "nuts3_parent": parents,
        "population_nuts3": official.reindex(parents).to_numpy(),
        "population_partner": areas["population"].to_numpy(dtype=float),
    })
    for step, share in steps.items():
        by = out["partner_key"] if step in ("partner_area", "own_country") else out["nuts3_parent"]
        out[f"share_{step}"] = by.map(share).to_numpy(dtype=float)
    out["population_beyond_published"] = out["share_published"] * out["population_nuts3"]
    out["population_beyond_new"] = out["share_own_country"] * out["population_partner"]
    return out
