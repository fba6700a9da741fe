"""Deprecated: ``innocap_analysis.tables`` has moved to :mod:`innocap_analysis.evidence.publish`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.evidence.publish"])
