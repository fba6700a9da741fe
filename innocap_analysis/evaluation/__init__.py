"""Programme evaluation across survey waves: did the capacity-building programme raise capability?

:mod:`~innocap_analysis.evaluation.linking` (the tidy input and the linking of waves),
:mod:`~innocap_analysis.evaluation.estimators` (paired change, unpaired comparison,
difference-in-differences, attrition), :mod:`~innocap_analysis.evaluation.programme` (everything in one
call, and notebook 07's input), :mod:`~innocap_analysis.evaluation.planning` (the baseline's clustering and
the follow-up's power with the design effect) and :mod:`~innocap_analysis.evaluation.simulation` (recovery
studies on synthetic panels with a known effect).
"""

from __future__ import annotations

from .._compat import moved
from ..disclosure import suppress_small_estimates
from .estimators import (
    ESTIMATOR_LABELS,
    PARALLEL_TRENDS,
    Attrition,
    Estimator,
    attrition_analysis,
    difference_in_differences,
    paired_change,
    rank_biserial,
    unpaired_wave_comparison,
)
from .linking import (
    BASELINE,
    EVALUATION_SCORE_COLUMNS,
    FOLLOW_UP,
    GROUP_LABELS,
    LINK_MEANINGS,
    WaveLinks,
    link_waves,
    scores_for_evaluation,
    validate_scores,
)
from .planning import (
    PLANNING_ICC_RULE,
    PowerPlan,
    baseline_icc,
    power_plan,
    required_participants,
)
from .programme import (
    PSEUDONYMISE_KEY_ENV,
    EvaluationInput,
    ProgrammeEvaluation,
    evaluate_programme,
    evaluation_input,
    protect_evaluation_tables,
    truth_comparison,
)
from .simulation import (
    RECOVERY_TARGETS,
    IllustrativeWaves,
    illustrative_waves,
    panel_estimates,
    recovery_study,
    summarise_recovery,
)

__all__ = [
    "Attrition",
    "BASELINE",
    "ESTIMATOR_LABELS",
    "EVALUATION_SCORE_COLUMNS",
    "Estimator",
    "EvaluationInput",
    "FOLLOW_UP",
    "GROUP_LABELS",
    "IllustrativeWaves",
    "LINK_MEANINGS",
    "PARALLEL_TRENDS",
    "PLANNING_ICC_RULE",
    "PSEUDONYMISE_KEY_ENV",
    "PowerPlan",
    "ProgrammeEvaluation",
    "RECOVERY_TARGETS",
    "WaveLinks",
    "attrition_analysis",
    "baseline_icc",
    "difference_in_differences",
    "evaluate_programme",
    "evaluation_input",
    "illustrative_waves",
    "link_waves",
    "paired_change",
    "panel_estimates",
    "power_plan",
    "rank_biserial",
    "recovery_study",
    "required_participants",
    "scores_for_evaluation",
    "summarise_recovery",
    "protect_evaluation_tables",
    "suppress_small_estimates",
    "truth_comparison",
    "unpaired_wave_comparison",
    "validate_scores",
]

# Names that lived here before the 0.2 layout (deprecated, removed in the next release).
__getattr__ = moved(__name__, ["innocap_analysis.evidence.sentences", "innocap_analysis.evaluation.linking"],
                    {"SCORE_COLUMNS": "EVALUATION_SCORE_COLUMNS"})
