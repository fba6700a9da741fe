"""Figures of the composite capability index.

* :func:`rank_uncertainty_plot`: each unit's median rank over the Monte Carlo draws of
  :func:`~innocap_analysis.composite.uncertainty_analysis` with its 5-95 % interval and the nominal
  rank (the standard uncertainty chart of composite indicators, Saisana, Saltelli & Tarantola 2005,
  J. R. Stat. Soc. A 168:307, fig. 3; COINr ``plot_uncertainty``).
* :func:`rank_interval_comparison_plot`: the same chart for several analyses of the same units
  (for example the modelling choices alone, and with the sampling of organisations), one
  interval per analysis and unit.
* :func:`unit_display_labels`: reader-facing names for group units such as ``south_savo / sme``.

Returns a :class:`matplotlib.figure.Figure`; notebooks save it with ``save_figure``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..labels import display_label, with_n
from .style import PALETTE, add_caption, style_context

_REQUIRED = ("unit", "median_rank", "q05_rank", "q95_rank")


def rank_uncertainty_plot(
    rank_stats: pd.DataFrame,
    *,
    labels: Mapping[object, str] | None = None,
    top_n: int | None = None,
    show_nominal: bool = True,
    title: str = "Rank uncertainty of the composite index",
    caption: str | None = None,
) -> Figure:
    """Median rank and 5-95 % rank interval of every unit, best units at the top.

    Parameters
    ----------
    rank_stats
        :attr:`UncertaintyResult.rank_stats <innocap_analysis.composite.UncertaintyResult>`:
        ``unit``, ``median_rank``, ``q05_rank``, ``q95_rank`` and optionally ``nominal_rank``.
    labels
        Display name of each unit (default: the unit code).
    top_n
        Draw only the ``top_n`` units by median rank (the chart says how many were left out).
    show_nominal
        Mark the nominal rank (the composite as built) with an open diamond.
    title
        Figure title.
    caption
        Optional caption under the figure (source and the illustrative-data caveat).

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in _REQUIRED if c not in rank_stats.columns]
    if missing:
        raise ValueError(f"rank_stats lacks column(s) {missing}")
    if rank_stats.empty:
        raise ValueError("rank_stats has no rows")
    data = rank_stats.sort_values(["median_rank", "q05_rank", "unit"]).reset_index(drop=True)
    left_out = 0
    if top_n is not None and top_n < len(data):
        left_out = len(data) - top_n
        data = data.iloc[:top_n]
    names = [str((labels or {}).get(u, u)) for u in data["unit"]]
    y = np.arange(len(data))
    with style_context():
        fig, ax = plt.subplots(figsize=(6.0, max(2.0, 0.22 * len(data) + 1.0)))
        ax.hlines(y, data["q05_rank"], data["q95_rank"], color=PALETTE[0], linewidth=2.2, alpha=0.55,
                  label="5-95 % interval")
        ax.plot(data["median_rank"], y, "o", color=PALETTE[0], markersize=4.5, label="median rank")
        if show_nominal and "nominal_rank" in data.columns:
            ax.plot(data["nominal_rank"], y, "D", markerfacecolor="none", markeredgecolor=PALETTE[5],
                    markersize=4.5, label="nominal rank")
        ax.set_yticks(y, names)
        ax.invert_yaxis()  # best unit at the top
        ax.set_xlabel("rank (1 = highest index)")
        ax.set_xlim(left=0.5)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        note = f" (top {len(data)}; {left_out} more not shown)" if left_out else ""
        ax.set_title(title + note)
        # outside the axes: inside, the lower right is where the worst units' intervals are drawn
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
        if caption:
            add_caption(fig, caption)
        fig.tight_layout()
    return fig


