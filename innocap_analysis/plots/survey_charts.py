"""Survey charts on tidy frames: Likert diverging bars, score heatmap, IPA scatter, need and supply, priorities.

Every function returns a :class:`matplotlib.figure.Figure` and saves nothing; notebooks call
:func:`innocap_analysis.plots.style.save_figure`. Inputs are the tidy tables of
:mod:`innocap_analysis.scoring`, :mod:`innocap_analysis.compare` and
:mod:`innocap_analysis.demand_supply`, so the charts never compute statistics of their own
beyond shares.

References
----------
- Robbins, N. B. & Heiberger, R. M. (2011). Plotting Likert and other rating scales. Proc. JSM,
  Survey Research Methods Section, 1058-1066 (diverging stacked bars centred on the neutral point).
- Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. J. Marketing 41(1), 77-79.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..labels import display_label, with_n
from .style import PALETTE, draw_masked, masked_legend_handle, masked_text, style_context

DONT_KNOW = "dont_know"
#: Diverging colours for up to 7 ordered categories (brown-grey-teal, colour-blind safe, BrBG-like).
_DIVERGING = {
    2: ["#a6611a", "#018571"],
    3: ["#a6611a", "#d9d9d9", "#018571"],
    4: ["#a6611a", "#dfc27d", "#80cdc1", "#018571"],
    5: ["#a6611a", "#dfc27d", "#d9d9d9", "#80cdc1", "#018571"],
    6: ["#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"],
    7: ["#8c510a", "#d8b365", "#f6e8c3", "#d9d9d9", "#c7eae5", "#5ab4ac", "#01665e"],
}


def likert_shares(
    counts: pd.DataFrame, levels: Sequence[int], *, label: str = "label"
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Shares of each answer code among substantive answers, and don't-know shares among all answers.

    Parameters
    ----------
    counts
        Tidy frame with columns ``label`` (bar label), ``category`` (an answer code from ``levels`` or
        ``"dont_know"``) and ``count``. Codes with no row count as zero answers. A count masked by
        :func:`~innocap_analysis.indicators.profiles.likert_counts` is ``<NA>``; then the frame
        carries ``n``, the number of substantive answers, which is published.
    levels
        The scale's answer codes in order, e.g. ``[1, 2, 3, 4, 5]``.

    Returns
    -------
    tuple
        ``(shares, n_substantive, dont_know_share)``: shares is labels x codes (0-1; rows sum to 1
        where nothing is masked, masked shares are NaN), labels in order of first appearance.
    """
    required = {label, "category", "count"}
    if not required <= set(counts.columns):
        raise KeyError(f"counts needs columns {sorted(required)}, has {list(counts.columns)}")
    levels = list(levels)
    allowed = {*map(str, levels), DONT_KNOW}
    unknown = sorted({str(c) for c in counts["category"]} - allowed)
    if unknown:
        raise ValueError(f"counts has categories {unknown} outside the scale codes {levels} and {DONT_KNOW!r}")
    if (counts["count"] < 0).any():
        raise ValueError("counts must be non-negative")
    masked_rows = counts["count"].isna()
    if masked_rows.any() and "n" not in counts:
        raise ValueError("counts has masked categories but no published 'n' (substantive answers) per bar")
    labels = pd.unique(counts[label])
    columns = [*map(str, levels), DONT_KNOW]
    frame = counts.assign(category=counts["category"].astype(str),
                          count=pd.to_numeric(counts["count"]).astype("float64"))
    table = (
        frame.pivot_table(index=label, columns="category", values="count", aggfunc="sum", fill_value=0, observed=True,
                          dropna=False)
        .reindex(index=labels, columns=columns, fill_value=0)
        .astype("float64")
    )
    masked = (frame.assign(_masked=masked_rows.to_numpy())
              .pivot_table(index=label, columns="category", values="_masked", aggfunc="any", fill_value=False,
                           observed=True)
              .reindex(index=labels, columns=columns, fill_value=False).astype(bool))
    table = table.mask(masked)
    substantive = table[[str(c) for c in levels]]
    if "n" in counts:
        n_substantive = pd.to_numeric(counts.groupby(label, sort=False)["n"].first()).reindex(labels).astype("float64")
    else:
        n_substantive = substantive.sum(axis=1)
    total = n_substantive + table[DONT_KNOW]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = substantive.div(n_substantive.where(n_substantive > 0), axis=0)
        dont_know = table[DONT_KNOW] / total.where(total > 0)
    shares.columns = levels
    return shares, n_substantive.astype("int64"), dont_know


