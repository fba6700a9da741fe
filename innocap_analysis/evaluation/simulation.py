"""Simulation studies of the evaluation's estimators on synthetic panels with a known effect.

:func:`panel_estimates` runs every estimator on one simulated panel beside the truth it targets,
:func:`recovery_study` repeats it over many panels and :func:`summarise_recovery` gives bias,
coverage and false-positive rates with Monte Carlo standard errors (Morris, White & Crowther
2019, *Statistics in Medicine* 38, 2074-2102). :func:`illustrative_waves` writes illustrative
two-wave exports and loads them through the survey loader, with the true effect on the item scale.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..survey import Codebook, Survey, load_codebook, load_survey
from ..survey.scoring import score_dimensions
from ..synthetic.panel import (
    ILLUSTRATIVE_EXPORT_NAME,
    ILLUSTRATIVE_PSEUDONYMISE_KEY,
    WAVES,
    PanelDesign,
    SyntheticPanel,
    item_level_export,
    simulate_panel,
    simulate_panels,
    without_programme_effect,
)
from .estimators import difference_in_differences, paired_change, unpaired_wave_comparison
from .linking import link_waves, scores_for_evaluation, validate_scores

#: Estimators checked by :func:`recovery_study` and the truth each one targets.
RECOVERY_TARGETS: dict[str, str] = {
    "did_linked": "delta",
    "did_all": "delta",
    "paired_participants": "participant_change",
    "paired_comparison": "comparison_change",
    "unpaired_participants": "participant_change",
}


def panel_estimates(
    panel: SyntheticPanel,
    dataset: int = 0,
    *,
    n_resamples: int = 1999,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Every estimator of :data:`RECOVERY_TARGETS` on one simulated panel, with the truth it targets.

    Returns one row per dimension x estimator: ``dimension``, ``estimate``, ``ci_low``,
    ``ci_high``, ``p_value``, ``dataset``, ``estimator``, ``truth``.
    """
    links = link_waves(panel.scores)
    paired = paired_change(
        links.pairs, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed
    )
    did_linked = difference_in_differences(
        links.pairs, sample="linked", confidence_level=confidence_level
    )
    did_all = difference_in_differences(
        panel.scores, sample="all", confidence_level=confidence_level
    )
    unpaired = unpaired_wave_comparison(panel.scores, confidence_level=confidence_level)
    columns = ["dimension", "estimate", "ci_low", "ci_high", "p_value"]
    parts = {
        "did_linked": did_linked[columns],
        "did_all": did_all[columns],
        "paired_participants": paired.loc[paired["group"] == "participants", columns],
        "paired_comparison": paired.loc[paired["group"] == "comparison", columns],
        "unpaired_participants": unpaired.loc[unpaired["group"] == "participants", columns],
    }
    truth = panel.truth.set_index("dimension")
    frames = []
    for estimator, part in parts.items():
        part = part.assign(dimension=part["dimension"].astype(str))
        frames.append(
            part.assign(
                dataset=dataset,
                estimator=estimator,
                truth=truth[RECOVERY_TARGETS[estimator]].reindex(part["dimension"]).to_numpy(),
            )
        )
    return pd.concat(frames, ignore_index=True)


