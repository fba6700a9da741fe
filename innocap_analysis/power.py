"""Deprecated: ``innocap_analysis.power`` has moved to :mod:`innocap_analysis.stats.power`, :mod:`innocap_analysis.evidence.sentences`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.stats.power", "innocap_analysis.evidence.sentences"])