def _reverse_keyed_labels(counts: pd.DataFrame, label: str) -> set[str]:
    """Bar labels of reverse-keyed items (the ``reverse_keyed`` column of :func:`likert_counts`)."""
    if "reverse_keyed" not in counts:
        return set()
    return set(counts.loc[counts["reverse_keyed"].astype(bool), label].astype(str))


def likert_diverging(
    counts: pd.DataFrame,
    levels: Mapping[int, str],
    *,
    neutral: int | None = None,
    label: str = "label",
    title: str = "",
    show_dont_know: bool = True,
) -> Figure:
    """Diverging stacked bars centred on the neutral point (Robbins & Heiberger 2011).

    Negative categories extend left of zero, positive ones right, and the neutral category is
    split evenly across zero. Each segment's width is the category's share of the substantive
    answers (percent); a category with no answers gets a zero-width segment, so no other segment
    moves. Items marked ``reverse_keyed`` (negatively worded) are labelled "(R)" and a note says that
    agreeing with them is the weaker answer. Don't-know answers are shown apart, in a narrow right-hand panel, as a share of all
    answers, and the number of substantive answers is written next to each bar.

    Parameters
    ----------
    counts
        See :func:`likert_shares`.
    levels
        Ordered mapping code -> label, e.g. ``{1: "Strongly disagree", ..., 5: "Strongly agree"}``.
    neutral
        The neutral code; default the middle code when the number of levels is odd, none when even.
    """
    codes = list(levels)
    if neutral is None and len(codes) % 2 == 1:
        neutral = codes[len(codes) // 2]
    if neutral is not None and neutral not in codes:
        raise ValueError(f"neutral code {neutral} not among the levels {codes}")
    shares, n_substantive, dont_know = likert_shares(counts, codes, label=label)
    percent = shares.to_numpy() * 100
    # masked categories: one hatched segment per bar, as wide as all of them together (100% minus the
    # published ones, which anyone can compute), where the first masked category would be
    masked = np.isnan(percent)
    first_masked = np.where(masked.any(axis=1), masked.argmax(axis=1), -1)
    lump = np.where(masked.any(axis=1), 100 - np.nansum(percent, axis=1), 0.0)
    percent = np.nan_to_num(percent, nan=0.0)
    rows_masked = np.flatnonzero(first_masked >= 0)
    percent[rows_masked, first_masked[rows_masked]] = lump[rows_masked]
    middle = codes.index(neutral) if neutral is not None else len(codes) // 2
    # left edge of each bar: minus everything below neutral and half the neutral share
    start = -percent[:, :middle].sum(axis=1)
    if neutral is not None:
        start -= percent[:, middle] / 2
    lefts = start[:, None] + np.concatenate([np.zeros((len(percent), 1)), np.cumsum(percent, axis=1)[:, :-1]], axis=1)
    colours = _DIVERGING.get(len(codes)) or plt.get_cmap("BrBG", len(codes))(range(len(codes)))
    y = np.arange(len(shares))[::-1]

    with style_context():
        fig = plt.figure(figsize=(10, 0.55 * len(shares) + 1.8))
        grid = fig.add_gridspec(1, 2 if show_dont_know else 1, width_ratios=[5, 1] if show_dont_know else [1])
        ax = fig.add_subplot(grid[0, 0])
        for j, code in enumerate(codes):
            shown = ~masked[:, j]
            ax.barh(y[shown], percent[shown, j], left=lefts[shown, j], color=colours[j], edgecolor="white",
                    linewidth=0.5, label=levels[code], gid=f"likert-{code}")
        for r in rows_masked:
            j = first_masked[r]
            draw_masked(ax, lefts[r, j], y[r] - 0.4, percent[r, j], 0.8, text="" if percent[r, j] < 8 else None)
        ax.axvline(0, color="#333333", linewidth=0.8)
        reverse = _reverse_keyed_labels(counts, label)
        ax.set_yticks(y, [textwrap.fill(("(R) " if name in reverse else "") + f"{name} (n={n})", 45)
                          for name, n in zip(shares.index, n_substantive, strict=True)])
        reach = np.nanmax(np.abs(np.concatenate([lefts[:, :1], lefts[:, -1:] + percent[:, -1:]], axis=1)))
        reach = 100 if not np.isfinite(reach) else max(10, np.ceil(reach / 10) * 10)
        ax.set_xlim(-reach, reach)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True))
        ticks = ax.get_xticks()
        ax.set_xticks(ticks, [f"{abs(t):.0f}%" for t in ticks])
        ax.set_xlabel("Share of substantive answers (%)")
        handles, names = ax.get_legend_handles_labels()
        if len(rows_masked) or np.isnan(dont_know.to_numpy(dtype=float)).any():
            handles.append(masked_legend_handle())
        ax.legend(handles=handles, ncol=min(len(handles), len(codes)), loc="upper center",
                  bbox_to_anchor=(0.5, -0.22 if len(shares) < 4 else -0.12), fontsize=7)
        if title:
            ax.set_title(title, loc="left", pad=16 if reverse else None)
        if reverse:
            ax.text(0.0, 1.01, "(R) reverse-keyed statement: agreeing means less capability, so the right-hand "
                    "(agree) side is the weaker answer for these items", transform=ax.transAxes, ha="left",
                    va="bottom", fontsize=7, color="#444444", style="italic")
        if show_dont_know:
            ax_dk = fig.add_subplot(grid[0, 1], sharey=ax)
            dk = dont_know.to_numpy(dtype=float) * 100
            dk_masked = np.isnan(dk)
            ax_dk.barh(y[~dk_masked], dk[~dk_masked], color="#999999", gid="likert-dont_know")
            reach_dk = max(10, np.ceil(np.nanmax(np.append(dk, 0)) / 10) * 10)
            for yy in y[dk_masked]:
                draw_masked(ax_dk, 0, yy - 0.4, reach_dk * 0.5, 0.8)
            ax_dk.set_xlim(0, reach_dk)
            ax_dk.set_xlabel("Don't know (%)")
            ax_dk.tick_params(axis="y", left=False, labelleft=False)
        fig.tight_layout()
    return fig


