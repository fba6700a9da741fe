"""Deprecated: ``innocap_analysis.synthetic_panel`` has moved to :mod:`innocap_analysis.synthetic.panel`, :mod:`innocap_analysis.evaluation.simulation`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.synthetic.panel", "innocap_analysis.evaluation.simulation"])
