"""Sensitivity of the partner-area distance indicators to the three judgement calls behind them.

The headline indicator is the share of a partner area's population living more than 25 km (straight
line) from the nearest regional centre (a GeoNames place of 20,000+ in the resident's own country).
Three choices in it are conventions, not facts, so it is reported over a range of each:

``regional_threshold``
    the minimum place size of a regional centre: 15,000 / **20,000** / 25,000 (Akureyri, 19,219,
    and Corner Brook, 19,316, sit just under the central value);
``detour_factor``
    road distance over straight-line distance: **1.0** (straight line) / 1.3 / 1.5. National
    average circuity factors are 1.15-1.65 (Ballou, Rahardja & Sakai 2002, 1.21 for Europe as a
    whole, ~1.3 for most countries), and 1.2-1.4 for trips to hospitals (Boscoe, Henry & Zdeb 2012),
    with higher values for short trips and on fjord and lake coasts; 1.5 is a high but plausible
    value for the partner areas;
``cut_km``
    the distance cut: 15 / **25** / 40 km.

:func:`partner_sensitivity` evaluates the full 3 x 3 x 3 design (27 combinations) per area;
:func:`sensitivity_summary` gives the central value, the one-at-a-time range of each parameter and
the range over all combinations.

References
----------
Ballou, R. H., Rahardja, H. & Sakai, N. (2002). Selected country circuity factors for road travel
distance estimation. *Transportation Research Part A* 36(9), 843-848.
Boscoe, F. P., Henry, K. A. & Zdeb, M. S. (2012). A nationwide comparison of driving distance
versus straight-line distance to hospitals. *The Professional Geographer* 64(2), 188-196.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from .borders import nearest_service_by_country
from .partner_indicators import REGIONAL_TIER, service_points

TIER_THRESHOLDS: tuple[int, ...] = (15_000, 20_000, 25_000)
DETOUR_FACTORS: tuple[float, ...] = (1.0, 1.3, 1.5)
CUTS_KM: tuple[float, ...] = (15.0, 25.0, 40.0)
CENTRAL: dict[str, float] = {"regional_threshold": 20_000, "detour_factor": 1.0, "cut_km": 25.0}
PARAMETERS: tuple[str, ...] = ("regional_threshold", "detour_factor", "cut_km")


def partner_sensitivity(
    demand: pd.DataFrame,
    settlements: gpd.GeoDataFrame,
    areas: pd.DataFrame,
    *,
    regional_thresholds: Sequence[int] = TIER_THRESHOLDS,
    detour_factors: Sequence[float] = DETOUR_FACTORS,
    cuts_km: Sequence[float] = CUTS_KM,
    own_country: bool = True,
) -> pd.DataFrame:
    """Share (and number) of each partner area's population beyond the cut, over the full design.

    Parameters
    ----------
    demand
        ``demand_layer()`` points.
    settlements
        ``load_settlements()`` (the regional centres are its cleaned places of at least the threshold).
    areas
        ``partner_areas()``.
    regional_thresholds, detour_factors, cuts_km
        The values of each parameter (see the module docstring).
    own_country
        Services of the resident's own country only (default).

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (partner area, threshold, detour factor, cut): ``partner_key``, ``label``,
        ``regional_threshold``, ``detour_factor``, ``cut_km``, ``share_beyond``,
        ``population_beyond`` (share × official population) and ``central`` (all three at
        :data:`CENTRAL`).
    """
    inside = demand[demand["partner_area"].notna().to_numpy()]
    weight = inside["population"].to_numpy(dtype=float)
    group = inside["partner_area"].astype(str).to_numpy()
    population = areas.set_index("partner_key")["population"].astype(float)
    label = areas.set_index("partner_key")["label"]
    rows = []
    for threshold in regional_thresholds:  # one nearest search per threshold
        supply = service_points(settlements, thresholds={REGIONAL_TIER: int(threshold)})
        distance = nearest_service_by_country(inside, supply, demand_country=inside["country"],
                                              supply_country=supply["country"],
                                              restrict=own_country)["distance_km"].to_numpy(dtype=float)
        if np.isnan(distance).any():
            raise ValueError(f"threshold {threshold}: some residents have no regional centre in their country")
        for factor, cut in itertools.product(detour_factors, cuts_km):
            beyond = pd.Series(weight * (distance * factor > cut), index=group).groupby(level=0).sum()
            total = pd.Series(weight, index=group).groupby(level=0).sum()
            share = beyond / total
            rows.append(pd.DataFrame({"partner_key": share.index, "regional_threshold": int(threshold),
                                      "detour_factor": float(factor), "cut_km": float(cut),
                                      "share_beyond": share.to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out.insert(1, "label", out["partner_key"].map(label).to_numpy())
    out["population_beyond"] = out["share_beyond"] * out["partner_key"].map(population).to_numpy()
    out["central"] = ((out["regional_threshold"] == CENTRAL["regional_threshold"])
                      & (out["detour_factor"] == CENTRAL["detour_factor"]) & (out["cut_km"] == CENTRAL["cut_km"]))
    order = {k: i for i, k in enumerate(areas["partner_key"])}
    return out.sort_values(["partner_key", "regional_threshold", "detour_factor", "cut_km"],
                           key=lambda s: s.map(order) if s.name == "partner_key" else s,
                           kind="stable").reset_index(drop=True)


def sensitivity_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Central value with its ranges, per partner area.

    Returns
    -------
    pandas.DataFrame
        One row per partner area: ``central_share``, ``central_population``; for each parameter
        ``<parameter>_low`` / ``<parameter>_high`` (the range when only that parameter moves, the
        others central); ``range_low`` / ``range_high`` (over all combinations). The reader-facing form is
        :func:`innocap_analysis.labels.share_with_range` (``"53% (range 31-81%)"``).
    """
    rows = []
    for key, part in table.groupby("partner_key", sort=False):
        central = part[part["central"]]
        if len(central) != 1:
            raise ValueError(f"{key}: the table has {len(central)} central rows; expected 1")
        row = {"partner_key": key, "label": part["label"].iloc[0],
               "central_share": float(central["share_beyond"].iloc[0]),
               "central_population": float(central["population_beyond"].iloc[0])}
        for parameter in PARAMETERS:
            others = [p for p in PARAMETERS if p != parameter]
            mask = np.logical_and.reduce([part[p] == CENTRAL[p] for p in others])
            row[f"{parameter}_low"] = float(part.loc[mask, "share_beyond"].min())
            row[f"{parameter}_high"] = float(part.loc[mask, "share_beyond"].max())
        row["range_low"] = float(part["share_beyond"].min())
        row["range_high"] = float(part["share_beyond"].max())
        rows.append(row)
    return pd.DataFrame(rows)
