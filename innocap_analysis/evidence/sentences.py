"""Every sentence the package generates for the evidence base, in one place.

Sentences are built from the numbers of the tables they describe, never typed in by hand, so that
a rebuilt table and its sentence cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..stats.power import minimum_detectable_effect

#: The caveat every figure, table and caption made from the illustrative survey data carries.
ILLUSTRATIVE_CAVEAT = "Illustrative synthetic survey data, not the partners' real answers."
#: The note that replaces it on a run on the partners' real exports.
REAL_DATA_NOTE = "Partners' real survey exports (confidential)."


def data_note(illustrative: bool) -> str:
    """The sentence every survey figure caption and table caption ends with."""
    return ILLUSTRATIVE_CAVEAT if illustrative else REAL_DATA_NOTE



def power_sentence(
    n_participants: int = 120,
    n_comparison: int = 60,
    *,
    response_rate: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
    sd_change: float | None = None,
) -> str:
    """The planning sentence for the application.

    For example: "With 120 participants and 60 comparison respondents, a change of
    d = 0.44 is detectable with 80% power (two-sided alpha = 0.05) ...".
    """
    n_p = int(np.floor(n_participants * response_rate))
    n_c = int(np.floor(n_comparison * response_rate))
    mde = minimum_detectable_effect(n_p, n_c, alpha=alpha, power=power)
    mde_paired = minimum_detectable_effect(n_p, alpha=alpha, power=power)
    answered = (
        ""
        if response_rate == 1
        else f" ({response_rate * 100:g}% of them with a linked follow-up answer: {n_p} and {n_c})"
    )
    points = ""
    if sd_change is not None:
        points = (
            f" (about {mde * sd_change:.1f} score points for an SD of individual change of {sd_change:.1f})"
        )
    return (
        f"With {n_participants} participants and {n_comparison} comparison respondents{answered}, "
        f"a difference in change between the groups of d = {mde:.2f}{points} is detectable with "
        f"{power:.0%} power (two-sided alpha = {alpha:g}); participants' own paired change is "
        f"detectable from d = {mde_paired:.2f}."
    )


def rank_separation_sentence(
    pairs: pd.DataFrame,
    *,
    labels: Mapping[object, str] | None = None,
    what: str = "5-95 % rank intervals",
    max_listed: int | None = None,
) -> str:
    """A sentence on which pairs of :func:`rank_interval_pairs` support an "ahead" claim.

    Parameters
    ----------
    pairs
        Output of :func:`rank_interval_pairs`.
    labels
        Display name of each unit (default: the unit label).
    what
        Name of the intervals, for the sentence.
    max_listed
        List at most this many separated pairs (in table order) and count the rest; default all.
    """
    n_pairs, n_overlap = len(pairs), int(pairs["overlap"].sum())
    if n_pairs == 0:
        return "There is only one unit, so there is no pair to compare."
    text = (
        f"Of the {n_pairs} pairs, {n_overlap} have overlapping {what}: for "
        f"{'these' if n_overlap != 1 else 'this pair'} no claim that one is ahead of the other is supported."
    )
    separated = pairs[~pairs["overlap"]]
    if separated.empty:
        return text + " No pair is separated."
    shown = separated if max_listed is None else separated.iloc[:max_listed]
    name = (labels or {}).get
    listed = "; ".join(f"{name(a, a)} ahead of {name(b, b)}" for a, b in zip(shown["unit_a"], shown["unit_b"],
                                                                          strict=True))
    more = len(separated) - len(shown)
    return text + f" Separated ({len(separated)}): {listed}" + (f"; and {more} more." if more else ".")


def sensitivity_sentence(
    modelling: pd.DataFrame, combined: pd.DataFrame, n_units: int, *, what: str = "units"
) -> str:
    """Sentence on how much of the rank variance the modelling choices explain, without and with sampling.

    Parameters
    ----------
    modelling, combined
        :func:`sensitivity_analysis` of the modelling-only analysis (:func:`uncertainty_analysis`)
        and of the one that also resamples organisations (:func:`group_rank_uncertainty`).
    n_units
        Number of units ranked.
    what
        Plural name of the units.
    """
    varying = int(modelling["n_units"].iloc[0]) if len(modelling) else 0
    text = f"Over the modelling choices alone, the ranks of {varying} of the {n_units} {what} change at all."
    combined_varying = int(combined["n_units"].iloc[0]) if len(combined) else 0
    if combined_varying == 0:
        return text + " With the sampling of organisations too, no rank changes."
    explained = float(combined["first_order_adjusted"].sum())
    return text + (
        f" With the sampling of organisations, the ranks of {combined_varying} change, and the modelling choices "
        f"explain {explained:.0%} of their variance (first order, bias-adjusted); the remaining "
        f"{1 - explained:.0%} is the sampling of organisations and interactions."
    )


def truth_sentence(truth: pd.DataFrame, *, digits: int = 2) -> str:
    """Say which true effect generated illustrative data, on both scales, for the reader to compare.

    Parameters
    ----------
    truth
        :attr:`EvaluationInput.truth` (``delta``, ``wave_shift``, ``item_scale_effect``,
        ``n_participant_follow_up`` per dimension).
    digits
        Decimals of the item-scale effect.
    """

    def span(values: pd.Series, fmt: str) -> str:
        low, high = format(values.min(), fmt), format(values.max(), fmt)
        return low if low == high else f"{low} to {high}"

    return (
        f"The illustrative waves were generated with a true programme effect of {span(truth['delta'], '.1f')} "
        f"points on the latent 0-100-like score scale in each of the {len(truth)} dimensions, on top of a change "
        f"of {span(truth['wave_shift'], '.1f')} points for everyone (participants and comparison alike). On the "
        f"scale of the dimension scores (mean of the capability items) that effect is "
        f"{span(truth['item_scale_effect'], f'.{digits}f')} scale points for participants (mean over "
        f"{span(truth['n_participant_follow_up'], 'd')} participants' follow-up responses): the "
        "difference-in-differences estimates below should recover it."
    )


def density_range_sentence(partners: pd.DataFrame) -> str:
    """The range of the partner areas' population density (persons per km²), from the partner table."""
    density = partners["density_per_km2"].astype(float)
    return f"Partner-region density ranges from {density.min():.1f} to {density.max():.1f} persons per km²."


