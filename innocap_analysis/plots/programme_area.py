"""The programme-area map and partner-region table (notebook ``00_programme_area``).

Europe is drawn in the ETRS89 Lambert azimuthal equal-area projection (EPSG:3035), and
Newfoundland and Labrador in a second panel in a Lambert azimuthal equal-area projection
centred on the province (NAD83), because one European frame would shrink and skew it at
the edge of the map. Both panels are equal-area, so areas compare within each panel.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .. import config
from ..provenance import ATTRIBUTION_GEO
from .style import PALETTE, add_caption, style_context

EUROPE_CRS = "EPSG:3035"
#: Lambert azimuthal equal-area centred on Newfoundland and Labrador (NAD83).
CANADA_CRS = "+proj=laea +lat_0=53 +lon_0=-60 +datum=NAD83 +units=m +no_defs"

#: Label offsets in points, chosen so that neighbouring partner labels do not overlap.
_LABEL_OFFSETS = {
    "donegal": (-8, 10, "right"),
    "vasternorrland": (-10, 6, "right"),
    "south_savo": (8, -8, "left"),
    "south_iceland": (0, -22, "center"),
    "newfoundland_labrador": (0, -34, "center"),
}

_COLOURS = {"other": "#e6e6e6", "eligible": "#9ecae1", "partner": PALETTE[1], "edge": "#ffffff"}


def _region_class(regions: gpd.GeoDataFrame) -> pd.Series:
    klass = pd.Series("other", index=regions.index, dtype="string")
    klass[regions["npa_2021_27"].astype(bool)] = "eligible"
    klass[regions["partner"].astype(bool)] = "partner"
    return klass


def _draw(ax, regions: gpd.GeoDataFrame, crs: str) -> None:  # noqa: ANN001
    projected = regions.to_crs(crs)
    klass = _region_class(projected)
    for name in ("other", "eligible", "partner"):
        part = projected[klass == name]
        if len(part):
            part.plot(ax=ax, color=_COLOURS[name], edgecolor=_COLOURS["edge"], linewidth=0.2)
    partners = projected[klass == "partner"]
    points = partners.geometry.representative_point()
    for (_, row), point in zip(partners.iterrows(), points, strict=True):
        key = row["partner_key"]
        # the partner's own area, and the NUTS 3 region drawn (which contains it where it is larger)
        larger = "which contains" in config.PARTNER_REGIONS[key][0]
        label = config.PARTNER_AREAS[key] + f"\n{'in ' if larger else ''}{row['region_id']}"
        dx, dy, ha = _LABEL_OFFSETS.get(key, (4, 4, "left"))
        ax.annotate(label, (point.x, point.y), xytext=(dx, dy), textcoords="offset points", fontsize=7,
                    ha=ha, va="center", color="#222222", fontweight="bold",
                    arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.5})
    ax.set_axis_off()


def _match_scale(fig: Figure, reference: Axes, other: Axes) -> None:
    """Give ``other`` the map scale (metres per inch of axes) of ``reference``, centred on its data.

    Both panels are in equal-area projections in metres, so one scale makes areas comparable
    across them (Newfoundland and Labrador would otherwise be drawn larger than Europe).
    """
    fig.canvas.draw()
    def inches(ax: Axes) -> tuple[float, float]:
        box = ax.get_position()
        return box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    width, height = inches(reference)
    x0, x1 = reference.get_xlim()
    y0, y1 = reference.get_ylim()
    scale = max((x1 - x0) / width, (y1 - y0) / height)  # metres per inch (aspect is equal)
    other_width, other_height = inches(other)
    cx, cy = np.mean(other.get_xlim()), np.mean(other.get_ylim())
    other.set_xlim(cx - scale * other_width / 2, cx + scale * other_width / 2)
    other.set_ylim(cy - scale * other_height / 2, cy + scale * other_height / 2)


def programme_area_map(regions: gpd.GeoDataFrame) -> Figure:
    """Map the NPA 2021-2027 programme area with the partner regions highlighted.

    Parameters
    ----------
    regions
        Output of :func:`innocap_analysis.geography.load_regions` at level 3 (columns
        ``npa_2021_27``, ``partner``, ``partner_key``, ``country``, ``geometry``).

    Returns
    -------
    matplotlib.figure.Figure
        Left: Europe, Faroe Islands and Greenland in EPSG:3035. Right: Newfoundland and
        Labrador in :data:`CANADA_CRS`, at the same scale. The attribution is written under the map.
    """
    canada = regions[regions["country"] == "CA"]
    europe = regions[regions["country"] != "CA"]
    with style_context():
        fig, (ax_eu, ax_ca) = plt.subplots(1, 2, figsize=(9, 6), gridspec_kw={"width_ratios": [2.3, 1]})
        _draw(ax_eu, europe, EUROPE_CRS)
        ax_eu.set_title("Europe, Faroe Islands, Greenland (EPSG:3035)", fontsize=9)
        _draw(ax_ca, canada, CANADA_CRS)
        _match_scale(fig, ax_eu, ax_ca)
        ax_ca.set_title("Newfoundland and Labrador (Lambert equal-area),\nsame scale as Europe", fontsize=9)
        ax_ca.text(0.5, -0.02, "A partner outside the NPA 2021-2027 programme area", transform=ax_ca.transAxes,
                   ha="center", va="top", fontsize=7, style="italic", color="#444444")
        handles = [
            Patch(color=_COLOURS["partner"], label="NUTS 3 region (or territory) of an INNOCAP partner"),
            Patch(color=_COLOURS["eligible"], label="NPA 2021-2027 eligible (NUTS 3 / territory)"),
            Patch(color=_COLOURS["other"], label="Not eligible"),
        ]
        fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 0.02))
        fig.suptitle("Interreg NPA 2021-2027 programme area and INNOCAP partner regions", fontsize=11)
        add_caption(fig, ATTRIBUTION_GEO, y=0.0)
    return fig


def partner_region_table(regions: gpd.GeoDataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """Population, area and density of the partner regions, with the year and source of each figure.

    Parameters
    ----------
    regions
        Output of :func:`innocap_analysis.geography.load_regions`.
    keys
        Partner-region keys of :data:`innocap_analysis.config.PARTNER_REGIONS` to keep; all by default.

    Returns a tidy table with one row per partner region, in the order of
    :data:`innocap_analysis.config.PARTNER_REGIONS`.
    """
    unknown = sorted(set(keys or []) - set(config.PARTNER_REGIONS))
    if unknown:
        raise ValueError(f"unknown partner region(s) {unknown}; known: {sorted(config.PARTNER_REGIONS)}")
    partners = regions[regions["partner"].astype(bool)].set_index("partner_key")
    order = [key for key in config.PARTNER_REGIONS if key in partners.index and (not keys or key in keys)]
    table = partners.loc[order, ["region_id", "name", "population", "population_year", "area_km2",
                                 "area_source", "density", "population_source"]]
    table = pd.DataFrame(table).reset_index(drop=True)
    table.insert(0, "partner_region", [config.PARTNER_REGIONS[k][0] for k in order])
    return table.rename(columns={"density": "density_per_km2"})
