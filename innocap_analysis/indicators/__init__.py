"""Survey indicators: capability profiles, demand and supply, measurement quality, the capability index.

Each function takes a loaded :class:`~innocap_analysis.survey.Survey` or its tidy dimension scores
(:func:`~innocap_analysis.survey.scoring.score_dimensions`) and returns a tidy table, suppressed below the
minimum cell size where it describes groups of respondents.
"""

from __future__ import annotations

from .capability import (
    DEFAULT_SPEC,
    CapabilityIndex,
    GroupIndicators,
    ScoreSpec,
    capability_index,
    group_indicator_matrix,
    group_rank_uncertainty,
)
from .demand_supply import (
    IPA_QUADRANTS,
    IPA_RULE,
    NEED_SUPPLY_RULE,
    awareness_shares,
    ipa_table,
    item_texts,
    need_and_supply,
    resolve_cluster,
    role_means,
)
from .matched import (
    MATCHED_RULE,
    matched_gaps,
    matched_need_gap_scores,
)
from .measurement import (
    dimension_validity,
    item_dif,
    ordinal_odds_ratios_by_item,
    reliability_table,
)
from .priorities import (
    PRIORITY_RANK1_THRESHOLD,
    PRIORITY_RULE,
    priority_uncertainty,
)
from .profiles import (
    barrier_shares,
    capability_by_group,
    dimension_items,
    heatmap_layout,
    likert_counts,
    pairwise_by_dimension,
    scale_labels,
)

__all__ = [
    "MATCHED_RULE",
    "dimension_validity",
    "item_dif",
    "matched_gaps",
    "matched_need_gap_scores",
    "CapabilityIndex",
    "DEFAULT_SPEC",
    "GroupIndicators",
    "IPA_QUADRANTS",
    "IPA_RULE",
    "NEED_SUPPLY_RULE",
    "PRIORITY_RANK1_THRESHOLD",
    "PRIORITY_RULE",
    "ScoreSpec",
    "awareness_shares",
    "barrier_shares",
    "capability_by_group",
    "capability_index",
    "dimension_items",
    "group_indicator_matrix",
    "group_rank_uncertainty",
    "heatmap_layout",
    "ipa_table",
    "item_texts",
    "likert_counts",
    "need_and_supply",
    "ordinal_odds_ratios_by_item",
    "pairwise_by_dimension",
    "priority_uncertainty",
    "reliability_table",
    "resolve_cluster",
    "role_means",
    "scale_labels",
]
