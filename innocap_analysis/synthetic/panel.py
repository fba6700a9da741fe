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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from ..survey import Codebook, load_codebook

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
        Tidy score table with :data:`~innocap_analysis.evaluation.linking.EVALUATION_SCORE_COLUMNS` (one row per respondent x wave x
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
