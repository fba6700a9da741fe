"""Deprecated: ``innocap_analysis.reliability`` has moved to :mod:`innocap_analysis.stats.reliability`, :mod:`innocap_analysis.indicators.measurement`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.stats.reliability", "innocap_analysis.indicators.measurement"])
