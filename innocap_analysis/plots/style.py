"""The project's matplotlib style: palette, rc parameters, a caption helper and the masked-cell mark.

Figures are saved by :func:`innocap_analysis.evidence.publish.save_figure`, which uses the fixed
SVG hash salt and DPI set here.
"""


from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .. import config

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


#: How a masked cell is drawn: a hatched box, never a bar or a point (its size says nothing).
MASKED_HATCH = "////"
MASKED_EDGE = "#777777"
#: The gid of every masked-cell patch, so that tests can find them in a figure.
MASKED_GID = "masked-cell"


def masked_text(min_n: int = config.MIN_CELL_SIZE) -> str:
    """The label of a masked cell: ``"n < 5"``."""
    return f"n < {min_n}"


def draw_masked(
    ax: Axes,
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    text: str | None = None,
    fontsize: float = 6.5,
    transform: object | None = None,
) -> Rectangle:
    """Draw a masked cell: a hatched box labelled ``"n < 5"`` (or ``text``; ``""`` for none).

    The box marks where a value would be; its size is set by the layout, never by the masked value
    (see :mod:`innocap_analysis.disclosure`). Returns the patch (gid :data:`MASKED_GID`).
    """
    kwargs = {"transform": transform} if transform is not None else {}
    patch = Rectangle((x, y), width, height, facecolor="white", edgecolor=MASKED_EDGE, hatch=MASKED_HATCH,
                      linewidth=0.6, gid=MASKED_GID, zorder=3, **kwargs)
    ax.add_patch(patch)
    label = masked_text() if text is None else text
    if label:
        ax.text(x + width / 2, y + height / 2, label, ha="center", va="center", fontsize=fontsize, color="#333333",
                zorder=4, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6}, **kwargs)
    return patch


def masked_legend_handle() -> Patch:
    """A legend entry for masked cells, saying why a hatched cell can hold more than 4 respondents."""
    return Patch(facecolor="white", edgecolor=MASKED_EDGE, hatch=MASKED_HATCH,
                 label=f"masked: fewer than {config.MIN_CELL_SIZE} respondents, or a cell that would reveal one")
