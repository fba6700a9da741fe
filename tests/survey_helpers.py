"""Helpers of the survey tests: a small instrument for the hand-written fixtures.

The small fixtures under ``tests/data/survey`` carry three items only (DS1, DS2, DS3).
Against the full INNOCAP v1 codebook every other item would be missing, which is
a problem in its own right (tested in ``test_survey_layouts``); these tests check one
problem at a time, so they load against INNOCAP v1 restricted to the items they carry.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from innocap_analysis import config
from innocap_analysis.survey import Codebook
from innocap_analysis.survey.codebook import parse_codebook

SMALL_ITEMS = ("DS1", "DS2", "DS3")


def small_codebook_raw(items: tuple[str, ...] = SMALL_ITEMS) -> dict:
    raw = yaml.safe_load(config.DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    raw["items"] = [item for item in raw["items"] if item["id"] in items]
    return raw


def small_codebook(items: tuple[str, ...] = SMALL_ITEMS) -> Codebook:
    """INNOCAP v1 with only ``items`` (all scales, profile fields, the multi-select and PII kept)."""
    return parse_codebook(small_codebook_raw(items), "innocap_v1 (items " + ", ".join(items) + ")")


def write_small_codebook(folder: Path, items: tuple[str, ...] = SMALL_ITEMS) -> Path:
    path = Path(folder) / "innocap_small.yaml"
    path.write_text(yaml.safe_dump(small_codebook_raw(items), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


PROFILE_COLUMNS = ("region", "country", "stakeholder", "size_band", "role")


def assert_loaded_equals_truth(survey, responses, missing_reasons, file: str | None = None) -> None:
    """Every code, missing reason, profile level and barrier flag of ``survey`` equals the truth.

    ``responses``/``missing_reasons`` are the truth rows of the file, in file order; the
    loaded rows are compared in ``source_row`` order (ids a tool numbers per export are
    qualified by the file, so rows are matched by position, not id). With ``file``, only
    that file's rows are compared.
    """
    import pandas as pd

    rows = survey.responses if file is None else survey.responses[survey.responses["source_file"] == file]
    order = rows.sort_values("source_row").index
    got = survey.responses.loc[order].reset_index(drop=True)
    reasons = survey.missing_reasons.loc[order].reset_index(drop=True)
    assert len(got) == len(responses)
    cb = survey.codebook
    for column in PROFILE_COLUMNS:
        assert got[column].astype(str).tolist() == responses[column].astype(str).tolist(), column
    for item in cb.item_ids:
        pd.testing.assert_series_equal(got[item], responses[item].reset_index(drop=True), check_names=False,
                                       obj=item)
        assert reasons[item].fillna("").tolist() == missing_reasons[item].fillna("").tolist(), item
    for column in cb.multi_select_columns:
        assert got[column].tolist() == responses[column].tolist(), column
