"""Evidence synthesis: capability gaps beside the service-distance burden, per partner region.

Joins the outputs of the demand-supply analysis (notebook 03) and the service-distance
indicators (notebook 04), ranks the capacity-building priorities, and writes the
one-page findings table of the funding application: one sentence per finding, each
generated from the numbers (never typed) and naming the figure it rests on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import config
from ..labels import display_label

#: Distance threshold (km, straight line) used in the synthesis sentences.


#: How the overall module ranking is formed.
OVERALL_PRIORITY_RULE = (
    "Modules ranked across the partner regions by the number of regions where the module is the top "
    "priority (largest public-sector need gap), then by the mean need gap over the regions where it "
    "could be computed (0-100 points)."
)


def _region_ids(keys: Sequence[str]) -> dict[str, str]:
    return {key: config.PARTNER_REGIONS[key][1] for key in keys if key in config.PARTNER_REGIONS}


def region_synthesis(
    priorities: pd.DataFrame,
    need_supply: pd.DataFrame,
    awareness: pd.DataFrame,
    distance: pd.DataFrame,
    *,
    tier: str = "regional_centre",
    regions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per partner region: its top capability gaps beside its distance burden.

    Parameters
    ----------
    priorities
        :func:`innocap_analysis.demand_supply.priority_modules` by ``region``.
    need_supply
        :func:`innocap_analysis.demand_supply.need_supply_gap` by ``region``.
    awareness
        :func:`innocap_analysis.demand_supply.awareness_shares` by ``region`` (public sector).
    distance
        :func:`innocap_analysis.geography.service_distance_indicators` (``region_id``, ``tier``, ...).
    tier
        Service tier whose distances describe the burden.
    regions
        Partner-region keys; default all of :data:`innocap_analysis.config.PARTNER_REGIONS`.

    Returns
    -------
    pandas.DataFrame
        ``region, region_id, top_module, top_need_gap, top_importance, top_capability,
        second_module, second_need_gap, top_supply_gap, top_supply_gap_ci_low,
        top_supply_gap_ci_high, awareness_share, mean_km, share_beyond_km,
        population_beyond_km, tier`` (gaps in 0-100 points, distances in km, shares 0-1).
        Regions whose survey groups were suppressed carry ``<NA>``.
    """
    keys = list(regions) if regions is not None else list(config.PARTNER_REGIONS)
    ids = _region_ids(keys)
    ranked = priorities.assign(region=priorities["region"].astype(str))
    first = ranked[ranked["rank"] == 1].set_index("region")
    second = ranked[ranked["rank"] == 2].set_index("region")
    supply = need_supply.assign(region=need_supply["region"].astype(str),
                                dimension=need_supply["dimension"].astype(str))
    aware = awareness.assign(region=awareness["region"].astype(str)).groupby("region")["share"].mean()
    burden = distance[distance["tier"] == tier].set_index("region_id")
    col = f"{config.BURDEN_THRESHOLD_KM:g}km"
    out = pd.DataFrame({"region": keys, "region_id": [ids[k] for k in keys]})
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
    out["awareness_share"] = out["region"].map(aware)
    out["mean_km"] = out["region_id"].map(burden["mean_km"])
    out["share_beyond_km"] = out["region_id"].map(burden[f"share_beyond_{col}"])
    out["population_beyond_km"] = out["region_id"].map(burden[f"population_beyond_{col}"])
    out["tier"] = tier
    numeric = [c for c in out.columns if c not in ("region", "region_id", "top_module", "second_module", "tier")]
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
        ``awareness`` and ``distance``.

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
            # NUTS 3 is the finest level with official population: name the whole region, not the partner
            area = config.PARTNER_REGIONS.get(row["region"], (name, ""))[0]
            rows.append((
                name,
                f"{row['share_beyond_km']:.0%} of the population of {area} ({row['population_beyond_km']:,.0f} people) "
                f"lives more than {config.BURDEN_THRESHOLD_KM:g} km in a straight line from a "
                f"{row['tier'].replace('_', ' ')}; the population-weighted mean distance is {row['mean_km']:.0f} km.",
                figures["distance"],
            ))
    aware = synthesis["awareness_share"].dropna()
    if len(aware):
        rows.append((
            "all partner regions",
            f"Only {aware.min():.0%} to {aware.max():.0%} of public-sector respondents per region know the digital "
            f"solutions that regional SMEs and universities offer.",
            figures["awareness"],
        ))
    table = pd.DataFrame(rows, columns=["region", "statement", "evidence"])
    table.insert(0, "finding", np.arange(1, len(table) + 1))
    return table
