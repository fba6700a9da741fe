"""Service-distance geography: regions, settlements, service points, distances and indicators.

* :func:`load_regions` - NUTS 2021 regions plus Newfoundland and Labrador, the Faroe Islands and
  Greenland, with eligibility, partner flag, official statistics and typologies.
* :func:`load_settlements` / :func:`build_geonames_extract` - GeoNames places of 500+ inhabitants.
* :func:`service_centre_tiers` / :func:`load_service_points` - service points.
* :func:`nearest_service` / :func:`two_step_fca` - distances and accessibility.
* :func:`service_distance_indicators`, :func:`remoteness_estimate` - indicators per region.
* :func:`partner_areas` - the five partner areas (County Donegal derived, Suðurland from LMI).
* :func:`demand_layer` - GEOSTAT 2011 grid cells (Europe) and cleaned GeoNames places, calibrated.
* :func:`clean_settlements` / :func:`nested_places` - GeoNames double counts dropped and listed.
* :func:`load_hospitals`, :func:`proxy_check` - GISCO hospitals and the check of the size proxies.
* :func:`nearest_service_by_country` - services of the resident's own country.
* :func:`partner_area_indicators`, :func:`old_new_comparison`, :func:`partner_sensitivity`.
* ``geography.network`` - road distance over a local OpenStreetMap extract (imported on its own).
"""

from .accessibility import catchment_pairs, decay_weights, two_step_fca
from .borders import nearest_service_by_country, share_nearest_abroad
from .demand import demand_layer, partner_population_check
from .distance import geodesic_km, great_circle_km, nearest_service
from .hospitals import load_hospitals, proxy_check, worst_disagreements
from .indicators import (
    DEFAULT_THRESHOLDS_KM,
    accessibility_indicators,
    distance_summary,
    grouped_weighted_quantile,
    service_distance_indicators,
    settlement_sparsity,
    write_indicator_layers,
)
from .partner_areas import assign_partner_areas, partner_areas
from .partner_evidence import PartnerGeography, partner_geography
from .partner_indicators import old_new_comparison, partner_area_indicators, service_points
from .places import clean_settlements, double_count_summary, nested_places
from .population_grid import calibrate_population, load_population_grid
from .regions import assign_points_to_regions, load_regions
from .remoteness import (
    classify_remoteness,
    drive_time_threshold_km,
    remoteness_agreement,
    remoteness_disagreements,
    remoteness_estimate,
)
from .sensitivity import partner_sensitivity, sensitivity_summary
from .services import (
    DEFAULT_TIER_THRESHOLDS,
    ServicePointError,
    ServicePointProblem,
    load_service_points,
    service_centre_tiers,
)
from .settlements import build_geonames_extract, load_settlements, settlement_coverage

__all__ = [
    "PartnerGeography",
    "partner_geography",
    "DEFAULT_THRESHOLDS_KM",
    "DEFAULT_TIER_THRESHOLDS",
    "ServicePointError",
    "ServicePointProblem",
    "accessibility_indicators",
    "assign_partner_areas",
    "assign_points_to_regions",
    "build_geonames_extract",
    "calibrate_population",
    "catchment_pairs",
    "classify_remoteness",
    "clean_settlements",
    "decay_weights",
    "demand_layer",
    "distance_summary",
    "double_count_summary",
    "drive_time_threshold_km",
    "geodesic_km",
    "great_circle_km",
    "grouped_weighted_quantile",
    "load_hospitals",
    "load_population_grid",
    "load_regions",
    "load_service_points",
    "load_settlements",
    "nearest_service",
    "nearest_service_by_country",
    "nested_places",
    "old_new_comparison",
    "partner_area_indicators",
    "partner_areas",
    "partner_population_check",
    "partner_sensitivity",
    "proxy_check",
    "remoteness_agreement",
    "remoteness_disagreements",
    "remoteness_estimate",
    "sensitivity_summary",
    "service_centre_tiers",
    "service_distance_indicators",
    "service_points",
    "settlement_coverage",
    "settlement_sparsity",
    "share_nearest_abroad",
    "two_step_fca",
    "worst_disagreements",
    "write_indicator_layers",
]
