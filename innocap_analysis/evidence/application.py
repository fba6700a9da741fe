"""The funding application's own sections, assembled from the evidence tables (notebook 08).

* :func:`partner_profiles`: one long table of every number a partner-area profile shows (codes,
  population, remoteness class, survey n and response rate, top needs with intervals, service
  distance with its range, the pilot), each with its unit, its display text, whether it is
  illustrative, and the published table or data file it comes from. The profile page
  (:func:`~innocap_analysis.plots.application_pages.partner_profile_page`) and the profile section
  (:func:`~innocap_analysis.evidence.sentences.partner_profile_markdown`) print only these texts.
* :func:`intervention_logic` and :func:`indicator_targets`: needs -> objectives -> work packages ->
  outputs -> results, with the Interreg common indicators (:data:`COMMON_INDICATORS`) and the
  programme's survey result indicators, each with its wave-1 baseline and a target from the power
  analysis (notebook 07) or, where no data can set it, from the project design, saying which.
* :func:`transnational_needs`: which needs all partners share and which are area-specific.
* :func:`survey_frame`: the facts of the survey-methods annex per partner.

The project design (objectives, work packages, pilots, where each target comes from) is data:
``data/raw/application/design.yaml`` (:func:`load_application_design`).

References
----------
Regulation (EU) 2021/1058 (ERDF and Cohesion Fund), Annexes I and II: the common output and result
    indicators, including the Interreg-specific ones; Regulation (EU) 2021/1059 (Interreg), Article 16:
    programmes use them. Definitions: European Commission, SWD(2021) 198 final, as quoted in the
    Interreg NPA 2021-2027 Programme Manual, sections 6.1 and 6.2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from .. import config, provenance
from ..disclosure import protect_rows
from ..indicators.baseline import points_per_sd
from ..labels import display_label, share_with_range
from ..survey import Codebook, Survey


class CommonIndicator(NamedTuple):
    """An Interreg common indicator: its official name, measurement unit and level."""

    name: str
    unit: str
    level: str


#: The Interreg common indicators the design may use, with their official names and units
#: (Regulation (EU) 2021/1058, Annex I; the Jems indicator catalogue and the NPA Programme Manual use
#: the same names).
COMMON_INDICATORS: dict[str, CommonIndicator] = {
    "RCO 83": CommonIndicator("Strategies and action plans jointly developed", "strategy/action plan", "output"),
    "RCO 84": CommonIndicator("Pilot actions developed jointly and implemented in projects", "pilot actions", "output"),
    "RCO 85": CommonIndicator("Participations in joint training schemes", "participations", "output"),
    "RCO 87": CommonIndicator("Organisations cooperating across borders", "organisations", "output"),
    "RCO 116": CommonIndicator("Jointly developed solutions", "solutions", "output"),
    "RCR 79": CommonIndicator("Joint strategies and action plans taken up by organisations",
                              "joint strategy/action plan", "result"),
    "RCR 81": CommonIndicator("Completion of joint training schemes", "participants", "result"),
    "RCR 84": CommonIndicator("Organisations cooperating across borders after project completion", "organisations",
                              "result"),
    "RCR 104": CommonIndicator("Solutions taken up or up-scaled by organisations", "solutions", "result"),
}

#: Where a target may come from (``indicators`` in the design file).
TARGET_RULES: dict[str, str] = {
    "planned_participants": "the participants of the power analysis (notebook 07): the plan whose minimum "
                            "detectable effect is quoted",
    "linked_participants": "participants the follow-up must link for that power (planned participants x the "
                           "linked share)",
    "organisations": "the organisations (clusters) of the power analysis; fewer organisations raise the design "
                     "effect",
    "pilots": "one per pilot named in the project design",
    "count": "set by the consortium in the project design (not derived from data)",
    "consortium": "not set yet: the consortium sets it (no data basis)",
}

#: Statuses of a priority table with rank uncertainty that count as a partner's top need: the top dimension
#: and every dimension not separated from it (:mod:`~innocap_analysis.indicators.priorities`).
TOP_STATUSES: tuple[str, ...] = ("clear top", "tied top", "not separated from top")

#: How a need is classed in the transnational table.
TRANSNATIONAL_RULE = (
    "A need (the public sector's importance, 0-100) counts as a partner area's top need when it ranks first or "
    "cannot be separated from the first (P(rank 1) and Holm-adjusted paired differences of notebook 03). It is "
    "'shared by all partners' when it is a top need in every partner area with a ranking, 'shared by several "
    "partners' in two or more but not all, 'area-specific' in exactly one (named), and 'not a top need' otherwise."
)


def need_view(priorities: pd.DataFrame) -> pd.DataFrame:
    """The wave-1 need per region and dimension from the priority ranking, with its top-need flag.

    Parameters
    ----------
    priorities
        :func:`~innocap_analysis.indicators.priorities.priority_uncertainty` by region (``rank``,
        ``mean``, ``ci_low``, ``ci_high``, ``p_rank1``, ``status``, ``n``): the need is the public
        sector's importance, and a top need is one in :data:`TOP_STATUSES`.

    Returns
    -------
    pandas.DataFrame
        ``region``, ``dimension``, ``rank``, ``need``, ``need_low``, ``need_high`` (0-100),
        ``p_rank1``, ``status``, ``n`` and ``is_top``; suppressed (unranked) dimensions are left out.
    """
    missing = [c for c in ("region", "dimension", "rank", "mean", "ci_low", "ci_high", "p_rank1", "status", "n")
               if c not in priorities.columns]
    if missing:
        raise KeyError(f"priorities: missing columns {missing} (expected the output of priority_uncertainty)")
    out = priorities[priorities["rank"].notna()]
    return pd.DataFrame({
        "region": out["region"].astype(str).to_numpy(), "dimension": out["dimension"].astype(str).to_numpy(),
        "rank": out["rank"].astype(int).to_numpy(), "need": out["mean"].astype(float).to_numpy(),
        "need_low": out["ci_low"].astype(float).to_numpy(), "need_high": out["ci_high"].astype(float).to_numpy(),
        "p_rank1": out["p_rank1"].astype(float).to_numpy(), "status": out["status"].astype(str).to_numpy(),
        "n": out["n"].to_numpy(), "is_top": out["status"].astype(str).isin(TOP_STATUSES).to_numpy(),
    })


#: The sections of a partner profile, in reading order.
PROFILE_SECTIONS: tuple[str, ...] = ("area", "survey", "needs", "distance", "pilot")
PROFILE_COLUMNS: tuple[str, ...] = ("partner_key", "partner_area", "section", "item", "value", "low", "high",
                                    "respondents", "unit", "text", "illustrative", "source")


# --------------------------------------------------------------------------- the project design


@dataclass(frozen=True)
class WorkPackage:
    """One work package of the design: the needs it serves and its indicators (codes)."""

    id: str
    title: str
    needs: tuple[str, ...]
    outputs: tuple[str, ...]
    results: tuple[str, ...]


@dataclass(frozen=True)
class Pilot:
    """A partner's pilot: its title and the needs (dimension keys) it addresses."""

    title: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class ApplicationDesign:
    """The project design of ``data/raw/application/design.yaml`` (:func:`load_application_design`)."""

    illustrative: bool
    objectives: dict[str, str]
    work_packages: tuple[WorkPackage, ...]
    pilots: dict[str, Pilot | None]
    indicators: dict[str, str | int]
    path: Path

    def target_rule(self, code: str) -> str:
        """The rule name of an indicator's target (``count`` for a typed number)."""
        rule = self.indicators[code]
        return "count" if isinstance(rule, int) else rule


