"""The survey data layer: instrument codebook, loaders for partner exports, validation, privacy.

>>> from innocap_analysis.survey import load_codebook, load_survey
>>> survey = load_survey(sorted(config.ILLUSTRATIVE_SURVEY_DIR.glob("*.*")))  # doctest: +SKIP
"""

from .codebook import Codebook, CodebookError, Item, MultiSelect, ProfileField, Scale, load_codebook
from .loaders import load_survey, normalise_text
from .model import Issue, LoadReport, Survey, SurveyValidationError
from .privacy import pseudonymise, suppress_small_cells

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
    "load_survey",
    "normalise_text",
    "pseudonymise",
    "suppress_small_cells",
]
