"""Shared test configuration.

Hypothesis runs derandomised, so that the suite is reproducible: the same examples on every
machine and in CI. Set HYPOTHESIS_PROFILE=explore to search with fresh random examples.
"""

import os

from hypothesis import settings

from innocap_analysis.config import reproducible_environment

settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))


def pytest_report_header(config):
    """Say when the suite is not running in the pinned environment that `make test` sets."""
    missing = {k: v for k, v in reproducible_environment().items() if os.environ.get(k) != v}
    if missing:
        return (f"not the reproducible environment (set {missing}, as `make test` does): tests that compare "
                "bytes with the committed files may fail on this CPU")
    return None