def load_application_design(
    path: str | Path | None = None, *, dimensions: Sequence[str] | None = None
) -> ApplicationDesign:
    """Read and check the project design (default ``config.APPLICATION_DESIGN_YAML``).

    Parameters
    ----------
    path
        The design YAML (format in the file's header comment).
    dimensions
        The needs (capability dimension keys) objectives and pilots may name; default the four
        dimensions of INNOCAP v1.

    Raises
    ------
    ValueError
        Listing every problem at once, each naming the file and the key (an unknown need, partner or
        indicator code, an indicator without a target rule, a work package without an id, ...).
    """
    path = Path(path) if path is not None else config.APPLICATION_DESIGN_YAML
    dimensions = list(dimensions or ("digital_solutions", "procurement", "delivery_models", "skills"))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the project design: {exc}") from None
    provenance.record_input(path)
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: the project design must be a mapping with objectives, work_packages, pilots, "
                         "indicators")
    unknown = sorted(set(raw) - {"illustrative", "objectives", "work_packages", "pilots", "indicators"})
    problems += [f"unknown key {key!r}" for key in unknown]

    objectives = raw.get("objectives") or {}
    problems += [f"objectives.{key}: not a need (known: {dimensions})" for key in objectives if key not in dimensions]
    problems += [f"objectives: no objective for need {d!r}" for d in dimensions if d not in objectives]

    def needs_of(where: str, value: object) -> tuple[str, ...]:
        if value == "all":
            return tuple(dimensions)
        if not isinstance(value, list) or not value:
            problems.append(f"{where}: give a list of needs or 'all', not {value!r}")
            return ()
        bad = [v for v in value if v not in dimensions]
        problems.extend(f"{where}: unknown need {v!r} (known: {dimensions})" for v in bad)
        return tuple(v for v in value if v in dimensions)

    def codes_of(where: str, value: object) -> tuple[str, ...]:
        value = value or []
        bad = [v for v in value if v not in COMMON_INDICATORS]
        problems.extend(f"{where}: unknown indicator {v!r} (known: {sorted(COMMON_INDICATORS)})" for v in bad)
        return tuple(v for v in value if v in COMMON_INDICATORS)

    packages = []
    for i, wp in enumerate(raw.get("work_packages") or []):
        where = f"work_packages[{i}]"
        if not isinstance(wp, dict) or not wp.get("id") or not wp.get("title"):
            problems.append(f"{where}: needs an id and a title")
            continue
        packages.append(WorkPackage(str(wp["id"]), str(wp["title"]), needs_of(f"{where}.needs", wp.get("needs")),
                                    codes_of(f"{where}.outputs", wp.get("outputs")),
                                    codes_of(f"{where}.results", wp.get("results"))))
    pilots: dict[str, Pilot | None] = {}
    for key, pilot in (raw.get("pilots") or {}).items():
        if key not in config.PARTNER_AREAS:
            problems.append(f"pilots.{key}: not a partner (known: {list(config.PARTNER_AREAS)})")
        elif pilot is None:
            pilots[key] = None
        elif not isinstance(pilot, dict) or not pilot.get("title"):
            problems.append(f"pilots.{key}: give a title and the needs it addresses, or null")
        else:
            pilots[key] = Pilot(str(pilot["title"]), needs_of(f"pilots.{key}.addresses", pilot.get("addresses")))
    indicators: dict[str, str | int] = {}
    for code, rule in (raw.get("indicators") or {}).items():
        if code not in COMMON_INDICATORS:
            problems.append(f"indicators.{code}: unknown indicator (known: {sorted(COMMON_INDICATORS)})")
        elif isinstance(rule, dict) and set(rule) == {"count"} and isinstance(rule["count"], int) and rule["count"] >= 0:
            indicators[code] = int(rule["count"])
        elif isinstance(rule, str) and rule in TARGET_RULES and rule != "count":
            indicators[code] = rule
        else:
            problems.append(f"indicators.{code}: target must be one of {sorted(set(TARGET_RULES) - {'count'})} "
                            f"or {{count: N}}, not {rule!r}")
    used = {c for wp in packages for c in (*wp.outputs, *wp.results)}
    problems += [f"indicators: {c} is used by a work package but has no target rule" for c in sorted(used - set(indicators))]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return ApplicationDesign(illustrative=bool(raw.get("illustrative", True)), objectives=dict(objectives),
                             work_packages=tuple(packages), pilots=pilots, indicators=indicators, path=path)


