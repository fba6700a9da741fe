"""The project's matplotlib style: palette, rc parameters and a caption helper.

Figures are saved by :func:`innocap_analysis.evidence.publish.save_figure`, which uses the fixed
SVG hash salt and DPI set here.
"""


from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator

import matplotlib as mpl
from matplotlib.figure import Figure

#: Colour-blind-safe palette (Okabe & Ito 2008), in a fixed order.
PALETTE: list[str] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STAKEHOLDER_COLOURS: dict[str, str] = {"public_sector": "#0072B2", "sme": "#E69F00", "hei_research": "#009E73"}


RC_PARAMS: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "legend.frameon": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "innocap",  # fixed ids: otherwise each SVG differs by random clip-path ids
    "path.simplify": True,
    "image.cmap": "viridis",
}


def use_style() -> None:
    """Apply the project style to matplotlib globally."""
    mpl.rcParams.update(RC_PARAMS)


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Context manager that applies the project style only inside the block."""
    with mpl.rc_context(RC_PARAMS):
        yield


def add_caption(fig: Figure, text: str, *, y: float = -0.02, fontsize: float = 7, width: int = 150) -> None:
    """Write a small caption (source, caveat, attribution) under the figure.

    The text is wrapped at ``width`` characters by hand: matplotlib's own wrapping is
    ignored by the tight bounding box, which would cut the caption off.
    """
    fig.text(0.01, y, textwrap.fill(text, width), ha="left", va="top", fontsize=fontsize, color="#444444")
