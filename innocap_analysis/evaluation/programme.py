"""The programme evaluation in one call, and the two-wave input of notebook 07.

:func:`evaluate_programme` runs every estimator and returns tidy tables per dimension, with
estimates from fewer than ``config.MIN_CELL_SIZE`` respondents suppressed.
:func:`evaluation_input` gives notebook 07 its table (real two-wave exports, or illustrative
waves with a known effect, both through ``load_survey``), and :func:`truth_comparison` sets
illustrative estimates beside the truth.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from .. import config
from ..disclosure import FIXED, protect_groups, protect_rows
from ..survey import load_survey
from ..survey.scoring import score_dimensions
from ..synthetic.panel import PanelDesign
from .estimators import (
    PARALLEL_TRENDS,
    Estimator,
    attrition_analysis,
    difference_in_differences,
    paired_change,
    unpaired_wave_comparison,
)
from .linking import BASELINE, FOLLOW_UP, link_waves, scores_for_evaluation
from .simulation import illustrative_waves

# --------------------------------------------------------------------------- disclosure control

_GROUPS = ["group"]


def protect_evaluation_tables(
    paired: pd.DataFrame,
    unpaired: pd.DataFrame,
    did: pd.DataFrame,
    response: pd.DataFrame,
    baseline_difference: pd.DataFrame,
    linking: pd.DataFrame,
    *,
    attrition_by: Sequence[str] = (),
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> tuple[pd.DataFrame, ...]:
    """The evaluation tables through :mod:`innocap_analysis.disclosure`, ready to publish.

    * Group sizes (participants, comparison, and their sum ``all``) get the threshold rule and
      secondary suppression within each dimension (:func:`~innocap_analysis.disclosure.protect_groups`);
      the estimates of a masked group are masked.
    * In the paired table, the count of respondents with no change gets the threshold rule; the
      Wilcoxon statistic and the rank-biserial correlation, computed without the zeros, would give
      it back, so they are masked with it.
    * In the difference-in-differences table, participants and comparison respondents split a
      total published elsewhere (:func:`~innocap_analysis.disclosure.protect_rows`).
    * The linking report's counts get the threshold rule and secondary suppression across categories.
    """
    by = list(attrition_by)
    paired = protect_groups(paired, _GROUPS, within=["dimension"], counts=["n"], min_n=min_cell_size)
    paired = protect_rows(paired, keys=["dimension", "group"], total="n", parts=["n_zero_change"],
                          complement="n_nonzero_change", complement_columns=["wilcoxon_statistic", "rank_biserial"],
                          other_counts=["n_missing_score"], total_role=FIXED, min_n=min_cell_size)
    unpaired = protect_groups(unpaired, _GROUPS, within=["dimension"], counts=["n_baseline", "n_follow_up"],
                              min_n=min_cell_size)
    estimates = [c for c in did.select_dtypes("number").columns
                 if c not in ("n_participants", "n_comparison", "n_without_organisation", "n_clusters")]
    did = protect_rows(did.assign(_total=did["n_participants"] + did["n_comparison"]),
                       keys=["dimension", "estimator"], total="_total", parts=["n_participants", "n_comparison"],
                       other_counts=["n_without_organisation"], total_role=FIXED,
                       derived={c: ["n_participants", "n_comparison"] for c in estimates},
                       min_n=min_cell_size).drop(columns="_total")
    did.attrs["assumption"] = PARALLEL_TRENDS
    response = protect_groups(response, _GROUPS, within=by, counts=["n_baseline", "n_linked_follow_up"],
                              pooled="all", min_n=min_cell_size)
    baseline_difference = protect_groups(baseline_difference, _GROUPS, within=["dimension"],
                                         counts=["n_linked", "n_not_linked"], pooled="all", min_n=min_cell_size)
    link_counts = [c for c in ("n_keys", "n_baseline_responses", "n_follow_up_responses") if c in linking]
    linking = protect_groups(linking, ["category"], counts=link_counts, values=[], whole_rows=False,
                             min_n=min_cell_size)
    return paired, unpaired, did, response, baseline_difference, linking


# --------------------------------------------------------------------------- evaluate


@dataclass(frozen=True)
class ProgrammeEvaluation:
    """All results of :func:`evaluate_programme` (tidy tables, no panel keys).

    ``pairs`` is individual-level (anonymous pair ids, for the change-distribution figure);
    every other table is ready to publish (small cells suppressed when ``suppress=True``).
    """

    linking: pd.DataFrame
    paired: pd.DataFrame
    unpaired: pd.DataFrame
    did: pd.DataFrame
    attrition_response: pd.DataFrame
    attrition_baseline: pd.DataFrame
    pairs: pd.DataFrame

    @property
    def estimates(self) -> pd.DataFrame:
        """One tidy table of every estimate with its interval and ``n`` (respondents behind it; for the forest plot)."""
        columns = ["dimension", "group", "estimator", "estimate", "ci_low", "ci_high", "p_value", "n"]
        unpaired = self.unpaired.assign(n=self.unpaired["n_baseline"] + self.unpaired["n_follow_up"])
        did = self.did.assign(group="participants vs comparison",
                              n=self.did["n_participants"] + self.did["n_comparison"])
        return pd.concat([self.paired[columns], unpaired[columns], did[columns]], ignore_index=True)


def evaluate_programme(
    scores: pd.DataFrame,
    *,
    baseline: str = BASELINE,
    follow_up: str = FOLLOW_UP,
    confidence_level: float = 0.95,
    n_resamples: int = 9999,
    seed: int = 0,
    attrition_by: Sequence[str] = (),
    suppress: bool = True,
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> ProgrammeEvaluation:
    """Evaluate the programme on a tidy score table of two survey waves, per dimension.

    Parameters
    ----------
    scores
        Tidy dimension scores (:data:`EVALUATION_SCORE_COLUMNS`; ``wave`` in {baseline, follow_up},
        ``participant`` yes/no). Scores in any unit (scale range or 0-100); estimates are
        in the same unit.
    baseline, follow_up
        Wave labels.
    confidence_level
        Of every interval.
    n_resamples, seed
        Of the BCa bootstrap.
    attrition_by
        Extra grouping of the attrition response table (for example ``("region",)``).
    suppress
        Protect every table for publication (:func:`protect_evaluation_tables`): small counts and the
        estimates that rest on them masked, with secondary suppression.
    min_cell_size
        Threshold of the small-cell rule (``config.MIN_CELL_SIZE``).

    Returns
    -------
    ProgrammeEvaluation
        Linking report, paired change, unpaired wave comparison, difference-in-differences
        on linked respondents and on all responses, attrition tables, anonymous pairs.
    """
    links = link_waves(scores, baseline=baseline, follow_up=follow_up)
    paired = paired_change(links.pairs, confidence_level=confidence_level, n_resamples=n_resamples, seed=seed)
    unpaired = unpaired_wave_comparison(
        scores, confidence_level=confidence_level, baseline=baseline, follow_up=follow_up
    )
    did = pd.concat(
        [
            difference_in_differences(links.pairs, sample="linked", confidence_level=confidence_level),
            difference_in_differences(
                scores,
                sample="all",
                confidence_level=confidence_level,
                baseline=baseline,
                follow_up=follow_up,
            ),
        ],
        ignore_index=True,
    )
    did.attrs["assumption"] = PARALLEL_TRENDS
    attrition = attrition_analysis(links, by=attrition_by, confidence_level=confidence_level)
    response, baseline_difference = attrition.response, attrition.baseline_difference
    linking = links.report
    if suppress:
        paired, unpaired, did, response, baseline_difference, linking = protect_evaluation_tables(
            paired, unpaired, did, response, baseline_difference, linking, attrition_by=attrition_by,
            min_cell_size=min_cell_size,
        )
    return ProgrammeEvaluation(
        linking=linking,
        paired=paired,
        unpaired=unpaired,
        did=did,
        attrition_response=response,
        attrition_baseline=baseline_difference,
        pairs=links.pairs,
    )


# --------------------------------------------------------------------------- notebook input

#: Environment variable holding the pseudonymisation key for real two-wave exports.
PSEUDONYMISE_KEY_ENV = "INNOCAP_PSEUDONYMISE_KEY"


@dataclass(frozen=True)
class EvaluationInput:
    """What notebook 07 evaluates (from :func:`evaluation_input`).

    Attributes
    ----------
    scores
        Tidy score table (:data:`EVALUATION_SCORE_COLUMNS`, capability scores in scale units).
    truth
        For illustrative data, the truth behind it (see
        :class:`~innocap_analysis.synthetic_panel.IllustrativeWaves`); ``None`` for real exports.
    design
        The :class:`~innocap_analysis.synthetic_panel.PanelDesign` of illustrative data; ``None`` for real.
    n_rejected
        Rows the loader rejected (``errors="report"`` for real exports; 0 for illustrative data).
    illustrative
        Whether the scores are the illustrative (synthetic) waves.
    source
        One sentence saying where the scores come from (and why, when real exports without a
        follow-up wave were replaced by illustrative waves).
    """

    scores: pd.DataFrame
    truth: pd.DataFrame | None
    design: PanelDesign | None
    n_rejected: int
    illustrative: bool
    source: str


def evaluation_input(
    survey_paths: Sequence[str] | None = None,
    codebook_path: str | None = None,
    *,
    region_selection: Sequence[str] | None = None,
    seed: int = 0,
    design: PanelDesign | None = None,
    pseudonymise_key: str | None = None,
) -> EvaluationInput:
    """The two-wave score table for the evaluation, from real exports or illustrative ones.

    Both routes use the same chain: exports -> :func:`~innocap_analysis.survey.load_survey`
    (pseudonymised) -> :func:`~innocap_analysis.scoring.score_dimensions` ->
    :func:`scores_for_evaluation`.

    Parameters
    ----------
    survey_paths
        Exports holding both waves (``wave``, ``participant`` and panel-key columns, and an
        organisation column). ``None``: illustrative waves from
        :func:`~innocap_analysis.synthetic_panel.illustrative_waves` (written to a temporary
        directory, never into the repository).
    codebook_path
        Instrument YAML; ``None`` is INNOCAP v1.
    region_selection
        Partner-region keys to keep; ``None`` keeps all.
    seed
        Seed of the illustrative data.
    design
        :class:`~innocap_analysis.synthetic_panel.PanelDesign` of the illustrative data (default: the plan).
    pseudonymise_key
        Key of the keyed hash for real exports; default the environment variable
        :data:`PSEUDONYMISE_KEY_ENV` (organisations can only be clustered when pseudonymised).

    Real exports that hold no follow-up wave yet (no ``wave`` column, or no ``follow_up``
    response) cannot be evaluated: the illustrative waves are used instead, and
    :attr:`EvaluationInput.illustrative` and :attr:`EvaluationInput.source` say so, so that a
    build on baseline-only exports still completes and labels these outputs as synthetic.

    Raises
    ------
    ValueError
        For real two-wave exports without a pseudonymisation key, or without the panel-key or
        participant columns (from :func:`scores_for_evaluation`).
    """
    def illustrative(reason: str) -> EvaluationInput:
        waves = illustrative_waves(design, seed=seed, codebook=codebook_path)
        return EvaluationInput(
            scores=scores_for_evaluation(score_dimensions(waves.survey), waves.survey.responses),
            truth=waves.truth,
            design=waves.panel.design,
            n_rejected=int(waves.survey.report.rows_rejected),
            illustrative=True,
            source=reason,
        )

    if survey_paths is None:
        data = illustrative(
            "Illustrative two-wave exports, simulated with a known programme effect "
            "(synthetic_panel.illustrative_waves) and loaded by load_survey."
        )
    else:
        key = pseudonymise_key or os.environ.get(PSEUDONYMISE_KEY_ENV) or None
        paths = list(survey_paths)
        survey = load_survey(paths, codebook=codebook_path, errors="report", pseudonymise_key=key)
        waves_present = (
            survey.responses["wave"] if "wave" in survey.responses.columns else pd.Series(dtype=object)
        )
        if not waves_present.astype("string").eq(FOLLOW_UP).any():
            data = illustrative(
                f"The {len(paths)} real export(s) hold no follow-up wave yet, so the evaluation below runs on "
                "illustrative (synthetic) two-wave exports instead; it shows the method, not a finding."
            )
        else:
            if key is None:
                raise ValueError(
                    "real two-wave exports need a pseudonymisation key (organisations are clustered by "
                    f"their keyed hash): set the environment variable {PSEUDONYMISE_KEY_ENV} "
                    "(keep it out of the repository)"
                )
            data = EvaluationInput(
                scores=scores_for_evaluation(score_dimensions(survey), survey.responses),
                truth=None,
                design=None,
                n_rejected=int(survey.report.rows_rejected),
                illustrative=False,
                source=f"The partners' real two-wave exports ({len(paths)} file(s)).",
            )
    scores = data.scores
    if region_selection is not None:
        scores = scores[scores["region"].astype(str).isin(list(region_selection))].reset_index(drop=True)
    return replace(data, scores=scores)


def truth_comparison(did: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Set the difference-in-differences estimates beside the known truth of illustrative data.

    Parameters
    ----------
    did
        :attr:`ProgrammeEvaluation.did` (both samples).
    truth
        :attr:`EvaluationInput.truth` (``dimension``, ``item_scale_effect``).

    Returns
    -------
    pandas.DataFrame
        One row per dimension x DiD sample: ``dimension``, ``estimator`` (short: ``linked``
        or ``all``), ``true_effect`` (item scale), ``estimate``, ``ci_low``, ``ci_high``,
        ``error`` (estimate minus truth) and ``covered`` (the interval contains the truth;
        ``<NA>`` when the estimate is suppressed).
    """
    short = {Estimator.DID_LINKED.label: "linked", Estimator.DID_ALL.label: "all"}
    table = did[["dimension", "estimator", "estimate", "ci_low", "ci_high"]].assign(
        dimension=did["dimension"].astype(str), estimator=did["estimator"].map(short)
    )
    true = truth.assign(dimension=truth["dimension"].astype(str)).set_index("dimension")["item_scale_effect"]
    table.insert(2, "true_effect", true.reindex(table["dimension"]).to_numpy(float))
    table["error"] = table["estimate"] - table["true_effect"]
    covered = (table["ci_low"] <= table["true_effect"]) & (table["true_effect"] <= table["ci_high"])
    table["covered"] = covered.astype("boolean").mask(table["estimate"].isna())
    return table.reset_index(drop=True)
