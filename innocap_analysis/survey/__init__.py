"""The survey data layer: instrument codebook, export layouts, loaders, manifests, validation, privacy.

>>> from innocap_analysis.survey import load_codebook, load_survey
>>> survey = load_survey(["fi_export.csv", "se_export.xlsx"], errors="report")  # doctest: +SKIP
>>> survey = load_survey("survey.yaml")  # a survey manifest: files and the facts about each  # doctest: +SKIP
>>> survey = load_illustrative_survey()  # the synthetic partner exports  # doctest: +SKIP
"""

from ..disclosure import suppress_small_cells
from .codebook import Codebook, CodebookError, Item, MultiSelect, ProfileField, Scale, load_codebook
from .layouts import LAYOUTS, Layout, detect_layout
from .loaders import load_illustrative_survey, load_survey, normalise_text
from .manifest import ExportSpec, ManifestError, SurveyManifest, load_manifest
from .model import Issue, LoadReport, Survey, SurveyValidationError
from .privacy import pseudonymise

__all__ = [
    "LAYOUTS",
    "Codebook",
    "CodebookError",
    "ExportSpec",
    "Issue",
    "Item",
    "Layout",
    "LoadReport",
    "ManifestError",
    "MultiSelect",
    "ProfileField",
    "Scale",
    "Survey",
    "SurveyManifest",
    "SurveyValidationError",
    "detect_layout",
    "load_codebook",
    "load_illustrative_survey",
    "load_manifest",
    "load_survey",
    "normalise_text",
    "pseudonymise",
    "suppress_small_cells",
]
