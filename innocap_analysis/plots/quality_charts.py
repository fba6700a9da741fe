"""Charts of survey data quality and awareness: response counts, missing answers, shares with intervals.

Each function takes a table that has already been through :mod:`innocap_analysis.disclosure` and
returns a Figure; masked cells are drawn as hatched boxes labelled "n < 5", never as bars, points or zeros.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..labels import display_label, with_n
from .style import PALETTE, STAKEHOLDER_COLOURS, add_caption, draw_masked, masked_legend_handle, style_context

_MISSING_COLOURS = {"dont_know": PALETTE[1], "not_applicable": PALETTE[4], "blank": "#999999", "invalid": PALETTE[5]}


def response_counts_chart(counts: pd.DataFrame, *, caption: str = "", title: str = "Respondents") -> Figure:
    """Grouped horizontal bars of respondents per region (rows) and stakeholder type (columns).

    Parameters
    ----------
    counts
        Output of :func:`innocap_analysis.survey.quality.response_counts`; masked cells (``<NA>``)
        are drawn as hatched boxes labelled "n < 5", of a fixed width that says nothing of the count.
    """
    groups = [c for c in counts.columns if c not in ("total", "suppressed", "total_published", "any_suppressed")]
    values = counts[groups].astype("Float64")
    y = np.arange(len(values))
    height = 0.8 / max(len(groups), 1)
    shown_max = float(np.nanmax(values.to_numpy(dtype=float, na_value=np.nan), initial=0.0))
    box = max(shown_max * 0.15, 1.0)
    with style_context():
        fig, ax = plt.subplots(figsize=(7, 0.6 + 0.55 * len(values) * max(len(groups), 1) / 2))
        any_masked = False
        for i, group in enumerate(groups):
            col = values[group]
            pos = y + (i - (len(groups) - 1) / 2) * height
            masked = col.isna().to_numpy()
            shown = col.to_numpy(dtype=float, na_value=np.nan)
            ax.barh(pos[~masked], shown[~masked], height=height * 0.95,
                    color=STAKEHOLDER_COLOURS.get(group, PALETTE[i % 8]), label=display_label(group))
            for p, v in zip(pos[~masked], shown[~masked], strict=True):
                ax.text(v + 0.3, p, f"{v:.0f}", va="center", fontsize=7)
            for p in pos[masked]:
                draw_masked(ax, 0, p - height * 0.45, box, height * 0.9)
                any_masked = True
        ax.set_yticks(y, [display_label(i) for i in values.index])
        ax.invert_yaxis()
        ax.set_xlabel("respondents")
        ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        if any_masked:
            handles.append(masked_legend_handle())
        ax.legend(handles=handles, loc="lower right")
        if caption:
            add_caption(fig, caption)
    return fig


def missingness_chart(missing: pd.DataFrame, *, caption: str = "", title: str = "Missing answers by item") -> Figure:
    """Stacked bars of the share of each kind of missing answer per item.

    Parameters
    ----------
    missing
        Output of :func:`innocap_analysis.survey.quality.missingness_by_item` (columns
        ``item`` and ``share_<kind>``). Masked shares are not stacked: a hatched mark of fixed size
        above the bar says that a kind of missing answer is masked there.
    """
    kinds = [k for k in _MISSING_COLOURS if f"share_{k}" in missing and missing[f"share_{k}"].fillna(0).gt(0).any()]
    masked_any = np.zeros(len(missing), dtype=bool)
    for k in _MISSING_COLOURS:
        if f"share_{k}" in missing:
            masked_any |= missing[f"share_{k}"].isna().to_numpy()
    with style_context():
        fig, ax = plt.subplots(figsize=(8, 3.2))
        x = np.arange(len(missing))
        bottom = np.zeros(len(missing))
        for kind in kinds:
            share = 100 * missing[f"share_{kind}"].astype("Float64").fillna(0).to_numpy(dtype=float)
            ax.bar(x, share, bottom=bottom, color=_MISSING_COLOURS[kind], label=kind.replace("_", " ").replace("dont", "don't"), width=0.8)
            bottom += share
        top = max(float(bottom.max()), 1.0) * 1.3
        mark = top * 0.06
        for xx, b in zip(x[masked_any], bottom[masked_any], strict=True):
            draw_masked(ax, xx - 0.4, b + mark * 0.2, 0.8, mark, text="")
        asked = missing["n_asked"] if "n_asked" in missing else [None] * len(missing)
        ax.set_xticks(x, [with_n(str(i), n) for i, n in zip(missing["item"], asked, strict=True)], rotation=90,
                      fontsize=6.5)
        ax.set_ylabel("% of respondents asked")
        ax.set_ylim(0, top + (2 * mark if masked_any.any() else 0))
        ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        if masked_any.any():
            handles.append(masked_legend_handle())
        ax.legend(handles=handles, ncol=len(handles), loc="upper right", handlelength=1, fontsize=7)
        if caption:
            add_caption(fig, caption, y=-0.08)
    return fig


def share_interval_chart(
    shares: pd.DataFrame,
    *,
    by: str = "region",
    share: str = "share",
    low: str = "ci_low",
    high: str = "ci_high",
    xlabel: str = "share (%)",
    title: str = "",
    caption: str = "",
) -> Figure:
    """Dot-and-interval chart of a share per group (e.g. awareness with Wilson intervals).

    Shares are proportions (0-1) and are drawn in percent; masked rows (``<NA>``) are drawn as a
    hatched band labelled "n < 5", with no point or interval.
    """
    data = shares.reset_index(drop=True)
    y = np.arange(len(data))
    est = 100 * data[share].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    lo = 100 * data[low].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    hi = 100 * data[high].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with style_context():
        fig, ax = plt.subplots(figsize=(6.5, 0.7 + 0.45 * len(data)))
        ok = ~np.isnan(est)
        ax.hlines(y[ok], lo[ok], hi[ok], color=PALETTE[0], linewidth=2)
        ax.plot(est[ok], y[ok], "o", color=PALETTE[0])
        for yy in y[~ok]:
            draw_masked(ax, 0, yy - 0.3, 100, 0.6)
        if (~ok).any():
            ax.legend(handles=[masked_legend_handle()], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
        counts = data["n"] if "n" in data else [None] * len(data)
        ax.set_yticks(y, [with_n(display_label(v), n) for v, n in zip(data[by], counts, strict=True)])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        if caption:
            add_caption(fig, caption, y=-0.05)
    return fig
