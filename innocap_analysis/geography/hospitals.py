"""Real services: the GISCO hospitals as a service tier, and the check of the settlement-size proxies.

``data/external/gisco_healthcare_services_fi_se_ie_no_2020.csv`` lists 1,343 hospital sites from the
national registers of Finland (372), Sweden (132), Ireland (199) and Norway (640), reference date
2019 (Eurostat GISCO, healthcare services). What counts as a hospital differs by country (Finnish
and Norwegian health-centre inpatient wards are included, Swedish ones are not; see the GISCO
metadata), so hospital counts are not comparable across countries; distances to the nearest one are
more robust. There is no register for Iceland, the UK or Canada here; a partner can add one with
:func:`~innocap_analysis.geography.services.load_service_points` (README, "Your own service register").

:func:`proxy_check` compares, per NUTS 3 region, the population-weighted distance to the nearest
hospital with the distance to the nearest *regional centre* (GeoNames place of 20,000+), both within
the resident's own country: if the size proxy is a fair stand-in for secondary services, regions far
from a regional centre are also far from a hospital.

References
----------
Eurostat GISCO, Healthcare services in Europe (https://github.com/eurostat/healthcare-services),
"Source: Eurostat GISCO, healthcare services".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from .. import config
from .borders import country_codes, nearest_service_by_country
from .indicators import distance_summary
from .services import load_service_points

#: Countries of the GISCO hospital register embedded here.
HOSPITAL_COUNTRIES: tuple[str, ...] = ("FI", "SE", "IE", "NO")


def load_hospitals(path: Path | None = None, *, study_area: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The GISCO hospitals as service points of tier ``hospital``, read by ``load_service_points``.

    Returns
    -------
    geopandas.GeoDataFrame
        The registry's columns plus ``tier`` = ``"hospital"``, ``name`` (hospital name),
        ``country`` (GISCO code from ``cc``) and the ``load_service_points`` columns (``source_row``,
        ``region_id``, ``problem``); index ``service_id`` = ``"hospital:<row>"`` (GISCO ids repeat
        across the sites of one hospital).
    """
    path = Path(path) if path is not None else config.HOSPITALS_CSV
    points = load_service_points(path, latitude="lat", longitude="lon", study_area=study_area)
    points.insert(0, "tier", "hospital")
    points["name"] = points["hospital_name"].astype("string")
    points["country"] = pd.array(country_codes(points["cc"]), dtype="string")
    points.index = pd.Index("hospital:" + points["source_row"].astype(str), name="service_id")
    return points


def proxy_check(
    demand: pd.DataFrame,
    hospitals: gpd.GeoDataFrame,
    regional_centres: gpd.GeoDataFrame,
    regions: pd.DataFrame,
    *,
    countries: Sequence[str] = HOSPITAL_COUNTRIES,
    weight_column: str = "population",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Population-weighted distance to the nearest hospital against the nearest regional centre.

    Parameters
    ----------
    demand
        Demand points with ``country``, ``region_id`` and a weight (``demand_layer``).
    hospitals
        Output of :func:`load_hospitals`.
    regional_centres
        Service points of the regional-centre tier with a ``country`` column.
    regions
        ``load_regions(3)`` (names).
    countries
        Countries with a hospital register (only their NUTS 3 regions are compared).

    Returns
    -------
    (pandas.DataFrame, dict)
        One row per NUTS 3 region of ``countries`` with demand: ``region_id``, ``name``, ``country``,
        ``mean_km_hospital``, ``mean_km_regional_centre`` (population-weighted means, own country,
        km), ``share_beyond_25km_hospital``, ``share_beyond_25km_regional_centre``, ``log_ratio`` =
        ln(regional centre / hospital) and ``disagreement_rank`` (1 = largest ``|log_ratio|``); and
        the summary ``{"n_regions", "pearson_r", "spearman_rho", "pearson_r_log"}`` over the regions.
        Correlations: Pearson on the means and on their logarithms, Spearman on ranks (scipy.stats).
    """
    mine = demand[demand["country"].isin(countries).to_numpy() & demand["region_id"].notna().to_numpy()]
    weight = mine[weight_column].to_numpy(dtype=float)
    summaries = {}
    for label, supply in (("hospital", hospitals), ("regional_centre", regional_centres)):
        near = nearest_service_by_country(mine, supply, demand_country=mine["country"],
                                          supply_country=supply["country"])
        summaries[label] = distance_summary(near["distance_km"].to_numpy(dtype=float), weight,
                                            mine["region_id"].astype(str).to_numpy(), thresholds_km=(25.0,))
    names = regions.set_index("region_id")
    ids = summaries["hospital"].index
    table = pd.DataFrame({
        "region_id": ids,
        "name": names["name"].reindex(ids).to_numpy(),
        "country": names["country"].reindex(ids).to_numpy(),
        "mean_km_hospital": summaries["hospital"]["mean_km"].to_numpy(),
        "mean_km_regional_centre": summaries["regional_centre"]["mean_km"].reindex(ids).to_numpy(),
        "share_beyond_25km_hospital": summaries["hospital"]["share_beyond_25km"].to_numpy(),
        "share_beyond_25km_regional_centre": summaries["regional_centre"]["share_beyond_25km"].reindex(ids).to_numpy(),
    })
    table["log_ratio"] = np.log(table["mean_km_regional_centre"] / table["mean_km_hospital"])
    table["disagreement_rank"] = table["log_ratio"].abs().rank(ascending=False, method="first").astype("int64")
    table = table.sort_values("region_id", kind="stable").reset_index(drop=True)
    x, y = table["mean_km_hospital"].to_numpy(), table["mean_km_regional_centre"].to_numpy()
    summary = {
        "n_regions": int(len(table)),
        "pearson_r": float(stats.pearsonr(x, y).statistic),
        "pearson_r_log": float(stats.pearsonr(np.log(x), np.log(y)).statistic),
        "spearman_rho": float(stats.spearmanr(x, y).statistic),
    }
    return table, summary


def worst_disagreements(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` regions where the proxy and the hospitals disagree most (largest ``|log_ratio|``)."""
    return table.sort_values("disagreement_rank", kind="stable").head(n).reset_index(drop=True)
