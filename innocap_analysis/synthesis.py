"""Deprecated: ``innocap_analysis.synthesis`` has moved to :mod:`innocap_analysis.evidence.synthesis`, :mod:`innocap_analysis.plots.synthesis_charts`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.evidence.synthesis", "innocap_analysis.plots.synthesis_charts"])
