"""Property: any bytes given as a CSV either load or raise SurveyValidationError, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innocap_analysis.survey import Survey, SurveyValidationError, load_codebook, load_survey

CB = load_codebook()
HEADER = "respondent_id,region,country,stakeholder,DS1,DS2,BAR\n"
CELL = st.sampled_from(["", "A1", "donegal", "IE", "sme", "4", "4.0", "Agree", "Veit ekki", '"', ",", ";", "\t",
                        "\n", "\r\n", "é", "\x00", "7", "Cost;Time", "\ufeff", "  ", "nan"])


def _load(data: bytes, errors: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        try:
            survey = load_survey(path, CB, errors=errors)
        except SurveyValidationError as exc:
            assert exc.issues, "a SurveyValidationError must list its issues"
            return
        assert isinstance(survey, Survey)
        report = survey.report
        # Every input row is kept or listed as dropped.
        assert report.rows_read == report.rows_kept + report.rows_listed_as_dropped


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["raise", "report"]))
def test_any_bytes_load_or_raise_validation_error(data, errors):
    _load(data, errors)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=6),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]), st.sampled_from(["raise", "report"]))
def test_csv_like_text_load_or_raise_validation_error(rows, encoding, errors):
    text = HEADER + "\n".join(",".join(row) for row in rows)
    _load(text.encode(encoding, errors="replace"), errors)
