"""Statistics on plain tables: reliability, group comparisons, power, clustering (ICC, design
effect), and the intervals they share.

Nothing here knows the survey or the geography: functions take numpy arrays or tidy DataFrames.
"""

from __future__ import annotations

from .compare import (
    PairwiseMethod,
    cliffs_delta,
    epsilon_squared,
    eta_squared_h,
    group_summaries,
    kruskal_by,
    kruskal_wallis,
    ordinal_odds_ratios,
    pairwise_comparisons,
)
from .design_effect import (
    IntraclassCorrelation,
    design_effect,
    icc_oneway,
    icc_reml,
)
from .intervals import (
    BootstrapInterval,
    WelchDifference,
    bootstrap_interval,
    welch_difference,
)
from .power import (
    achieved_power,
    minimum_detectable_effect,
    power_table,
)
from .reliability import (
    AlphaResult,
    NanPolicy,
    OmegaResult,
    cronbach_alpha,
    feldt_interval,
    item_statistics,
    mcdonald_omega,
)

__all__ = [
    "AlphaResult",
    "BootstrapInterval",
    "IntraclassCorrelation",
    "NanPolicy",
    "OmegaResult",
    "PairwiseMethod",
    "WelchDifference",
    "achieved_power",
    "bootstrap_interval",
    "cliffs_delta",
    "cronbach_alpha",
    "design_effect",
    "epsilon_squared",
    "eta_squared_h",
    "feldt_interval",
    "group_summaries",
    "icc_oneway",
    "icc_reml",
    "item_statistics",
    "kruskal_by",
    "kruskal_wallis",
    "mcdonald_omega",
    "minimum_detectable_effect",
    "ordinal_odds_ratios",
    "pairwise_comparisons",
    "power_table",
    "welch_difference",
]
