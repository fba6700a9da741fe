"""The notebooks' inputs: which survey files to load, and the rejection log fit for publication.

Notebooks call :func:`load_evidence_survey` with the values of their ``parameters``
cell. ``survey_paths=None`` means the illustrative (synthetic) partner exports shipped
in ``data/raw/illustrative``; ``innocap build --survey ...`` injects the real paths.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .. import config, provenance
from ..evaluation import PSEUDONYMISE_KEY_ENV
from ..survey import Survey, load_illustrative_survey, load_survey


def load_evidence_survey(
    survey_paths: Sequence[str | Path] | None = None,
    codebook_path: str | Path | None = None,
    region_selection: Sequence[str] | None = None,
) -> Survey:
    """Load the survey for the evidence notebooks, keeping what is valid and reporting the rest.

    Parameters
    ----------
    survey_paths
        Partner exports; a survey manifest (``survey.yaml``) among them stands for its files
        (``innocap build --manifest`` puts it first). ``None`` loads the illustrative
        (synthetic) exports through their manifest.
    codebook_path
        Instrument YAML; ``None`` is the manifest's codebook, else INNOCAP v1.
    region_selection
        Partner-region keys to keep (:func:`select_regions`); ``None`` keeps all.

    On the partners' exports, the pseudonymisation key of the environment variable
    :data:`~innocap_analysis.evaluation.PSEUDONYMISE_KEY_ENV` (when set) is passed to the loader: an
    organisation column then becomes ``organisation_key``, and intervals are clustered by organisation.
    """
    if survey_paths is None:
        survey = load_illustrative_survey(codebook=codebook_path)
    else:
        key = os.environ.get(PSEUDONYMISE_KEY_ENV) or None
        survey = load_survey([Path(p) for p in survey_paths], codebook=codebook_path, errors="report",
                             pseudonymise_key=key)
    return select_regions(survey, region_selection)


def select_regions(survey: Survey, region_selection: Sequence[str] | None) -> Survey:
    """The survey restricted to the respondents of the selected partner regions.

    Every notebook applies ``region_selection`` this way, right after loading. The load report
    (:attr:`Survey.report`) still describes every file as read.

    Raises
    ------
    ValueError
        For a key that is not a region level of the codebook.
    """
    if region_selection is None:
        return survey
    known = list(survey.codebook.profile["region"].levels)
    unknown = sorted(set(region_selection) - set(known))
    if unknown:
        raise ValueError(f"region_selection: unknown region key(s) {unknown}; the codebook has {known}")
    keep = survey.responses["region"].astype("string").isin(list(region_selection)).fillna(False).to_numpy()
    return replace(survey, responses=survey.responses[keep], missing_reasons=survey.missing_reasons[keep])


def load_interim(name: str, *, written_by: str) -> pd.DataFrame:
    """Read a table an earlier notebook of the same build left (:func:`~innocap_analysis.evidence.publish.save_interim`).

    Parameters
    ----------
    name
        The table's name.
    written_by
        The notebook that writes it, named in the error when the table is missing.

    Raises
    ------
    FileNotFoundError
        When the table is missing: the notebook ``written_by`` has not run in this build yet.
    """
    path = config.interim_directory() / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run notebook {written_by} first (`innocap build` runs the notebooks in order)"
        )
    provenance.record_input(path)
    return pd.read_parquet(path)


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
