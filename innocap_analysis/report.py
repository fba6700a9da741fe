"""Deprecated: ``innocap_analysis.report`` has moved to :mod:`innocap_analysis.app.report`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.app.report"])
