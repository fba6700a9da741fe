"""innocap_analysis: the evidence engine of the INNOCAP consortium (Interreg NPA 2021-2027).

Two analyses live here: the partner stakeholder survey (capability in Digital Solutions,
Procurement of Innovative Solutions, Delivery Models and Skills) and the service-distance
geography of the partner regions. Paths are owned by :mod:`innocap_analysis.config`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("innocap-analysis")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
