"""Figures of the programme evaluation (notebook ``07_programme_evaluation``).

* :func:`effect_forest_plot`: every estimate of :class:`~innocap_analysis.evaluation.ProgrammeEvaluation`
  with its interval, one panel per dimension (a forest plot, Lewis & Clarke 2001, BMJ 322:1479).
* :func:`paired_change_distributions`: the distribution of individual change (follow-up
  minus baseline) of linked respondents, per dimension and group, in bins that pass disclosure
  control (:func:`innocap_analysis.disclosure.binned_distribution`): tails bottom- and top-coded,
  small bins masked, so that no individual's change is drawn.

Both return a :class:`matplotlib.figure.Figure`; notebooks save it with ``save_figure``.
Groups smaller than ``config.MIN_CELL_SIZE`` are not drawn: a hatched "n < 5" box stands in.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import config
from ..disclosure import binned_distribution
from ..evaluation import Estimator
from ..labels import with_n
from .style import PALETTE, add_caption, draw_masked, masked_legend_handle, masked_text, style_context

#: Short row labels of the estimators, in drawing order (top to bottom within a panel).
SHORT_LABELS: dict[Estimator, str] = {
    Estimator.DID_LINKED: "DiD, linked",
    Estimator.DID_ALL: "DiD, all (cross-sections)",
    Estimator.PAIRED: "Paired",
    Estimator.UNPAIRED: "Unpaired",
}
_COLOURS: dict[Estimator, str] = {
    Estimator.DID_LINKED: PALETTE[5],
    Estimator.DID_ALL: PALETTE[3],
    Estimator.PAIRED: PALETTE[0],
    Estimator.UNPAIRED: PALETTE[2],
}
GROUP_COLOURS: dict[str, str] = {"participants": PALETTE[0], "comparison": PALETTE[1]}


def _estimator_id(label: str) -> Estimator | None:
    """The estimator of a table's ``estimator`` label (``None`` for a label of another source)."""
    try:
        return Estimator.from_label(label)
    except ValueError:
        return None