def score_heatmap(
    table: pd.DataFrame,
    *,
    value_label: str = "Mean score (0-100)",
    n: pd.DataFrame | None = None,
    vmin: float = 0,
    vmax: float = 100,
    title: str = "",
) -> Figure:
    """Heatmap of a wide table (rows: groups, columns: dimensions), NaN cells hatched as suppressed.

    ``n`` (same shape) is printed under each value when given; masked cells (NaN, from
    :mod:`innocap_analysis.disclosure`) are hatched and labelled "n < 5".
    """
    values = table.astype("float64")
    with style_context():
        fig, ax = plt.subplots(figsize=(1.3 * values.shape[1] + 2.5, 0.5 * values.shape[0] + 1.5))
        masked = np.ma.masked_invalid(values.to_numpy())
        cmap = plt.get_cmap("viridis").with_extremes(bad="#eeeeee")
        image = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
        ax.set_xticks(range(values.shape[1]), [str(c) for c in values.columns], rotation=30, ha="right")
        ax.set_yticks(range(values.shape[0]), [str(i) for i in values.index])
        for (i, j), v in np.ndenumerate(values.to_numpy()):
            if np.isnan(v):
                draw_masked(ax, j - 0.5, i - 0.5, 1.0, 1.0, fontsize=7)
                continue
            count = n.iloc[i, j] if n is not None else None
            text = f"{v:.0f}" + ("" if count is None else "\n" + with_n("", count).strip(" ()").replace(" = ", "="))
            colour = "white" if v < vmin + 0.6 * (vmax - vmin) else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
        ax.set_xlim(-0.5, values.shape[1] - 0.5)
        ax.set_ylim(values.shape[0] - 0.5, -0.5)
        if np.isnan(values.to_numpy()).any():
            ax.legend(handles=[masked_legend_handle()], loc="upper left", bbox_to_anchor=(0.0, -0.25), fontsize=7)
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, label=value_label, shrink=0.8)
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


