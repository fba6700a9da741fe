"""Every sentence the package generates for the evidence base, in one place.

Sentences are built from the numbers of the tables they describe, never typed in by hand, so that
a rebuilt table and its sentence cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import config
from ..indicators.priorities import PRIORITY_RANK1_THRESHOLD
from ..labels import display_label, share_with_range
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


def clustered_power_sentence(summary: pd.DataFrame, icc_table: pd.DataFrame, *, alpha: float = 0.05,
                             power: float = 0.8) -> str:
    """The power of the planned follow-up with the design effect of clustering, for the application.

    Parameters
    ----------
    summary
        :attr:`~innocap_analysis.evaluation.planning.PowerPlan.summary` (scenarios ``no clustering``,
        ``design effect`` and ``design effect, ICC upper bound``).
    icc_table
        :func:`~innocap_analysis.evaluation.planning.baseline_icc` (the planning ICC is the largest).

    For example: "... the baseline ICC of 0.13 (skills; 95% CI 0.02 to 0.30) within 30 organisations
    gives a design effect of 1.47: the difference-in-differences detects d = 0.67 ...".
    """
    rows = summary.set_index("scenario")
    flat, clustered, upper = (rows.loc[s] for s in ("no clustering", "design effect", "design effect, ICC upper bound"))
    top = icc_table.loc[icc_table["icc"].idxmax()]
    n_org = int(icc_table["n_organisations"].max())
    per_org = (clustered["n_participants_linked"] + clustered["n_comparison_linked"]) / n_org
    return (
        f"With {int(clustered['n_participants_planned'])} participants and {int(clustered['n_comparison_planned'])} "
        f"comparison respondents, {int(clustered['n_participants_linked'])} and {int(clustered['n_comparison_linked'])} "
        f"of them linked at follow-up in {n_org} organisations ({per_org:.1f} per organisation), the baseline "
        f"intraclass correlation of {top['icc']:.2f} ({display_label(top['dimension']).lower()}, the largest of the "
        f"dimensions; 95% CI {top['icc_ci_low']:.2f} to {top['icc_ci_high']:.2f}) gives a design effect of "
        f"{clustered['design_effect']:.2f}, an effective sample of {clustered['n_participants_effective']:.0f} and "
        f"{clustered['n_comparison_effective']:.0f}. With the design effect, the difference-in-differences detects "
        f"d = {clustered['mde_d_between_groups']:.2f} with {power:.0%} power (two-sided alpha = {alpha:g}), against "
        f"d = {flat['mde_d_between_groups']:.2f} if clustering were ignored; participants' own change is detectable "
        f"from d = {clustered['mde_d_paired']:.2f}. At the upper bound of the ICC ({upper['icc']:.2f}) the design "
        f"effect is {upper['design_effect']:.2f} and the detectable difference d = {upper['mde_d_between_groups']:.2f}."
    )


def required_participants_sentence(n_required: int | None, target_d: float, n_planned: int, n_organisations: int) -> str:
    """How many participants keep a target effect detectable once clustering is counted."""
    if n_required is None:
        return (f"With {n_organisations} organisations, no number of participants brings the detectable difference "
                f"down to d = {target_d:.2f}: more organisations are needed, not more respondents per organisation.")
    more = "" if n_required <= n_planned else f" ({n_required - n_planned} more than planned)"
    return (f"To detect d = {target_d:.2f} (the plan's effect without clustering) with the design effect, the "
            f"programme needs {n_required} participants{more} and half as many comparison respondents in the same "
            f"{n_organisations} organisations, at the same follow-up and linking rates.")


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


def achieved_power_sentence(attrition_response: pd.DataFrame, *, alpha: float = 0.05, power: float = 0.8,
                            design_effect: float | None = None) -> str:
    """The effect the difference-in-differences can detect with the linked respondents a run actually has.

    With ``design_effect`` (of the baseline's clustering by organisation) the sentence also gives
    the detectable effect on the effective sample (linked n divided by the design effect).
    """
    linked = attrition_response.set_index("group")["n_linked_follow_up"]
    n_p, n_c = int(linked["participants"]), int(linked["comparison"])
    mde = minimum_detectable_effect(n_p, n_c, alpha=alpha, power=power)
    text = (f"With {linked['participants']} linked participants and {linked['comparison']} linked comparison "
            f"respondents, the difference-in-differences detects d = {mde:.2f} with {power:.0%} power "
            f"(two-sided alpha = {alpha:g})")
    if design_effect is None:
        return text + "."
    clustered = minimum_detectable_effect(n_p / design_effect, n_c / design_effect, alpha=alpha, power=power)
    return text + (f" ignoring clustering, and d = {clustered:.2f} with the design effect of {design_effect:.2f} "
                   "(the clustering of the baseline).")


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
    """One partner area's distance burden with its sensitivity range (a row of ``region_synthesis``).

    Every number is one the cited figure shows (its table ``04_partner_area_sensitivity``): the central
    share, its range over the combinations, the people beyond the cut, and the ranges of the choices. The
    population-weighted mean distance is not in that figure, so it is left to the distance tables.
    """
    return (
        f"{share_with_range(row['share_beyond_km'], row['share_beyond_low'], row['share_beyond_high'])} of the "
        f"population of {row['area']} ({row['population_beyond_km']:,.0f} people) lives more than "
        f"{config.BURDEN_THRESHOLD_KM:g} km in a straight line from a {row['tier'].replace('_', ' ')} of its own "
        "country. The range covers centre thresholds of 15,000-25,000, road detour factors of 1.0-1.5 and cuts of "
        "15-40 km."
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
        fewer = f"fewer than {_count_word(min_n)} respondents gave one of the answers"
        if masked == 0:
            detail = f"per partner {span}" if span else ""
        elif shown.empty:
            detail = f"the per-partner shares are masked: in each partner {fewer}"
        else:
            published = f"the one published is {span}" if len(shown) == 1 else f"the published ones range {span}"
            detail = (f"{_count_word(masked)} of the {_count_word(len(per_partner))} partners' shares are masked "
                      f"because {fewer}; {published}")
        out.append((item, f"Only {overall.iloc[0]:.0%} of public-sector respondents across the partner regions "
                          f"{quoted} ({item}{'; ' + detail if detail else ''})."))
    return out


_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count_word(n: int) -> str:
    """A small count in words (findings quote as numerals only the numbers of their tables)."""
    return _COUNT_WORDS[n] if 0 <= n < len(_COUNT_WORDS) else f"{n:,}"


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


# --------------------------------------------------------------------------- the application's sections

#: Heading of each partner-profile section, and the sentence that opens it (no numbers: every number
#: of a profile comes from its table, :func:`~innocap_analysis.evidence.application.partner_profiles`).
PROFILE_SECTION_TEXT: dict[str, tuple[str, str]] = {
    "area": ("The area", "Codes, official population and area, and the official remoteness class."),
    "survey": ("The survey (wave 1)", "Who answered the INNOCAP stakeholder survey, and the response rate."),
    "needs": ("Top needs of the public sector (wave 1)",
              "The capability modules the public sector needs most in wave 1, with their intervals, its current "
              "capability beside them, and what SMEs and universities say they can supply for the first."),
    "distance": ("Distance to services",
                 "Straight-line distance from where people live (GEOSTAT grid) to the nearest own-country regional "
                 "centre; the range covers centre thresholds, road detour factors and distance cuts."),
    "pilot": ("The pilot it proposes", "The partner's pilot in the project design, and the wave-1 rank of the needs it "
                                       "addresses."),
}


def _markdown_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def partner_profile_markdown(profile: pd.DataFrame, *, data_caveat: str, design_caveat: str | None = None) -> str:
    """One partner's profile as a Markdown section, printed only from its profile table rows.

    Parameters
    ----------
    profile
        The rows of one partner in :func:`~innocap_analysis.evidence.application.partner_profiles`.
    data_caveat
        :func:`data_note` of the survey data.
    design_caveat
        A sentence on the project design when it is illustrative (placeholders).

    Returns
    -------
    str
        ``## <area>: partner profile``, a caveat line, then one table (item, value, source) per
        section; sections whose numbers are illustrative say so in their heading.
    """
    if profile.empty:
        raise ValueError("partner_profile_markdown: no profile rows")
    area = str(profile["partner_area"].iloc[0])
    caveat = (f"*{data_caveat} Numbers from the survey are marked as such in each section's heading; geography "
              "and population are real published data.*")
    if design_caveat:
        caveat = caveat[:-1] + f" {design_caveat}*"
    lines = [f"## {area}: partner profile", "", caveat]
    for section, rows in profile.groupby(profile["section"].astype(str), sort=False):
        heading, lead = PROFILE_SECTION_TEXT.get(section, (section.capitalize(), ""))
        if rows["illustrative"].astype(bool).any():
            heading += ": illustrative"
        lines += ["", f"### {heading}", ""] + ([lead, ""] if lead else [])
        lines += ["| Item | Value | Source |", "| --- | --- | --- |"]
        lines += [f"| {_markdown_cell(r.item)} | {_markdown_cell(r.text)} | {_markdown_cell(r.source)} |"
                  for r in rows.itertuples()]
    return "\n".join(lines) + "\n"


def personal_data_sentence() -> str:
    """What the methods annex says about personal data (the loaders' rule, :mod:`innocap_analysis.survey`)."""
    return (
        "No names, e-mail addresses, phone numbers, organisation names or free-text answers are published: the "
        "loaders drop them, and organisations are clustered only by a keyed pseudonym."
    )


def survey_methods_annex(
    frame: pd.DataFrame,
    *,
    instrument: str,
    languages: list[str],
    n_items: int,
    n_translated: int,
    rejected: pd.DataFrame,
    min_valid: float,
    min_cell_size: int,
    power_text: str,
    disclosure_text: str,
    data_caveat: str,
    power_illustrative: bool = True,
) -> str:
    """The survey-methods annex: frame, fieldwork, translation, non-response, cell size, follow-up power.

    Parameters
    ----------
    frame
        :func:`~innocap_analysis.evidence.application.survey_frame`.
    instrument, languages, n_items, n_translated
        The codebook: its name and version, its languages, its items and how many carry a text in
        every language.
    rejected
        The loader's rejection log (``reason``, ``action``; no values).
    min_valid
        The scoring rule's share of a block's items a respondent must answer.
    min_cell_size
        The disclosure threshold.
    power_text
        :func:`clustered_power_sentence` (the follow-up's MDE with the design effect).
    disclosure_text
        The disclosure-control paragraph.
    data_caveat
        :func:`data_note`.
    power_illustrative
        Whether the power analysis rests on illustrative two-wave data (notebook 07).
    """
    def partners(column: str, fmt=str) -> str:
        return "; ".join(f"{row.partner_area} {fmt(getattr(row, column))}" for row in frame.itertuples())

    invited = frame["invited"]
    has_rate = frame["rr1"].notna()
    rates = "; ".join(f"{row.partner_area} {row.rr1:.0%} ({row.completes:,.0f} {row.unit} of {row.invited:,.0f} invited)"
                      if pd.notna(row.rr1) else f"{row.partner_area}: {row.note or 'not available'}"
                      for row in frame.itertuples())
    dropped = rejected[rejected["action"].astype(str) == "row dropped"]
    masked = rejected[rejected["action"].astype(str) != "row dropped"]
    reasons = "; ".join(f"{n} {reason}" for reason, n in
                        dropped["reason"].astype(str).str.split(" \\(").str[0].value_counts().sort_index().items())
    unit_note = (" Each kept respondent is counted as one responding organisation (the exports carry no "
                 "organisation key without the pseudonymisation key), so where several people of one organisation "
                 "answered, the rate is overstated." if (frame["unit"].astype(str) == "respondents").any() else "")
    return "\n".join([
        "## Survey methods (annex)",
        "",
        f"*{data_caveat}*",
        "",
        "### Frame",
        "",
        "The INNOCAP stakeholder survey addresses three kinds of organisation in each partner area: public-sector "
        "organisations (the users of the capacity-building programme), SMEs and universities or research "
        "organisations (the supply side). Organisations invited, as each partner's survey manifest records them: "
        f"{partners('invited', lambda v: 'not recorded' if pd.isna(v) else f'{v:,.0f}')}"
        + (f" ({int(invited.sum()):,} in all)." if invited.notna().all() else "."),
        "",
        "### Fieldwork",
        "",
        "Each partner ran the first wave (the baseline) in its own survey tool and language; the exports are read as "
        f"the tools write them (layouts: {partners('tools')}; languages: {partners('languages')}). Rows read per "
        f"partner: {partners('rows_read', lambda v: f'{v:,.0f}')}; rows kept: {partners('rows_kept', lambda v: f'{v:,.0f}')}.",
        "",
        "### Translation",
        "",
        f"The instrument ({instrument}) holds {n_items} items; {n_translated} of them carry their question and answer "
        f"labels in every language of the codebook ({', '.join(languages)}). Each export is matched to the codebook in "
        "its own language, so an item is scored the same way whatever the language it was answered in. How the "
        "translations were made and checked (for example forward and back translation) is not recorded in the data: "
        "the consortium states it here.",
        "",
        "### Non-response",
        "",
        f"Unit response (AAPOR RR1, completes over organisations invited, every invited organisation taken as "
        f"eligible, so a lower bound): {rates}.{unit_note}"
        f" Rows the loader did not keep: {len(dropped)} ({reasons or 'none'}); cells set to missing for an invalid "
        f"value: {len(masked)}. Item non-response (don't know, not applicable, blank) is left missing, never imputed: "
        f"a dimension score is the mean of the items answered when at least {min_valid:.0%} of the block's items "
        "were answered, and missing otherwise, with its reason recorded. Respondents are not weighted."
        + ("" if has_rate.all() else " Partners without an invited count have no response rate."),
        "",
        "### Minimum cell size and disclosure control",
        "",
        f"Minimum cell size: {min_cell_size} respondents. {disclosure_text}",
        "",
        "### The follow-up (wave 2) and its power",
        "",
        ("*The intraclass correlation and the organisations come from the baseline wave of notebook 07's two-wave "
         "data, which are illustrative (synthetic) until the partners' follow-up exists; the numbers show the method, "
         "not the plan's final power.* " if power_illustrative else "")
        + "Respondents who share an organisation answer alike, so the power of the follow-up is computed on the "
        "effective sample (linked respondents divided by the design effect 1 + ((cv² + 1) m - 1) x ICC). " + power_text,
    ]) + "\n"
def _points(mean: float, low: float, high: float) -> str:
    """``77 (95% CI 68-85)``: a 0-100 mean with its interval, rounded to whole points."""
    return f"{mean:.0f} (95% CI {low:.0f}-{high:.0f})"


def priority_sentence(region: str, ranks: pd.DataFrame, threshold: float = PRIORITY_RANK1_THRESHOLD) -> str:
    """One region's top need, or its tied top needs, from :func:`~innocap_analysis.indicators.priority_uncertainty`.

    A top need is named only when the region's top dimension reaches the P(rank 1) threshold
    (``clear_top``). Otherwise the sentence says that the top needs are tied and gives every
    dimension's mean need and P(rank 1), in rank order. Either way it says which differences from
    the top are significant after Holm adjustment.

    Parameters
    ----------
    region
        Display name of the region.
    ranks
        The region's rows of the priority table (``rank, dimension, mean, ci_low, ci_high, p_rank1,
        status, clear_top``).
    threshold
        The P(rank 1) a top need needs (the one the table was made with), quoted in the sentence.
    """
    ranked = ranks.dropna(subset=["rank"]).sort_values("rank")
    if ranked.empty:
        return f"In {region}, too few public-sector answers to rank the needs (groups below the minimum cell size)."
    top = ranked.iloc[0]
    top_name = display_label(top["dimension"]).lower()
    others = ranked.iloc[1:]
    below = [display_label(d).lower() for d in others.loc[others["status"] == "below top", "dimension"]]
    close = [display_label(d).lower() for d in others.loc[others["status"] != "below top", "dimension"]]
    if not len(others):
        separation = ""
    elif not below:
        separation = f" After Holm adjustment, no need differs significantly from {top_name}."
    elif not close:
        separation = f" After Holm adjustment, every other need is significantly below {top_name}."
    else:
        separation = (f" After Holm adjustment, {_and(below)} {'is' if len(below) == 1 else 'are'} significantly "
                      f"below {top_name}; {_and(close)} {'is' if len(close) == 1 else 'are'} not.")
    if bool(top["clear_top"]):
        if len(others) and not below:
            # P(rank 1) is not a test: a lead that the resamples agree on can still be within the paired test's noise.
            separation = (f" Its lead is small: after Holm adjustment, no other need is significantly below "
                          f"{top_name}.")
        return (f"In {region}, the public sector's top need is {top_name}: importance "
                f"{_points(top['mean'], top['ci_low'], top['ci_high'])} on 0-100, ranked first in "
                f"{top['p_rank1']:.0%} of resamples of the region's organisations.{separation}")
    listed = ", ".join(
        f"{display_label(row.dimension).lower()} ("
        + (f"importance {row.mean:.0f}, ranked first in {row.p_rank1:.0%} of resamples" if i == 0
           else f"{row.mean:.0f}, {row.p_rank1:.0%}") + ")"
        for i, row in enumerate(ranked.itertuples()))
    return (f"In {region}, no need is ranked first in {threshold:.0%} or more of resamples of the region's "
            f"organisations, so the public sector's top needs are tied: {listed}.{separation}")


def overall_priority_sentence(ranks: pd.DataFrame, *, by: str = "region") -> str:
    """Across regions: where a module is the clear top need, and where the top needs are tied (names, no counts)."""
    tops = ranks[ranks["rank"] == 1]
    clear = tops[tops["clear_top"].fillna(False).astype(bool)]
    tied = tops[~tops["clear_top"].fillna(False).astype(bool)]
    parts = []
    for dimension, group in clear.groupby(clear["dimension"].astype(str), sort=False):
        parts.append(f"{display_label(dimension)} is the clear top need of the public sector in "
                     + _and([display_label(r) for r in group[by]]))
    if tied.empty:
        return "; ".join(parts) + "."
    regions = _and([display_label(r) for r in tied[by]])
    if not parts:
        return (f"No capacity-building module is the clear top need of the public sector in any partner region: "
                f"in {regions} the top needs are tied.")
    return "; ".join(parts) + f"; in {regions} the top needs are tied."


def need_supply_sentence(region: str, row: pd.Series) -> str:
    """Need beside supply for one region and dimension (a row of ``need_and_supply``): side by side, not subtracted."""
    name = display_label(row["dimension"]).lower()
    return (
        f"In {region}, the public sector rates the importance of developing {name} "
        f"{_points(row['need_mean'], row['need_ci_low'], row['need_ci_high'])} on 0-100; regional SMEs and universities "
        f"rate their agreement that they can offer it {_points(row['supply_mean'], row['supply_ci_low'], row['supply_ci_high'])}. "
        "These are different questions, shown side by side, not subtracted."
    )


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def response_rate_sentence(rates: pd.DataFrame, *, by: str = "region") -> str:
    """The response rates (AAPOR RR1) per group, or why they are not available."""
    available = rates[rates["rate_available"].astype(bool) & rates["rr1"].notna()]
    missing = rates[~rates["rate_available"].astype(bool)]
    text = ""
    if len(available):
        low, high = float(available["rr1"].min()), float(available["rr1"].max())
        span = f"{low:.0%}" if f"{low:.0%}" == f"{high:.0%}" else f"{low:.0%} to {high:.0%}"
        unit = ("responding organisations" if (available["unit"] == "organisations").all()
                else "respondents, one per organisation,")
        text = (f"Response rate (AAPOR RR1: {unit} over organisations invited): {span} in "
                f"{_and([display_label(r) for r in available[by]])}.")
    if len(missing):
        text += (" " if text else "") + "Not available for " + _and(
            [f"{display_label(r)} ({n})" for r, n in zip(missing[by], missing["note"], strict=True)]) + "."
    return text or "No response rates: no respondents."


def composite_sensitivity_sentence(dominance: pd.DataFrame, sensitivity: pd.DataFrame, *,
                                   labels: Mapping[object, str] | None = None, what: str = "regions") -> str:
    """Why the composite's ranks barely move over the modelling choices, and why sensitivity indices can be blank.

    Parameters
    ----------
    dominance
        :func:`~innocap_analysis.composite.dominance_pairs` of the units' indicator matrix.
    sensitivity
        :func:`~innocap_analysis.composite.sensitivity_analysis` of the modelling-only analysis.
    labels
        Display name of each unit.
    what
        Plural name of the units.
    """
    name = (labels or {}).get
    n_pairs = len(dominance)
    dominated = dominance[dominance["dominates"].notna()]
    open_pairs = dominance[dominance["dominates"].isna()]
    text = (
        f"Of the {n_pairs} pairs of {what}, {len(dominated)} are ordered by dominance: one is higher on every "
        "dimension. Every normalisation used (none, min-max, rank) keeps the order within a dimension and every "
        "mean used (arithmetic, geometric) with positive weights rises with each dimension, so no choice of "
        "normalisation, mean or weights can swap such a pair; only pairs that are not dominance-ordered can change "
        "places"
    )
    if open_pairs.empty:
        text += ", and there are none, so the ranks never move over the modelling choices."
    else:
        text += ": " + _and([f"{name(a, a)} and {name(b, b)}" for a, b in
                              zip(open_pairs["unit_a"], open_pairs["unit_b"], strict=True)]) + "."
    varying = int(sensitivity["n_units"].iloc[0]) if len(sensitivity) else 0
    if varying == 0:
        text += (" A first-order sensitivity index is the share of rank variance a choice explains; where no rank "
                 "varies there is no variance to share out, so the indices are blank.")
    else:
        text += (f" The sensitivity indices describe only the {varying} {what} whose ranks vary; the others keep "
                 "their rank in every draw.")
    return text


def discriminant_validity_sentence(validity: pd.DataFrame, threshold: float = 0.85) -> str:
    """Inter-dimension correlations and HTMT (:func:`~innocap_analysis.indicators.dimension_validity`)."""
    above = validity[validity["htmt"] >= threshold]
    r_low, r_high = validity["pearson_r"].min(), validity["pearson_r"].max()
    text = (f"The capability scores of the dimensions correlate at r = {r_low:.2f} to {r_high:.2f}; the HTMT ratio "
            f"ranges from {validity['htmt'].min():.2f} to {validity['htmt'].max():.2f}")
    if above.empty:
        return text + f", below {threshold:.2f} for every pair: the four scales measure distinct constructs."
    pairs = _and([f"{display_label(a).lower()} and {display_label(b).lower()}"
                  for a, b in zip(above["scale_a"], above["scale_b"], strict=True)])
    return text + f"; at or above {threshold:.2f} for {pairs}: these scales are not empirically distinct."


def dif_sentence(dif: pd.DataFrame, *, reference: str, focal: str) -> str:
    """How many items show DIF between two groups (:func:`~innocap_analysis.indicators.item_dif`)."""
    tested = dif[dif["p_dif"].notna()]
    flagged = tested[tested["flagged"].astype(bool)]
    head = (f"Of {len(tested)} capability items, {len(flagged)} show differential item functioning between "
            f"{display_label(focal)} and {display_label(reference)} respondents "
            "(ordinal logistic regression, Holm-adjusted, at least a moderate effect)")
    if flagged.empty:
        return head + ": the two groups read the items alike, so their scale scores compare."
    items = _and([f"{row.item} (odds ratio {row.odds_ratio:.2f}, delta R² {row.delta_r2:.3f})"
                  for row in flagged.itertuples()])
    return head + f": {items}. Compare the groups' scale scores without these items, or read them with care."


def clustering_sentence(frame: pd.DataFrame, cluster: str | None, *, unit: str = "respondent_id") -> str:
    """How the intervals treat respondents of one organisation (``cluster`` from ``indicators.resolve_cluster``)."""
    n = frame[unit].nunique() if unit in frame else len(frame)
    if cluster is None:
        return (f"The exports carry no organisation key, so each of the {n} respondents counts as its own "
                "organisation: intervals and resamples treat respondents as independent. With organisation names "
                "in the exports and a pseudonymisation key, they become cluster-robust by organisation.")
    k = frame[cluster].nunique()
    return (f"Intervals are cluster-robust by organisation and resamples draw whole organisations: {n} respondents "
            f"from {k} organisations.")
