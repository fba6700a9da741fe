"""Deprecated: ``innocap_analysis.compare`` has moved to :mod:`innocap_analysis.stats.compare`, :mod:`innocap_analysis.stats.intervals`, :mod:`innocap_analysis.indicators.measurement`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.stats.compare", "innocap_analysis.stats.intervals", "innocap_analysis.indicators.measurement"])
