"""The evidence base: the notebooks' inputs, the synthesis tables, every generated sentence, and publishing.

:mod:`~innocap_analysis.evidence.inputs` (which survey to load, and the intermediate tables of earlier
notebooks), :mod:`~innocap_analysis.evidence.synthesis` (per-region synthesis and findings),
:mod:`~innocap_analysis.evidence.sentences` (every sentence the package writes) and
:mod:`~innocap_analysis.evidence.publish` (every file goes out through :func:`save_figure`,
:func:`save_table`, :func:`save_layers` or :func:`save_interim`).
"""

from __future__ import annotations

from .inputs import (
    load_evidence_survey,
    load_interim,
    publishable_rejections,
    select_regions,
)
from .publish import (
    FIGURE_FORMATS,
    TABLE_FORMATS,
    check_output_name,
    figures_directory,
    output_directory,
    save_figure,
    save_interim,
    save_layers,
    save_table,
    tables_directory,
)
from .sentences import (
    ILLUSTRATIVE_CAVEAT,
    REAL_DATA_NOTE,
    achieved_power_sentence,
    alpha_range_sentence,
    awareness_sentences,
    coverage_sentences,
    data_note,
    density_range_sentence,
    disclosure_methods_paragraph,
    distance_burden_sentence,
    hospital_proxy_sentence,
    monte_carlo_choices_sentence,
    nearest_abroad_sentence,
    nuts3_burden_range_sentence,
    odds_ratio_sentence,
    power_sentence,
    rank_separation_sentence,
    remoteness_agreement_sentence,
    sensitivity_sentence,
    settlement_assignment_sentence,
    truth_sentence,
)
from .synthesis import (
    OVERALL_PRIORITY_RULE,
    findings_table,
    overall_priorities,
    region_synthesis,
)

__all__ = [
    "FIGURE_FORMATS",
    "ILLUSTRATIVE_CAVEAT",
    "OVERALL_PRIORITY_RULE",
    "REAL_DATA_NOTE",
    "TABLE_FORMATS",
    "achieved_power_sentence",
    "alpha_range_sentence",
    "awareness_sentences",
    "check_output_name",
    "coverage_sentences",
    "data_note",
    "density_range_sentence",
    "disclosure_methods_paragraph",
    "distance_burden_sentence",
    "figures_directory",
    "findings_table",
    "hospital_proxy_sentence",
    "load_evidence_survey",
    "load_interim",
    "monte_carlo_choices_sentence",
    "nearest_abroad_sentence",
    "nuts3_burden_range_sentence",
    "odds_ratio_sentence",
    "output_directory",
    "overall_priorities",
    "power_sentence",
    "publishable_rejections",
    "rank_separation_sentence",
    "region_synthesis",
    "remoteness_agreement_sentence",
    "save_figure",
    "save_interim",
    "save_layers",
    "save_table",
    "select_regions",
    "sensitivity_sentence",
    "settlement_assignment_sentence",
    "tables_directory",
    "truth_sentence",
]