def unit_display_labels(
    units: Iterable[object],
    separator: str = " / ",
    display: Callable[[str], str] | None = None,
    counts: Mapping[object, object] | None = None,
) -> dict[object, str]:
    """Reader-facing name of each unit: every ``separator``-joined key through ``display``.

    ``"south_savo / sme"`` -> ``"South Savo / SME"`` with the default ``display``,
    :func:`innocap_analysis.labels.display_label`; with ``counts`` (unit -> n) the count follows
    (``"South Savo / SME (n = 12)"``).
    """
    display = display or display_label
    names = {u: separator.join(display(part) for part in str(u).split(separator)) for u in units}
    return names if counts is None else {u: with_n(name, counts.get(u)) for u, name in names.items()}


def rank_interval_comparison_plot(
    results: Mapping[str, pd.DataFrame],
    *,
    labels: Mapping[object, str] | None = None,
    order_by: str | None = None,
    show_nominal: bool = True,
    title: str = "Rank uncertainty of the composite index",
    caption: str | None = None,
) -> Figure:
    """Median rank and 5-95 % rank interval of every unit under several analyses, side by side.

    Parameters
    ----------
    results
        Analysis name (legend text) -> ``rank_stats`` of
        :class:`~innocap_analysis.composite.UncertaintyResult`; every table has the same units.
    labels
        Display name of each unit (default: the unit label).
    order_by
        Analysis whose median rank (then 5 % rank, then unit) orders the units, best at the top;
        default the last one.
    show_nominal
        Mark the nominal rank of the first analysis that has one with an open diamond.
    title, caption
        Figure title and optional caption under the figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not results:
        raise ValueError("results is empty")
    for name, table in results.items():
        missing = [c for c in _REQUIRED if c not in table.columns]
        if missing:
            raise ValueError(f"rank_stats of {name!r} lacks column(s) {missing}")
    tables = {name: table.set_index("unit") for name, table in results.items()}
    first = next(iter(tables.values()))
    for name, table in tables.items():
        if set(table.index) != set(first.index) or table.index.has_duplicates:
            raise ValueError(f"rank_stats of {name!r} does not have the same units as the first analysis")
    order_by = order_by or list(tables)[-1]
    if order_by not in tables:
        raise ValueError(f"order_by {order_by!r} is not one of the analyses {list(tables)}")
    key = tables[order_by].reset_index().sort_values(["median_rank", "q05_rank", "unit"])
    units = list(key["unit"])
    names = [str((labels or {}).get(u, u)) for u in units]
    y = np.arange(len(units))
    k = len(tables)
    offsets = (np.arange(k) - (k - 1) / 2) * min(0.3, 0.8 / k)
    with style_context():
        fig, ax = plt.subplots(figsize=(6.4, max(2.4, (0.2 + 0.12 * k) * len(units) + 1.4)))
        handles: list[Line2D] = []
        for i, (name, table) in enumerate(tables.items()):
            t = table.loc[units]
            colour = PALETTE[i % len(PALETTE)]
            ax.hlines(y + offsets[i], t["q05_rank"], t["q95_rank"], color=colour, linewidth=2.4, alpha=0.6)
            ax.plot(t["median_rank"], y + offsets[i], "o", color=colour, markersize=4.5)
            handles.append(Line2D([], [], color=colour, linewidth=2.4, alpha=0.8, marker="o", markersize=4.5,
                                  label=f"{name}: median rank and 5-95 % interval"))
        nominal = next((t for t in tables.values() if "nominal_rank" in t.columns), None)
        if show_nominal and nominal is not None:
            handles += ax.plot(nominal.loc[units, "nominal_rank"], y, "D", markerfacecolor="none",
                               markeredgecolor="#333333", markersize=5, label="nominal rank (index as built)")
        ax.set_yticks(y, names)
        ax.invert_yaxis()  # best unit at the top
        ax.set_xticks(np.arange(1, len(units) + 1))
        ax.set_xlim(0.5, len(units) + 0.5)
        ax.set_xlabel("rank (1 = highest index)")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=1, fontsize=7,
                  borderaxespad=0.3)
        fig.suptitle(title, x=0.02, ha="left", fontsize=10, fontweight="bold")
        if caption:
            add_caption(fig, caption)
        fig.tight_layout()
    return fig
