"""Deprecated: ``innocap_analysis.scoring`` has moved to :mod:`innocap_analysis.survey.scoring`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.survey.scoring"])
