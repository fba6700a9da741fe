"""Charts: one plotting style and one function per figure; each returns a :class:`matplotlib.figure.Figure`.

Use :func:`use_style` (or the context manager :func:`style_context`) before plotting. Figures are
published by :func:`innocap_analysis.evidence.publish.save_figure`, which writes PNG and SVG
byte-identically across runs. ``innocap_analysis.plots.style`` is the style module.
"""

from __future__ import annotations

from .._compat import moved
from .style import PALETTE, RC_PARAMS, STAKEHOLDER_COLOURS, add_caption, style_context, use_style

__all__ = ["PALETTE", "RC_PARAMS", "STAKEHOLDER_COLOURS", "add_caption", "style_context", "use_style"]

# Names that lived here before the 0.2 layout (deprecated, removed in the next release).
__getattr__ = moved(__name__, ["innocap_analysis.evidence.publish", "innocap_analysis.labels",
                               "innocap_analysis.provenance", "innocap_analysis.evidence.sentences"])