def effect_forest_plot(
    estimates: pd.DataFrame,
    *,
    dimension_labels: dict[str, str] | None = None,
    unit: str = "score points",
    title: str = "Change in capability by estimator (95% intervals)",
    caption: str | None = None,
) -> Figure:
    """Forest plot of estimates with intervals, one panel per dimension.

    Parameters
    ----------
    estimates
        :attr:`ProgrammeEvaluation.estimates`: ``dimension``, ``group``, ``estimator``,
        ``estimate``, ``ci_low``, ``ci_high``. Rows whose estimate is missing (suppressed
        small cells) are listed as "suppressed".
    dimension_labels
        Display names of the dimensions.
    unit
        Unit of the estimates, for the x-axis label.
    title
        Figure title.
    caption
        Optional caption under the figure (source and the illustrative-data caveat).

    Returns
    -------
    matplotlib.figure.Figure
    """
    required = {"dimension", "group", "estimator", "estimate", "ci_low", "ci_high"}
    missing = required - set(estimates.columns)
    if missing:
        raise ValueError(f"estimates lack columns {sorted(missing)}")
    order = {estimator: i for i, estimator in enumerate(SHORT_LABELS)}
    ids = estimates["estimator"].map(_estimator_id)
    is_did = ids.isin([Estimator.DID_LINKED, Estimator.DID_ALL]).to_numpy()
    data = estimates.assign(
        _id=ids,
        _order=ids.map(order).fillna(len(order)),
        _label=ids.map(SHORT_LABELS).fillna(estimates["estimator"]) + np.where(is_did, "", ": " + estimates["group"])
        + (estimates["n"].map(lambda n: with_n("", n)) if "n" in estimates else ""),
    )
    dimensions = list(pd.unique(data["dimension"].astype(str)))
    finite = data[["estimate", "ci_low", "ci_high"]].to_numpy(float)
    finite = finite[np.isfinite(finite)]
    span = (finite.min(), finite.max()) if finite.size else (-1.0, 1.0)
    pad = 0.08 * (span[1] - span[0] or 1.0)
    with style_context():
        rows_per_panel = data.groupby(data["dimension"].astype(str), sort=False).size()
        heights = [rows_per_panel.get(d, 1) for d in dimensions]
        fig, axes = plt.subplots(
            len(dimensions),
            1,
            sharex=True,
            figsize=(6.5, 0.8 + 0.28 * sum(heights) + 0.4 * len(dimensions)),
            gridspec_kw={"height_ratios": heights},
            squeeze=False,
        )
        for ax, dimension in zip(axes[:, 0], dimensions, strict=True):
            part = data[data["dimension"].astype(str) == dimension].sort_values(
                ["_order", "group"], kind="stable"
            )
            y = np.arange(len(part))[::-1]
            for yi, (_, row) in zip(y, part.iterrows(), strict=True):
                colour = _COLOURS.get(row["_id"], PALETTE[7])
                if np.isfinite(row["estimate"]):
                    ax.errorbar(
                        row["estimate"],
                        yi,
                        xerr=[[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]],
                        fmt="o",
                        color=colour,
                        markersize=4,
                        capsize=2,
                        linewidth=1.2,
                    )
                else:
                    draw_masked(ax, span[0] - pad, yi - 0.35, span[1] - span[0] + 2 * pad, 0.7)
            ax.axvline(0, color="#444444", linewidth=0.8, linestyle="--")
            ax.set_yticks(y, part["_label"].tolist(), fontsize=7)
            ax.set_ylim(-0.6, len(part) - 0.4)
            ax.set_title(
                (dimension_labels or {}).get(dimension, dimension.replace("_", " ").capitalize()),
                loc="left",
                fontsize=9,
            )
        axes[-1, 0].set_xlim(span[0] - pad, span[1] + pad)
        axes[-1, 0].set_xlabel(
            f"Estimate ({unit}). DiD: participants' change minus comparison change;\n"
            "paired and unpaired: follow-up minus baseline"
        )
        fig.suptitle(title, x=0.01, ha="left")
        fig.tight_layout()
        if caption:
            add_caption(fig, caption)
    return fig


#: Bin edges of individual change (scale points): 0.5 wide, one bin centred on no change.
CHANGE_BIN_EDGES: np.ndarray = np.arange(-4.25, 4.26, 0.5)


