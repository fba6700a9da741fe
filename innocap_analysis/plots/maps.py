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

from .style import ATTRIBUTION_GEO, add_caption

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
    if missing.any():
        gdf[missing].plot(ax=ax, color=MISSING_COLOUR, **kwargs)
    for i, colour in enumerate(colours):
        part = gdf[classes == i]
        if not part.empty:
            part.plot(ax=ax, color=colour, **kwargs)
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
