"""Evidence synthesis: the public sector's needs beside the service-distance burden, per partner region.

Joins the outputs of the demand-supply analysis (notebook 03: priority ranks with their uncertainty, need
and supply side by side, awareness) and the partner-area distance indicators with their sensitivity ranges
(notebook 04), ranks the capacity-building modules across regions, and writes the one-page findings table of
the funding application: one sentence per finding, each generated from the numbers (never typed) and naming
the figure it rests on, whose table of the same name holds every number the sentence quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import config
from ..labels import display_label
from .sentences import (
    awareness_sentences,
    distance_burden_sentence,
    need_supply_sentence,
    overall_priority_sentence,
    priority_sentence,
)

#: How the overall module ranking is formed.
OVERALL_PRIORITY_RULE = (
    "Modules ranked across the partner regions by the number of regions where the module is the clear top need "
    "(P(rank 1) at least 0.8), then by its mean P(rank 1) over the regions where it could be ranked, then by its "
    "mean need (public-sector importance, 0-100)."
)

#: Where each finding's numbers can be checked.
EVIDENCE_RULE = (
    "Each finding names the figure it rests on; the table of the same name (figures/tables/<figure>.csv) holds "
    "exactly the numbers that figure draws, and every number of the finding is in it."
)


def region_synthesis(
    priorities: pd.DataFrame,
    need_supply: pd.DataFrame,
    awareness: pd.DataFrame,
    partner_distance: pd.DataFrame,
    sensitivity: pd.DataFrame,
    *,
    ipa: pd.DataFrame | None = None,
    tier: str = "regional_centre",
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per partner: its top need (or tied top needs) beside the distance burden of its own area.

    Parameters
    ----------
    priorities
        :func:`innocap_analysis.indicators.priority_uncertainty` by ``region``.
    need_supply
        :func:`innocap_analysis.indicators.need_and_supply` by ``region`` (need and supply side by side).
    awareness
        :func:`innocap_analysis.indicators.demand_supply.awareness_shares` by ``region`` (public sector).
    partner_distance
        :func:`innocap_analysis.geography.partner_area_indicators` (own-country services; ``partner_key``,
        ``label``, ``tier``, ...): the partner areas, not their NUTS 3 regions.
    sensitivity
        :func:`innocap_analysis.geography.sensitivity.sensitivity_summary` (``partner_key``,
        ``central_share``, ``range_low``, ``range_high``) of the share beyond the cut from a regional centre.
    ipa
        :func:`innocap_analysis.indicators.ipa_table` by ``region``: the capability of the top module is
        set beside its need (not subtracted).
    tier
        Service tier whose distances describe the burden.
    regions
        Partner keys; default all of :data:`innocap_analysis.config.PARTNER_AREAS`.

    Returns
    -------
    pandas.DataFrame
        ``region, area, top_module, top_need, top_need_ci_low, top_need_ci_high, top_p_rank1, clear_top,
        tied_modules`` (the top and every module not separated from it, ``;``-separated),
        ``top_capability`` (when ``ipa`` is given), ``top_supply, top_supply_ci_low, top_supply_ci_high``
        (suppliers' "we can offer this", a different question), ``awareness_<item>`` (one share per awareness
        item), ``mean_km, share_beyond_km, share_beyond_low, share_beyond_high, population_beyond_km,
        share_nearest_abroad, tier`` (0-100 points, P(rank 1) and shares 0-1, distances in km). Partners
        whose survey groups were suppressed carry ``<NA>``.
    """
    keys = list(regions) if regions is not None else list(config.PARTNER_AREAS)
    ranked = priorities.assign(region=priorities["region"].astype(str), dimension=priorities["dimension"].astype(str))
    first = ranked[ranked["rank"] == 1].set_index("region")
    tied = ranked[ranked["status"].isin(["tied top", "not separated from top"])]
    tied_modules = tied.groupby("region")["dimension"].agg("; ".join)
    supply = need_supply.assign(region=need_supply["region"].astype(str),
                                dimension=need_supply["dimension"].astype(str))
    burden = partner_distance[partner_distance["tier"] == tier].set_index("partner_key")
    ranges = sensitivity.set_index("partner_key")
    col = f"{config.BURDEN_THRESHOLD_KM:g}km"
    out = pd.DataFrame({"region": keys, "area": [config.PARTNER_AREAS.get(k, display_label(k)) for k in keys]})
    out["top_module"] = out["region"].map(first["dimension"])
    out["top_need"] = out["region"].map(first["mean"])
    out["top_need_ci_low"] = out["region"].map(first["ci_low"])
    out["top_need_ci_high"] = out["region"].map(first["ci_high"])
    out["top_p_rank1"] = out["region"].map(first["p_rank1"])
    out["clear_top"] = out["region"].map(first["clear_top"]).astype("boolean")
    out["tied_modules"] = out["region"].map(tied_modules).where(~out["clear_top"].fillna(True), out["top_module"])
    if ipa is not None:
        capability = ipa.assign(region=ipa["region"].astype(str), dimension=ipa["dimension"].astype(str))
        top = out[["region", "top_module"]].merge(capability, left_on=["region", "top_module"],
                                                   right_on=["region", "dimension"], how="left")
        out["top_capability"] = top["capability_mean"].to_numpy()
    top_supply = out[["region", "top_module"]].merge(
        supply, left_on=["region", "top_module"], right_on=["region", "dimension"], how="left"
    )
    out["top_supply"] = top_supply["supply_mean"].to_numpy()
    out["top_supply_ci_low"] = top_supply["supply_ci_low"].to_numpy()
    out["top_supply_ci_high"] = top_supply["supply_ci_high"].to_numpy()
    aware = awareness.assign(region=awareness["region"].astype(str), item=awareness["item"].astype(str))
    for item, part in aware.groupby("item", sort=True):  # one column per item: items are never averaged
        out[f"awareness_{item.lower()}"] = out["region"].map(part.set_index("region")["share"])
    out["mean_km"] = out["region"].map(burden["mean_km"])
    out["share_beyond_km"] = out["region"].map(burden[f"share_beyond_{col}"])
    out["share_beyond_low"] = out["region"].map(ranges["range_low"])
    out["share_beyond_high"] = out["region"].map(ranges["range_high"])
    out["population_beyond_km"] = out["region"].map(burden[f"population_beyond_{col}"])
    out["share_nearest_abroad"] = out["region"].map(burden["share_nearest_abroad"])
    out["tier"] = tier
    text = ("region", "area", "top_module", "tied_modules", "tier", "clear_top")
    numeric = [c for c in out.columns if c not in text]
    out[numeric] = out[numeric].astype("Float64")
    return out


