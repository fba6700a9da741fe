"""Illustrative baseline and follow-up survey waves with a documented true programme effect.

The generator works at the level of dimension scores (not items) so that the
simulation studies of :mod:`innocap_analysis.evaluation` run fast. For respondent
``i`` in organisation ``o``, dimension ``d`` and wave ``t`` (0 = baseline, 1 = follow-up)::

    score[i, d, t] = baseline_mean + gap * P[i] + u[o] + a[i, d]
                     + t * (wave_shift + delta * P[i] + v[o, d])
                     + e[i, d, t]

with ``u ~ N(0, organisation_sd)`` (stable organisation level), ``a ~ N(0, person_sd)``
(stable person level), ``v ~ N(0, organisation_change_sd)`` (an organisation-wide shock
between waves, which makes changes correlated within organisations), and
``e ~ N(0, noise_sd)`` (occasion noise). ``P`` is the participant flag. The true
programme effect on participants is ``delta`` (score points, on a 0-100-like scale that
is **not** clipped, so that the truth is exactly ``delta``); ``wave_shift`` is the
secular change that comparison respondents also experience; ``gap`` is a baseline
difference between participants and comparison respondents (selection into the
programme), which difference-in-differences removes.

Attrition depends on baseline capability: the probability of answering the follow-up is
``expit(logit(response_rate) + attrition_slope * z)``, where ``z`` is the standardised
stable level ``u + mean_d a`` (people who start low drop out more when the slope is
positive). Because it depends on the stable level and not on the occasion noise, the
mean change among those who stay is still unbiased for the population change, while an
unpaired comparison of the waves is biased upwards — which is what the attrition analysis
should reveal. Partial linking: a follow-up respondent keeps their panel key with
probability ``link_rate``; otherwise they get a fresh key (a broken link). Key
collisions: a fraction ``duplicate_rate`` of respondents is given the key of another
respondent (two different people under one key), which the linker must exclude.

Reference: the design follows the two-period panel of Angrist & Pischke (2009),
*Mostly Harmless Econometrics*, ch. 5, with selective attrition as in Little & Rubin
(2019), *Statistical Analysis with Missing Data*, 3rd ed., ch. 1 (MAR given the stable level).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from . import evaluation

if TYPE_CHECKING:
    from .survey import Codebook, Survey

DIMENSIONS: tuple[str, ...] = ("digital_solutions", "procurement", "delivery_models", "skills")
WAVES: tuple[str, str] = ("baseline", "follow_up")
REGIONS: tuple[str, ...] = (
    "donegal",
    "vasternorrland",
    "south_savo",
    "south_iceland",
    "newfoundland_labrador",
)
STAKEHOLDERS: tuple[str, ...] = ("public_sector", "sme", "hei_research")


@dataclass(frozen=True)
class PanelDesign:
    """Parameters of the synthetic two-wave panel (score points on a 0-100-like scale).

    Attributes
    ----------
    n_participants, n_comparison
        Baseline respondents in each group (the programme plans >= 120 trained users).
    n_organisations
        Organisations (clusters); respondents are assigned to them at random.
    delta
        True programme effect on participants' change, in score points (the truth that
        difference-in-differences estimates), one value for every dimension or a mapping
        dimension -> value.
    wave_shift
        Secular change between waves that affects everyone, in score points.
    participant_gap
        Baseline difference participants minus comparison, in score points.
    baseline_mean, organisation_sd, person_sd, organisation_change_sd, noise_sd
        Components of the score model (see the module docstring).
    response_rate
        Probability of answering the follow-up at average baseline capability.
    attrition_slope
        Log-odds change in answering per SD of stable baseline capability.
    link_rate
        Probability that a follow-up respondent keeps their panel key.
    duplicate_rate
        Fraction of respondents given another respondent's key (a key collision).
    """

    n_participants: int = 120
    n_comparison: int = 60
    n_organisations: int = 30
    delta: float | dict[str, float] = 5.0
    wave_shift: float = 2.0
    participant_gap: float = -3.0
    baseline_mean: float = 50.0
    organisation_sd: float = 5.0
    person_sd: float = 12.0
    organisation_change_sd: float = 0.0
    noise_sd: float = 8.0
    response_rate: float = 0.75
    attrition_slope: float = 0.5
    link_rate: float = 0.9
    duplicate_rate: float = 0.02
    dimensions: tuple[str, ...] = field(default=DIMENSIONS)

    def __post_init__(self) -> None:
        for name in ("response_rate", "link_rate"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"PanelDesign.{name} must be in (0, 1], got {value!r}")
        if not 0 <= self.duplicate_rate < 0.5:
            raise ValueError(f"PanelDesign.duplicate_rate must be in [0, 0.5), got {self.duplicate_rate!r}")
        for name in ("n_participants", "n_comparison", "n_organisations"):
            if getattr(self, name) < 1:
                raise ValueError(f"PanelDesign.{name} must be >= 1, got {getattr(self, name)!r}")
        if isinstance(self.delta, dict) and set(self.delta) != set(self.dimensions):
            raise ValueError(
                f"PanelDesign.delta keys {sorted(self.delta)} must equal the dimensions {sorted(self.dimensions)}"
            )

    def delta_for(self, dimension: str) -> float:
        """True programme effect (score points) for one dimension."""
        return float(self.delta[dimension]) if isinstance(self.delta, dict) else float(self.delta)


@dataclass(frozen=True)
class SyntheticPanel:
    """A simulated two-wave panel and the truth behind it.

    Attributes
    ----------
    scores
        Tidy score table with :data:`SCORE_COLUMNS` (one row per respondent x wave x
        dimension; panel keys are pseudonymous ``"K0001"``-style strings).
    truth
        One row per dimension: ``delta`` (the true participant effect, score points),
        ``wave_shift``, ``participant_change`` (= wave_shift + delta, the population mean
        change of participants), ``comparison_change`` (= wave_shift).
    design
        The :class:`PanelDesign` used.
    people
        One row per simulated person (``person``, ``participant``, ``organisation_key``,
        ``responded_follow_up``, ``link_broken``, ``key_collision``); simulation truth for tests.
    """

    scores: pd.DataFrame
    truth: pd.DataFrame
    design: PanelDesign
    people: pd.DataFrame


def simulate_panel(
    design: PanelDesign | None = None, *, seed: int | np.random.Generator = 0
) -> SyntheticPanel:
    """Simulate baseline and follow-up dimension scores with a known programme effect.

    Parameters
    ----------
    design
        The :class:`PanelDesign`; the default is the planned programme (120 participants,
        60 comparison respondents, true effect 5 points, 75% response, 90% linking).
    seed
        Seed or generator for :func:`numpy.random.default_rng`.

    Returns
    -------
    SyntheticPanel
        Scores, the per-dimension truth, the design and the per-person simulation truth.

    Notes
    -----
    The model is in the module docstring. Scores are continuous and unclipped, so the
    truth is exactly ``delta``. Participant effect, attrition and linking follow
    Angrist & Pischke (2009, ch. 5) and Little & Rubin (2019, ch. 1).
    """
    design = design or PanelDesign()
    rng = np.random.default_rng(seed)
    n = design.n_participants + design.n_comparison
    n_dim = len(design.dimensions)
    participant = np.r_[np.ones(design.n_participants, bool), np.zeros(design.n_comparison, bool)]
    organisation = rng.integers(0, design.n_organisations, size=n)
    region = rng.integers(0, len(REGIONS), size=n)
    stakeholder = rng.integers(0, len(STAKEHOLDERS), size=n)

    org_level = rng.normal(0, design.organisation_sd, size=design.n_organisations)[organisation]
    person_level = rng.normal(0, design.person_sd, size=(n, n_dim))
    org_change = rng.normal(0, design.organisation_change_sd, size=(design.n_organisations, n_dim))[
        organisation
    ]
    delta = np.array([design.delta_for(d) for d in design.dimensions])

    stable = (
        design.baseline_mean
        + design.participant_gap * participant[:, None]
        + org_level[:, None]
        + person_level
    )
    baseline = stable + rng.normal(0, design.noise_sd, size=(n, n_dim))
    change = design.wave_shift + delta[None, :] * participant[:, None] + org_change
    follow_up = stable + change + rng.normal(0, design.noise_sd, size=(n, n_dim))

    # Attrition on the standardised stable level (MAR given it; see module docstring).
    stable_level = org_level + person_level.mean(axis=1)
    z = (stable_level - stable_level.mean()) / stable_level.std()
    responded = rng.random(n) < expit(logit(design.response_rate) + design.attrition_slope * z)
    link_broken = responded & (rng.random(n) >= design.link_rate)

    keys = np.array([f"K{i:04d}" for i in range(n)], dtype=object)
    # Collisions: a chosen person takes another (random, different) person's key.
    colliding = rng.random(n) < design.duplicate_rate
    donor = (np.flatnonzero(colliding) + rng.integers(1, n, size=colliding.sum())) % n
    keys_baseline = keys.copy()
    keys_baseline[colliding] = keys[donor]
    keys_follow = keys_baseline.copy()
    keys_follow[link_broken] = [f"N{i:04d}" for i in np.flatnonzero(link_broken)]
    key_collision = pd.Series(keys_baseline).duplicated(keep=False).to_numpy()

    def wave_table(wave: str, rows: np.ndarray, values: np.ndarray, wave_keys: np.ndarray) -> pd.DataFrame:
        idx = np.flatnonzero(rows)
        return pd.DataFrame(
            {
                "panel_key": np.repeat(wave_keys[idx], n_dim),
                "organisation_key": np.repeat([f"ORG{o:03d}" for o in organisation[idx]], n_dim),
                "wave": wave,
                "participant": np.repeat(np.where(participant[idx], "yes", "no"), n_dim),
                "region": np.repeat(np.asarray(REGIONS)[region[idx]], n_dim),
                "stakeholder": np.repeat(np.asarray(STAKEHOLDERS)[stakeholder[idx]], n_dim),
                "dimension": np.tile(design.dimensions, idx.size),
                "score": values[idx].ravel(),
            }
        )

    scores = pd.concat(
        [
            wave_table(WAVES[0], np.ones(n, bool), baseline, keys_baseline),
            wave_table(WAVES[1], responded, follow_up, keys_follow),
        ],
        ignore_index=True,
    )
    for column, categories in (
        ("wave", WAVES),
        ("participant", ("no", "yes")),
        ("region", REGIONS),
        ("stakeholder", STAKEHOLDERS),
        ("dimension", design.dimensions),
    ):
        scores[column] = pd.Categorical(scores[column], categories=list(categories))
    truth = pd.DataFrame(
        {
            "dimension": list(design.dimensions),
            "delta": delta,
            "wave_shift": design.wave_shift,
            "participant_change": design.wave_shift + delta,
            "comparison_change": design.wave_shift,
        }
    )
    people = pd.DataFrame(
        {
            "person": np.arange(n),
            "participant": participant,
            "organisation_key": [f"ORG{o:03d}" for o in organisation],
            "responded_follow_up": responded,
            "link_broken": link_broken,
            "key_collision": key_collision,
        }
    )
    return SyntheticPanel(scores=scores, truth=truth, design=design, people=people)


def simulate_panels(
    n_datasets: int, design: PanelDesign | None = None, *, seed: int = 0
) -> list[SyntheticPanel]:
    """Simulate ``n_datasets`` independent panels from one design (independent child seeds)."""
    children = np.random.SeedSequence(seed).spawn(n_datasets)
    return [simulate_panel(design, seed=np.random.default_rng(child)) for child in children]


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
    links = evaluation.link_waves(panel.scores)
    paired = evaluation.paired_change(
        links.pairs, n_resamples=n_resamples, confidence_level=confidence_level, seed=seed
    )
    did_linked = evaluation.difference_in_differences(
        links.pairs, sample="linked", confidence_level=confidence_level
    )
    did_all = evaluation.difference_in_differences(
        panel.scores, sample="all", confidence_level=confidence_level
    )
    unpaired = evaluation.unpaired_wave_comparison(panel.scores, confidence_level=confidence_level)
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


# --------------------------------------------------------------------------- item level

#: Region -> country code of the codebook's ``country`` field.
_COUNTRY = {
    "donegal": "IE",
    "vasternorrland": "SE",
    "south_savo": "FI",
    "south_iceland": "IS",
    "newfoundland_labrador": "CA",
}
#: Ordinal-probit thresholds on the standardised latent scale (as in :mod:`innocap_analysis.synthetic`).
ITEM_THRESHOLDS = np.array([-1.4, -0.5, 0.35, 1.25])


def item_level_export(
    panel: SyntheticPanel,
    *,
    codebook: Codebook | None = None,
    seed: int = 0,
    item_noise_sd: float = 0.7,
) -> pd.DataFrame:
    """An item-level export of both waves (one CSV-ready table, English labels) from a score-level panel.

    Each capability item is an ordinal probit of the person's standardised latent score
    ``theta = (score - baseline_mean) / total_sd`` for its dimension: ``code = 1 + #(thresholds
    < lambda * theta + eps)`` with ``eps ~ N(0, item_noise_sd)`` and a per-item difficulty shift
    (Samejima 1969 graded response, as in :mod:`innocap_analysis.synthetic`); reverse-keyed items
    use ``-theta``. Items of other roles are answered from noise (they are not evaluated). The
    export has ``respondent_id`` (unique per wave), ``panel_key``, ``wave``, ``participant``,
    ``Organisation`` (a fictitious organisation name, PII that the loader turns into
    ``organisation_key`` when given a pseudonymisation key), region, country and stakeholder.

    The true effect is ``delta`` on the latent score scale; on the item-mean scale it is
    attenuated by the ordinal coding, so this export illustrates the pipeline end to end
    (``load_survey`` -> ``score_dimensions`` -> :func:`~innocap_analysis.evaluation.scores_for_evaluation`)
    and is not used for the recovery checks, which work at the score level.
    """
    from .survey import load_codebook

    cb = codebook or load_codebook()
    rng = np.random.default_rng(seed)
    design = panel.design
    scores = panel.scores
    # One row per response (collided keys carry two people, so never pivot on the key).
    n_dim = len(design.dimensions)
    rows = scores.iloc[::n_dim].reset_index(drop=True)
    block = scores["score"].to_numpy(float).reshape(-1, n_dim)
    total_sd = np.sqrt(design.organisation_sd**2 + design.person_sd**2 + design.noise_sd**2)
    theta = (block - design.baseline_mean) / total_sd
    dimension_index = {d: j for j, d in enumerate(design.dimensions)}
    n = len(rows)
    label = {
        name: {key: level["en"] for key, level in cb.profile[name].levels.items()}
        for name in ("region", "country", "stakeholder", "wave", "participant")
    }
    wave_number = rows.groupby("wave", observed=True).cumcount().to_numpy() + 1
    export: dict[str, object] = {
        cb.respondent_id: [
            f"R{w[:1].upper()}{i:04d}" for w, i in zip(rows["wave"].astype(str), wave_number, strict=True)
        ],
        cb.panel_key or "panel_key": rows["panel_key"].astype(str).to_numpy(),
        "wave": rows["wave"].astype(str).map(label["wave"]).to_numpy(),
        "participant": rows["participant"].astype(str).map(label["participant"]).to_numpy(),
        "Organisation": [f"Example Organisation {o[3:]}" for o in rows["organisation_key"].astype(str)],
        "region": rows["region"].astype(str).map(label["region"]).to_numpy(),
        "country": rows["region"].astype(str).map(_COUNTRY).map(label["country"]).to_numpy(),
        "stakeholder": rows["stakeholder"].astype(str).map(label["stakeholder"]).to_numpy(),
    }
    for item in cb.items:
        shift = rng.normal(0.0, 0.25)
        eps = rng.normal(0.0, item_noise_sd, size=n)
        if item.role == "capability" and item.dimension in dimension_index:
            latent = (-1.0 if item.reverse else 1.0) * theta[:, dimension_index[item.dimension]] + eps
        else:
            latent = eps
        codes = 1 + (latent[:, None] > (ITEM_THRESHOLDS + shift)[None, :]).sum(axis=1)
        answered = np.ones(n, bool)
        if item.answered_by:
            answered = rows["stakeholder"].astype(str).isin(list(item.answered_by)).to_numpy()
        export[item.id] = np.where(answered, codes.astype(str), "")
    return pd.DataFrame(export)


# --------------------------------------------------------------------------- illustrative waves

#: Pseudonymisation key of the illustrative (synthetic) waves. Not a secret: the data are synthetic.
ILLUSTRATIVE_PSEUDONYMISE_KEY = "innocap-illustrative-waves"
#: File name of the illustrative two-wave export (written to a temporary directory only).
ILLUSTRATIVE_EXPORT_NAME = "illustrative_two_waves_en.csv"


def without_programme_effect(panel: SyntheticPanel) -> SyntheticPanel:
    """The counterfactual panel: participants' follow-up scores without the programme effect.

    Every score is as in ``panel`` except participants' follow-up scores, which lose
    ``delta`` of their dimension (occasion noise, attrition and keys unchanged). Exporting
    both panels with :func:`item_level_export` and the same seed gives identical item noise,
    so the difference of their item-level scores is the programme effect on that scale.
    """
    scores = panel.scores.copy()
    delta = scores["dimension"].astype(str).map(panel.design.delta_for).astype(float)
    treated = (scores["wave"].astype(str) == WAVES[1]) & (scores["participant"].astype(str) == "yes")
    scores["score"] = scores["score"] - delta.where(treated, 0.0)
    return SyntheticPanel(scores=scores, truth=panel.truth, design=panel.design, people=panel.people)


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
    import tempfile

    from .scoring import score_dimensions
    from .survey import load_codebook, load_survey

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
            tidy[name] = evaluation.scores_for_evaluation(
                score_dimensions(surveys[name]), surveys[name].responses
            )
    actual = evaluation.validate_scores(tidy["actual"])
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
