"""Everything the notebooks need about the partner areas, computed once: ``geo = partner_geography()``.

Each attribute of :class:`PartnerGeography` is one table of the evidence base (or the input of one
figure), so a notebook cell is one line: ``save_table(geo.old_new, ...)``,
``sensitivity_figure(geo.sensitivity_summary)``, ``hospital_proxy_scatter(geo.proxy, geo.proxy_summary)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from .demand import demand_layer, partner_population_check
from .hospitals import load_hospitals, proxy_check, worst_disagreements
from .partner_areas import partner_areas
from .partner_indicators import REGIONAL_TIER, old_new_comparison, partner_area_indicators, service_points
from .places import clean_settlements, double_count_summary
from .regions import load_regions
from .sensitivity import partner_sensitivity, sensitivity_summary
from .settlements import load_settlements


@dataclass(frozen=True)
class PartnerGeography:
    """The partner-area geography of the evidence base (see :func:`partner_geography`)."""

    areas: gpd.GeoDataFrame
    population_check: pd.DataFrame
    calibration: pd.DataFrame
    demand: gpd.GeoDataFrame
    double_counts: pd.DataFrame
    double_count_summary: pd.DataFrame
    services: gpd.GeoDataFrame
    indicators: pd.DataFrame
    indicators_unrestricted: pd.DataFrame
    old_new: pd.DataFrame
    sensitivity: pd.DataFrame
    sensitivity_summary: pd.DataFrame
    proxy: pd.DataFrame
    proxy_summary: dict[str, float]
    proxy_worst: pd.DataFrame

    def area_table(self) -> pd.DataFrame:
        """The partner areas without geometry (for a published table)."""
        return pd.DataFrame(self.areas.drop(columns="geometry"))


def partner_geography(
    regions: gpd.GeoDataFrame | None = None,
    settlements: gpd.GeoDataFrame | None = None,
) -> PartnerGeography:
    """Build the partner areas, the demand layer, the services and every partner-area table.

    Parameters
    ----------
    regions, settlements
        ``load_regions(3)`` and ``load_settlements()`` (loaded when omitted).

    Returns
    -------
    PartnerGeography
        ``areas`` (:func:`~.partner_areas.partner_areas`), ``population_check`` and ``calibration``
        (:func:`~.demand.partner_population_check`, the demand layer's calibration table),
        ``double_counts`` / ``double_count_summary`` (:func:`~.places.nested_places`,
        :func:`~.places.double_count_summary`), ``services`` (size proxies from cleaned places +
        GISCO hospitals), ``indicators`` (own country) and ``indicators_unrestricted``
        (:func:`~.partner_indicators.partner_area_indicators`), ``old_new``
        (:func:`~.partner_indicators.old_new_comparison`), ``sensitivity`` /
        ``sensitivity_summary`` (:mod:`~.sensitivity`) and ``proxy`` / ``proxy_summary`` /
        ``proxy_worst`` (:func:`~.hospitals.proxy_check`).
    """
    regions = load_regions(3) if regions is None else regions
    settlements = load_settlements(regions=regions) if settlements is None else settlements
    areas = partner_areas(regions)
    demand, calibration = demand_layer(regions, areas, settlements)
    _, dropped = clean_settlements(settlements)
    hospitals = load_hospitals(study_area=regions)
    services = service_points(settlements, hospitals=hospitals)
    sensitivity = partner_sensitivity(demand, settlements, areas)
    proxy, proxy_summary = proxy_check(demand, hospitals, services[(services["tier"] == REGIONAL_TIER).to_numpy()],
                                       regions)
    return PartnerGeography(
        areas=areas,
        population_check=partner_population_check(demand, areas, regions),
        calibration=calibration,
        demand=demand,
        double_counts=dropped,
        double_count_summary=double_count_summary(settlements, dropped, regions),
        services=services,
        indicators=partner_area_indicators(demand, services, areas),
        indicators_unrestricted=partner_area_indicators(demand, services, areas, own_country=False),
        old_new=old_new_comparison(settlements, demand, areas, regions),
        sensitivity=sensitivity,
        sensitivity_summary=sensitivity_summary(sensitivity),
        proxy=proxy,
        proxy_summary=proxy_summary,
        proxy_worst=worst_disagreements(proxy),
    )
