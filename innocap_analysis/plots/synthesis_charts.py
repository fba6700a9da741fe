"""The synthesis chart: the public sector's needs beside the distance burden, per partner region.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import config
from ..labels import display_label, with_n
from .style import PALETTE, style_context


def need_burden_chart(synthesis: pd.DataFrame, priorities: pd.DataFrame, *, title: str = "",
                      value: str = "mean",
                      value_label: str = "public-sector need: importance (one item, 0-100)") -> Figure:
    """Per partner region: the need for every module (left) beside the distance burden (right).

    Left: the public sector's mean need per dimension (``value`` of
    :func:`~innocap_analysis.indicators.priority_uncertainty`: in instrument v1 the importance item, the same
    question for every dimension), one marker per dimension; the region's clear top need, if any, is
    ringed. Right: the share of the partner area's population more than :data:`config.BURDEN_THRESHOLD_KM`
    km from the service tier of ``synthesis``, with its sensitivity range (thresholds, detour factors and
    cuts) as a line where given.
    """
    regions = list(synthesis["region"])
    y = np.arange(len(regions))[::-1]
    ranked = priorities.assign(region=priorities["region"].astype(str), dimension=priorities["dimension"].astype(str))
    dimensions = list(dict.fromkeys(ranked["dimension"]))
    markers = ["o", "s", "D", "^", "v", "P"]
    with style_context():
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 0.55 * len(regions) + 1.6), sharey=True,
                                          gridspec_kw={"width_ratios": [1.6, 1]})
        for k, dim in enumerate(dimensions):
            need = ranked[ranked["dimension"] == dim].set_index("region")[value].reindex(regions)
            left.scatter(need.astype(float), y, marker=markers[k % len(markers)], color=PALETTE[k % len(PALETTE)],
                         label=display_label(dim), zorder=3)
        if "clear_top" in ranked:
            top = ranked[(ranked["rank"] == 1) & ranked["clear_top"].fillna(False).astype(bool)].set_index("region")
            ringed = [(float(top.loc[r, value]), yy) for r, yy in zip(regions, y, strict=True) if r in top.index]
            if ringed:
                left.scatter(*zip(*ringed, strict=True), s=160, facecolors="none", edgecolors="#333333",
                             zorder=2, label="clear top need", gid="clear-top")
        left.set_xlabel(textwrap.fill(value_label, 45))
        n = ranked.groupby("region")["n"].agg(["min", "max"]) if "n" in ranked else None
        left.set_yticks(y, [with_n(display_label(r), None if n is None or r not in n.index else
                                   (n.loc[r, "min"], n.loc[r, "max"])) for r in regions])
        left.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=7)
        share = 100 * synthesis["share_beyond_km"].astype(float).to_numpy()
        right.barh(y, np.nan_to_num(share), color=PALETTE[5], height=0.6)
        if {"share_beyond_low", "share_beyond_high"} <= set(synthesis.columns):
            low = 100 * synthesis["share_beyond_low"].astype(float).to_numpy()
            high = 100 * synthesis["share_beyond_high"].astype(float).to_numpy()
            right.hlines(y, low, high, color="#333333", linewidth=1, zorder=3, gid="sensitivity-range")
        for yy, value in zip(y, share, strict=True):
            right.text((0 if np.isnan(value) else value) + 1, yy + 0.18, "n/a" if np.isnan(value) else f"{value:.0f}%",
                       va="center", fontsize=7)
        right.set_xlim(0, 105)
        tier = str(synthesis["tier"].iloc[0]).replace("_", " ") if len(synthesis) else ""
        right.set_xlabel(textwrap.fill(f"population > {config.BURDEN_THRESHOLD_KM:g} km from a {tier} (%)", 30))
        if title:
            fig.suptitle(title, fontsize=10, fontweight="bold")
        fig.tight_layout()
    return fig
