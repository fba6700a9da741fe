"""Remoteness estimate: share of each NUTS 3 region's population within a drive-time proxy of a city.

Eurostat's urban-rural remoteness typology (Dijkstra & Poelman 2008; Eurostat 2019, *Methodological
manual on territorial typologies*, chapter on the urban-rural typology) splits intermediate (2) and
predominantly rural (3) NUTS 3 regions into *close to a city* (21, 31) and *remote* (22, 32): a region
is remote when less than half of its residents can drive to the centre of a city of at least
50,000 inhabitants within 45 minutes. Predominantly urban regions (1) are not split.

This module estimates the same class from open data without a road network:

* residents are the GeoNames settlements of the region (their relative sizes; see
  :mod:`~innocap_analysis.geography.settlements`);
* cities are GeoNames places of 50,000+ (:data:`CITY_MIN_POPULATION`), anywhere in the study area,
  across borders;
* the 45-minute drive is turned into a straight-line distance: ``minutes / 60 × speed_kmh /
  circuity``. Defaults: 70 km/h average speed on the rural main roads of the Nordic countries and
  Ireland (an assumption: 80-90 km/h limits, slower through towns and on secondary roads) and a
  circuity (road distance / straight line) of 1.3 (Ballou, Rahardja & Sakai 2002 report 1.15-1.65 by
  country; Boscoe et al. 2012 about 1.2-1.4). That gives 45/60 × 70 / 1.3 ≈ 40.4 km, geodesic.

The published ``urban_rural_code`` is taken as given (1 stays 1); only the close/remote split is
estimated. :func:`remoteness_agreement` compares the result with the published typology over all
242 NUTS 3 regions. The parameters are documented assumptions; they are *not* tuned to agree.

Result with the defaults (GeoNames 3.0.2 extract, 2026-11-29): the 242 NUTS 3 regions give 239
comparable pairs (NO0B1 and NO0B2 have no published class; Jan Mayen has no settlement); 217 agree
(90.8 %, Cohen's kappa 0.85). The 128 predominantly urban regions agree by construction; among the
111 intermediate and rural regions 89 agree (80.2 %, kappa 0.69). Of the 22 disagreements:

* 17 are "estimate closer" (published remote, estimated close). In 15 of them the region's largest
  place is itself a GeoNames place of 50,000+, while the published "remote" class implies that
  Eurostat's city layer does not treat it as a city of 50,000 (not checked against Eurostat's city
  list, which is not in the embedded data): Seinäjoki, Vaasa, Pori, Kouvola, Lappeenranta, Joensuu, Sandefjord, Ålesund, Växjö,
  Karlskrona, Karlstad, Gävle, Sundsvall, Luleå, Barrow-in-Furness. GeoNames carries municipality
  or locality figures (Finnish and Swedish municipalities span large rural areas), whereas Eurostat's
  city is defined by an urban centre of 50,000+ in the 1 km² population grid. This is a definitional
  difference of the city layer, not a distance error; the module keeps GeoNames as its documented
  open proxy rather than adding an exclusion list. The other two: the Isle of Wight (the straight
  line crosses the Solent to Gosport/Portsmouth, which is a ferry, not a drive) and Powys (share
  0.51, borderline).
* 5 are "estimate more remote": Dumfries & Galloway (Dumfries-Carlisle 47 km), South Ayrshire
  (Ayr-Paisley 43 km), Causeway Coast and Glens (Coleraine-Derry 44 km), North and West Norfolk
  (King's Lynn-Peterborough 48 km) and South-East Ireland (share 0.46, borderline). The straight
  line to the nearest city is just beyond the 40.4 km proxy, while 45 minutes on British and Irish
  A-roads and motorways reach further: the fixed speed/circuity proxy is too strict on fast roads,
  and too generous on fjord coasts.
* GeoNames points miss dispersed rural population (Ireland above all), which usually sits farther
  from cities than villages do, so shares are biased upwards where coverage is low.
* The published typology was computed on 2011 grids and NUTS 2016 boundaries, carried to NUTS 2021.

References
----------
Dijkstra, L. & Poelman, H. (2008). Remote rural regions: how proximity to a city influences the
performance of rural regions. *Regional Focus* 01/2008, European Commission, DG REGIO.
Eurostat (2019). *Methodological manual on territorial typologies, 2018 edition*, Luxembourg.
Ballou, R. H., Rahardja, H. & Sakai, N. (2002). *Transportation Research Part A* 36(9), 843-848.
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
Measurement* 20(1), 37-46.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa

from .nearest import nearest_service

#: City size of Eurostat's remoteness typology (inhabitants).
CITY_MIN_POPULATION: int = 50_000
#: Drive time of Eurostat's remoteness typology (minutes).
DRIVE_MINUTES: float = 45.0
#: Assumed average driving speed (km/h); see the module docstring.
SPEED_KMH: float = 70.0
#: Assumed circuity (road distance / straight-line distance); see the module docstring.
CIRCUITY: float = 1.3
#: Share of the population within reach at or above which a region is "close to a city".
CLOSE_SHARE: float = 0.5

def drive_time_threshold_km(minutes: float = DRIVE_MINUTES, speed_kmh: float = SPEED_KMH,
                            circuity: float = CIRCUITY) -> float:
    """Straight-line distance (km) equivalent to a drive time: ``minutes / 60 × speed_kmh / circuity``."""
    if minutes <= 0 or speed_kmh <= 0 or circuity < 1:
        raise ValueError(f"need minutes > 0, speed_kmh > 0, circuity >= 1; got {minutes}, {speed_kmh}, {circuity}")
    return minutes / 60.0 * speed_kmh / circuity


def classify_remoteness(urban_rural_code: pd.Series, share_close: pd.Series,
                        close_share: float = CLOSE_SHARE) -> pd.Series:
    """Eurostat's urban-rural remoteness classes from the urban-rural code and the share within reach.

    1 stays 1; 2 becomes 21 (share >= ``close_share``) or 22; 3 becomes 31 or 32. NA when either input
    is NA (except code 1, which needs no share).
    """
    code = pd.Series(urban_rural_code, dtype="Int64")
    share = pd.Series(share_close, dtype="Float64")
    close = share >= close_share
    out = pd.Series(pd.NA, index=code.index, dtype="Int64")
    out[code.eq(1).fillna(False)] = 1
    for rural in (2, 3):
        is_code = code.eq(rural).fillna(False)
        out[is_code & close.fillna(False)] = rural * 10 + 1
        out[is_code & (~close).fillna(False)] = rural * 10 + 2
    return out


def remoteness_estimate(
    settlements: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    city_min_population: int = CITY_MIN_POPULATION,
    minutes: float = DRIVE_MINUTES,
    speed_kmh: float = SPEED_KMH,
    circuity: float = CIRCUITY,
    distance: str = "geodesic",
) -> pd.DataFrame:
    """Estimate the urban-rural remoteness class of every region.

    Parameters
    ----------
    settlements
        Output of ``load_settlements`` (``region_id``, ``population_geonames``).
    regions
        Output of ``load_regions(3)`` (``region_id``, ``urban_rural_code``, ``remoteness_code``).
    city_min_population, minutes, speed_kmh, circuity
        The drive-time proxy; see the module docstring.
    distance
        ``"geodesic"`` or ``"great_circle"`` (passed to ``nearest_service``).

    Returns
    -------
    pandas.DataFrame
        One row per region: ``share_within`` (population share of the region's settlements within
        ``threshold_km`` of a city; NA when the region has no settlement), ``threshold_km``,
        ``n_settlements``, ``urban_rural_code``, ``remoteness_estimated`` and the published
        ``remoteness_published``, and, as a clue for disagreements, the region's largest place, its
        nearest city of 50,000+ and the distance to it (km).
    """
    threshold = drive_time_threshold_km(minutes, speed_kmh, circuity)
    cities = settlements[(settlements["population_geonames"] >= city_min_population).to_numpy()]
    if cities.empty:
        raise ValueError(f"no settlement has {city_min_population} or more inhabitants")
    nearest = nearest_service(settlements, cities, distance=distance)
    frame = pd.DataFrame({
        "region_id": settlements["region_id"].to_numpy(),
        "place": settlements["name"].to_numpy(),
        "city": cities["name"].to_numpy()[nearest["supply_position"].to_numpy(dtype=int)],
        "city_km": nearest["distance_km"].to_numpy(dtype=float),
        "w": settlements["population_geonames"].to_numpy(dtype=float),
        "within": (nearest["distance_km"].to_numpy(dtype=float) <= threshold),
    }).dropna(subset=["region_id"])
    frame["w_within"] = frame["w"] * frame["within"]
    sums = frame.groupby("region_id")[["w", "w_within"]].sum()
    counts = frame.groupby("region_id").size()
    # The largest place of each region and its nearest city: the first clue when classes disagree.
    largest = frame.sort_values(["region_id", "w"], ascending=[True, False], kind="stable") \
        .drop_duplicates("region_id").set_index("region_id")
    out = pd.DataFrame(regions[["region_id", "name", "urban_rural_code", "remoteness_code"]]).copy()
    out["n_settlements"] = out["region_id"].map(counts).fillna(0).astype("int64")
    share = out["region_id"].map(sums["w_within"] / sums["w"])
    out["share_within"] = pd.array(share.to_numpy(dtype=float), dtype="Float64")
    out["threshold_km"] = threshold
    out["largest_place"] = out["region_id"].map(largest["place"]).astype("string")
    out["its_nearest_city"] = out["region_id"].map(largest["city"]).astype("string")
    out["its_city_km"] = out["region_id"].map(largest["city_km"]).astype(float)
    out["remoteness_estimated"] = classify_remoteness(out["urban_rural_code"], out["share_within"])
    out = out.rename(columns={"remoteness_code": "remoteness_published"})
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class RemotenessAgreement:
    """Agreement between estimated and published remoteness classes."""

    confusion: pd.DataFrame
    n_regions: int
    n_compared: int
    agreement: float
    kappa: float
    n_compared_non_urban: int
    agreement_non_urban: float
    kappa_non_urban: float


def _kappa(published: pd.Series, estimated: pd.Series) -> float:
    """Cohen's (1960) kappa of two classifications of the same regions (statsmodels' ``cohens_kappa``).

    The square agreement table spans every class either side uses. NaN when chance agreement is
    1 (a single class on both sides), where kappa is undefined.
    """
    table = pd.crosstab(published, estimated)
    labels = table.index.union(table.columns)
    table = table.reindex(index=labels, columns=labels, fill_value=0).to_numpy(dtype=float)
    n = table.sum()
    if n == 0 or (table.sum(axis=0) @ table.sum(axis=1)) / n**2 >= 1:
        return float("nan")
    return float(cohens_kappa(table).kappa)


def remoteness_agreement(estimate: pd.DataFrame) -> RemotenessAgreement:
    """Confusion table and agreement of the estimate with Eurostat's published typology.

    Parameters
    ----------
    estimate
        Output of :func:`remoteness_estimate`; only NUTS 3 regions are compared (rows whose
        ``urban_rural_code`` is published), i.e. all 242 NUTS 3 regions of the study area.

    Returns
    -------
    RemotenessAgreement
        ``confusion``: published (rows) × estimated (columns) counts with ``"not published"`` /
        ``"no settlements"`` for missing classes and totals; overall share of agreement and Cohen's
        (1960) kappa over the regions with both classes; and the same for intermediate and rural
        regions only (predominantly urban regions agree by construction, since code 1 is copied).
    """
    nuts = estimate[estimate["urban_rural_code"].notna()]
    published = nuts["remoteness_published"].astype("Int64").astype("string").fillna("not published")
    estimated = nuts["remoteness_estimated"].astype("Int64").astype("string").fillna("no settlements")
    confusion = pd.crosstab(published.rename("published"), estimated.rename("estimated"),
                            margins=True, margins_name="total")
    both = nuts["remoteness_published"].notna() & nuts["remoteness_estimated"].notna()
    compared = nuts[both]
    non_urban = compared[compared["urban_rural_code"] != 1]

    def agree(frame: pd.DataFrame) -> float:
        return float((frame["remoteness_published"] == frame["remoteness_estimated"]).mean())

    return RemotenessAgreement(
        confusion=confusion,
        n_regions=len(nuts),
        n_compared=len(compared),
        agreement=agree(compared),
        kappa=_kappa(compared["remoteness_published"], compared["remoteness_estimated"]),
        n_compared_non_urban=len(non_urban),
        agreement_non_urban=agree(non_urban),
        kappa_non_urban=_kappa(non_urban["remoteness_published"], non_urban["remoteness_estimated"]),
    )


def remoteness_disagreements(estimate: pd.DataFrame, borderline: float = 0.1) -> pd.DataFrame:
    """The regions whose estimated class differs from the published one, with the direction.

    Returns
    -------
    pandas.DataFrame
        ``region_id``, ``name``, classes, ``share_within`` and ``direction``: ``"estimate closer"``
        (published remote, estimated close) or ``"estimate more remote"``, and ``borderline`` (share
        within ``borderline`` of 0.5).
    """
    both = estimate["remoteness_published"].notna() & estimate["remoteness_estimated"].notna()
    differ = estimate[both & (estimate["remoteness_published"] != estimate["remoteness_estimated"])].copy()
    published_remote = differ["remoteness_published"] % 10 == 2
    differ["direction"] = np.where(published_remote, "estimate closer", "estimate more remote")
    differ["borderline"] = ((differ["share_within"] - CLOSE_SHARE).abs() < borderline).astype(bool)
    columns = ["region_id", "name", "urban_rural_code", "remoteness_published", "remoteness_estimated",
               "share_within", "n_settlements", "largest_place", "its_nearest_city", "its_city_km",
               "direction", "borderline"]
    return differ[columns].sort_values(["direction", "region_id"]).reset_index(drop=True)
