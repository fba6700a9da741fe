"""Figures of the composite capability index.

* :func:`rank_uncertainty_plot`: each unit's median rank over the Monte Carlo draws of
  :func:`~innocap_analysis.composite.uncertainty_analysis` with its 5-95 % interval and the nominal
  rank (the standard uncertainty chart of composite indicators, Saisana, Saltelli & Tarantola 2005,
  J. R. Stat. Soc. A 168:307, fig. 3; COINr ``plot_uncertainty``).

Returns a :class:`matplotlib.figure.Figure`; notebooks save it with ``save_figure``.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import PALETTE, add_caption, style

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
    with style():
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
        ax.legend(loc="lower right", fontsize=7)
        if caption:
            add_caption(fig, caption)
        fig.tight_layout()
    return fig