def overall_priorities(priorities: pd.DataFrame) -> pd.DataFrame:
    """Rank the capacity-building modules across regions by :data:`OVERALL_PRIORITY_RULE`.

    Returns
    -------
    pandas.DataFrame
        ``overall_rank, dimension, regions_clear_top, regions_ranked_first, mean_p_rank1, mean_need,
        regions_ranked``.
    """
    ranked = priorities.dropna(subset=["rank"]).assign(dimension=lambda d: d["dimension"].astype(str))
    ranked = ranked.assign(_clear=(ranked["rank"] == 1) & ranked["clear_top"].fillna(False).astype(bool),
                           _first=ranked["rank"] == 1)
    table = ranked.groupby("dimension", sort=True).agg(
        regions_clear_top=("_clear", "sum"),
        regions_ranked_first=("_first", "sum"),
        mean_p_rank1=("p_rank1", "mean"),
        mean_need=("mean", "mean"),
        regions_ranked=("rank", "size"),
    ).reset_index()
    table = table.astype({"regions_clear_top": "int64", "regions_ranked_first": "int64", "mean_need": "float64"})
    table = table.sort_values(["regions_clear_top", "mean_p_rank1", "mean_need"], ascending=False, kind="stable")
    table.insert(0, "overall_rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def findings_table(
    synthesis: pd.DataFrame,
    priorities: pd.DataFrame,
    figures: Mapping[str, str],
    *,
    need_supply: pd.DataFrame | None = None,
    awareness: pd.DataFrame | None = None,
    item_texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The one-page findings table: one generated sentence per finding and the figure it rests on.

    No finding subtracts different questions (need and supply are set side by side), and a region's
    top need is named only when it ranks first in at least 80% of the resamples (P(rank 1)); otherwise
    the finding says the top needs are tied (:func:`~innocap_analysis.evidence.sentences.priority_sentence`).
    Each finding cites a figure whose table of the same name holds every number it quotes
    (:data:`EVIDENCE_RULE`).

    Parameters
    ----------
    synthesis
        :func:`region_synthesis`.
    priorities
        :func:`innocap_analysis.indicators.priority_uncertainty` by ``region``.
    figures
        Figure file stems keyed ``priority`` (needs with P(rank 1)), ``supply`` (need and supply side by
        side), ``awareness`` (a template with ``{item}``, e.g. ``"03_awareness_{item}"``: each awareness item
        has its own figure) and ``distance``.
    need_supply
        :func:`innocap_analysis.indicators.need_and_supply` by ``region``: one finding per region for its
        top module.
    awareness
        :func:`innocap_analysis.indicators.demand_supply.awareness_shares` by ``region``: one finding per
        item, citing that item's figure.
    item_texts
        Item id -> its statement, quoted in the awareness findings.

    Returns
    -------
    pandas.DataFrame
        ``finding, region, statement, evidence`` in reading order.
    """
    ranked = priorities.assign(region=priorities["region"].astype(str))
    rows: list[tuple[str, str, str]] = []
    if ranked["rank"].notna().any():
        rows.append(("all partner regions", overall_priority_sentence(ranked.dropna(subset=["rank"])),
                     figures["priority"]))
    supply = None if need_supply is None else need_supply.assign(
        region=need_supply["region"].astype(str), dimension=need_supply["dimension"].astype(str)
    ).set_index(["region", "dimension"])
    for _, row in synthesis.iterrows():
        name = display_label(row["region"])
        if pd.notna(row["top_module"]):
            rows.append((name, priority_sentence(name, ranked[ranked["region"] == row["region"]]),
                         figures["priority"]))
            key = (row["region"], row["top_module"])
            if supply is not None and key in supply.index and pd.notna(supply.loc[key, "supply_mean"]):
                side_by_side = pd.concat([supply.loc[key], pd.Series({"dimension": key[1]})])
                rows.append((name, need_supply_sentence(name, side_by_side), figures["supply"]))
        if pd.notna(row["share_beyond_km"]):
            rows.append((name, distance_burden_sentence(row), figures["distance"]))
    if awareness is not None:
        rows += [("all partner regions", sentence, figures["awareness"].format(item=item.lower()))
                 for item, sentence in awareness_sentences(awareness, item_texts or {})]
    table = pd.DataFrame(rows, columns=["region", "statement", "evidence"])
    table.insert(0, "finding", np.arange(1, len(table) + 1))
    return table