def ipa_scatter(ipa: pd.DataFrame, *, hue: str | None = None, title: str = "") -> Figure:
    """Importance-performance scatter with the quadrant cuts of :func:`demand_supply.ipa_table`.

    x is mean capability, y mean importance (0-100), with t-interval error bars; the dashed lines
    are the grand-mean cuts (:data:`innocap_analysis.demand_supply.IPA_RULE`). With ``hue`` (e.g.
    ``"region"``) each group gets its own colour and its own cut lines are not drawn (the cuts are
    per panel; draw one panel per group for those).
    """
    needed = ["dimension", "importance_mean", "capability_mean", "importance_cut", "capability_cut"]
    missing = [c for c in needed if c not in ipa.columns]
    if missing:
        raise KeyError(f"ipa table lacks columns {missing}")
    data = ipa.dropna(subset=["importance_mean", "capability_mean"])
    with style_context():
        fig, ax = plt.subplots(figsize=(6, 5))
        groups = [(None, data)] if hue is None else list(data.groupby(hue, observed=True, sort=True))
        for k, (name, part) in enumerate(groups):
            colour = PALETTE[k % len(PALETTE)]
            xerr = _err(part, "capability") if "capability_ci_low" in part else None
            yerr = _err(part, "importance") if "importance_ci_low" in part else None
            ax.errorbar(part["capability_mean"], part["importance_mean"], xerr=xerr, yerr=yerr, fmt="o",
                        color=colour, ecolor=colour, elinewidth=0.8, capsize=2,
                        label=None if name is None else display_label(name))
            for _, row in part.iterrows():
                ax.annotate(display_label(row["dimension"]), (row["capability_mean"], row["importance_mean"]),
                            xytext=(4, 4), textcoords="offset points", fontsize=7)
        if hue is None and len(data):
            ax.axvline(data["capability_cut"].iloc[0], linestyle="--", color="#666666", linewidth=0.8)
            ax.axhline(data["importance_cut"].iloc[0], linestyle="--", color="#666666", linewidth=0.8)
            corners = {"concentrate here": (0.02, 0.98, "left", "top"),
                       "keep up the good work": (0.98, 0.98, "right", "top"),
                       "low priority": (0.02, 0.02, "left", "bottom"),
                       "possible overkill": (0.98, 0.02, "right", "bottom")}
            for text, (x, y, ha, va) in corners.items():
                ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=7, color="#666666",
                        style="italic")
        ax.set_xlabel("Capability, mean score (0-100)")
        ax.set_ylabel("Importance, mean score (0-100)")
        if hue is not None:
            ax.legend(title=hue)
        if title:
            ax.set_title(title, loc="left")
        fig.tight_layout()
    return fig


def ipa_small_multiples(
    ipa: pd.DataFrame,
    *,
    by: str = "region",
    ranks: pd.DataFrame | None = None,
    title: str = "",
    ncols: int = 3,
    xlabel: str = "Capability (0-100)",
    ylabel: str = "Importance (0-100)",
) -> Figure:
    """One importance-performance panel per group, all with the same quadrant cuts.

    The cuts are the ``importance_cut`` and ``capability_cut`` of
    :func:`innocap_analysis.indicators.demand_supply.ipa_table` (one pair for the whole table, so a
    quadrant means the same in every panel); axes are shared so that panels compare. With ``ranks``
    (``by, dimension, rank``, e.g. :func:`~innocap_analysis.indicators.priority_uncertainty`) each
    point is labelled with its priority rank. Suppressed groups get an empty, labelled panel.
    """
    cuts = ipa[["importance_cut", "capability_cut"]].dropna().drop_duplicates()
    if len(cuts) > 1:
        raise ValueError("ipa_small_multiples draws one pair of cuts for every panel; the table has "
                         f"{len(cuts)} (use indicators.demand_supply.ipa_table, which cuts once)")
    rank_of = {} if ranks is None else {
        (str(g), str(d)): r for g, d, r in zip(ranks[by], ranks["dimension"], ranks["rank"], strict=True)
        if pd.notna(r)}
    groups = list(dict.fromkeys(ipa[by].astype(str)))
    nrows = int(np.ceil(len(groups) / ncols))
    corners = {"concentrate here": (0.02, 0.98, "left", "top"), "keep up the good work": (0.98, 0.98, "right", "top"),
               "low priority": (0.02, 0.02, "left", "bottom"), "possible overkill": (0.98, 0.02, "right", "bottom")}
    with style_context():
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 3.0 * nrows + 0.4), sharex=True, sharey=True,
                                 squeeze=False)
        for ax, group in zip(axes.flat, groups, strict=False):
            part = ipa[ipa[by].astype(str) == group].dropna(subset=["importance_mean", "capability_mean"])
            ax.set_title(with_n(display_label(group), _n_range(part)), fontsize=9)
            if part.empty:
                draw_masked(ax, 0.05, 0.4, 0.9, 0.2, transform=ax.transAxes)
                continue
            hidden = ipa[(ipa[by].astype(str) == group)
                         & (ipa["importance_mean"].isna() | ipa["capability_mean"].isna())]["dimension"]
            if len(hidden):
                draw_masked(ax, 0.35, 0.02, 0.63, 0.12, transform=ax.transAxes, fontsize=5.5,
                            text=f"{masked_text()}: " + ", ".join(display_label(d) for d in hidden))
            ax.errorbar(part["capability_mean"], part["importance_mean"], xerr=_err(part, "capability"),
                        yerr=_err(part, "importance"), fmt="o", color=PALETTE[0], ecolor="#9ecae1",
                        elinewidth=0.8, capsize=1.5, markersize=4, gid=f"ipa-points-{group}")
            for _, row in part.iterrows():
                rank = rank_of.get((group, str(row["dimension"])))
                label = display_label(row["dimension"]) if rank is None else f"{int(rank)} {display_label(row['dimension'])}"
                ax.annotate(label, (row["capability_mean"], row["importance_mean"]),
                            xytext=(3, 3), textcoords="offset points", fontsize=6, gid="ipa-label")
            ax.axvline(part["capability_cut"].iloc[0], linestyle="--", color="#666666", linewidth=0.7,
                       gid="ipa-capability-cut")
            ax.axhline(part["importance_cut"].iloc[0], linestyle="--", color="#666666", linewidth=0.7,
                       gid="ipa-importance-cut")
            for text, (x, y, ha, va) in corners.items():
                ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=5.5, color="#888888",
                        style="italic")
        for ax in list(axes.flat)[len(groups):]:
            ax.set_axis_off()
        for ax in axes[-1, :]:
            ax.set_xlabel(xlabel, fontsize=8)
        for ax in axes[:, 0]:
            ax.set_ylabel(ylabel, fontsize=8)
        if title:
            fig.suptitle(title, fontsize=10, fontweight="bold")
        if ranks is not None:
            fig.text(0.5, 0.005, "Numbers: priority rank of the need (importance) in the region; dashed lines: "
                     "the same cuts in every panel (grand means over all regions)", ha="center", fontsize=7,
                     color="#444444")
        fig.tight_layout(rect=(0, 0.03 if ranks is not None else 0, 1, 1))
    return fig


