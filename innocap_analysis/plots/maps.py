"""Maps of the service-distance indicators: classed choropleths and settlement maps in equal-area CRSs.

* Europe (NUTS regions, the Faroe Islands, Greenland): ETRS89 / LAEA Europe, EPSG:3035.
* Newfoundland and Labrador: an Albers equal-area conic on NAD83 with the parameters of Canada
  Albers Equal Area (ESRI:102001, standard parallels 50° and 70° N) moved to the province
  (central meridian 60° W, standard parallels 48° and 58° N), so that north is up.

Classes come from mapclassify (quantiles by default, or Fisher-Jenks, Jenks 1977 / Fisher 1958);
the legend lists each class's bounds. Every map carries :data:`~innocap_analysis.plots.ATTRIBUTION_GEO`.
Functions return a matplotlib Figure; publish it with :func:`~innocap_analysis.plots.save_figure`.

References
----------
Rey, S. J., Arribas-Bel, D. & Wolf, L. J. (2023). *Geographic Data Science with Python*, ch. 5
(choropleth mapping, mapclassify). Jenks, G. F. (1977). Optimal data classification for choropleth
maps. University of Kansas, Occasional paper 2.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import mapclassify
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from .. import config
from ..provenance import ATTRIBUTION_GEO
from .style import add_caption

EUROPE_CRS = "EPSG:3035"
NEWFOUNDLAND_LABRADOR_CRS = "+proj=aea +lat_0=46 +lon_0=-60 +lat_1=48 +lat_2=58 +datum=NAD83 +units=m +no_defs"
MISSING_COLOUR = "#d9d9d9"
SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "natural_breaks")


def classify_values(values: pd.Series, scheme: str = "quantiles", k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Classify non-missing values with mapclassify.

    Returns
    -------
    (class_of_each_value, upper_bounds)
        Class number per value (-1 for missing) and the classes' upper bounds. Fewer classes are
        returned when there are fewer distinct values than ``k``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    y = pd.to_numeric(pd.Series(values), errors="raise").astype(float)
    known = y.notna().to_numpy()
    if not known.any():
        raise ValueError("no non-missing values to classify")
    k = int(min(k, np.unique(y[known]).size))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        # Tied values (many regions at 0 km, say) can leave fewer distinct quantile bounds than k;
        # mapclassify then lowers k and warns. The legend shows the classes actually formed.
        warnings.filterwarnings("ignore", message="Not enough unique values in array", category=UserWarning)
        classifier = mapclassify.classify(y[known].to_numpy(), scheme, k=k)
    classes = np.full(len(y), -1)
    classes[known] = classifier.yb
    return classes, np.asarray(classifier.bins, dtype=float)


def class_labels(lower: float, bounds: np.ndarray, fmt: str = "{:,.1f}") -> list[str]:
    """Legend labels with each class's bounds: ``[lower, b0]``, ``(b0, b1]``, ..."""
    lows = np.concatenate([[lower], bounds[:-1]])
    return [("[" if i == 0 else "(") + f"{fmt.format(lo)} – {fmt.format(hi)}]"
            for i, (lo, hi) in enumerate(zip(lows, bounds, strict=True))]


def _draw_classes(ax: Axes, gdf: gpd.GeoDataFrame, column: str, scheme: str, k: int, cmap: str,
                  fmt: str, legend_title: str, markersize: float | None = None) -> None:
    classes, bounds = classify_values(gdf[column], scheme, k)
    colours = [to_hex(c) for c in plt.get_cmap(cmap, len(bounds))(np.arange(len(bounds)))]
    kwargs = {"linewidth": 0.2, "edgecolor": "white"} if markersize is None else {"markersize": markersize}
    missing = classes < 0
    # One plot call with a colour per row: GeoDataFrame.plot redraws the whole figure on every call.
    gdf.plot(ax=ax, color=np.asarray(colours + [MISSING_COLOUR])[classes], **kwargs)
    lower = float(pd.to_numeric(gdf[column]).min())
    handles = [Patch(facecolor=c, edgecolor="none", label=lab)
               for c, lab in zip(colours, class_labels(lower, bounds, fmt), strict=True)]
    if missing.any():
        handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="none", label="no data"))
    scheme_name = {"quantiles": "quantiles", "fisher_jenks": "Fisher-Jenks"}.get(scheme, scheme.replace("_", " "))
    ax.legend(handles=handles, title=f"{legend_title}\n({scheme_name}, {len(bounds)} classes)",
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, title_fontsize=7)
    ax.set_axis_off()


