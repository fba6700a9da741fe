"""Charts that check the service-distance geography: hospitals against the size proxy, sensitivity.

Both take tables built by :mod:`innocap_analysis.geography` and return a Figure.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..labels import share_with_range
from .style import PALETTE, add_caption, style_context

_COUNTRY_COLOURS = {"FI": PALETTE[0], "SE": PALETTE[1], "IE": PALETTE[2], "NO": PALETTE[3]}
_PARAMETER_LABELS = {
    "regional_threshold": "regional centre 15k / 25k",
    "detour_factor": "detour factor 1.0 - 1.5",
    "cut_km": "distance cut 15 / 40 km",
}


def hospital_proxy_scatter(
    table: pd.DataFrame,
    summary: Mapping[str, float],
    *,
    label_top: int = 8,
    highlight: tuple[str, ...] = (),
    caption: str = "",
    title: str = "Nearest hospital against nearest regional centre, NUTS 3 regions",
) -> Figure:
    """Scatter of the population-weighted mean distance to the nearest hospital (x) and regional centre (y).

    Parameters
    ----------
    table, summary
        Output of :func:`innocap_analysis.geography.hospitals.proxy_check`.
    label_top
        Label the regions with the largest disagreement (``disagreement_rank`` <= label_top).
    highlight
        Region ids drawn with a black ring and labelled (e.g. the partner regions).

    Notes
    -----
    Both axes are logarithmic (km); the dashed line is equality. A point far above it is a region
    whose residents are much closer to a hospital than to a place of 20,000+.
    """
    with style_context():
        fig, ax = plt.subplots(figsize=(6.4, 5.2))
        for country, part in table.groupby("country", sort=True):
            ax.scatter(part["mean_km_hospital"], part["mean_km_regional_centre"], s=22,
                       color=_COUNTRY_COLOURS.get(country, PALETTE[7]), label=country, gid=f"country-{country}",
                       edgecolor="white", linewidth=0.4, zorder=3)
        ringed = table[table["region_id"].isin(highlight)]
        ax.scatter(ringed["mean_km_hospital"], ringed["mean_km_regional_centre"], s=70, facecolor="none",
                   edgecolor="black", linewidth=1.0, zorder=4)
        labelled = table[(table["disagreement_rank"] <= label_top) | table["region_id"].isin(highlight)]
        for row in labelled.itertuples():
            ax.annotate(row.region_id if row.region_id in highlight else f"{row.name} ({row.region_id})", (row.mean_km_hospital, row.mean_km_regional_centre),
                        xytext=(4, 3), textcoords="offset points", fontsize=6.5)
        low = 0.8 * float(np.nanmin(table[["mean_km_hospital", "mean_km_regional_centre"]].to_numpy()))
        high = 1.25 * float(np.nanmax(table[["mean_km_hospital", "mean_km_regional_centre"]].to_numpy()))
        ax.plot([low, high], [low, high], linestyle="--", color="#777777", linewidth=0.8, zorder=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_xlabel("population-weighted mean distance to the nearest hospital (km, own country)")
        ax.set_ylabel("... to the nearest regional centre, place of 20,000+ (km)")
        ax.set_title(f"{title}\n{summary['n_regions']} regions; Spearman ρ = {summary['spearman_rho']:.2f}; "
                     f"Pearson r of log km = {summary['pearson_r_log']:.2f}", fontsize=9)
        ax.legend(title="country", loc="lower right", fontsize=7)
        if caption:
            add_caption(fig, caption, y=-0.06)
    return fig


def sensitivity_figure(
    summary: pd.DataFrame,
    *,
    caption: str = "",
    title: str = "Share beyond the cut from a regional centre: central value and ranges",
) -> Figure:
    """One row per partner area: the central share, the one-at-a-time range of each parameter and
    the range over all combinations; each row's label gives the people beyond the cut (central choice).

    Parameters
    ----------
    summary
        Output of :func:`innocap_analysis.geography.sensitivity.sensitivity_summary`.
    """
    parameters = list(_PARAMETER_LABELS)
    n = len(summary)
    with style_context():
        fig, ax = plt.subplots(figsize=(7.2, 0.9 + 0.75 * n))
        y = np.arange(n)
        ax.hlines(y, 100 * summary["range_low"], 100 * summary["range_high"], color="#BBBBBB", linewidth=7,
                  label="all 27 combinations", gid="range-all")
        for i, parameter in enumerate(parameters):
            offset = (i - 1) * 0.22
            ax.hlines(y + offset, 100 * summary[f"{parameter}_low"], 100 * summary[f"{parameter}_high"],
                      color=PALETTE[i], linewidth=2.2, label=_PARAMETER_LABELS[parameter], gid=f"range-{parameter}")
        ax.scatter(100 * summary["central_share"], y, color="black", zorder=4, s=28,
                   label="central (20k, straight line, 25 km)", gid="central")
        for row, yy in zip(summary.itertuples(), y, strict=True):
            ax.text(100 * row.range_high + 1.5, yy, share_with_range(row.central_share, row.range_low, row.range_high),
                    va="center", fontsize=7)
        labels = summary["label"].astype(str)
        if "central_population" in summary:  # the people beyond the cut, as the findings quote them
            labels = labels + "\n" + summary["central_population"].map(lambda p: f"{p:,.0f} people beyond")
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 118)
        ax.set_xlabel("% of the partner area's population beyond the cut")
        ax.set_title(title)
        ax.legend(fontsize=6.5, loc="lower center", bbox_to_anchor=(0.5, 1.04 + 0.02 * (5 - n)), ncol=3,
                  frameon=False)
        if caption:
            add_caption(fig, caption, y=-0.1)
    return fig


def partner_area_map(
    areas: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    keys: tuple[str, ...] = ("donegal", "south_iceland"),
    caption: str = "",
    title: str = "Partner areas inside their NUTS 3 regions",
) -> Figure:
    """One panel per partner area smaller than its NUTS 3 parent: the parent outlined, the area filled.

    Each panel is in a Lambert azimuthal equal-area projection centred on the area; the panel title
    names both ("County Donegal in Border (IE041)"), so that a NUTS 3 figure is never read as the
    partner's.
    """
    chosen = areas[areas["partner_key"].isin(keys)].set_index("partner_key").loc[list(keys)]
    with style_context():
        fig, axes = plt.subplots(1, len(chosen), figsize=(4.2 * len(chosen), 4.4), squeeze=False)
        for ax, (key, row) in zip(axes[0], chosen.iterrows(), strict=True):
            centre = row.geometry.representative_point()
            crs = f"+proj=laea +lat_0={centre.y:.3f} +lon_0={centre.x:.3f} +datum=WGS84 +units=m +no_defs"
            parent = regions[regions["region_id"] == row["nuts3_parent"]].to_crs(crs)
            area = gpd.GeoSeries([row.geometry], crs="EPSG:4326").to_crs(crs)
            parent.plot(ax=ax, facecolor="#EEEEEE", edgecolor="#555555", linewidth=0.6, gid=f"parent-{key}")
            area.plot(ax=ax, facecolor=PALETTE[0], edgecolor=PALETTE[0], alpha=0.75, gid=f"area-{key}")
            ax.set_title(f"{row['name']} in {row['nuts3_parent_name']} ({row['nuts3_parent']})\n"
                         f"{row['area_km2']:,.0f} km², {row['population']:,} people ({row['population_year']})",
                         fontsize=8.5)
            ax.set_axis_off()
        fig.suptitle(title, fontsize=10)
        if caption:
            add_caption(fig, caption)
    return fig
