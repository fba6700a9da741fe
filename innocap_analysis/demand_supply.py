"""Deprecated: ``innocap_analysis.demand_supply`` has moved to :mod:`innocap_analysis.indicators.demand_supply`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.indicators.demand_supply"])
