"""Evidence synthesis: capability gaps beside the service-distance burden, per partner region.

Joins the outputs of the demand-supply analysis (notebook 03) and the partner-area distance
indicators with their sensitivity ranges (notebook 04), ranks the capacity-building priorities, and writes the
one-page findings table of the funding application: one sentence per finding, each
generated from the numbers (never typed) and naming the figure it rests on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import config
from ..labels import display_label
from .sentences import awareness_sentences, distance_burden_sentence

#: How the overall module ranking is formed.
OVERALL_PRIORITY_RULE = (
    "Modules ranked across the partner regions by the number of regions where the module is the top "
    "priority (largest public-sector need gap), then by the mean need gap over the regions where it "
    "could be computed (0-100 points)."
)


def region_synthesis(
    priorities: pd.DataFrame,
    need_supply: pd.DataFrame,
    awareness: pd.DataFrame,
    partner_distance: pd.DataFrame,
    sensitivity: pd.DataFrame,
    *,
    tier: str = "regional_centre",
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per partner: its top capability gaps beside the distance burden of its own area.

    Parameters
    ----------
    priorities
        :func:`innocap_analysis.indicators.demand_supply.priority_modules` by ``region``.
    need_supply
        :func:`innocap_analysis.indicators.demand_supply.need_supply_gap` by ``region``.
    awareness
        :func:`innocap_analysis.indicators.demand_supply.awareness_shares` by ``region`` (public sector).
    partner_distance
        :func:`innocap_analysis.geography.partner_area_indicators` (own-country services; ``partner_key``,
        ``label``, ``tier``, ...): the partner areas, not their NUTS 3 regions.
    sensitivity
        :func:`innocap_analysis.geography.sensitivity.sensitivity_summary` (``partner_key``,
        ``central_share``, ``range_low``, ``range_high``) of the share beyond the cut from a regional centre.
    tier
        Service tier whose distances describe the burden.
    regions
        Partner keys; default all of :data:`innocap_analysis.config.PARTNER_AREAS`.

    Returns
    -------
    pandas.DataFrame
        ``region, area, top_module, top_need_gap, top_importance, top_capability, second_module,
        second_need_gap, top_supply_gap, top_supply_gap_ci_low, top_supply_gap_ci_high, awareness_<item> (one share per awareness item),
        mean_km, share_beyond_km, share_beyond_low, share_beyond_high, population_beyond_km,
        share_nearest_abroad, tier`` (gaps in 0-100 points, distances in km, shares 0-1). Partners whose
        survey groups were suppressed carry ``<NA>``.
    """
    keys = list(regions) if regions is not None else list(config.PARTNER_AREAS)
    ranked = priorities.assign(region=priorities["region"].astype(str))
    first = ranked[ranked["rank"] == 1].set_index("region")
    second = ranked[ranked["rank"] == 2].set_index("region")
    supply = need_supply.assign(region=need_supply["region"].astype(str),
                                dimension=need_supply["dimension"].astype(str))
    burden = partner_distance[partner_distance["tier"] == tier].set_index("partner_key")
    ranges = sensitivity.set_index("partner_key")
    col = f"{config.BURDEN_THRESHOLD_KM:g}km"
    out = pd.DataFrame({"region": keys, "area": [config.PARTNER_AREAS.get(k, display_label(k)) for k in keys]})
    out["top_module"] = out["region"].map(first["dimension"].astype(str))
    out["top_need_gap"] = out["region"].map(first["need_gap"])
    out["top_importance"] = out["region"].map(first["importance_mean"])
    out["top_capability"] = out["region"].map(first["capability_mean"])
    out["second_module"] = out["region"].map(second["dimension"].astype(str))
    out["second_need_gap"] = out["region"].map(second["need_gap"])
    top_gap = out[["region", "top_module"]].merge(
        supply, left_on=["region", "top_module"], right_on=["region", "dimension"], how="left"
    )
    out["top_supply_gap"] = top_gap["gap"].to_numpy()
    out["top_supply_gap_ci_low"] = top_gap["gap_ci_low"].to_numpy()
    out["top_supply_gap_ci_high"] = top_gap["gap_ci_high"].to_numpy()
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
    numeric = [c for c in out.columns if c not in ("region", "area", "top_module", "second_module", "tier")]
    out[numeric] = out[numeric].astype("Float64")
    return out


