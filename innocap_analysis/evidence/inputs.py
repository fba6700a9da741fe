"""The notebooks' inputs: which survey files to load, and the rejection log fit for publication.

Notebooks call :func:`load_evidence_survey` with the values of their ``parameters``
cell. ``survey_paths=None`` means the illustrative (synthetic) partner exports shipped
in ``data/raw/illustrative``; ``innocap build --survey ...`` injects the real paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..survey import Survey, load_illustrative_survey, load_survey


def load_evidence_survey(
    survey_paths: Sequence[str | Path] | None = None,
    codebook_path: str | Path | None = None,
) -> Survey:
    """Load the survey for the evidence notebooks, keeping what is valid and reporting the rest.

    Parameters
    ----------
    survey_paths
        Partner exports; ``None`` loads the illustrative (synthetic) exports.
    codebook_path
        Instrument YAML; ``None`` is INNOCAP v1.
    """
    if survey_paths is None:
        return load_illustrative_survey(codebook=codebook_path)
    return load_survey([Path(p) for p in survey_paths], codebook=codebook_path, errors="report")


def publishable_rejections(survey: Survey) -> pd.DataFrame:
    """The loader's rejection log, fit for publication.

    Values in the respondent-id column are withheld (they can link back to a person in
    the partner's survey tool); every other column of the log is kept: file, row,
    column, value, reason and action.
    """
    log = survey.report.rejected.copy()
    id_column = survey.codebook.respondent_id
    is_id = log["column"].astype("string").eq(id_column).fillna(False).to_numpy()
    log["value"] = log["value"].astype("string")
    log.loc[is_id, "value"] = "(id withheld)"
    return log.reset_index(drop=True)