# --------------------------------------------------------------------------- formatting


def _int(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _masked(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _count_text(value: object, min_n: int) -> str:
    return f"fewer than {min_n}" if _masked(value) else _int(float(value))


# --------------------------------------------------------------------------- partner profiles


def partner_profiles(
    areas: pd.DataFrame,
    remoteness: pd.DataFrame,
    counts: pd.DataFrame,
    rates: pd.DataFrame,
    priorities: pd.DataFrame,
    ipa: pd.DataFrame,
    need_supply: pd.DataFrame,
    distance: pd.DataFrame,
    sensitivity: pd.DataFrame,
    design: ApplicationDesign,
    *,
    regions: Sequence[str] | None = None,
    n_needs: int = 2,
    tier: str = "regional_centre",
    illustrative: bool = True,
    min_cell_size: int = config.MIN_CELL_SIZE,
    sources: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every number of the partner-area profiles, one row each, with its text and source.

    Parameters
    ----------
    areas
        :func:`~innocap_analysis.geography.partner_area_summary` (``partner_key``, ``partner_area``,
        ``area_id``, ``country``, ``nuts3_parent``, ``population``, ``population_year``, ``area_km2``,
        ``density_per_km2``, ``in_npa_2021_27``).
    remoteness
        :func:`~innocap_analysis.geography.partner_remoteness`.
    counts
        :func:`~innocap_analysis.survey.quality.response_counts` by region and stakeholder (masked).
    rates
        :func:`~innocap_analysis.survey.quality.response_rates` by region (AAPOR RR1).
    priorities, ipa, need_supply
        :func:`~innocap_analysis.indicators.priorities.priority_uncertainty` (the need with its interval
        and P(rank 1)), :func:`~innocap_analysis.indicators.demand_supply.ipa_table` (capability beside
        the need) and :func:`~innocap_analysis.indicators.demand_supply.need_and_supply` (supply beside
        the need: different questions, never subtracted), by region.
    distance, sensitivity
        :func:`~innocap_analysis.geography.partner_area_indicators` and the sensitivity summary of the
        share beyond the cut (``central_share``, ``range_low``, ``range_high``).
    design
        :func:`load_application_design` (the pilots).
    regions
        Partner keys; default all of :data:`~innocap_analysis.config.PARTNER_AREAS`.
    n_needs
        Top needs listed per partner.
    tier
        Service tier of the distance burden.
    illustrative
        Whether the survey numbers are the illustrative (synthetic) data.
    min_cell_size
        Respondent counts below it are masked ("fewer than 5").
    sources
        Name of the published table each input comes from, keyed ``areas``, ``remoteness``, ``counts``,
        ``rates``, ``priorities``, ``ipa``, ``need_supply``, ``distance``, ``sensitivity``, ``design``
        (defaults: the tables of notebooks 00-04 and the design file).

    Returns
    -------
    pandas.DataFrame
        :data:`PROFILE_COLUMNS`: ``partner_key``, ``partner_area``, ``section``
        (:data:`PROFILE_SECTIONS`), ``item``, ``value``, ``low``, ``high`` (numbers, ``<NA>`` for text
        items), ``respondents`` (the respondent counts, in a column of their own; ``<NA>`` when masked),
        ``unit``, ``text`` (exactly what the profile prints), ``illustrative`` and ``source``.
    """
    src = {"areas": "00_partner_areas", "remoteness": "00_partner_remoteness", "counts": "01_response_counts",
           "rates": "01_response_rates", "priorities": "03_need_priority", "ipa": "03_ipa_public_sector",
           "need_supply": "03_need_and_supply", "distance": "04_partner_area_indicators",
           "sensitivity": "04_partner_area_sensitivity_summary",
           "design": design.path.relative_to(config.PROJECT_ROOT).as_posix()
           if design.path.is_relative_to(config.PROJECT_ROOT) else design.path.name, **(sources or {})}
    keys = list(regions) if regions is not None else list(config.PARTNER_AREAS)
    area = areas.set_index("partner_key")
    remote = remoteness.set_index("partner_key")
    count = counts.copy()
    count.index = count.index.astype(str)
    rate = rates.assign(region=rates["region"].astype(str)).set_index("region")
    ranked = need_view(priorities)
    n_dimensions = int(ipa["dimension"].astype(str).nunique())
    ipa_ = ipa.assign(region=ipa["region"].astype(str), dimension=ipa["dimension"].astype(str))
    ipa_ = ipa_.set_index(["region", "dimension"])
    supply = need_supply.assign(region=need_supply["region"].astype(str),
                                dimension=need_supply["dimension"].astype(str)).set_index(["region", "dimension"])
    burden = distance[distance["tier"] == tier].set_index("partner_key")
    ranges = sensitivity.set_index("partner_key")
    cut = f"{config.BURDEN_THRESHOLD_KM:g}km"
    rows: list[dict[str, object]] = []

    def add(key: str, section: str, item: str, text: str, source: str, *, value: object = pd.NA,
            low: object = pd.NA, high: object = pd.NA, unit: str = "", survey: bool = False) -> None:
        count = unit == "respondents"  # respondent counts get their own column (the disclosure-checked one)
        rows.append({"partner_key": key, "partner_area": config.PARTNER_AREAS.get(key, display_label(key)),
                     "section": section, "item": item, "value": pd.NA if count else value, "low": low, "high": high,
                     "respondents": value if count else pd.NA, "unit": unit,
                     "text": text, "illustrative": (survey and illustrative)
                     or (source == src["design"] and design.illustrative),
                     "source": source})

    for key in keys:
        # --- area: codes, population, density, remoteness
        if key in area.index:
            a = area.loc[key]
            add(key, "area", "area code", f"{a['area_id']} ({a['country']})", src["areas"])
            parent = str(a["nuts3_parent"])
            if parent not in ("-", "", "nan", "<NA>"):
                parent_text = f"{parent} (the NUTS 3 region that contains the area)"
            elif str(a["country"]) == "CA":
                parent_text = "none (outside NUTS)"
            else:
                parent_text = f"{a['area_id']} itself (the area is a NUTS 3 region)"
            add(key, "area", "NUTS 3 parent", parent_text, src["areas"])
            add(key, "area", "population", f"{_int(a['population'])} ({a['population_year']})", src["areas"],
                value=float(a["population"]), unit="persons")
            add(key, "area", "area", f"{_int(a['area_km2'])} km²", src["areas"], value=float(a["area_km2"]),
                unit="km2")
            add(key, "area", "density", f"{a['density_per_km2']:.1f} persons per km²", src["areas"],
                value=float(a["density_per_km2"]), unit="persons per km2")
            add(key, "area", "in the NPA 2021-2027 programme area",
                "yes" if bool(a["in_npa_2021_27"]) else "no (a partner outside the programme area)", src["areas"])
        if key in remote.index:
            r = remote.loc[key]
            text = (f"{r['remoteness_label']} ({r['typology']}, class of {r['classified_region']})"
                    if pd.notna(r["remoteness_label"]) else f"not classified ({r['typology']})")
            add(key, "area", "official remoteness class", text, src["remoteness"])
        # --- survey: respondents, response rate
        if key in count.index:
            c = count.loc[key]
            groups = [col for col in count.columns if col not in ("total", "suppressed")]
            total = c["total"]  # the true total: response_counts masks the cells that would give a small one back
            add(key, "survey", "respondents", _count_text(total, min_cell_size), src["counts"],
                value=total, unit="respondents", survey=True)
            for group in groups:
                add(key, "survey", f"respondents: {display_label(group)}", _count_text(c[group], min_cell_size),
                    src["counts"], value=c[group], unit="respondents", survey=True)
        if key in rate.index:
            r = rate.loc[key]
            if bool(r.get("rate_available", pd.notna(r["rr1"]))) and pd.notna(r["rr1"]):
                text = (f"{_pct(float(r['rr1']))} ({_int(float(r['completes']))} {r['unit']} of "
                        f"{_int(float(r['invited']))} organisations invited; AAPOR RR1"
                        + ("" if r["unit"] == "organisations" else ", each respondent counted as one organisation")
                        + ")")
                add(key, "survey", "response rate", text, src["rates"], value=float(r["rr1"]), unit="share",
                    survey=True)
            else:
                add(key, "survey", "response rate", str(r.get("note") or "not available"), src["rates"], survey=True)
        # --- needs: the top-ranked modules with intervals; capability and supply beside them (not subtracted)
        mine = ranked[ranked["region"] == key].sort_values("rank")
        add(key, "needs", "modules ranked", f"{len(mine)} of {n_dimensions}", src["priorities"],
            value=float(len(mine)), high=float(n_dimensions), unit="modules", survey=True)
        for _, row in mine.head(n_needs).iterrows():
            dim, k = row["dimension"], int(row["rank"])
            add(key, "needs", f"need {k}: {display_label(dim)}",
                f"ranks first in {_pct(row['p_rank1'])} of resamples ({row['status']})", src["priorities"],
                value=float(row["p_rank1"]), unit="P(rank 1)", survey=True)
            add(key, "needs", f"need {k}: importance",
                f"{row['need']:.0f} (95% CI {row['need_low']:.0f}-{row['need_high']:.0f})", src["priorities"],
                value=float(row["need"]), low=float(row["need_low"]), high=float(row["need_high"]),
                unit="points (0-100)", survey=True)
            if (key, dim) in ipa_.index and pd.notna(ipa_.loc[(key, dim), "capability_mean"]):
                i = ipa_.loc[(key, dim)]
                add(key, "needs", f"need {k}: capability",
                    f"{i['capability_mean']:.0f} (95% CI {i['capability_ci_low']:.0f}-{i['capability_ci_high']:.0f})",
                    src["ipa"], value=float(i["capability_mean"]), low=float(i["capability_ci_low"]),
                    high=float(i["capability_ci_high"]), unit="points (0-100)", survey=True)
            add(key, "needs", f"need {k}: respondents", _count_text(row["n"], min_cell_size),
                src["priorities"], value=row["n"], unit="respondents", survey=True)
            if k == 1 and (key, dim) in supply.index and pd.notna(supply.loc[(key, dim), "supply_mean"]):
                sup = supply.loc[(key, dim)]
                add(key, "needs", "need 1: SME and university supply (\"we can offer this\")",
                    f"{sup['supply_mean']:.0f} (95% CI {sup['supply_ci_low']:.0f}-{sup['supply_ci_high']:.0f}; "
                    "a different question, shown beside the need)", src["need_supply"],
                    value=float(sup["supply_mean"]), low=float(sup["supply_ci_low"]),
                    high=float(sup["supply_ci_high"]), unit="points (0-100)", survey=True)
        # --- distance: share beyond the cut with its sensitivity range
        if key in burden.index:
            b = burden.loc[key]
            central = float(b[f"share_beyond_{cut}"])
            low, high = ((float(ranges.loc[key, "range_low"]), float(ranges.loc[key, "range_high"]))
                         if key in ranges.index else (np.nan, np.nan))
            add(key, "distance", f"share beyond {config.BURDEN_THRESHOLD_KM:g} km of a {tier.replace('_', ' ')}",
                share_with_range(central, low, high) if key in ranges.index else _pct(central),
                src["distance"] if key not in ranges.index else src["sensitivity"], value=central, low=low, high=high,
                unit="share of population")
            add(key, "distance", f"people beyond {config.BURDEN_THRESHOLD_KM:g} km",
                f"{_int(b[f'population_beyond_{cut}'])} people", src["distance"],
                value=float(b[f"population_beyond_{cut}"]), unit="persons")
            add(key, "distance", "mean distance", f"{b['mean_km']:.0f} km", src["distance"], value=float(b["mean_km"]),
                unit="km")
            add(key, "distance", "nearest centre across a national border",
                f"{_pct(float(b['share_nearest_abroad']))} of the population (counted in their own country)",
                src["distance"], value=float(b["share_nearest_abroad"]), unit="share of population")
        # --- pilot
        pilot = design.pilots.get(key)
        if pilot is None:
            add(key, "pilot", "pilot", "none named yet in the project design", src["design"])
        else:
            add(key, "pilot", "pilot", pilot.title, src["design"])
            for dim in pilot.addresses:
                hit = mine[mine["dimension"] == dim]
                where = (f"wave-1 need rank {int(hit['rank'].iloc[0])} of {len(mine)}" if len(hit)
                         else "not ranked in wave 1")
                add(key, "pilot", f"addresses: {display_label(dim)}", where, src["priorities"],
                    value=float(hit["rank"].iloc[0]) if len(hit) else pd.NA, unit="rank", survey=True)
    table = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
    for column in ("value", "low", "high"):
        table[column] = pd.array(pd.to_numeric(table[column], errors="coerce"), dtype="Float64")
    table["respondents"] = pd.array(pd.to_numeric(table["respondents"], errors="coerce"), dtype="Int64")
    return table


def check_profile_counts(profiles: pd.DataFrame, min_cell_size: int = config.MIN_CELL_SIZE) -> None:
    """Refuse a profile table that would publish a respondent count below the minimum cell size."""
    counts = profiles["respondents"]
    small = profiles[counts.notna() & (counts < min_cell_size)]
    if not small.empty:
        raise ValueError(f"respondent counts below {min_cell_size} in the profiles: "
                         f"{small[['partner_key', 'item']].to_dict('records')}")


# --------------------------------------------------------------------------- intervention logic


def _wave1_need(needs: pd.DataFrame, dimension: str) -> str:
    """Where a need is a top need, and its mean over the partner areas (from :func:`need_view`)."""
    part = needs[needs["dimension"] == dimension]
    return (f"a top need in {int(part['is_top'].sum())} of {part['region'].nunique()} partner areas (first or not "
            f"separated from the first); mean need (importance) {part['need'].mean():.0f} points (0-100)")


def indicator_targets(
    design: ApplicationDesign,
    power_summary: pd.DataFrame,
    baselines: pd.DataFrame,
    *,
    scenario: str = "design effect",
    retest_correlation: float = 0.5,
    illustrative: bool = True,
    power_illustrative: bool = True,
) -> pd.DataFrame:
    """Every indicator of the intervention logic with its baseline, target and where the target comes from.

    Parameters
    ----------
    design
        :func:`load_application_design`.
    power_summary
        :attr:`~innocap_analysis.evaluation.planning.PowerPlan.summary` (notebook 07).
    baselines
        :func:`~innocap_analysis.indicators.baseline.result_baselines` of the public sector, pooled
        (one row per dimension).
    scenario
        The power scenario the targets follow (the design effect of the planning ICC).
    retest_correlation
        Planning test-retest correlation that turns the minimum detectable d into points
        (:func:`~innocap_analysis.indicators.baseline.points_per_sd`).
    illustrative
        Whether the survey baselines are illustrative (synthetic).
    power_illustrative
        Whether the power analysis rests on illustrative data (notebook 07's ICC and organisations come
        from its two-wave data, synthetic until the partners' follow-up exists).

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``code``, ``indicator`` (official name, or the programme-specific
        result), ``level`` (output / result), ``unit``, ``work_packages``, ``need`` (for the survey
        results), ``baseline``, ``baseline_ci_low``, ``baseline_ci_high``, ``baseline_n``,
        ``baseline_basis``, ``target``, ``target_change``, ``target_basis``, ``illustrative``.
        Common indicators count the project's own achievements, so their baseline is 0.
    """
    plan = power_summary.set_index("scenario").loc[scenario]
    n_pilots = sum(p is not None for p in design.pilots.values())
    derived = {
        "planned_participants": float(plan["n_participants_planned"]),
        "linked_participants": float(plan["n_participants_linked"]),
        "organisations": float(plan["n_organisations"]),
        "pilots": float(n_pilots),
    }
    mde = float(plan["mde_d_between_groups"])
    rows = []
    for code in [c for c in COMMON_INDICATORS if c in design.indicators]:
        spec, rule = COMMON_INDICATORS[code], design.target_rule(code)
        target = (float(design.indicators[code]) if rule == "count" else derived.get(rule, np.nan))
        basis = TARGET_RULES[rule]
        if rule in ("planned_participants", "linked_participants", "organisations"):
            basis += (f" (difference-in-differences detects d = {mde:.2f} with the design effect of "
                      f"{float(plan['design_effect']):.2f})")
        rows.append({
            "code": code, "indicator": spec.name, "level": spec.level, "unit": spec.unit,
            "work_packages": ", ".join(wp.id for wp in design.work_packages if code in (*wp.outputs, *wp.results)),
            "need": "", "baseline": 0.0, "baseline_ci_low": np.nan, "baseline_ci_high": np.nan, "baseline_n": np.nan,
            "baseline_basis": "counted from project start (the indicator counts the project's achievements)",
            "target": target, "target_change": np.nan, "target_basis": basis,
            "illustrative": (rule in ("count", "pilots", "consortium") and design.illustrative)
            or (rule in ("planned_participants", "linked_participants", "organisations") and power_illustrative),
        })
    base = baselines.assign(dimension=baselines["dimension"].astype(str)).set_index("dimension")
    for dim in design.objectives:
        if dim not in base.index or pd.isna(base.loc[dim, "mean"]):
            continue
        b = base.loc[dim]
        change = mde * points_per_sd(float(b["sd"]), retest_correlation)
        rows.append({
            "code": "programme-specific", "indicator": f"Public-sector capability in {display_label(dim).lower()}",
            "level": "result", "unit": "score points (0-100)",
            "work_packages": ", ".join(wp.id for wp in design.work_packages if dim in wp.needs),
            "need": dim, "baseline": float(b["mean"]), "baseline_ci_low": float(b["ci_low"]),
            "baseline_ci_high": float(b["ci_high"]), "baseline_n": float(b["n"]),
            "baseline_basis": "wave-1 survey, public-sector respondents of all partners (mean, 95% t interval)",
            "target": float(b["mean"]) + change, "target_change": change,
            "target_basis": (f"baseline + the smallest difference-in-differences the follow-up detects with 80% power "
                             f"and the design effect (d = {mde:.2f}) x the SD of change ({points_per_sd(float(b['sd']), retest_correlation):.1f} "
                             f"points: the wave-1 SD at a test-retest correlation of {retest_correlation:g})"),
            "illustrative": illustrative or power_illustrative,
        })
    return pd.DataFrame(rows)


def intervention_logic(
    design: ApplicationDesign,
    priorities: pd.DataFrame,
    targets: pd.DataFrame,
) -> pd.DataFrame:
    """Needs -> objectives -> work packages -> outputs -> results, one row per need.

    Parameters
    ----------
    design
        :func:`load_application_design`.
    priorities
        :func:`~innocap_analysis.indicators.priorities.priority_uncertainty` by region (the wave-1 need).
    targets
        :func:`indicator_targets`.

    Returns
    -------
    pandas.DataFrame
        ``need``, ``wave1_evidence`` (in how many partner areas it is a top need, and its mean need),
        ``objective``, ``work_packages``, ``outputs`` and ``results`` (indicator codes with their
        targets), ``result_indicator``, ``baseline``, ``baseline_ci_low``, ``baseline_ci_high``,
        ``target`` (the programme-specific survey result) and ``illustrative``.
    """
    common = targets[targets["code"] != "programme-specific"].set_index("code")
    survey = targets[targets["code"] == "programme-specific"].set_index("need")

    def listed(codes: Sequence[str]) -> str:
        return "; ".join(f"{c} {COMMON_INDICATORS[c].name}: "
                         + ("target not set" if pd.isna(common.loc[c, "target"]) else f"{common.loc[c, 'target']:.0f}")
                         for c in codes if c in common.index)

    needs = need_view(priorities)
    rows = []
    for dim, objective in design.objectives.items():
        packages = [wp for wp in design.work_packages if dim in wp.needs]
        result = survey.loc[dim] if dim in survey.index else None
        rows.append({
            "need": display_label(dim),
            "wave1_evidence": _wave1_need(needs, dim),
            "objective": objective,
            "work_packages": "; ".join(f"{wp.id} {wp.title}" for wp in packages),
            "outputs": listed(sorted({c for wp in packages for c in wp.outputs}, key=list(COMMON_INDICATORS).index)),
            "results": listed(sorted({c for wp in packages for c in wp.results}, key=list(COMMON_INDICATORS).index)),
            "result_indicator": None if result is None else result["indicator"] + " (survey, 0-100)",
            "baseline": np.nan if result is None else result["baseline"],
            "baseline_ci_low": np.nan if result is None else result["baseline_ci_low"],
            "baseline_ci_high": np.nan if result is None else result["baseline_ci_high"],
            "target": np.nan if result is None else result["target"],
            "illustrative": True if result is None else bool(result["illustrative"]) or design.illustrative,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- transnational needs


def transnational_needs(priorities: pd.DataFrame, *, regions: Sequence[str] | None = None) -> pd.DataFrame:
    """Which needs all partners share and which are area-specific (:data:`TRANSNATIONAL_RULE`).

    Parameters
    ----------
    priorities
        :func:`~innocap_analysis.indicators.priorities.priority_uncertainty` by region.
    regions
        Partner keys, in column order; default those ranked.

    Returns
    -------
    pandas.DataFrame
        One row per need: ``need``, ``class``, ``partners_top`` (count), ``partners_ranked``, ``top_in``
        (the partner areas), ``first_in`` (where it ranks first), ``clear_first_in`` (where it ranks first
        with P(rank 1) of at least the threshold of notebook 03), ``mean_need`` (importance, 0-100), and
        one ``rank_<partner>``, ``need_<partner>`` and ``p_rank1_<partner>`` column per partner.
    """
    view = need_view(priorities)
    keys = list(regions) if regions is not None else [k for k in config.PARTNER_AREAS if k in set(view["region"])]
    view = view[view["region"].isin(keys)]

    def wide(column: str) -> pd.DataFrame:
        return view.pivot(index="dimension", columns="region", values=column).reindex(columns=keys)

    rank, need, p_rank1 = wide("rank"), wide("need"), wide("p_rank1")
    is_top = wide("is_top").fillna(False).astype(bool)
    clear = wide("status").eq("clear top")
    n_top, n_ranked = is_top.sum(axis=1), rank.notna().sum(axis=1)
    names = np.array([config.PARTNER_AREAS.get(k, display_label(k)) for k in keys], dtype=object)
    label = np.select([n_top.eq(n_ranked) & n_ranked.gt(0), n_top.ge(2), n_top.eq(1)],
                      ["shared by all partners", "shared by several partners", "area-specific"], default="not a top need")
    out = pd.DataFrame({"need": [display_label(d) for d in rank.index], "class": label,
                        "partners_top": n_top.to_numpy(), "partners_ranked": n_ranked.to_numpy(),
                        "top_in": ["; ".join(names[row]) for row in is_top.to_numpy()],
                        "first_in": ["; ".join(names[row]) for row in rank.eq(1).to_numpy()],
                        "clear_first_in": ["; ".join(names[row]) for row in clear.to_numpy()],
                        "mean_need": need.mean(axis=1).to_numpy()})
    for key in keys:
        out[f"rank_{key}"] = pd.array(rank[key].to_numpy(), dtype="Int64")
        out[f"need_{key}"] = need[key].to_numpy(dtype=float)
        out[f"p_rank1_{key}"] = p_rank1[key].to_numpy(dtype=float)
    order = {"shared by all partners": 0, "shared by several partners": 1, "area-specific": 2}
    out = out.assign(_order=out["class"].map(order).fillna(3))
    return out.sort_values(["_order", "partners_top", "mean_need"], ascending=[True, False, False],
                           kind="stable").drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------- survey methods


def instrument_facts(codebook: Codebook) -> dict[str, object]:
    """What the methods annex says about the instrument: name and version, languages, items translated.

    Returns ``instrument``, ``languages`` (list), ``n_items`` and ``n_translated`` (items whose text is
    given in every language of the codebook).
    """
    languages = list(codebook.languages)
    return {
        "instrument": f"{codebook.instrument} v{codebook.version}",
        "languages": languages,
        "n_items": len(codebook.items),
        "n_translated": sum(all(item.text.get(lang) for lang in languages) for item in codebook.items),
    }


def survey_frame(survey: Survey, rates: pd.DataFrame, *, regions: Sequence[str] | None = None) -> pd.DataFrame:
    """Per partner: the export's tool, language, the organisations invited, respondents kept and the rate.

    Returns
    -------
    pandas.DataFrame
        ``region``, ``partner_area``, ``files``, ``tools`` (the export layouts read), ``languages``,
        ``rows_read``, ``rows_kept``, then from ``rates``
        (:func:`~innocap_analysis.survey.quality.response_rates`) ``invited``, ``responses``,
        ``completes``, ``unit``, ``rr1``, ``note``. No respondent ids.
    """
    files = survey.report.files.assign(file=lambda d: d["file"].astype(str))
    by_file = pd.DataFrame({"file": survey.responses["source_file"].astype(str).to_numpy(),
                            "region": survey.responses["region"].astype(str).to_numpy()}).drop_duplicates("file")
    files = files.merge(by_file, on="file", how="left")
    agg = files.groupby("region", sort=False).agg(
        files=("file", lambda f: "; ".join(sorted(f))), tools=("layout", lambda v: "; ".join(sorted(set(map(str, v))))),
        languages=("language", lambda v: "; ".join(sorted({str(x) for x in v if pd.notna(x)}))),
        rows_read=("rows_read", "sum"), rows_kept=("rows_kept", "sum"))
    rate = rates.assign(region=rates["region"].astype(str)).set_index("region")
    keys = [k for k in (regions or config.PARTNER_AREAS) if k in agg.index]
    out = agg.loc[keys, ["files", "tools", "languages", "rows_read", "rows_kept"]].reset_index()
    out.insert(1, "partner_area", [config.PARTNER_AREAS.get(k, display_label(k)) for k in keys])
    for column in ("invited", "responses", "completes", "unit", "rr1", "note"):
        out[column] = rate[column].reindex(keys).to_numpy() if column in rate.columns else pd.NA
    out["invited"] = pd.array(out["invited"], dtype="Int64")
    out["rr1"] = pd.array(out["rr1"], dtype="Float64")
    # responses and completes come protected from response_rates; the rows per partner get the threshold rule
    return protect_rows(out, keys=["region"], total=None, other_counts=["rows_read", "rows_kept"])