def choropleth(
    regions: gpd.GeoDataFrame,
    column: str,
    *,
    crs: str = EUROPE_CRS,
    scheme: str = "quantiles",
    k: int = 5,
    title: str = "",
    legend_title: str | None = None,
    fmt: str = "{:,.1f}",
    cmap: str = "viridis",
    caption: str = "",
    context: gpd.GeoDataFrame | None = None,
    figsize: tuple[float, float] = (7.0, 8.0),
) -> Figure:
    """Classed choropleth of a region indicator in an equal-area projection.

    Parameters
    ----------
    regions
        Regions with the indicator ``column`` (NA drawn grey as "no data").
    crs
        Projection of the map (EPSG:3035 for Europe).
    scheme, k
        mapclassify scheme (``"quantiles"`` or ``"fisher_jenks"``, ...) and number of classes.
    legend_title, fmt
        Legend title (default: the column name) and the number format of the class bounds.
    caption
        Text put before the attribution under the map (source, caveat).
    context
        Optional outlines drawn underneath (for example countries).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if column not in regions.columns:
        raise ValueError(f"regions has no column {column!r}")
    projected = regions.to_crs(crs)
    fig, ax = plt.subplots(figsize=figsize)
    if context is not None:
        context.to_crs(crs).plot(ax=ax, color="none", edgecolor="#888888", linewidth=0.4)
    _draw_classes(ax, projected, column, scheme, k, cmap, fmt, legend_title or column)
    if title:
        ax.set_title(title)
    add_caption(fig, (caption + " " if caption else "") + ATTRIBUTION_GEO)
    return fig


def settlement_map(
    settlements: gpd.GeoDataFrame,
    column: str,
    *,
    outline: gpd.GeoDataFrame | None = None,
    crs: str = NEWFOUNDLAND_LABRADOR_CRS,
    scheme: str = "quantiles",
    k: int = 5,
    title: str = "",
    legend_title: str | None = None,
    fmt: str = "{:,.1f}",
    cmap: str = "viridis_r",
    caption: str = "",
    markersize: float = 8.0,
    figsize: tuple[float, float] = (7.0, 8.0),
) -> Figure:
    """Settlements coloured by a classed value (e.g. km to the nearest service) over a region outline.

    Default projection: :data:`NEWFOUNDLAND_LABRADOR_CRS` (NL-centred Albers equal-area conic).
    Same classes, legend and attribution conventions as :func:`choropleth`.
    """
    if column not in settlements.columns:
        raise ValueError(f"settlements has no column {column!r}")
    fig, ax = plt.subplots(figsize=figsize)
    if outline is not None:
        outline.to_crs(crs).plot(ax=ax, color="#f2f2f2", edgecolor="#777777", linewidth=0.5)
    _draw_classes(ax, settlements.to_crs(crs), column, scheme, k, cmap, fmt, legend_title or column,
                  markersize=markersize)
    if title:
        ax.set_title(title)
    add_caption(fig, (caption + " " if caption else "") + ATTRIBUTION_GEO)
    return fig


def newfoundland_labrador_map(
    settlements: gpd.GeoDataFrame,
    column: str,
    regions: gpd.GeoDataFrame,
    **kwargs,
) -> Figure:
    """:func:`settlement_map` of the CA-NL settlements over the province (NL-centred Albers equal-area)."""
    outline = regions[regions["region_id"].eq("CA-NL").to_numpy()]
    points = settlements[settlements["region_id"].eq("CA-NL").fillna(False).to_numpy()]
    if points.empty:
        raise ValueError("no settlement is assigned to CA-NL")
    return settlement_map(points, column, outline=outline, crs=NEWFOUNDLAND_LABRADOR_CRS, **kwargs)


def europe_map(regions: gpd.GeoDataFrame, column: str, **kwargs) -> Figure:
    """:func:`choropleth` of the European regions (NUTS, Faroe, Greenland; CA-NL left out) in EPSG:3035."""
    europe = regions[~regions["region_id"].eq("CA-NL").to_numpy()]
    return choropleth(europe, column, crs=EUROPE_CRS, **kwargs)


def local_equal_area_crs(region: gpd.GeoDataFrame) -> str:
    """Lambert azimuthal equal-area projection centred on a region (WGS84), as a PROJ string.

    The centre is the middle of the region's bounding box in longitude/latitude, rounded to 0.1°,
    so the same region always gets the same projection.
    """
    west, south, east, north = region.to_crs("EPSG:4326").total_bounds
    lon, lat = round((west + east) / 2, 1), round((south + north) / 2, 1)
    return f"+proj=laea +lat_0={lat:g} +lon_0={lon:g} +datum=WGS84 +units=m +no_defs"


def partner_region_maps(
    settlements: gpd.GeoDataFrame,
    column: str,
    regions: gpd.GeoDataFrame,
    *,
    keys: list[str] | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    title: str = "",
    legend_title: str | None = None,
    fmt: str = "{:,.1f}",
    cmap: str = "viridis_r",
    caption: str = "",
    markersize: float = 9.0,
    ncols: int = 3,
    panel_size: tuple[float, float] = (3.4, 3.4),
) -> Figure:
    """One panel per INNOCAP partner region: its settlements coloured by a value, shared classes.

    Parameters
    ----------
    settlements
        Points with ``region_id`` and ``column`` (for example ``km_to_regional_centre``).
    column
        Value to class; the classes are computed once over the settlements of all panels, so a
        colour means the same in every panel.
    regions
        ``load_regions(3)`` (``partner_key``, outline geometry).
    keys
        Partner-region keys of :data:`innocap_analysis.config.PARTNER_REGIONS` (all when None).
    scheme, k, legend_title, fmt, cmap, caption, markersize
        As for :func:`settlement_map`.
    ncols, panel_size
        Panels per row and the size of one panel (inches).

    Returns
    -------
    matplotlib.figure.Figure
        Each panel in an equal-area projection of its own: Newfoundland and Labrador in
        :data:`NEWFOUNDLAND_LABRADOR_CRS`, the others in a Lambert azimuthal equal-area projection
        centred on the region (:func:`local_equal_area_crs`). Panels have their own scale (a scale
        bar of 50 or 100 km is drawn in each). The legend, with class bounds, takes the last cell.
    """
    unknown = sorted(set(keys or []) - set(config.PARTNER_REGIONS))
    if unknown:
        raise ValueError(f"unknown partner region(s) {unknown}; known: {sorted(config.PARTNER_REGIONS)}")
    selected = [key for key in config.PARTNER_REGIONS if not keys or key in keys]
    codes = [config.PARTNER_REGIONS[key][1] for key in selected]
    points = settlements[settlements["region_id"].isin(codes).fillna(False).to_numpy()]
    missing = sorted(set(codes) - set(points["region_id"].dropna().astype(str)))
    if missing:
        raise ValueError(f"no settlement is assigned to {missing}")
    classes, bounds = classify_values(points[column], scheme, k)
    colours = [to_hex(c) for c in plt.get_cmap(cmap, len(bounds))(np.arange(len(bounds)))]
    n_cells = len(codes) + 1
    nrows = int(np.ceil(n_cells / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows))
    axes = np.atleast_1d(axes).ravel()
    for ax, key, code in zip(axes, selected, codes, strict=False):
        outline = regions[regions["region_id"].eq(code).to_numpy()]
        crs = NEWFOUNDLAND_LABRADOR_CRS if code == "CA-NL" else local_equal_area_crs(outline)
        outline.to_crs(crs).plot(ax=ax, color="#f2f2f2", edgecolor="#777777", linewidth=0.5)
        mine = (points["region_id"] == code).to_numpy()
        projected = points[mine].to_crs(crs)
        # One scatter per panel (GeoDataFrame.plot redraws the whole figure on every call).
        ax.scatter(projected.geometry.x, projected.geometry.y, c=np.asarray(colours)[classes[mine]],
                   s=markersize, edgecolors="#333333", linewidths=0.2, zorder=2)
        _scale_bar(ax)
        ax.set_title(config.PARTNER_REGIONS[key][0], fontsize=8)
        ax.set_axis_off()
    for ax in axes[len(codes):]:
        ax.set_axis_off()
    lower = float(pd.to_numeric(points[column]).min())
    handles = [Patch(facecolor=c, edgecolor="none", label=lab)
               for c, lab in zip(colours, class_labels(lower, bounds, fmt), strict=True)]
    scheme_name = {"quantiles": "quantiles", "fisher_jenks": "Fisher-Jenks"}.get(scheme, scheme.replace("_", " "))
    axes[len(codes)].legend(handles=handles, title=f"{legend_title or column}\n({scheme_name}, {len(bounds)} classes)",
                            loc="center", fontsize=8, title_fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    add_caption(fig, (caption + " " if caption else "") + ATTRIBUTION_GEO, width=130)
    return fig


def _scale_bar(ax: Axes) -> None:
    """A scale bar (matplotlib-scalebar) of 50, 100, 200 or 500 km: the largest not above a quarter of
    the map's width, drawn in a strip added below the map so that it never covers the data.
    Projected (metre) maps only.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    length_km = max([km for km in (50, 100, 200, 500) if km * 1000 <= width / 4] or [50])
    ax.set_ylim(y0 - 0.12 * height, y1)
    ax.set_xlim(x0, x1)
    ax.add_artist(ScaleBar(1.0, "m", fixed_value=length_km, fixed_units="km", location="lower left",
                           frameon=False, color="#222222", scale_loc="top", sep=1, border_pad=0.2, rotation="horizontal-only",
                           width_fraction=0.008, font_properties={"size": 6}))


def programme_area_indicator_map(layer: gpd.GeoDataFrame, column: str, regions: gpd.GeoDataFrame,
                                 **kwargs) -> Figure:
    """:func:`europe_map` of an indicator for the NPA 2021-2027 regions and the European partner regions.

    ``layer`` holds the indicator per region (for example a ``regions_<tier>`` layer of
    :func:`innocap_analysis.geography.indicators.indicator_layers`); ``regions`` (``load_regions(3)``)
    says which regions are eligible or partners, and its European regions outside the programme area
    are drawn as grey outlines for orientation. Other keyword arguments go to :func:`choropleth`.
    """
    inside = regions.loc[(regions["npa_2021_27"].astype(bool) | regions["partner"].astype(bool)).to_numpy(),
                         "region_id"].astype(str)
    mapped = layer[layer["region_id"].astype(str).isin(set(inside)).to_numpy()]
    context = regions[~regions["country"].eq("CA").to_numpy()]
    kwargs.setdefault("context", context)
    return europe_map(mapped, column, **kwargs)
