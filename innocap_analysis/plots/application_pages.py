"""Printed pages of the funding application: one A4 page per partner-area profile.

The page prints only the texts of the partner's rows of
:func:`~innocap_analysis.evidence.application.partner_profiles` (so every number on it is in that
table), and draws the top needs' importance and capability intervals from the same rows.
Save it with ``save_figure(fig, name, formats=("pdf", "png"), page=True)`` to keep the A4 size.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure

from .style import PALETTE

#: A4 portrait, inches.
A4_INCHES: tuple[float, float] = (8.27, 11.69)
_SECTION_TITLES = {
    "area": "The area",
    "survey": "The survey (wave 1)",
    "needs": "Top needs of the public sector (wave 1)",
    "distance": "Distance to services",
    "pilot": "The pilot it proposes",
}
_LINE = 0.0138  # figure fraction per text line


def partner_profile_page(profile: pd.DataFrame, *, subtitle: str = "") -> Figure:
    """An A4 page of one partner's profile: a table per section and the top needs' intervals.

    Parameters
    ----------
    profile
        The rows of one partner in :func:`~innocap_analysis.evidence.application.partner_profiles`
        (``section``, ``item``, ``text``, ``value``, ``low``, ``high``, ``illustrative``).
    subtitle
        A line under the title (for example the data caveat).

    Returns
    -------
    matplotlib.figure.Figure
        An A4 portrait figure; sections whose numbers are illustrative say so in their heading.
    """
    if profile.empty:
        raise ValueError("partner_profile_page: no profile rows")
    fig = Figure(figsize=A4_INCHES)
    area = str(profile["partner_area"].iloc[0])
    fig.text(0.06, 0.965, f"{area}: partner profile", fontsize=15, fontweight="bold", va="top")
    y = 0.94
    if subtitle:
        wrapped = textwrap.wrap(subtitle, 120)
        fig.text(0.06, y, "\n".join(wrapped), fontsize=7.5, color="#444444", va="top")
        y -= _LINE * (len(wrapped) + 0.8)
    for section, rows in profile.groupby(profile["section"].astype(str), sort=False):
        heading = _SECTION_TITLES.get(section, section.capitalize())
        if rows["illustrative"].astype(bool).any():
            heading += ": illustrative"
        y -= _LINE * 0.5
        fig.text(0.06, y, heading, fontsize=9.5, fontweight="bold", va="top", color=PALETTE[0])
        y -= _LINE * 1.35
        for row in rows.itertuples():
            item = textwrap.wrap(str(row.item), 40)
            value = textwrap.wrap(str(row.text), 84)
            fig.text(0.06, y, "\n".join(item), fontsize=7, color="#555555", va="top", linespacing=1.2)
            fig.text(0.36, y, "\n".join(value), fontsize=7, va="top", linespacing=1.2)
            y -= _LINE * max(len(item), len(value))
        if section == "needs":
            y = _needs_chart(fig, rows, y)
    return fig


def _needs_chart(fig: Figure, rows: pd.DataFrame, top: float) -> float:
    """Importance and capability of each top need with their intervals; returns the y under the chart."""
    items = rows["item"].astype(str)
    parts = {kind: rows[items.str.endswith(f": {kind}")] for kind in ("importance", "capability")}
    names = rows[items.str.match(r"need \d+: ") & ~items.str.endswith((": importance", ": capability", ": respondents"))
                 & ~items.str.contains("supply")]
    n = min(len(parts["importance"]), len(parts["capability"]), len(names))
    if n == 0:
        return top
    height = 0.025 + 0.02 * n
    ax = fig.add_axes((0.36, top - height - 0.01, 0.5, height))
    for kind, colour, offset in (("importance", PALETTE[1], 0.15), ("capability", PALETTE[0], -0.15)):
        part = parts[kind].iloc[:n]
        ypos = [n - 1 - i + offset for i in range(n)]
        mean = part["value"].astype(float).to_numpy()
        low = part["low"].astype(float).to_numpy()
        high = part["high"].astype(float).to_numpy()
        ax.errorbar(mean, ypos, xerr=[mean - low, high - mean], fmt="o", color=colour, ms=4, capsize=2, lw=1,
                    label=kind)
    ax.set_yticks(range(n), [str(t).split(": ", 1)[1] for t in names["item"].iloc[:n]][::-1], fontsize=7.5)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n - 0.4)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("public-sector mean (0-100) with 95% interval", fontsize=7)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(1.0, 0.0))
    return top - height - 0.04
