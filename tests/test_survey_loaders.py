"""load_survey: formats, header and answer matching, every bad-input class, accounting, privacy."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from survey_helpers import small_codebook

from innocap_analysis import provenance
from innocap_analysis.survey import Issue, SurveyValidationError, load_survey

DATA = Path(__file__).parent / "data" / "survey"
HEADER = "respondent_id,region,country,stakeholder,DS1,DS2,DS3"


@pytest.fixture(scope="module")
def cb():
    # The hand-written fixtures carry DS1-DS3 (and DS_SUP): the instrument they were written for.
    return small_codebook()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def issue_tuples(error: SurveyValidationError) -> list[tuple]:
    return [(i.file, i.row, i.column, i.value, i.reason, i.action) for i in error.issues]


# --- the bad-input classes: each reports exactly its issue -------------------------------------------------


def test_unknown_label(cb):
    with pytest.raises(SurveyValidationError) as info:
        load_survey(DATA / "bad_unknown_label.csv", cb)
    assert issue_tuples(info.value) == [
        ("bad_unknown_label.csv", 3, "DS2", "Agreed", "unknown label", "cell set to NA")]


def test_out_of_range_code(cb):
    with pytest.raises(SurveyValidationError) as info:
        load_survey(DATA / "bad_out_of_range.csv", cb)
    assert issue_tuples(info.value) == [
        ("bad_out_of_range.csv", 4, "DS3", "7", "code out of range (scale 1-5)", "cell set to NA")]


def test_duplicate_respondent_id(cb):
    with pytest.raises(SurveyValidationError) as info:
        load_survey(DATA / "bad_duplicate_id.csv", cb)
    assert issue_tuples(info.value) == [
        ("bad_duplicate_id.csv", 4, "respondent_id", "A2",
         "duplicate respondent id (first in bad_duplicate_id.csv row 3)", "row dropped")]


def test_missing_required_column(cb):
    with pytest.raises(SurveyValidationError) as info:
        load_survey(DATA / "bad_missing_column.csv", cb)
    assert issue_tuples(info.value) == [
        ("bad_missing_column.csv", None, "stakeholder", None, "missing required column", "file skipped (2 rows)")]


def test_empty_file(cb, tmp_path):
    with pytest.raises(SurveyValidationError) as info:
        load_survey([DATA / "empty.csv", write(tmp_path, "zero.csv", "")], cb)
    assert issue_tuples(info.value) == [
        ("empty.csv", None, None, None, "empty file: no data rows", "file skipped"),
        ("zero.csv", None, None, None, "empty file: no data rows", "file skipped"),
    ]


def test_unreadable_encoding(cb):
    with pytest.raises(SurveyValidationError) as info:
        load_survey(DATA / "bad_encoding.csv", cb)
    (issue,) = info.value.issues
    assert issue.file == "bad_encoding.csv" and issue.action == "file skipped"
    assert issue.reason.startswith("unreadable: text encoding not recognised (tried utf-16)")


def test_raise_lists_all_problems_not_only_the_first(cb):
    paths = [DATA / n for n in ("bad_unknown_label.csv", "bad_out_of_range.csv", "bad_duplicate_id.csv")]
    with pytest.raises(SurveyValidationError) as info:
        load_survey(paths, cb)
    # The ids A1..A3 recur across these files: duplicates across files are problems too.
    reasons = pd.Series([i.reason.split(" (")[0] for i in info.value.issues]).value_counts().to_dict()
    assert reasons == {"unknown label": 1, "code out of range": 1, "duplicate respondent id": 6}
    assert info.value.report.rows_read == 9 and info.value.report.rows_kept == 3
    assert "9 problem(s)" not in str(info.value) and "8 problem(s)" in str(info.value)


def test_report_mode_keeps_valid_and_records_rest(cb):
    survey = load_survey([DATA / "bad_out_of_range.csv", DATA / "bad_duplicate_id.csv"], cb, errors="report")
    report = survey.report
    assert report.rows_read == 6
    # bad_duplicate_id.csv: A1 and A2 were already seen in the first file, and A2 twice.
    assert report.rows_kept == 3 == len(survey.responses)
    dropped = report.rejected[report.rejected["action"] == "row dropped"]
    assert len(dropped) == report.rows_read - report.rows_kept == report.rows_listed_as_dropped
    assert survey.responses.loc[2, "DS3"] is pd.NA
    assert survey.missing_reasons.loc[2, "DS3"] == "invalid"


def test_errors_argument_checked(cb):
    with pytest.raises(ValueError, match="errors must be"):
        load_survey(DATA / "good_en.csv", cb, errors="ignore")


# --- formats and encodings ---------------------------------------------------------------------------------

ROWS = "A1,donegal,IE,public_sector,4,Agree,Strongly agree\nA2,Donegal,Ireland,SME,2,Disagree,Don't know\n"
EXPECTED = {"DS1": [4, 2], "DS2": [4, 2], "DS3": [5, None]}


def _check(survey):
    for item, codes in EXPECTED.items():
        assert survey.responses[item].tolist() == [pd.NA if c is None else c for c in codes], item
    assert survey.missing_reasons["DS3"].tolist() == [pd.NA, "dont_know"]
    assert survey.responses["stakeholder"].tolist() == ["public_sector", "sme"]
    assert survey.responses["country"].tolist() == ["IE", "IE"]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_separators_and_encodings(cb, tmp_path, sep, encoding):
    text = (HEADER + "\n" + ROWS).replace(",", sep)
    survey = load_survey(write(tmp_path, "x.csv", text, encoding), cb)
    _check(survey)
    expected = {"utf-16": "utf-16", "utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "cp1252": "utf-8"}[encoding]
    assert survey.report.files.loc[0, "encoding"] == expected  # pure ASCII cp1252 is valid UTF-8
    assert survey.report.files.loc[0, "separator"] == {"\t": "tab"}.get(sep, sep)


def test_cp1252_and_utf16_without_bom_detected(cb, tmp_path):
    header = "respondent_id;Kumppanialue;Maa;Organisaation tyyppi;DS1"
    rows = "F1;Etelä-Savo;Suomi;Pieni tai keskisuuri yritys (pk-yritys);Täysin samaa mieltä\n"
    latin = load_survey(write(tmp_path, "a.csv", header + "\n" + rows, "cp1252"), cb, not_carried=["DS2", "DS3"])
    assert latin.report.files.loc[0, "encoding"] == "cp1252"
    assert latin.responses.loc[0, "DS1"] == 5 and latin.responses.loc[0, "region"] == "south_savo"
    utf16 = load_survey(write(tmp_path, "b.csv", header + "\n" + rows, "utf-16-le"), cb, not_carried=["DS2", "DS3"])
    assert utf16.report.files.loc[0, "encoding"] == "utf-16-le"
    assert utf16.responses.loc[0, "DS1"] == 5


def test_xlsx_named_sheet(cb, tmp_path):
    path = tmp_path / "x.xlsx"
    frame = pd.read_csv(DATA / "good_en.csv", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="Cover", index=False)
        frame.to_excel(writer, sheet_name="Responses", index=False)
    survey = load_survey(path, cb, sheet="Responses")
    assert survey.responses["DS1"].tolist() == [4, 2, 5]
    assert survey.responses["source_row"].tolist() == [2, 3, 4]
    with pytest.raises(SurveyValidationError, match="unreadable"):
        load_survey(path, cb, sheet="Nope")


def test_sav_value_labels(cb, tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"respondent_id": ["I1", "I2"], "region": [1.0, 1.0], "country": [1.0, 1.0],
                          "stakeholder": [2.0, 3.0], "DS1": [4.0, 9.0], "DS2": [1.0, np.nan]})
    labels = {"region": {1.0: "Suðurland"}, "country": {1.0: "Ísland"},
              "stakeholder": {2.0: "Lítið eða meðalstórt fyrirtæki", 3.0: "Háskóli eða rannsóknastofnun"},
              "DS1": {4.0: "Frekar sammála", 9.0: "Veit ekki"}, "DS2": {1.0: "Mjög ósammála"}}
    path = tmp_path / "is.sav"
    pyreadstat.write_sav(frame, path, variable_value_labels=labels)
    survey = load_survey(path, cb, not_carried=["DS3"])
    assert survey.responses["DS1"].tolist() == [4, pd.NA]
    assert survey.missing_reasons["DS1"].tolist() == [pd.NA, "dont_know"]
    assert survey.missing_reasons["DS2"].tolist() == [pd.NA, "blank"]
    assert survey.responses["region"].tolist() == ["south_iceland"] * 2
    assert survey.report.labels_mapped == {"is": 3}


def test_format_recognised_from_bytes_not_extension(cb, tmp_path):
    frame = pd.read_csv(DATA / "good_en.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "export.csv"  # really an XLSX
    frame.to_excel(path, index=False, engine="openpyxl")
    assert load_survey(path, cb).report.files.loc[0, "format"] == "xlsx"


# --- header and answer matching ----------------------------------------------------------------------------


def test_headers_match_text_in_any_language_case_space_unicode(cb, tmp_path):
    fi = cb.item("DS1").text["fi"]
    sv = cb.item("DS2").text["sv"]
    is_ = cb.item("DS3").text["is"]
    headers = ["  RESPONDENT_ID ", "partner region", "Land", "Tegund stofnunar",
               unicodedata.normalize("NFD", fi.upper()), "  " + sv.replace(" ", "   "), "Q3. " + is_]
    text = ",".join(f'"{h}"' for h in headers) + "\nA1,donegal,IE,sme,5,4,3\n"
    survey = load_survey(write(tmp_path, "h.csv", text), cb)
    assert survey.responses.loc[0, ["DS1", "DS2", "DS3"]].tolist() == [5, 4, 3]


def test_answers_as_labels_in_any_language_and_excel_artefacts(cb, tmp_path):
    text = (HEADER + "\nA1,donegal,IE,sme,Täysin samaa mieltä, Instämmer ,Frekar sammála\n"
            "A2,donegal,IE,sme,4.0,  STRONGLY   disagree ,Vet ej\nA3,donegal,IE,sme,\"3,0\",EOS,8\n")
    survey = load_survey(write(tmp_path, "a.csv", text), cb)
    r, m = survey.responses, survey.missing_reasons
    assert r["DS1"].tolist() == [5, 4, 3]
    assert r["DS2"].tolist() == [4, 1, pd.NA]
    assert r["DS3"].tolist() == [4, pd.NA, pd.NA]
    assert m["DS2"].tolist() == [pd.NA, pd.NA, "dont_know"]
    assert m["DS3"].tolist() == [pd.NA, "dont_know", "not_applicable"]  # 8 = not_applicable code
    assert survey.report.labels_mapped == {"code": 3, "en": 1, "fi": 2, "is": 1, "sv": 2}
    assert survey.report.values_normalised == {"float_code": 2, "whitespace": 2}


def test_non_integer_code_rejected(cb, tmp_path):
    text = HEADER + "\nA1,donegal,IE,sme,3.5,4,4\n"
    with pytest.raises(SurveyValidationError) as info:
        load_survey(write(tmp_path, "a.csv", text), cb)
    assert issue_tuples(info.value) == [("a.csv", 2, "DS1", "3.5", "not an integer code (scale 1-5)",
                                         "cell set to NA")]


def test_column_map_overrides_matching(cb, tmp_path):
    text = "id,region,country,stakeholder,q_one,DS2,junk\nA1,donegal,IE,sme,5,4,x\n"
    survey = load_survey(write(tmp_path, "m.csv", text), cb, not_carried=["DS2"],
                         column_map={"id": "respondent_id", "q_one": "DS1", "DS2": "DS3", "junk": None})
    assert survey.responses.loc[0, ["DS1", "DS2", "DS3"]].tolist() == [5, pd.NA, 4]
    assert survey.missing_reasons.loc[0, "DS2"] == "not_in_export"
    dropped = survey.report.dropped_columns
    assert dropped["column"].tolist() == ["junk"]


def test_duplicate_column_reported(cb, tmp_path):
    text = "respondent_id,region,country,stakeholder,DS1,ds1\nA1,donegal,IE,sme,5,4\n"
    with pytest.raises(SurveyValidationError) as info:
        load_survey(write(tmp_path, "d.csv", text), cb, not_carried=["DS2", "DS3"])
    assert issue_tuples(info.value) == [("d.csv", None, "ds1", None,
                                         "duplicate column: also matches DS1 (column 5); the first is used",
                                         "column ignored")]


def test_required_profile_value_missing_or_unknown(cb, tmp_path):
    text = HEADER + "\nA1,donegal,IE,,4,4,4\nA2,atlantis,IE,sme,4,4,4\n,donegal,IE,sme,4,4,4\nA4,donegal,IE,sme,4,4,4\n"
    survey = load_survey(write(tmp_path, "p.csv", text), cb, errors="report")
    assert survey.responses["respondent_id"].tolist() == ["A4"]
    assert survey.report.rows_listed_as_dropped == 3
    assert survey.report.rejected[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "stakeholder", "", "missing required value"],
        [3, "region", "atlantis", "unknown label"],
        [4, "respondent_id", "", "missing respondent id"],
    ]


def test_file_profile_fills_absent_fields(cb, tmp_path):
    text = "respondent_id,stakeholder,DS1\nA1,sme,4\n"
    path = write(tmp_path, "fi.csv", text)
    survey = load_survey(path, cb, file_profile={"fi.csv": {"region": "south_savo", "country": "FI"}},
                         not_carried=["DS2", "DS3"])
    assert survey.responses.loc[0, "region"] == "south_savo"
    assert survey.responses.loc[0, "country"] == "FI"


def test_multi_select_single_column_and_per_option(cb, tmp_path):
    q = cb.multi_select["BAR"]
    text = ("respondent_id,region,country,stakeholder,BAR\n"
            "A1,donegal,IE,sme,Cost; Lack of time\nA2,donegal,IE,sme,\nA3,donegal,IE,sme,Kostnader|Tidsbrist|foo\n")
    survey = load_survey(write(tmp_path, "b.csv", text), cb, errors="report", not_carried=["DS1", "DS2", "DS3"])
    assert survey.responses["BAR_cost"].tolist() == [True, False, pd.NA]
    assert survey.responses["BAR_time"].tolist() == [True, False, pd.NA]
    assert survey.report.rejected["reason"].tolist() == ["unknown option"]
    header = f'respondent_id,region,country,stakeholder,"{q.text["fi"]} - {q.options["cost"]["fi"]}",BAR_time\n'
    survey = load_survey(write(tmp_path, "c.csv", header + "A1,donegal,IE,sme,1,\nA2,donegal,IE,sme,,Kyllä\n"), cb,
                         not_carried=["DS1", "DS2", "DS3"])
    assert survey.responses["BAR_cost"].tolist() == [True, False]
    assert survey.responses["BAR_time"].tolist() == [False, True]
    assert survey.responses["BAR_risk"].isna().all()


def test_not_asked_for_supply_items(cb, tmp_path):
    text = "respondent_id,region,country,stakeholder,DS_SUP\nA1,donegal,IE,public_sector,\nA2,donegal,IE,sme,\n"
    survey = load_survey(write(tmp_path, "s.csv", text), small_codebook(("DS_SUP",)))
    assert survey.missing_reasons["DS_SUP"].tolist() == ["not_asked", "blank"]


def test_several_files_keep_source_and_dtypes(cb):
    survey = load_survey([DATA / "good_en.csv", DATA / "bad_out_of_range.csv"], cb, errors="report",
                         column_map={"bad_out_of_range.csv": {}})
    r = survey.responses
    assert r["source_file"].tolist() == ["good_en.csv"] * 3
    assert survey.report.rejected["reason"].str.startswith("duplicate").sum() == 3
    assert isinstance(r["region"].dtype, pd.CategoricalDtype)
    assert list(r["region"].cat.categories) == list(cb.profile["region"].levels)
    assert all(str(r[i].dtype) == "Int64" for i in cb.item_ids)
    assert all(str(r[c].dtype) == "boolean" for c in cb.multi_select_columns)
    assert list(survey.missing_reasons.columns) == cb.item_ids
    assert survey.missing_reasons.index.equals(r.index)
    assert "wave" not in r and "participant" not in r


def test_waves_panel_key_and_organisation_key(cb, tmp_path):
    text = ("respondent_id,region,country,stakeholder,wave,participant,panel_key,Organisation,DS1\n"
            "A1,donegal,IE,sme,baseline,yes,P1,Acme Ltd,3\nA1,donegal,IE,sme,Follow-up,yes,P1, ACME  ltd ,4\n"
            "B1,donegal,IE,sme,baseline,no,P2,Other Org,2\n")
    path = write(tmp_path, "w.csv", text)
    survey = load_survey(path, cb, pseudonymise_key="secret", not_carried=["DS2", "DS3"])
    r = survey.responses
    assert r["wave"].tolist() == ["baseline", "follow_up", "baseline"]
    assert r["participant"].tolist() == ["yes", "yes", "no"]
    assert r["panel_key"][0] == r["panel_key"][1] != r["panel_key"][2]
    assert r["organisation_key"][0] == r["organisation_key"][1] != r["organisation_key"][2]
    expected = hmac.new(b"secret", b"acme ltd", hashlib.sha256).hexdigest()[:16]
    assert r["organisation_key"][0] == expected
    assert "Acme Ltd" not in r.astype(str).to_numpy().ravel()
    # Without a key the organisation name is dropped and no key is made.
    plain = load_survey(path, cb, not_carried=["DS2", "DS3"])
    assert "organisation_key" not in plain.responses
    assert plain.responses["respondent_id"].tolist() == ["A1", "A1", "B1"]


def test_pii_never_in_responses_and_free_text_only_on_request(cb, tmp_path):
    text = ("respondent_id,region,country,stakeholder,Email,Nimi,Puhelin,Comments,DS1\n"
            "A1,donegal,IE,sme,a@example.org,Anna,+353 1,We need broadband,4\n")
    path = write(tmp_path, "pii.csv", text)
    survey = load_survey(path, cb, not_carried=["DS2", "DS3"])
    flat = survey.responses.astype(str).to_numpy().ravel().tolist()
    for secret in ("a@example.org", "Anna", "+353 1", "We need broadband"):
        assert secret not in flat
    assert survey.free_text is None
    assert survey.report.dropped_columns["column"].tolist() == ["Email", "Nimi", "Puhelin", "Comments"]
    asked = load_survey(path, cb, include_free_text=True, not_carried=["DS2", "DS3"])
    assert asked.free_text["free_text"].tolist() == ["We need broadband"]
    assert "We need broadband" not in asked.responses.astype(str).to_numpy().ravel().tolist()


def test_pseudonymised_ids_match_hmac_reference(cb):
    survey = load_survey(DATA / "good_en.csv", cb, pseudonymise_key=b"k")
    expected = [hmac.new(b"k", i.encode(), hashlib.sha256).hexdigest()[:16] for i in ("A1", "A2", "A3")]
    assert survey.responses["respondent_id"].tolist() == expected


def test_loader_records_provenance(cb):
    load_survey(DATA / "good_en.csv", cb)
    assert any(p.endswith("tests/data/survey/good_en.csv") for p in provenance.inputs_read())


def test_handmade_new_instrument_loads_without_code_changes():
    survey = load_survey(DATA / "mini_de_cp1252.tsv", codebook=DATA / "mini_instrument.yaml")
    assert survey.codebook.instrument == "mini_digital"
    r = survey.responses
    assert r["case"].tolist() == ["101", "102", "103"]
    assert r["sector"].tolist() == ["public", "private", "private"]
    assert r["T1"].tolist() == [4, pd.NA, 3]
    assert r["T2"].tolist() == [1, 3, pd.NA]
    assert survey.missing_reasons["T1"].tolist() == [pd.NA, "refused", pd.NA]
    assert survey.report.files.loc[0, "encoding"] == "cp1252"
    assert survey.report.dropped_columns["column"].tolist() == ["E-Mail-Adresse"]


def test_issue_str_names_file_row_column_value():
    issue = Issue("x.csv", 5, "DS1", "7", "code out of range (scale 1-5)", "cell set to NA")
    assert str(issue) == "x.csv, row 5, column 'DS1': code out of range (scale 1-5): value '7'"


def test_blank_rows_counted_and_row_numbers_kept(cb, tmp_path):
    text = HEADER + "\nA1,donegal,IE,sme,4,4,4\n\n,,,,,,\nA2,donegal,IE,sme,9,4,x\n"
    survey = load_survey(write(tmp_path, "b.csv", text), cb, errors="report")
    assert survey.report.files.loc[0, "blank_rows"] == 2
    assert survey.report.rows_read == 2
    assert survey.responses["source_row"].tolist() == [2, 5]
    assert survey.report.rejected[["row", "column", "value"]].values.tolist() == [[5, "DS3", "x"]]


def test_survey_repr_is_short_and_hides_free_text(cb, tmp_path):
    text = "respondent_id,region,country,stakeholder,Comments\nA1,donegal,IE,sme,secret remark\n"
    survey = load_survey(write(tmp_path, "r.csv", text), cb, include_free_text=True, not_carried=["DS1", "DS2", "DS3"])
    assert repr(survey) == ("Survey(innocap 1.0: 1 respondents from 1 file(s), 0 problem(s); "
                            "free text loaded)")


def test_accounting_with_skipped_file(cb):
    survey = load_survey([DATA / "good_en.csv", DATA / "bad_missing_column.csv"], cb, errors="report")
    report = survey.report
    assert (report.rows_read, report.rows_kept, report.rows_listed_as_dropped) == (5, 3, 2)


def test_files_summary_rows_dropped(cb):
    survey = load_survey([DATA / "bad_duplicate_id.csv", DATA / "bad_missing_column.csv"], cb, errors="report")
    files = survey.report.files.set_index("file")
    assert files["rows_dropped"].to_dict() == {"bad_duplicate_id.csv": 1, "bad_missing_column.csv": 2}
    assert files["rows_dropped"].sum() == survey.report.rows_listed_as_dropped