def overall_priorities(priorities: pd.DataFrame) -> pd.DataFrame:
    """Rank the capacity-building modules across regions by :data:`OVERALL_PRIORITY_RULE`.

    Returns
    -------
    pandas.DataFrame
        ``overall_rank, dimension, regions_top_priority, mean_need_gap, regions_ranked``.
    """
    ranked = priorities.dropna(subset=["need_gap"]).assign(dimension=lambda d: d["dimension"].astype(str))
    table = ranked.groupby("dimension", sort=True).agg(
        regions_top_priority=("rank", lambda r: int((r == 1).sum())),
        mean_need_gap=("need_gap", "mean"),
        regions_ranked=("rank", "size"),
    ).reset_index()
    table = table.sort_values(["regions_top_priority", "mean_need_gap"], ascending=[False, False], kind="stable")
    table.insert(0, "overall_rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def findings_table(
    synthesis: pd.DataFrame,
    overall: pd.DataFrame,
    figures: Mapping[str, str],
    awareness: pd.DataFrame | None = None,
    item_texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The one-page findings table: one generated sentence per finding and the figure it rests on.

    Parameters
    ----------
    synthesis
        :func:`region_synthesis`.
    overall
        :func:`overall_priorities`.
    figures
        Figure file stems keyed ``gap`` (need gaps), ``supply`` (need against supply),
        ``awareness`` (a template with ``{item}``, e.g. ``"03_awareness_{item}"``: each awareness item
        has its own figure) and ``distance``.
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
    rows: list[tuple[str, str, str]] = []
    if len(overall):
        top = overall.iloc[0]
        rows.append((
            "all partner regions",
            f"{display_label(top['dimension'])} is the largest public-sector capability gap in "
            f"{int(top['regions_top_priority'])} of {int(top['regions_ranked'])} partner regions "
            f"(mean need gap {top['mean_need_gap']:.0f} points on 0-100).",
            figures["gap"],
        ))
    for _, row in synthesis.iterrows():
        name = display_label(row["region"])
        if pd.notna(row["top_module"]):
            rows.append((
                name,
                f"In {name}, the public sector's largest need gap is {display_label(row['top_module']).lower()}: "
                f"importance {row['top_importance']:.0f} against capability {row['top_capability']:.0f} "
                f"(gap {row['top_need_gap']:.0f} points on 0-100).",
                figures["gap"],
            ))
        if pd.notna(row["top_supply_gap"]):
            low, high = row["top_supply_gap_ci_low"], row["top_supply_gap_ci_high"]
            verdict = ("exceeds" if low > 0 else "falls short of" if high < 0 else "is not distinguishable from")
            rows.append((
                name,
                f"In {name}, public-sector need for {display_label(row['top_module']).lower()} {verdict} what regional "
                f"SMEs and universities say they can supply (gap {row['top_supply_gap']:.1f} points, 95% CI "
                f"{low:.1f} to {high:.1f}).",
                figures["supply"],
            ))
        if pd.notna(row["share_beyond_km"]):
            rows.append((name, distance_burden_sentence(row), figures["distance"]))
    if awareness is not None:
        rows += [("all partner regions", sentence, figures["awareness"].format(item=item.lower()))
                 for item, sentence in awareness_sentences(awareness, item_texts or {})]
    table = pd.DataFrame(rows, columns=["region", "statement", "evidence"])
    table.insert(0, "finding", np.arange(1, len(table) + 1))
    return table