def paired_change_distributions(
    pairs: pd.DataFrame,
    *,
    groups: Sequence[str] = ("participants", "comparison"),
    min_cell_size: int = config.MIN_CELL_SIZE,
    bin_edges: Sequence[float] | np.ndarray = CHANGE_BIN_EDGES,
    dimension_labels: dict[str, str] | None = None,
    unit: str = "score points",
    title: str = "Individual change between waves, linked respondents",
    caption: str | None = None,
) -> Figure:
    """Binned distributions of paired change per dimension and group, drawn as mirrored bars.

    Individual values are never drawn: each group's changes are counted in ``bin_edges`` by
    :func:`innocap_analysis.disclosure.binned_distribution`, which merges the outer bins until each
    tail holds at least ``min_cell_size`` respondents (the tails are labelled "or less" / "or more")
    and masks interior bins of 1 to ``min_cell_size - 1`` (hatched, fixed width), with secondary
    suppression against the group's total. The mean change is marked with a point and the median
    with a line. Groups of fewer than ``min_cell_size`` respondents are not drawn.

    Parameters
    ----------
    pairs
        :attr:`WaveLinks.pairs` / :attr:`ProgrammeEvaluation.pairs` (``dimension``,
        ``participant`` (bool), ``change``); no keys.
    groups
        Which groups to draw (``participants``, ``comparison``).
    min_cell_size
        The threshold of the disclosure rules (respondents).
    bin_edges
        Bin edges (scale points); values beyond the outer edges fall in the outer bins.
    dimension_labels, unit, title, caption
        Display options.

    Returns
    -------
    matplotlib.figure.Figure
    """
    for column in ("dimension", "participant", "change"):
        if column not in pairs.columns:
            raise ValueError(f"pairs lack column {column!r}")
    group_of = np.where(pairs["participant"].astype(bool), "participants", "comparison")
    data = pairs.assign(group=group_of)
    data = data[np.isfinite(data["change"].to_numpy(float))]
    dimensions = list(pd.unique(data["dimension"].astype(str)))
    edges = np.asarray(bin_edges, dtype=float)
    step = float(np.min(np.diff(edges)))
    any_masked = False
    with style_context():
        fig, axes = plt.subplots(
            1, len(dimensions), sharey=True, figsize=(1.9 * len(dimensions) + 1, 3.6), squeeze=False
        )
        low_drawn, high_drawn = edges[-1], edges[0]
        for ax, dimension in zip(axes[0], dimensions, strict=True):
            part = data[data["dimension"].astype(str) == dimension]
            for position, group in enumerate(groups):
                values = part.loc[part["group"] == group, "change"].to_numpy(float)
                bins = binned_distribution(values, edges, min_n=min_cell_size)
                if bins.empty:
                    draw_masked(ax, position - 0.4, -0.5, 0.8, 1.0, fontsize=6)
                    any_masked = True
                    continue
                lows = np.where(np.isfinite(bins["low"]), bins["low"], bins["high"] - step)
                highs = np.where(np.isfinite(bins["high"]), bins["high"], bins["low"] + step)
                counts = bins["count"].to_numpy(dtype=float, na_value=np.nan)
                widest = np.nanmax(counts) if np.isfinite(counts).any() else 1.0
                colour = GROUP_COLOURS.get(group, PALETTE[7])
                for lo, hi, count, tail in zip(lows, highs, counts, bins["tail"], strict=True):
                    if np.isnan(count):
                        draw_masked(ax, position - 0.2, lo, 0.4, hi - lo, text="")
                        any_masked = True
                        continue
                    half = 0.4 * count / widest
                    ax.fill_between([position - half, position + half], lo, hi, color=colour, alpha=0.55,
                                    linewidth=0.4, edgecolor="white")
                    if tail:
                        mark = f"≤ {hi:+.2f}" if tail == "low" else f"≥ {lo:+.2f}"
                        ax.text(position + 0.42, (lo + hi) / 2, mark, fontsize=5, va="center", color="#555555")
                low_drawn, high_drawn = min(low_drawn, lows.min()), max(high_drawn, highs.max())
                ax.plot([position - 0.25, position + 0.25], [np.median(values)] * 2, color="#000000", linewidth=1.2)
                ax.plot(position, values.mean(), "o", color="#000000", markersize=3)
                ax.text(position, 1.0, with_n("", values.size).strip(" ()"), transform=ax.get_xaxis_transform(),
                        ha="center", va="bottom", fontsize=7)
            ax.axhline(0, color="#444444", linewidth=0.8, linestyle="--")
            ax.set_xticks(range(len(groups)), [g.capitalize() for g in groups], fontsize=7)
            ax.set_xlim(-0.6, len(groups) - 0.4)
            ax.set_title(
                (dimension_labels or {}).get(dimension, dimension.replace("_", " ").capitalize()),
                fontsize=9,
                pad=14,
            )
        if high_drawn > low_drawn:
            axes[0, 0].set_ylim(low_drawn - 0.1, high_drawn + 0.1)
        axes[0, 0].set_ylabel(f"Follow-up minus baseline ({unit})")
        fig.suptitle(title, x=0.01, ha="left")
        note = (f"Bars: respondents per {step:g}-point bin (width proportional to the count); outer bins hold "
                f"everyone beyond them and at least {min_cell_size}; line: median; point: mean.")
        if any_masked:
            note += f" Hatched: masked ({masked_text(min_cell_size)}, or a bin that would reveal one)."
        fig.tight_layout()
        fig.text(0.01, -0.01, note, ha="left", va="top", fontsize=6.5, color="#444444")
        if any_masked:
            fig.legend(handles=[masked_legend_handle()], loc="upper right", fontsize=6)
        if caption:
            add_caption(fig, caption, y=-0.06)
    return fig
