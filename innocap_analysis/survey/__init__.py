"""The survey data layer: instrument codebook, loaders for partner exports, validation, privacy.

>>> from innocap_analysis.survey import load_codebook, load_survey
>>> survey = load_survey(["fi_export.csv", "se_export.xlsx"], errors="report")  # doctest: +SKIP
>>> survey = load_illustrative_survey()  # the synthetic partner exports  # doctest: +SKIP
"""

from ..disclosure import suppress_small_cells
from .codebook import Codebook, CodebookError, Item, MultiSelect, ProfileField, Scale, load_codebook
from .loaders import load_illustrative_survey, load_survey, normalise_text
from .model import Issue, LoadReport, Survey, SurveyValidationError
from .privacy import pseudonymise

__all__ = [
    "Codebook",
    "CodebookError",
    "Issue",
    "Item",
    "LoadReport",
    "MultiSelect",
    "ProfileField",
    "Scale",
    "Survey",
    "SurveyValidationError",
    "load_codebook",
    "load_illustrative_survey",
    "load_survey",
    "normalise_text",
    "pseudonymise",
    "suppress_small_cells",
]
