"""Partner exports as the survey tools write them: one test per layout, loaded exactly against the truth.

Each tool's export is written by ``innocap_analysis.synthetic.exports`` from the generator's
truth, in the layout the tool documents (the sources are cited in that module), and must
load with every code, missing reason and barrier flag equal to the truth: through
``load_survey`` (layout detected from the headers) and through ``innocap validate --manifest``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from survey_helpers import assert_loaded_equals_truth

from innocap_analysis import synthetic
from innocap_analysis.app.cli import main
from innocap_analysis.survey import SurveyValidationError, load_codebook, load_survey
from innocap_analysis.survey.codebook import parse_codebook
from innocap_analysis.survey.layouts import LAYOUTS
from innocap_analysis.synthetic.exports import WRITERS, region_truth, write_tool_export

REGIONS = list(synthetic.EXPORTS)


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def truth(cb):
    return synthetic.simulate_responses(cb, seed=11)


@pytest.fixture(scope="module")
def exports(tmp_path_factory, truth, cb):
    folder = tmp_path_factory.mktemp("tool_exports")
    return {writer: write_tool_export(writer, truth, REGIONS[k % len(REGIONS)], folder, cb, seed=k)
            for k, writer in enumerate(WRITERS)}


def _facts(export):
    entry = export.manifest
    return {"file_profile": {export.path.name: {"region": entry["region"], "country": entry["country"]}},
            "column_map": entry.get("column_map")}


def test_every_layout_has_a_writer_and_every_tool_family_is_covered():
    assert {layout for _, layout, _, _ in WRITERS.values()} == set(LAYOUTS)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_layout_detected_and_loaded_exactly_through_load_survey(exports, truth, cb, writer):
    export = exports[writer]
    survey = load_survey(export.path, cb, **_facts(export))  # errors="raise": not a single problem
    files = survey.report.files.iloc[0]
    assert (files["layout"], files["layout_chosen"]) == (export.layout, "detected")
    assert_loaded_equals_truth(survey, *region_truth(truth, export.region))
    assert survey.report.rejected.empty and survey.report.missing_columns.empty
    assert survey.responses["respondent_id"].is_unique


@pytest.mark.parametrize("writer", list(WRITERS))
def test_layout_loaded_exactly_through_validate_manifest(exports, truth, writer, capsys):
    export = exports[writer]
    manifest = export.path.parent / f"survey_{writer}.yaml"
    manifest.write_text(yaml.safe_dump({"files": [export.manifest]}, allow_unicode=True), encoding="utf-8")
    assert main(["validate", "--manifest", str(manifest)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "no problems found" in out and f"layout {export.layout} (forced)" in out
    assert_loaded_equals_truth(load_survey(manifest), *region_truth(truth, export.region))


@pytest.mark.parametrize("writer", ["qualtrics", "surveymonkey", "msforms", "google_forms", "limesurvey_full"])
def test_metadata_and_personal_data_dropped_with_reasons(exports, truth, writer):
    export = exports[writer]
    survey = load_survey(export.path, **_facts(export))
    dropped = survey.report.dropped_columns
    assert dropped["reason"].str.endswith("dropped").sum() + dropped["reason"].str.contains("free text").sum() == len(
        dropped[~dropped["reason"].eq("not in the codebook")])
    flat = " ".join(map(str, survey.responses.to_numpy(dtype=object).ravel()))
    resp, _ = region_truth(truth, export.region)
    emails = truth.pii.set_index("respondent_id").loc[resp["respondent_id"], "email"]
    assert not any(email in flat for email in emails)
    assert "192.0.2." not in flat and "198.51.100." not in flat and "203.0.113." not in flat  # IP addresses
    expected_columns = {"respondent_id", "source_file", "source_row", *load_codebook().profile} - {"wave", "participant"}
    assert set(survey.responses.columns) <= expected_columns | set(load_codebook().item_ids) | set(
        load_codebook().multi_select_columns)


def test_qualtrics_metadata_recognised_from_import_ids_in_any_language(exports, tmp_path):
    # The question-text row is localised (the qualtRics sample export has German texts); the ImportId row is not.
    export = exports["qualtrics"]
    lines = export.path.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace("IP Address", "IP-Adresse").replace("Start Date", "Anfangsdatum")
    path = tmp_path / "de.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    survey = load_survey(path, **_facts(export) | {"file_profile": {"de.csv": export.manifest}})
    reasons = survey.report.dropped_columns.set_index("column")["reason"]
    assert reasons["IPAddress"] == "personal data (Qualtrics: IP address): dropped"
    assert reasons["StartDate"] == "metadata (Qualtrics: timestamp): dropped"


def test_single_region_export_without_facts_is_refused_with_the_reason(exports):
    export = exports["qualtrics"]
    with pytest.raises(SurveyValidationError) as info:
        load_survey(export.path)
    reasons = {(i.column, i.reason, i.action) for i in info.value.issues}
    assert ("region", "missing required column", f"file skipped ({export.rows} rows)") in reasons


def test_tool_forces_a_layout(exports):
    export = exports["qualtrics_legacy"]
    forced = load_survey(export.path, tool="qualtrics", **_facts(export))  # the family: its layout from the headers
    assert forced.report.files.loc[0, ["layout", "layout_chosen"]].tolist() == ["qualtrics_legacy", "forced"]
    wrong = load_survey(export.path, tool="plain", errors="report", **_facts(export))
    assert wrong.report.files.loc[0, "layout"] == "plain" and not wrong.report.ok
    with pytest.raises(ValueError, match="unknown tool 'typeform'"):
        load_survey(export.path, tool="typeform")


def test_codebook_item_absent_from_a_file_is_an_issue_unless_not_carried_or_optional(exports, cb, tmp_path):
    export = exports["webropol"]
    frame = pd.read_csv(export.path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.drop(columns=[cb.item("DS3").text["fi"], cb.item("SK_SUP").text["fi"]])
    path = tmp_path / "webropol_short.csv"
    path.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(sep=";", index=False).encode("utf-8"))
    facts = {"file_profile": {path.name: {"region": export.region, "country": export.manifest["country"]}}}
    with pytest.raises(SurveyValidationError) as info:
        load_survey(path, cb, **facts)
    assert [(i.column, i.reason, i.action) for i in info.value.issues] == [
        (item, "codebook item not in the export: no column matches its id, text or codes",
         "answers set to NA (not_in_export)") for item in ("DS3", "SK_SUP")]
    survey = load_survey(path, cb, not_carried=["DS3", "SK_SUP"], **facts)
    assert survey.missing_reasons["DS3"].eq("not_in_export").all()
    assert survey.report.missing_columns["reason"].tolist() == ["not carried (manifest)"] * 2
    raw = yaml.safe_load(Path(cb.source).read_text(encoding="utf-8"))
    for item in raw["items"]:
        item["optional"] = item["id"] in ("DS3", "SK_SUP")
    optional = parse_codebook(raw, "optional items")
    assert load_survey(path, optional, **facts).report.missing_columns["reason"].tolist() == [
        "optional in the codebook"] * 2


def test_unknown_tool_codes_are_refused_clearly(exports, tmp_path):
    export = exports["limesurvey_code"]
    text = export.path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    column = header.index("DS[SQ002]")
    row = text[3].split(",")
    row[column] = "A7"
    text[3] = ",".join(row)
    path = tmp_path / "limesurvey_bad.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    facts = {"file_profile": {path.name: {"region": export.region, "country": export.manifest["country"]}},
             "column_map": export.manifest["column_map"]}
    with pytest.raises(SurveyValidationError) as info:
        load_survey(path, **facts)
    (issue,) = info.value.issues
    assert (issue.file, issue.row, issue.column, issue.value, issue.action) == (
        "limesurvey_bad.csv", 4, "DS2", "A7", "cell set to NA")
    assert issue.reason == "unknown label or limesurvey code (codebook declares A1, A2, A3, A4, A5, A9, A8)"


def test_bad_cell_in_a_tool_export_exits_1_naming_file_row_column_value(exports, tmp_path, capsys):
    export = exports["qualtrics"]
    lines = export.path.read_text(encoding="utf-8-sig").splitlines()
    lines[5] = lines[5].replace(",Agree,", ",Agreed,", 1)
    path = tmp_path / "qualtrics_bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    entry = dict(export.manifest, path=path.name)
    manifest = tmp_path / "survey.yaml"
    manifest.write_text(yaml.safe_dump({"files": [entry]}), encoding="utf-8")
    assert main(["validate", "--manifest", str(manifest)]) == 1
    out = capsys.readouterr().out
    assert "error: qualtrics_bad.csv, row 6, column '" in out
    assert "unknown label or qualtrics code (codebook declares 1, 2, 3, 4, 5, 9, 8): value 'Agreed'" in out


def test_ids_numbered_per_export_do_not_collide_across_files(truth, cb, tmp_path):
    first = write_tool_export("msforms", truth, "south_iceland", tmp_path, cb, name="a.xlsx")
    second = write_tool_export("msforms", truth, "donegal", tmp_path, cb, name="b.xlsx")
    google = write_tool_export("google_forms", truth, "south_savo", tmp_path, cb, name="c.csv")
    facts = {e.path.name: {"region": e.region, "country": e.manifest["country"]} for e in (first, second, google)}
    survey = load_survey([first.path, second.path, google.path], cb, file_profile=facts)
    ids = survey.responses["respondent_id"]
    assert ids.is_unique and ids.iloc[0] == "a:1" and ids[survey.responses["source_file"] == "c.csv"].iloc[0] == "c:2"
    assert survey.report.files["id_source"].str.startswith(("'ID' (numbered per export", "row number")).all()


def _codebook_with_comma_label(cb):
    raw = yaml.safe_load(Path(cb.source).read_text(encoding="utf-8"))
    for lang in raw["languages"]:
        raw["multi_select"]["BAR"]["options"]["cost"][lang] = "Cost, including licences"
    return parse_codebook(raw, "comma label")


def test_multi_select_list_splits_on_the_codebooks_own_labels(cb, tmp_path):
    comma = _codebook_with_comma_label(cb)
    path = tmp_path / "m.csv"
    path.write_text(
        "respondent_id,region,country,stakeholder,BAR\n"
        'A1,donegal,IE,sme,"Cost, including licences, Lack of time"\n'
        'A2,donegal,IE,sme,"Lack of time;Cost, including licences;"\n'
        "A3,donegal,IE,sme,including licences\n", encoding="utf-8")
    survey = load_survey(path, comma, errors="report", not_carried=comma.item_ids)
    assert survey.responses["BAR_cost"].tolist() == [True, True, pd.NA]
    assert survey.responses["BAR_time"].tolist() == [True, True, pd.NA]
    assert survey.report.rejected[["row", "column", "value", "reason"]].values.tolist() == [
        [4, "BAR", "including licences", "unknown option"]]


def test_multi_select_spread_over_columns_under_one_header(cb, tmp_path):
    path = tmp_path / "spread.csv"
    question = cb.multi_select["BAR"].text["en"]
    path.write_text(
        f'respondent_id,region,country,stakeholder,"{question}",,\n'
        "A1,donegal,IE,sme,Cost,,Lack of time\nA2,donegal,IE,sme,,Aversion to risk,\nA3,donegal,IE,sme,,,\n",
        encoding="utf-8")
    survey = load_survey(path, cb, not_carried=cb.item_ids)
    r = survey.responses
    assert r["BAR_cost"].tolist() == [True, False, False]
    assert r["BAR_time"].tolist() == [True, False, False]
    assert r["BAR_risk"].tolist() == [False, True, False]
    repeated = tmp_path / "repeated.csv"
    repeated.write_text('respondent_id,region,country,stakeholder,BAR,BAR\nA1,donegal,IE,sme,Cost,Tidsbrist\n',
                        encoding="utf-8")
    again = load_survey(repeated, cb, not_carried=cb.item_ids).responses
    assert again.loc[0, ["BAR_cost", "BAR_time", "BAR_risk"]].tolist() == [True, True, False]
