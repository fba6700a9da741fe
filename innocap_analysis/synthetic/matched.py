"""Illustrative (synthetic) answers to instrument v2, the matched need / capability / supply items, with their truth.

Instrument v2 (``innocap_analysis/instruments/innocap_v2.yaml``) asks each statement of a dimension
three ways: how important it is, how able the organisation is today, and (SMEs and universities)
how able they are to offer it. This module simulates answers to it with a known truth, writes them
as a partner would export them (English question texts as headers, English answer labels, an
organisation column), so that tests and the illustrative demonstration go through
:func:`~innocap_analysis.survey.load_survey` like real exports.

Generative model, per respondent *i* of organisation *o* in region *r* with stakeholder type *s*,
dimension *d* and statement *k* (an ordinal probit per item as in
:mod:`innocap_analysis.synthetic.survey`; Samejima 1969)::

    theta_id = mu_r + nu_s + delta_ds + u_o + e_id,      u_o ~ N(0, organisation_sd^2), e_i equicorrelated (0.5)
    capability  y* = theta_id + b_k + eps
    importance  y* = need_rd - 0.45 theta_id + b_k + eps
    supply      y* = a_d + 0.8 theta_id + b_k + eps      (SMEs and universities only)
    code = 1 + #(thresholds below y*),  eps ~ N(0, 0.7^2), b_k ~ N(0, 0.25^2) fixed per item

Every latent value is normal, so the expected code of an item in a group is
``1 + sum_t Phi((m - tau_t) / sd)`` with the group's mean ``m`` and standard deviation ``sd`` of
``y*``; :attr:`MatchedSurvey.truth` gives the expected 0-100 scores, the need gap and the
suppliers' margin over the public sector's capability that a perfect analysis recovers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .. import config
from ..survey.codebook import Codebook, load_codebook
from .survey import (
    DIMENSION_CORRELATION,
    DIMENSION_STAKEHOLDER_EFFECT,
    EXPORTS,
    REGION_EFFECT,
    STAKEHOLDER_EFFECT,
    THRESHOLDS,
    _export_frame,
    equicorrelated_normal,
)
from .truth import SyntheticSurvey

#: The instrument with matched items.
MATCHED_CODEBOOK: Path = config.INSTRUMENTS_DIR / "innocap_v2.yaml"

#: Baseline need (latent importance intercept) per dimension; illustrative only.
NEED_BASE: dict[str, float] = {"digital_solutions": 1.0, "procurement": 0.9, "delivery_models": 0.7, "skills": 0.8}
#: Region-specific extra need per (region, dimension); illustrative only.
NEED_REGION_EFFECT: dict[tuple[str, str], float] = {
    ("donegal", "skills"): 0.5, ("south_iceland", "procurement"): 0.6, ("south_savo", "delivery_models"): 0.5,
    ("vasternorrland", "digital_solutions"): 0.3, ("newfoundland_labrador", "digital_solutions"): 0.6,
}
#: Respondents per stakeholder type in every region, by default.
DEFAULT_COUNTS: dict[str, int] = {"public_sector": 24, "sme": 20, "hei_research": 12}
ITEM_NOISE_SD = 0.7
ITEM_SHIFT_SD = 0.25
IMPORTANCE_SLOPE, SUPPLY_SLOPE = -0.45, 0.8
#: Suppliers' latent intercept per dimension (what regional SMEs and universities can offer); illustrative only.
SUPPLY_INTERCEPT: dict[str, float] = {"digital_solutions": 0.3, "procurement": -0.5, "delivery_models": -0.3,
                                      "skills": 0.2}
#: Header of the organisation column (PII: the loader turns it into ``organisation_key`` with a key).
ORGANISATION_HEADER = "Organisation"
#: The pseudonymisation key the illustrative v2 export is loaded with (synthetic names; not a secret).
ILLUSTRATIVE_KEY = "innocap-illustrative-v2"


@dataclass
class MatchedSurvey:
    """Simulated v2 answers and the truth a perfect analysis recovers.

    Attributes
    ----------
    responses, missing_reasons
        As :attr:`~innocap_analysis.survey.Survey.responses` (item codes, profile) and its missing
        reasons, plus ``organisation`` (a fictitious name, PII in an export).
    truth
        One row per region and dimension: ``importance`` and ``capability`` (public sector, expected
        0-100 scores), ``need_gap`` (their difference, points), ``supply`` (expected 0-100 ability
        to offer of the region's SMEs and universities, weighted by their numbers), ``public_capability``
        and ``supply_over_capability`` (supply minus the public sector's capability, points).
    codebook
        Instrument v2.
    seed
        The seed of :func:`numpy.random.default_rng`.
    """

    responses: pd.DataFrame
    missing_reasons: pd.DataFrame
    truth: pd.DataFrame
    codebook: Codebook
    seed: int


def _expected_0_100(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Expected 0-100 score of a 1-5 ordinal probit item with latent mean and sd (thresholds THRESHOLDS)."""
    code = 1 + stats.norm.cdf((np.asarray(mean)[..., None] - THRESHOLDS) / np.asarray(sd)[..., None]).sum(axis=-1)
    return 25.0 * (code - 1)


def simulate_matched_responses(
    counts: dict[str, int] | None = None,
    *,
    regions: list[str] | None = None,
    respondents_per_organisation: int = 2,
    organisation_sd: float = 0.3,
    missing_rate: float = 0.05,
    seed: int = 20261201,
    codebook: Codebook | None = None,
) -> MatchedSurvey:
    """Simulate answers to instrument v2 in every region (model in the module docstring).

    Parameters
    ----------
    counts
        Respondents per stakeholder type in each region (default :data:`DEFAULT_COUNTS`).
    regions
        Region keys (default the five partner regions).
    respondents_per_organisation
        Consecutive respondents of one stakeholder type in a region share an organisation, this many
        at a time (the last one may be smaller).
    organisation_sd
        SD of the organisation effect ``u_o`` on the latent capability (0: no clustering of answers).
    missing_rate
        Share of item answers replaced by "don't know", completely at random.
    seed
        Seed; the same seed gives the same data.
    codebook
        Instrument with matched statements (default :data:`MATCHED_CODEBOOK`).
    """
    cb = codebook or load_codebook(MATCHED_CODEBOOK)
    counts = dict(counts or DEFAULT_COUNTS)
    regions = list(regions or EXPORTS)
    rng = np.random.default_rng(seed)
    stakeholders = [s for s in cb.profile["stakeholder"].levels if counts.get(s, 0) > 0]
    region = np.concatenate([np.repeat(r, sum(counts[s] for s in stakeholders)) for r in regions])
    stakeholder = np.tile(np.concatenate([np.repeat(s, counts[s]) for s in stakeholders]), len(regions))
    within = pd.Series(np.arange(len(region))).groupby([region, stakeholder]).cumcount().to_numpy()
    organisation = np.array([f"{s} {r} {k // respondents_per_organisation + 1:03d}"
                             for r, s, k in zip(region, stakeholder, within, strict=True)], dtype=object)
    org_labels, org_index = np.unique(organisation, return_inverse=True)
    n = len(region)
    dimensions = list(cb.dimensions)
    noise = equicorrelated_normal(rng, n, len(dimensions), DIMENSION_CORRELATION)
    org_effect = rng.normal(0.0, organisation_sd, size=len(org_labels))[org_index]
    base = np.array([REGION_EFFECT[r] + STAKEHOLDER_EFFECT[s] for r, s in zip(region, stakeholder, strict=True)])
    theta = {d: base + np.array([DIMENSION_STAKEHOLDER_EFFECT.get((d, s), 0.0) for s in stakeholder])
             + org_effect + noise[:, j] for j, d in enumerate(dimensions)}
    need = {d: np.array([NEED_BASE[d] + NEED_REGION_EFFECT.get((r, d), 0.0) for r in region]) for d in dimensions}

    items = [item for item in cb.items if item.statement is not None]
    shift = {item.id: rng.normal(0.0, ITEM_SHIFT_SD) for item in items}
    codes: dict[str, np.ndarray] = {}
    for item in items:
        eps = rng.normal(0.0, ITEM_NOISE_SD, size=n)
        t = theta[item.dimension]
        latent = {"capability": t, "importance": need[item.dimension] + IMPORTANCE_SLOPE * t,
                  "supply": SUPPLY_INTERCEPT[item.dimension] + SUPPLY_SLOPE * t}[item.role] + shift[item.id] + eps
        codes[item.id] = 1 + (latent[:, None] > THRESHOLDS[None, :]).sum(axis=1)
    for item in cb.items:  # awareness and adoption: answered at random, not analysed here
        if item.statement is None:
            codes[item.id] = rng.integers(1, 6, size=n)

    responses = pd.DataFrame({
        cb.respondent_id: pd.array([f"V2-{i + 1:04d}" for i in range(n)], dtype="string"),
        "region": pd.Categorical(region, categories=list(cb.profile["region"].levels)),
        "country": pd.Categorical([EXPORTS[r][0] for r in region], categories=list(cb.profile["country"].levels)),
        "stakeholder": pd.Categorical(stakeholder, categories=list(cb.profile["stakeholder"].levels)),
        "size_band": pd.Categorical(rng.choice(list(cb.profile["size_band"].levels), size=n),
                                    categories=list(cb.profile["size_band"].levels)),
        "role": pd.Categorical(rng.choice(list(cb.profile["role"].levels), size=n),
                               categories=list(cb.profile["role"].levels)),
    })
    reasons = {}
    for item in cb.items:
        reason = np.full(n, None, dtype=object)
        reason[rng.random(n) < missing_rate] = "dont_know"
        reason[~np.isin(stakeholder, list(item.answered_by))] = "not_asked"
        reasons[item.id] = reason
        responses[item.id] = pd.arrays.IntegerArray(codes[item.id].astype(np.int64), ~pd.isna(reason))
    for question in cb.multi_select.values():
        for option in question.options:
            responses[question.column(option)] = pd.array(rng.random(n) < 0.3, dtype="boolean")
    responses["organisation"] = organisation
    missing = pd.DataFrame({k: pd.array(v, dtype="string") for k, v in reasons.items()})
    truth = _truth(cb, regions, stakeholders, counts, organisation_sd, shift)
    return MatchedSurvey(responses, missing, truth, cb, seed)


def _truth(cb: Codebook, regions: list[str], stakeholders: list[str], counts: dict[str, int],
           organisation_sd: float, shift: dict[str, float]) -> pd.DataFrame:
    """Expected 0-100 scores per region and dimension (normal latent values, see the module docstring)."""
    var_theta = 1.0 + organisation_sd**2
    rows = []
    for r in regions:
        for d in cb.dimensions:
            statements = cb.statements(d)

            def expected(role: str, s: str, r: str = r, d: str = d, statements=statements) -> float:
                m_theta = REGION_EFFECT[r] + STAKEHOLDER_EFFECT[s] + DIMENSION_STAKEHOLDER_EFFECT.get((d, s), 0.0)
                slope, intercept = {"capability": (1.0, 0.0),
                                    "importance": (IMPORTANCE_SLOPE, NEED_BASE[d] + NEED_REGION_EFFECT.get((r, d), 0.0)),
                                    "supply": (SUPPLY_SLOPE, SUPPLY_INTERCEPT[d])}[role]
                ids = [items[role].id for items in statements.values() if role in items]
                mean = np.array([intercept + slope * m_theta + shift[i] for i in ids])
                sd = np.sqrt(slope**2 * var_theta + ITEM_NOISE_SD**2)
                return float(_expected_0_100(mean, np.full(len(ids), sd)).mean())

            importance = expected("importance", "public_sector")
            capability = expected("capability", "public_sector")
            suppliers = [s for s in stakeholders if s != "public_sector"]
            weights = np.array([counts[s] for s in suppliers], dtype=float)
            supply = float(np.average([expected("supply", s) for s in suppliers], weights=weights))
            rows.append({"region": r, "dimension": d, "importance": importance, "capability": capability,
                         "need_gap": importance - capability, "supply": supply, "public_capability": capability,
                         "supply_over_capability": supply - capability})
    return pd.DataFrame(rows)


def write_matched_export(matched: MatchedSurvey, out_dir: str | Path,
                         name: str = "innocap_v2_illustrative_en.csv") -> Path:
    """Write the simulated v2 answers as one English CSV export (question texts as headers, answer labels).

    The export has the organisation name (PII, :data:`ORGANISATION_HEADER`), which
    :func:`~innocap_analysis.survey.load_survey` drops, or turns into ``organisation_key`` when given
    a pseudonymisation key. Regions follow one another in the file.
    """
    cb = matched.codebook
    truth = SyntheticSurvey(matched.responses, matched.missing_reasons, pd.DataFrame(), matched.seed)
    frames = []
    for region in dict.fromkeys(matched.responses["region"].astype(str)):
        frame = _export_frame(truth, cb, region, "en", "en")
        mask = (matched.responses["region"].astype(str) == region).to_numpy()
        frame[ORGANISATION_HEADER] = matched.responses.loc[mask, "organisation"].to_numpy()
        frames.append(frame)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_bytes(pd.concat(frames, ignore_index=True).to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return path
