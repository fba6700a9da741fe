"""The generator's truth, shared by the survey generator and the tool-export writers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class SyntheticSurvey:
    """The generator's truth: what a perfect loader must recover from the exports.

    ``responses`` has the same layout as :attr:`Survey.responses` (without
    ``source_file``/``source_row``); ``missing_reasons`` likewise; ``pii`` holds the
    synthetic name, email, organisation and comment per respondent; ``injected`` lists
    the deliberate imperfections of the exports.
    """

    responses: pd.DataFrame
    missing_reasons: pd.DataFrame
    pii: pd.DataFrame
    seed: int
    injected: dict[str, dict] = field(default_factory=dict)
