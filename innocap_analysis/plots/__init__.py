"""One plotting style and one way to save a figure.

Use :func:`use_style` (or the context manager :func:`style`) before plotting and
:func:`save_figure` to publish. Every figure of the evidence base goes through
:func:`save_figure`, which writes PNG and SVG byte-identically across runs.
"""

from .style import (
    ATTRIBUTION_GEO,
    DISPLAY_LABELS,
    ILLUSTRATIVE_CAVEAT,
    PALETTE,
    STAKEHOLDER_COLOURS,
    add_caption,
    display_label,
    save_figure,
    style,
    use_style,
)

__all__ = [
    "ATTRIBUTION_GEO",
    "DISPLAY_LABELS",
    "ILLUSTRATIVE_CAVEAT",
    "PALETTE",
    "STAKEHOLDER_COLOURS",
    "add_caption",
    "display_label",
    "save_figure",
    "style",
    "use_style",
]
