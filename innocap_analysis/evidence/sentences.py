"""Every sentence the package generates for the evidence base, in one place.

Sentences are built from the numbers of the tables they describe, never typed in by hand, so that
a rebuilt table and its sentence cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import config
from ..labels import share_with_range
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
    return f"Partner-area density ranges from {density.min():.1f} to {density.max():.1f} persons per km²."


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


def remoteness_agreement_sentence(agreement: object, threshold_km: float) -> str:
    """The agreement of the remoteness estimate with Eurostat's classes, led by the regions that test it.

    Predominantly urban regions are copied from the published class and agree by construction, so
    the headline is the agreement over intermediate and rural regions; the all-region figure follows.
    """
    n_urban = agreement.n_compared - agreement.n_compared_non_urban
    return (
        f"Straight-line proxy of a 45-minute drive: {threshold_km:.1f} km. Over the "
        f"{agreement.n_compared_non_urban} intermediate and rural NUTS 3 regions, the estimate agrees with "
        f"Eurostat's remoteness class in {agreement.agreement_non_urban:.1%} (Cohen's kappa "
        f"{agreement.kappa_non_urban:.2f}). Counting also the {n_urban} predominantly urban regions, which agree by "
        f"construction, it is {agreement.agreement:.1%} (kappa {agreement.kappa:.2f}) of {agreement.n_compared}."
    )


def hospital_proxy_sentence(summary: Mapping[str, float], worst: pd.DataFrame, n_listed: int = 3) -> str:
    """How far the settlement-size service proxy tracks the real hospitals (the proxy check).

    ``summary`` and ``worst`` are :func:`~innocap_analysis.geography.hospitals.proxy_check` and
    :func:`~innocap_analysis.geography.hospitals.worst_disagreements`; a positive ``log_ratio`` means the
    regional centre is farther than the nearest hospital (the proxy overstates the distance).
    """
    over = worst[worst["log_ratio"] > 0].head(n_listed)["name"].tolist()
    under = worst[worst["log_ratio"] < 0].head(n_listed)["name"].tolist()
    text = (
        f"Across {int(summary['n_regions'])} NUTS 3 regions of Finland, Sweden, Ireland and Norway, the regions far from "
        f"a place of 20,000+ are only in part the regions far from a hospital (Spearman rho = "
        f"{summary['spearman_rho']:.2f}; Pearson r = {summary['pearson_r_log']:.2f} on log distances)"
    )
    if over:
        text += f": the size proxy overstates the distance where small towns have hospitals ({', '.join(over)})"
    if under:
        text += f", and understates it in {', '.join(under)}"
    return text + "."


def nearest_abroad_sentence(indicators: pd.DataFrame, tier: str = "regional_centre") -> str:
    """Which partner areas would reach a service across a national border first, and for what share."""
    part = indicators[(indicators["tier"] == tier) & (indicators["share_nearest_abroad"] > 0)]
    if part.empty:
        return f"No partner area's nearest {tier.replace('_', ' ')} lies across a national border."
    listed = "; ".join(f"{row.label} {row.share_nearest_abroad:.0%}" for row in part.itertuples())
    return (f"Share of the population whose nearest {tier.replace('_', ' ')} lies across a national border: "
            f"{listed}. Public services are counted in the resident's own country.")


def distance_burden_sentence(row: pd.Series) -> str:
    """One partner area's distance burden with its sensitivity range (a row of ``region_synthesis``)."""
    return (
        f"{share_with_range(row['share_beyond_km'], row['share_beyond_low'], row['share_beyond_high'])} of the "
        f"population of {row['area']} ({row['population_beyond_km']:,.0f} people) lives more than "
        f"{config.BURDEN_THRESHOLD_KM:g} km in a straight line from a {row['tier'].replace('_', ' ')} of its own "
        f"country; the population-weighted mean distance is {row['mean_km']:.0f} km. The range covers centre "
        "thresholds of 15,000-25,000, road detour factors of 1.0-1.5 and cuts of 15-40 km."
    )


def nuts3_burden_range_sentence(partners: pd.DataFrame, tier: str = "regional_centre") -> str:
    """The range of the share beyond 25 km over the partners' NUTS 3 regions (the published, NUTS 3 view)."""
    regional = partners[partners["tier"] == tier].set_index("partner_region")["share_beyond_25km"]
    return (f"Beyond 25 km of a {tier.replace('_', ' ')} live between {regional.min():.0%} ({regional.idxmin()}) and "
            f"{regional.max():.0%} ({regional.idxmax()}) of the population of the partners' NUTS 3 regions.")


