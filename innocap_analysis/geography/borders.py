"""Nearest services within the resident's own country, and how often the nearest one lies abroad.

Public services are national: a Donegal resident is not served by a hospital or a county office in
Derry. :func:`nearest_service_by_country` therefore restricts the search to services of the
resident's own country by default; ``restrict=False`` gives the unrestricted nearest service (any
country of the study area) with a flag for when it lies abroad, and :func:`share_nearest_abroad`
summarises that flag per area.

Country codes are GISCO's (``UK`` for the United Kingdom); GeoNames codes are mapped with
:data:`~innocap_analysis.geography.regions.COUNTRY_TO_REGION_COUNTRY` (``GB`` -> ``UK``, ``SJ`` -> ``NO``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .distance import DistanceKind
from .nearest import nearest_service
from .regions import COUNTRY_TO_REGION_COUNTRY


def country_codes(codes: pd.Series | np.ndarray) -> np.ndarray:
    """GISCO country codes (``GB`` -> ``UK``, ``SJ`` -> ``NO``) as an object array."""
    return pd.Series(np.asarray(codes, dtype=object)).replace(COUNTRY_TO_REGION_COUNTRY).to_numpy(dtype=object)


def nearest_service_by_country(
    demand: Any,
    supply: Any,
    *,
    demand_country: pd.Series | np.ndarray,
    supply_country: pd.Series | np.ndarray,
    restrict: bool = True,
    distance: DistanceKind = "geodesic",
    **options: Any,
) -> pd.DataFrame:
    """Nearest service of every demand point, by default among services of its own country.

    Parameters
    ----------
    demand, supply
        Points, as for :func:`~innocap_analysis.geography.distance.nearest_service`.
    demand_country, supply_country
        Country code of each demand / supply point (GeoNames or GISCO codes).
    restrict
        ``True`` (default, public services): only services of the resident's own country count;
        ``False``: the nearest service anywhere.
    distance, **options
        Passed to :func:`~innocap_analysis.geography.distance.nearest_service`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``demand``: ``distance_km``, ``supply_index``, ``supply_position`` (position in
        the full ``supply``), ``supply_country`` and ``abroad`` (the service lies in another
        country; always False when restricted). Where a country has no service at all the
        distance is NaN and ``no_service_in_country`` is True (it is False elsewhere); nothing is
        dropped.
    """
    d_country = country_codes(demand_country)
    s_country = country_codes(supply_country)
    if len(d_country) != len(demand) or len(s_country) != len(supply):
        raise ValueError(f"country codes: {len(d_country)} for {len(demand)} demand points and "
                         f"{len(s_country)} for {len(supply)} supply points")
    index = demand.index
    distance_km = np.full(len(demand), np.nan)
    position = np.full(len(demand), -1, dtype=np.int64)
    if restrict:
        for country in sorted(set(d_country), key=str):  # one search per country (a handful)
            rows = np.flatnonzero(d_country == country)
            columns = np.flatnonzero(s_country == country)
            if len(columns) == 0:
                continue
            found = nearest_service(demand.iloc[rows], supply.iloc[columns], distance=distance, **options)
            distance_km[rows] = found["distance_km"].to_numpy(dtype=float)
            position[rows] = columns[found["supply_position"].to_numpy(dtype=np.int64)]
    else:
        found = nearest_service(demand, supply, distance=distance, **options)
        distance_km = found["distance_km"].to_numpy(dtype=float)
        position = found["supply_position"].to_numpy(dtype=np.int64)
    known = position >= 0
    supply_index = pd.Series(pd.NA, index=index, dtype=object)
    supply_index[known] = supply.index.take(position[known])
    found_country = np.where(known, s_country[np.where(known, position, 0)], None)
    return pd.DataFrame({
        "distance_km": distance_km,
        "supply_index": supply_index.to_numpy(),
        "supply_position": pd.Series(position, index=index).where(known).astype("Int64").to_numpy(),
        "supply_country": pd.array(found_country, dtype="string"),
        "abroad": known & (found_country != d_country),
        "no_service_in_country": ~known,
    }, index=index)


def share_nearest_abroad(
    demand: Any,
    supply: Any,
    *,
    demand_country: pd.Series | np.ndarray,
    supply_country: pd.Series | np.ndarray,
    group: pd.Series | np.ndarray,
    weight: pd.Series | np.ndarray,
    distance: DistanceKind = "geodesic",
) -> pd.DataFrame:
    """Per group, the population share whose nearest service (unrestricted) lies in another country.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``weight_total``, ``share_nearest_abroad`` (Σ w [abroad] / Σ w) and
        ``main_foreign_country`` (the country most of that weight is drawn to; NA when none).
    """
    nearest = nearest_service_by_country(demand, supply, demand_country=demand_country,
                                         supply_country=supply_country, restrict=False, distance=distance)
    w = np.asarray(weight, dtype=float)
    frame = pd.DataFrame({"group": np.asarray(group, dtype=object), "w": w,
                          "abroad_w": w * nearest["abroad"].to_numpy(),
                          "foreign": nearest["supply_country"].where(nearest["abroad"]).to_numpy(dtype=object)})
    frame = frame.dropna(subset=["group"])
    sums = frame.groupby("group", sort=True)[["w", "abroad_w"]].sum()
    foreign = (frame.dropna(subset=["foreign"]).groupby(["group", "foreign"])["w"].sum()
               .sort_values(ascending=False, kind="stable").reset_index().drop_duplicates("group")
               .set_index("group")["foreign"])
    return pd.DataFrame({
        "group": sums.index,
        "weight_total": sums["w"].to_numpy(),
        "share_nearest_abroad": (sums["abroad_w"] / sums["w"]).to_numpy(),
        "main_foreign_country": pd.array(foreign.reindex(sums.index).to_numpy(), dtype="string"),
    }).reset_index(drop=True)