def recovery_study(
    n_datasets: int,
    design: PanelDesign | None = None,
    *,
    seed: int = 0,
    n_resamples: int = 1999,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Estimate the programme effect on many simulated panels with a known truth.

    Parameters
    ----------
    n_datasets
        Number of independent simulated panels (the acceptance run uses >= 500).
    design
        The :class:`PanelDesign` (``delta=0`` for the false-positive rate).
    seed
        Master seed; each dataset gets an independent child seed.
    n_resamples
        Bootstrap resamples of the paired BCa interval.
    confidence_level
        Of every interval.

    Returns
    -------
    pandas.DataFrame
        One row per dataset x dimension x estimator (:data:`RECOVERY_TARGETS`): ``estimate``,
        ``ci_low``, ``ci_high``, ``p_value`` and the ``truth`` the estimator targets.
        Summarise with :func:`summarise_recovery`.
    """
    design = design or PanelDesign()
    panels = simulate_panels(n_datasets, design, seed=seed)
    return pd.concat(
        [
            panel_estimates(
                panel, i, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed + i
            )
            for i, panel in enumerate(panels)
        ],
        ignore_index=True,
    )


def summarise_recovery(results: pd.DataFrame, by: Sequence[str] = ("estimator",)) -> pd.DataFrame:
    """Coverage, bias and rejection rate of a :func:`recovery_study`.

    Returns
    -------
    pandas.DataFrame
        Per group: ``n`` (estimates), ``truth`` (mean), ``mean_estimate``, ``bias``
        (mean of estimate - truth), ``bias_mcse`` (its Monte Carlo SE), ``empirical_se``,
        ``coverage`` (share of intervals containing the truth), ``coverage_mcse``,
        ``rejection_rate`` (share with p < 0.05: the false-positive rate when the truth is
        0, the power otherwise) and ``rejection_mcse``.

    Notes
    -----
    Performance measures and Monte Carlo SEs as in Morris, T. P., White, I. R. & Crowther,
    M. J. (2019). Using simulation studies to evaluate statistical methods. *Statistics in
    Medicine*, 38, 2074-2102, Table 6.
    """
    data = results.dropna(subset=["estimate", "ci_low", "ci_high"]).assign(
        error=lambda d: d["estimate"] - d["truth"],
        covered=lambda d: (d["ci_low"] <= d["truth"]) & (d["truth"] <= d["ci_high"]),
        rejected=lambda d: d["p_value"] < 0.05,
    )
    summary = data.groupby(list(by), sort=True).agg(
        n=("error", "size"),
        truth=("truth", "mean"),
        mean_estimate=("estimate", "mean"),
        bias=("error", "mean"),
        empirical_se=("estimate", "std"),
        error_sd=("error", "std"),
        coverage=("covered", "mean"),
        rejection_rate=("rejected", "mean"),
    )
    summary["bias_mcse"] = summary["error_sd"] / np.sqrt(summary["n"])
    summary["coverage_mcse"] = np.sqrt(summary["coverage"] * (1 - summary["coverage"]) / summary["n"])
    summary["rejection_mcse"] = np.sqrt(
        summary["rejection_rate"] * (1 - summary["rejection_rate"]) / summary["n"]
    )
    columns = [
        "n",
        "truth",
        "mean_estimate",
        "bias",
        "bias_mcse",
        "empirical_se",
        "coverage",
        "coverage_mcse",
        "rejection_rate",
        "rejection_mcse",
    ]
    return summary[columns].reset_index()


@dataclass(frozen=True)
class IllustrativeWaves:
    """Result of :func:`illustrative_waves`.

    Attributes
    ----------
    panel
        The score-level :class:`SyntheticPanel` the items were generated from.
    survey
        The two waves loaded by :func:`~innocap_analysis.survey.load_survey` (pseudonymised).
    truth
        One row per dimension: ``delta`` and ``wave_shift`` (the design's effect and
        secular change, latent score points), ``item_scale_effect`` (the programme effect
        on participants on the scale of the dimension scores, the mean of the capability
        items: mean over participants' follow-up responses of their score minus the score
        they would have had without the programme, same item noise) and
        ``n_participant_follow_up`` (responses that mean is over).
    """

    panel: SyntheticPanel
    survey: Survey
    truth: pd.DataFrame


def illustrative_waves(
    design: PanelDesign | None = None,
    *,
    seed: int = 0,
    codebook: Codebook | str | Path | None = None,
    pseudonymise_key: str = ILLUSTRATIVE_PSEUDONYMISE_KEY,
) -> IllustrativeWaves:
    """Illustrative baseline and follow-up exports, loaded through the same loader as real exports.

    Simulates a panel (:func:`simulate_panel`), writes its item-level export
    (:func:`item_level_export`) as a CSV into a temporary directory (deleted before
    returning; nothing is written into the repository) and loads it with
    :func:`~innocap_analysis.survey.load_survey` (``errors="raise"``, pseudonymised). The
    counterfactual export without the programme effect (:func:`without_programme_effect`,
    same seed) is scored the same way to give the true effect on the item scale.

    Parameters
    ----------
    design
        The :class:`PanelDesign` (default: the planned programme).
    seed
        Seed of the panel and of the item noise.
    codebook
        Instrument (a :class:`Codebook` or YAML path); default INNOCAP v1.
    pseudonymise_key
        Key of the loader's keyed hash (not secret for synthetic data).

    Returns
    -------
    IllustrativeWaves
    """
    cb = (
        codebook if codebook is not None and not isinstance(codebook, str | Path) else load_codebook(codebook)
    )
    panel = simulate_panel(design, seed=seed)
    counterfactual = without_programme_effect(panel)
    tidy = {}
    surveys = {}
    with tempfile.TemporaryDirectory(prefix="innocap_waves_") as directory:
        for name, source in (("actual", panel), ("counterfactual", counterfactual)):
            path = Path(directory) / name / ILLUSTRATIVE_EXPORT_NAME
            path.parent.mkdir()
            item_level_export(source, codebook=cb, seed=seed).to_csv(path, index=False)
            surveys[name] = load_survey(path, codebook=cb, pseudonymise_key=pseudonymise_key)
            tidy[name] = scores_for_evaluation(
                score_dimensions(surveys[name]), surveys[name].responses
            )
    actual = validate_scores(tidy["actual"])
    effect = actual["score"] - tidy["counterfactual"]["score"].to_numpy(float)
    treated = (actual["wave"] == WAVES[1]) & actual["participant"]
    item_effect = (
        effect[treated].groupby(actual.loc[treated, "dimension"], observed=True).agg(["mean", "count"])
    )
    design = panel.design
    truth = pd.DataFrame(
        {
            "dimension": list(design.dimensions),
            "delta": [design.delta_for(d) for d in design.dimensions],
            "wave_shift": design.wave_shift,
            "item_scale_effect": item_effect["mean"].reindex(list(design.dimensions)).to_numpy(float),
            "n_participant_follow_up": item_effect["count"].reindex(list(design.dimensions)).to_numpy(int),
        }
    )
    return IllustrativeWaves(panel=panel, survey=surveys["actual"], truth=truth)
