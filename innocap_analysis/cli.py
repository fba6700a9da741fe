"""Deprecated: ``innocap_analysis.cli`` has moved to :mod:`innocap_analysis.app.cli`.

The old path keeps working for one release, with a :class:`DeprecationWarning`.
"""

from ._compat import moved

__getattr__ = moved(__name__, ["innocap_analysis.app.cli"])

if __name__ == "__main__":  # `python -m innocap_analysis.cli` keeps working too
    import sys

    from .app.cli import main

    sys.exit(main())
