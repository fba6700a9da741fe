"""The project's matplotlib style and the deterministic :func:`save_figure`.

Byte-identical output needs three things: no timestamps or software versions in
the file metadata, a fixed SVG hash salt (matplotlib otherwise draws random ids
for clip paths), and fonts that do not depend on the machine (DejaVu Sans ships
with matplotlib; SVG text is stored as paths).
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .. import config, provenance

#: Colour-blind-safe palette (Okabe & Ito 2008), in a fixed order.
PALETTE: list[str] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STAKEHOLDER_COLOURS: dict[str, str] = {"public_sector": "#0072B2", "sme": "#E69F00", "hei_research": "#009E73"}

#: Display names for the keys used in data (regions, stakeholder types, dimensions).
DISPLAY_LABELS: dict[str, str] = {
    "donegal": "Donegal",
    "vasternorrland": "Västernorrland",
    "south_savo": "South Savo",
    "south_iceland": "South Iceland",
    "newfoundland_labrador": "Newfoundland & Labrador",
    "public_sector": "Public sector",
    "sme": "SME",
    "hei_research": "University / research",
    "digital_solutions": "Digital solutions",
    "procurement": "Procurement of innovation",
    "delivery_models": "Delivery models",
    "skills": "Skills",
}


def display_label(key: object) -> str:
    """A reader-facing name for a data key (``south_savo`` -> ``South Savo``)."""
    text = str(key)
    return DISPLAY_LABELS.get(text, text.replace("_", " "))


ATTRIBUTION_GEO = (
    "Boundaries: © EuroGeographics for the administrative boundaries (GISCO, Eurostat); "
    "Made with Natural Earth. Statistics: Source: Eurostat. Places: GeoNames (CC BY 4.0)."
)
ILLUSTRATIVE_CAVEAT = "Illustrative synthetic survey data, not the partners' real answers."

RC_PARAMS: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
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

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg")
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def use_style() -> None:
    """Apply the project style to matplotlib globally."""
    mpl.rcParams.update(RC_PARAMS)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager that applies the project style only inside the block."""
    with mpl.rc_context(RC_PARAMS):
        yield


def add_caption(fig: Figure, text: str, *, y: float = -0.02, fontsize: float = 7, width: int = 150) -> None:
    """Write a small caption (source, caveat, attribution) under the figure.

    The text is wrapped at ``width`` characters by hand: matplotlib's own wrapping is
    ignored by the tight bounding box, which would cut the caption off.
    """
    fig.text(0.01, y, textwrap.fill(text, width), ha="left", va="top", fontsize=fontsize, color="#444444")


def figures_directory(directory: str | os.PathLike[str] | None = None) -> Path:
    """Where figures go: the argument, else the build's staging folder, else ``figures/``.

    ``innocap build`` sets ``INNOCAP_STAGING_DIR`` so that a notebook that fails half-way
    leaves nothing behind that looks current, and ``INNOCAP_FIGURES_DIR`` for runs on
    real exports, which never write into the committed ``figures/``.
    """
    if directory is not None:
        return Path(directory)
    staging = os.environ.get("INNOCAP_STAGING_DIR")
    if staging:
        return Path(staging)
    return Path(os.environ.get("INNOCAP_FIGURES_DIR", config.FIGURES_DIR))


def save_figure(
    fig: Figure,
    name: str,
    *,
    directory: str | os.PathLike[str] | None = None,
    caption: str = "",
    footnote: str = "",
    formats: Sequence[str] = FIGURE_FORMATS,
    close: bool = True,
) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg``, byte-identically across runs.

    Parameters
    ----------
    fig
        The figure.
    name
        File stem, numbered by notebook, for example ``"04_distance_map"``.
    caption
        One or two sentences for the evidence report and ``figures/MANIFEST.csv``:
        what is shown, the data source, and the illustrative-data caveat where it applies.
    footnote
        Text drawn into the image under the figure, e.g. the illustrative-data caveat, so
        that the figure carries it even when shown without its caption.
    directory
        Output folder; by default the build's folder (see :func:`figures_directory`).
    formats
        File formats to write.
    close
        Close the figure afterwards (default). In a notebook the returned object displays
        the saved PNG itself, so the figure is shown once, exactly as published.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"figure name must be a plain file stem, got {name!r}")
    out_dir = figures_directory(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    if footnote:
        # Place the footnote just under everything already drawn (axis labels, legends,
        # captions), so it never overlaps them whatever the figure's layout.
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        fig.text(bbox.x0 / fig.get_figwidth(), (bbox.y0 - 0.04) / fig.get_figheight(),
                 textwrap.fill(footnote, 150), ha="left", va="top", fontsize=7, color="#444444")
    written = []
    with mpl.rc_context({"svg.hashsalt": RC_PARAMS["svg.hashsalt"], "svg.fonttype": "path"}):
        for fmt in formats:
            path = out_dir / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, metadata=_METADATA.get(fmt), dpi=RC_PARAMS["savefig.dpi"],
                        bbox_inches="tight", pad_inches=0.1)
            provenance.record_output(path, "figure", caption=caption)
            written.append(path)
    if close:
        plt.close(fig)
    return provenance.SavedFiles(written)