def awareness_sentences(
    awareness: pd.DataFrame,
    item_texts: Mapping[str, str],
    *,
    by: str = "region",
    pooled: str = "all_regions",
    min_n: int = config.MIN_CELL_SIZE,
) -> list[tuple[str, str]]:
    """One sentence per awareness item: the share agreeing over all partners, and per partner where published.

    Each item is reported on its own (never averaged with another), so that each sentence matches
    the figure of that item. The share over all partner regions (the ``pooled`` row of
    :func:`~innocap_analysis.indicators.demand_supply.awareness_shares`) leads when it is there; the
    per-partner shares masked by disclosure control are left out of the range and counted.
    """
    out = []
    for item, part in awareness.groupby(awareness["item"].astype(str), sort=True):
        is_pooled = part[by].astype(str) == pooled if by in part else pd.Series(False, index=part.index)
        regions = part[~is_pooled]
        per_partner = pd.to_numeric(regions["share"], errors="coerce")
        shown = per_partner.dropna()
        overall = pd.to_numeric(part.loc[is_pooled, "share"], errors="coerce").dropna()
        statement = item_texts.get(item)
        quoted = f'agree that "{statement.rstrip(".")}"' if statement else f"agree with item {item}"
        span = "" if shown.empty else (f"{shown.min():.0%}" if f"{shown.min():.0%}" == f"{shown.max():.0%}"
                                       else f"{shown.min():.0%} to {shown.max():.0%}")
        masked = int(per_partner.isna().sum())
        if overall.empty:
            if shown.empty:
                continue
            out.append((item, f"Only {span} of public-sector respondents per partner {quoted} ({item})."))
            continue
        if masked == 0:
            detail = f"per partner {span}" if span else ""
        elif shown.empty:
            detail = (f"the per-partner shares are masked: in each partner fewer than {min_n} respondents gave "
                      "one of the answers")
        else:
            published = f"the one published is {span}" if len(shown) == 1 else f"the published ones range {span}"
            detail = (f"{masked} of {len(per_partner)} partner shares are masked because fewer than {min_n} "
                      f"respondents gave one of the answers; {published}")
        out.append((item, f"Only {overall.iloc[0]:.0%} of public-sector respondents across the partner regions "
                          f"{quoted} ({item}{'; ' + detail if detail else ''})."))
    return out


def disclosure_methods_paragraph(
    masked_cells: pd.DataFrame | None = None,
    *,
    min_n: int = config.MIN_CELL_SIZE,
    min_group_for_extremes: int = config.MIN_GROUP_FOR_EXTREMES,
    min_width: int = config.MIN_AUDIT_WIDTH,
) -> str:
    """The methods-annex paragraph on statistical disclosure control, with the build's numbers.

    Parameters
    ----------
    masked_cells
        ``figures/DISCLOSURE.csv`` (``table, rule, ...``); when given, the paragraph says how many cells
        of how many tables were masked, by rule.
    min_n, min_group_for_extremes, min_width
        The rules' parameters (:mod:`innocap_analysis.disclosure`).
    """
    text = (
        "Every published table and figure passes statistical disclosure control "
        "(Hundepool et al. 2012, Statistical Disclosure Control, Wiley; the model of tau-Argus and R's sdcTable). "
        f"A count of 1 to {min_n - 1} respondents, whether a group's size or the number giving one answer, is "
        f"masked (threshold rule), and so is a share of 0% or 100% from a group of fewer than "
        f"{min_group_for_extremes}, which would tell every member's answer. Secondary suppression, an integer "
        "program solved with HiGHS, then masks the fewest further cells so that no masked cell can be derived "
        "from the published margins of its table or from other tables built from the same counts; a "
        "linear-programming audit checks that what can be derived about each masked cell spans at least "
        f"{min_width} respondents, and the build fails otherwise. Statistics computed from a masked count are "
        f"masked with it, masked cells are drawn hatched as \"n < {min_n}\", and distributions of individual "
        f"values are shown only in bins whose tails hold at least {min_n} respondents."
    )
    if masked_cells is not None and len(masked_cells):
        cells = masked_cells[masked_cells["rule"] != "derived"]
        by_rule = cells["rule"].value_counts()
        parts = [f"{by_rule.get(rule, 0)} by the {rule} rule" for rule in ("threshold", "extreme share")
                 if by_rule.get(rule, 0)]
        if by_rule.get("secondary", 0):
            parts.append(f"{by_rule['secondary']} by secondary suppression")
        text += (f" In this build {len(cells)} cells in {cells['table'].nunique()} tables were masked "
                 f"({', '.join(parts)}), with the statistics computed from them.")
    return text


def accessibility_reading_sentence(indicators: pd.DataFrame, high: str, low: str, tier: str = "local_centre") -> str:
    """Why a 2SFCA ranking can invert the distance ranking, on two regions of the indicator table.

    2SFCA accessibility is service points per person within the catchment, not distance: a region
    with few people around its few centres scores high even when most of its people live far away.
    """
    part = indicators[indicators["tier"] == tier].dropna(subset=["accessibility_mean"]).set_index("region_id")
    a, b = part.loc[high], part.loc[low]
    rank = part["accessibility_mean"].rank(ascending=False, method="min").astype(int)
    people = ("" if pd.isna(b["people_per_service_point"])
              else f", one per {b['people_per_service_point']:,.0f} people")
    return (
        f"2SFCA measures supply per head within the catchment, not distance: {a['name']} ranks {rank[high]} of "
        f"{len(part)} with {int(a['n_service_points'])} centres serving the few people near them, although its "
        f"population-weighted mean distance to one is {a['mean_km']:.0f} km; {b['name']} ranks {rank[low]} with "
        f"{int(b['n_service_points'])} centres{people}, at a mean distance of {b['mean_km']:.0f} km. Read the "
        "accessibility map beside the distance maps."
    )