def alpha_range_sentence(reliability: pd.DataFrame, threshold: float = 0.7) -> str:
    """The range of Cronbach's alpha over the dimensions, and which fall below ``threshold``."""
    weak = reliability[reliability["alpha"] < threshold]["dimension"].tolist()
    return (f"Alpha ranges from {reliability['alpha'].min():.2f} to {reliability['alpha'].max():.2f}; "
            + (f"below {threshold:.2f} for: {', '.join(weak)}." if weak else f"every dimension reaches {threshold:.2f}."))


def odds_ratio_sentence(odds: pd.DataFrame, alpha: float = 0.05) -> str:
    """How many item-level odds ratios differ from 1 after Holm adjustment, and on how many items."""
    strong = odds[odds["p_holm"] < alpha]
    return (f"{len(strong)} of {len(odds)} odds ratios differ from 1 after Holm adjustment "
            f"({strong['item'].nunique()} of {odds['item'].nunique()} items).")


def settlement_assignment_sentence(settlements: pd.DataFrame, tolerance_km: float) -> str:
    """How the GeoNames places were assigned to regions: inside a polygon, by the coastline fallback, or not."""
    assignment = settlements["assignment"].value_counts()
    fallback = settlements[settlements["assignment"] == "nearest"]
    return (f"Of {len(settlements):,} GeoNames places of 500+ inhabitants, {assignment.get('within', 0):,} lie inside a "
            f"region polygon, {assignment.get('nearest', 0):,} were assigned by the coastline fallback (nearest region of "
            f"the same country within {tolerance_km:g} km; farthest {fallback['distance_to_region_km'].max():.1f} km, "
            f"median {fallback['distance_to_region_km'].median():.1f} km) and {assignment.get('unassigned', 0)} stay "
            "unassigned.")


def coverage_sentences(coverage: pd.DataFrame) -> list[str]:
    """The spread of settlement coverage over the regions, and the regions with no GeoNames place at all."""
    known = coverage["coverage"].dropna()
    empty = coverage[(coverage["n_settlements"] == 0) & coverage["population_official"].notna()]
    return [
        f"Coverage ranges from {known.min():.2f} to {known.max():.2f} over the {len(known)} regions with an official "
        f"population (median {known.median():.2f}); {int((known < 0.5).sum())} regions are below 0.5 and "
        f"{int((known > 1.5).sum())} above 1.5.",
        "Regions with an official population but no GeoNames place (no distance indicators): "
        f"{', '.join(empty['region_id'] + ' ' + empty['name']) or 'none'}.",
    ]


def monte_carlo_choices_sentence(n_draws: int, choices: Mapping[str, object]) -> str:
    """What each draw of a composite-index uncertainty analysis samples (``choices`` as passed to it)."""
    return (
        f"Each of the {n_draws} draws picks a normalisation from {', '.join(choices['normalisations'])}, "
        f"a mean from {', '.join(choices['aggregations'])}, and one of {choices['n_weight_sets']} weight sets "
        f"in which every weight is multiplied by 1 + u, u uniform in +-{choices['weight_noise']:.0%}. "
        f"The nominal index is {' + '.join(choices['nominal'])} with equal weights."
    )


def achieved_power_sentence(attrition_response: pd.DataFrame, *, alpha: float = 0.05, power: float = 0.8) -> str:
    """The effect the difference-in-differences can detect with the linked respondents a run actually has."""
    linked = attrition_response.set_index("group")["n_linked_follow_up"]
    mde = minimum_detectable_effect(int(linked["participants"]), int(linked["comparison"]), alpha=alpha, power=power)
    return (f"With {linked['participants']} linked participants and {linked['comparison']} linked comparison "
            f"respondents, the difference-in-differences detects d = {mde:.2f} with {power:.0%} power "
            f"(two-sided alpha = {alpha:g}).")