def _n_range(part: pd.DataFrame) -> tuple[object, object] | None:
    """The range of a panel's respondent counts (``n`` per dimension), for its title."""
    if "n" not in part or part.empty:
        return None
    counts = part["n"].dropna()
    return (int(counts.min()), int(counts.max())) if len(counts) else (pd.NA, pd.NA)


def _need_supply_n(row: pd.Series) -> str:
    if "need_n" not in row or "supply_n" not in row:
        return ""
    need, supply = ("<" + masked_text().split("< ")[1] if pd.isna(row[c]) else f"{int(row[c])}"
                    for c in ("need_n", "supply_n"))
    return f" (n {need}/{supply})"


def _err(part: pd.DataFrame, prefix: str) -> np.ndarray:
    """Error-bar half-widths from ``<prefix>_mean`` and its bounds (``mean``, ``ci_low``, ... for prefix "")."""
    p = f"{prefix}_" if prefix else ""
    mean = part[f"{p}mean"].to_numpy(dtype="float64", na_value=np.nan)
    low = part[f"{p}ci_low"].to_numpy(dtype="float64", na_value=np.nan)
    high = part[f"{p}ci_high"].to_numpy(dtype="float64", na_value=np.nan)
    return np.vstack([mean - low, high - mean])


def need_supply_panels(
    table: pd.DataFrame,
    *,
    by: str = "region",
    title: str = "",
    need_label: str = "Need: public-sector importance (one item, 0-100)",
    supply_label: str = "Supply: SMEs' and universities' \"we can offer this\" (one item, 0-100)",
) -> Figure:
    """Need and supply per group and dimension in two panels side by side, each with its 95% interval.

    Input: :func:`innocap_analysis.indicators.demand_supply.need_and_supply`. In instrument v1 the two are
    different questions, so they get separate panels (each labelled with its construct) and no line
    joins them: the chart invites no subtraction. Rows read ``group · dimension (n need/supply)``;
    suppressed rows are labelled.
    """
    needed = [by, "dimension", "need_mean", "need_ci_low", "need_ci_high", "supply_mean", "supply_ci_low",
              "supply_ci_high"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise KeyError(f"need and supply table lacks columns {missing}")
    data = table.reset_index(drop=True)
    for column in needed[2:]:
        data[column] = data[column].astype("Float64").astype("float64")
    y = np.arange(len(data))[::-1]
    with style_context():
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 0.32 * len(data) + 1.6), sharey=True)
        for ax, prefix, colour, label in ((left, "need", PALETTE[0], need_label),
                                          (right, "supply", PALETTE[1], supply_label)):
            ax.errorbar(data[f"{prefix}_mean"], y, xerr=_err(data, prefix), fmt="o", color=colour, ecolor=colour,
                        elinewidth=0.8, capsize=2, gid=f"{prefix}-points")
            for yy in y[data[f"{prefix}_mean"].isna().to_numpy()]:
                draw_masked(ax, 0, yy - 0.35, 100, 0.7)
            ax.set_xlim(0, 100)
            ax.set_xlabel(textwrap.fill(label, 36), fontsize=8)
        left.set_yticks(y, [f"{display_label(r)} · {display_label(d)}" + _need_supply_n(row)
                            for r, d, (_, row) in zip(data[by], data["dimension"], data.iterrows(), strict=True)])
        if title:
            fig.suptitle(title, fontsize=10, fontweight="bold")
        fig.text(0.5, 0.005, "Different questions: each panel is read on its own scale; the chart shows no gap.",
                 ha="center", fontsize=7, color="#444444")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def priority_chart(ranks: pd.DataFrame, *, by: str = "region", threshold: float = 0.8, title: str = "",
                   value_label: str = "Need: public-sector importance (0-100), 95% CI") -> Figure:
    """Mean need with its interval (left) and P(rank 1) (right) per group and dimension.

    Input: :func:`innocap_analysis.indicators.priority_uncertainty`. The right panel marks
    ``threshold``: a group's top need is named only when its bar reaches it. Rows are in rank order
    within each group and read ``group · rank dimension (n = ...)``.
    """
    needed = [by, "dimension", "rank", "n", "mean", "ci_low", "ci_high", "p_rank1"]
    missing = [c for c in needed if c not in ranks.columns]
    if missing:
        raise KeyError(f"priority table lacks columns {missing}")
    data = ranks.reset_index(drop=True)
    for column in ("mean", "ci_low", "ci_high", "p_rank1"):
        data[column] = data[column].astype("Float64").astype("float64")
    y = np.arange(len(data))[::-1]
    with style_context():
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 0.3 * len(data) + 1.6), sharey=True,
                                          gridspec_kw={"width_ratios": [1.4, 1]})
        left.errorbar(data["mean"], y, xerr=_err(data, ""), fmt="o", color=PALETTE[0], ecolor=PALETTE[0],
                      elinewidth=0.8, capsize=2, gid="need-points")
        left.set_xlim(0, 100)
        left.set_xlabel(textwrap.fill(value_label, 45), fontsize=8)
        clear = data["p_rank1"] >= threshold
        masked = data["mean"].isna().to_numpy()
        for yy in y[masked]:  # masked by disclosure control: a hatched box, never a bar or a point
            draw_masked(left, 0, yy - 0.35, 100, 0.7)
            draw_masked(right, 0, yy - 0.3, 100, 0.6, text="")
        right.barh(y[~masked], data["p_rank1"].fillna(0).to_numpy()[~masked] * 100,
                   color=np.where(clear, PALETTE[2], "#bbbbbb")[~masked], height=0.6, gid="p-rank1-bars")
        right.axvline(100 * threshold, color="#333333", linestyle="--", linewidth=0.8, gid="threshold")
        for yy, value in zip(y, data["p_rank1"], strict=True):
            if np.isfinite(value):
                right.text(100 * value + 1, yy, f"{value:.0%}", va="center", fontsize=6)
        right.set_xlim(0, 110)
        right.set_xlabel(textwrap.fill(f"P(rank 1): % of resamples ranking it first (dashed: {threshold:.0%})", 40),
                         fontsize=8)
        labels = []
        for row in data.itertuples():
            rank = "" if pd.isna(row.rank) else f"{int(row.rank)} "
            labels.append(with_n(f"{display_label(getattr(row, by))} · {rank}{display_label(row.dimension)}", row.n))
        left.set_yticks(y, labels, fontsize=7)
        if title:
            fig.suptitle(title, fontsize=10, fontweight="bold")
        fig.tight_layout()
    return fig
