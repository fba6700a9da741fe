"""Service-distance geography: regions, settlements, service points, distances and indicators.

* :func:`load_regions` - NUTS 2021 regions plus Newfoundland and Labrador, the Faroe Islands and
  Greenland, with eligibility, partner flag, official statistics and typologies.
* :func:`load_settlements` / :func:`build_geonames_extract` - GeoNames places of 500+ inhabitants.
* :func:`service_centre_tiers` / :func:`load_service_points` - service points.
* :func:`nearest_service` / :func:`two_step_fca` - distances and accessibility.
* :func:`service_distance_indicators`, :func:`remoteness_estimate` - indicators per region.
"""

from .accessibility import catchment_pairs, decay_weights, two_step_fca
from .distance import geodesic_km, great_circle_km
from .indicators import (
    DEFAULT_THRESHOLDS_KM,
    accessibility_indicators,
    distance_summary,
    grouped_weighted_quantile,
    service_distance_indicators,
    settlement_sparsity,
    write_indicator_layers,
)
from .nearest import nearest_service
from .regions import assign_points_to_regions, load_regions, programme_area_summary
from .remoteness import (
    classify_remoteness,
    drive_time_threshold_km,
    remoteness_agreement,
    remoteness_disagreements,
    remoteness_estimate,
)
from .services import (
    DEFAULT_TIER_THRESHOLDS,
    ServicePointError,
    ServicePointProblem,
    load_service_points,
    service_centre_tiers,
)
from .settlements import build_geonames_extract, load_settlements, settlement_coverage

__all__ = [
    "DEFAULT_THRESHOLDS_KM",
    "DEFAULT_TIER_THRESHOLDS",
    "ServicePointError",
    "ServicePointProblem",
    "accessibility_indicators",
    "assign_points_to_regions",
    "build_geonames_extract",
    "catchment_pairs",
    "classify_remoteness",
    "decay_weights",
    "distance_summary",
    "drive_time_threshold_km",
    "geodesic_km",
    "great_circle_km",
    "grouped_weighted_quantile",
    "load_regions",
    "load_service_points",
    "load_settlements",
    "nearest_service",
    "programme_area_summary",
    "remoteness_agreement",
    "remoteness_disagreements",
    "remoteness_estimate",
    "service_centre_tiers",
    "service_distance_indicators",
    "settlement_coverage",
    "settlement_sparsity",
    "two_step_fca",
    "write_indicator_layers",
]
