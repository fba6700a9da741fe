"""Composite indicators after the JRC/OECD Handbook, with COINr as the model.

:mod:`~innocap_analysis.composite.structure` (the hierarchy), :mod:`~innocap_analysis.composite.steps`
(denominate, impute, treat, normalise, aggregate), :mod:`~innocap_analysis.composite.pipeline` (all
steps in one call) and :mod:`~innocap_analysis.composite.uncertainty` (Monte Carlo over the modelling
choices, sensitivity indices). The survey's capability index built on it is
:mod:`innocap_analysis.indicators.capability`.
"""

from __future__ import annotations

from .._compat import moved
from .pipeline import (
    CompositeResult,
    build_composite,
    composite_index,
)
from .steps import (
    AGGREGATION_METHODS,
    NORMALISATION_METHODS,
    AggregationMethod,
    NormalisationMethod,
    TreatmentResult,
    aggregate,
    denominate,
    impute_group_mean,
    kurtosis,
    normalise,
    pca_weights,
    skewness,
    treat_outliers,
)
from .structure import (
    Hierarchy,
    parse_structure,
    structure_from_coinr,
)
from .uncertainty import (
    UncertaintyResult,
    dominance_pairs,
    rank_interval_pairs,
    sensitivity_analysis,
    uncertainty_analysis,
)

__all__ = [
    "AGGREGATION_METHODS",
    "AggregationMethod",
    "CompositeResult",
    "Hierarchy",
    "NORMALISATION_METHODS",
    "NormalisationMethod",
    "TreatmentResult",
    "UncertaintyResult",
    "aggregate",
    "build_composite",
    "composite_index",
    "denominate",
    "dominance_pairs",
    "impute_group_mean",
    "kurtosis",
    "normalise",
    "parse_structure",
    "pca_weights",
    "rank_interval_pairs",
    "sensitivity_analysis",
    "skewness",
    "structure_from_coinr",
    "treat_outliers",
    "uncertainty_analysis",
]


# Names that lived here before the 0.2 layout (deprecated, removed in the next release).
__getattr__ = moved(__name__, ["innocap_analysis.indicators.capability", "innocap_analysis.evidence.sentences"])
