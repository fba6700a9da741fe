"""The synthesis chart: capability gaps beside the distance burden, per partner region.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import config
from ..labels import display_label, with_n
from .style import PALETTE, style_context


def gap_burden_chart(synthesis: pd.DataFrame, priorities: pd.DataFrame, *, title: str = "") -> Figure:
    """Per partner region: the need gap of every module (left) beside the distance burden (right).

    Left: the public sector's need gap (importance minus capability, 0-100 points) per
    dimension, one marker per dimension. Right: the share of the partner area's population more
    than :data:`config.BURDEN_THRESHOLD_KM` km from the service tier of ``synthesis``, with its
    sensitivity range (thresholds, detour factors and cuts) as a line where given.
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
            gaps = ranked[ranked["dimension"] == dim].set_index("region")["need_gap"].reindex(regions)
            left.scatter(gaps.astype(float), y, marker=markers[k % len(markers)], color=PALETTE[k % len(PALETTE)],
                         label=display_label(dim), zorder=3)
        left.axvline(0, color="#666666", linewidth=0.8)
        left.set_xlabel("public-sector need gap (importance - capability, points)")
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
        right.set_xlabel(f"population > {config.BURDEN_THRESHOLD_KM:g} km from a {tier} (%)")
        if title:
            fig.suptitle(title, fontsize=10, fontweight="bold")
        fig.tight_layout()
    return fig
