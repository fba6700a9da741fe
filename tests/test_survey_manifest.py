"""The survey manifest (survey.yaml): parsing and checks, per-file facts, the CLI and the build."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
import yaml
from survey_helpers import assert_loaded_equals_truth

from innocap_analysis import config, evidence, synthetic
from innocap_analysis.app import build
from innocap_analysis.app.cli import main
from innocap_analysis.survey import load_codebook, load_survey
from innocap_analysis.survey.manifest import ManifestError, load_manifest, parse_manifest
from innocap_analysis.synthetic.exports import region_truth, write_tool_export


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def truth(cb):
    return synthetic.simulate_responses(cb, seed=23)


@pytest.fixture(scope="module")
def run(tmp_path_factory, truth, cb):
    """Three single-region exports from three tools, and their manifest."""
    folder = tmp_path_factory.mktemp("run")
    exports = [write_tool_export("webropol", truth, "south_savo", folder, cb, seed=1),
               write_tool_export("qualtrics", truth, "newfoundland_labrador", folder, cb, seed=2),
               write_tool_export("msforms", truth, "south_iceland", folder, cb, seed=3)]
    entries = [dict(e.manifest, invited=100 + k, wave="baseline") for k, e in enumerate(exports)]
    manifest = folder / "partners.yaml"
    manifest.write_text(yaml.safe_dump({"title": "test run", "files": entries}, allow_unicode=True), encoding="utf-8")
    return folder, manifest, exports


def test_manifest_loads_every_file_exactly_with_its_facts(run, truth):
    _, manifest, exports = run
    survey = load_survey(manifest)
    files = survey.report.files.set_index("file")
    assert files["invited"].tolist() == [100, 101, 102]
    assert files["layout"].tolist() == ["webropol", "qualtrics", "msforms"]
    assert (files["manifest"] == "partners.yaml").all()
    assert survey.responses["wave"].astype(str).eq("baseline").all()
    for export in exports:
        assert_loaded_equals_truth(survey, *region_truth(truth, export.region), file=export.path.name)


def test_every_manifest_problem_is_listed_at_once(run, cb):
    folder, _, exports = run
    raw = {"files": [
        {"path": exports[0].path.name, "tool": "typeform", "region": "atlantis", "language": "de", "invited": -3,
         "column_map": {"Q1": "no_such_item"}, "not_carried": ["XX9"], "colour": "blue"},
        {"path": "missing.csv"},
        {"path": exports[0].path.name},
    ], "extra": 1}
    with pytest.raises(ManifestError) as info:
        parse_manifest(raw, folder / "bad.yaml", cb)
    text = "\n".join(info.value.problems)
    for expected in ("unknown top-level key(s) extra", "unknown key(s) colour", "unknown tool 'typeform'",
                     "region 'atlantis' is not a codebook level", "language 'de' is not a codebook language",
                     "invited must be a positive whole number", "'Q1' -> 'no_such_item': not a codebook name",
                     "not_carried names no codebook item: XX9", "file not found", "is listed twice"):
        assert expected in text, expected


def test_manifest_value_and_file_column_must_agree(tmp_path):
    path = tmp_path / "ie.csv"
    path.write_text("respondent_id,region,country,stakeholder,DS1\nA1,Donegal,IE,SME,4\nA2,South Savo,IE,SME,4\n",
                    encoding="utf-8")
    manifest = tmp_path / "survey.yaml"
    manifest.write_text(yaml.safe_dump({"files": [{"path": "ie.csv", "region": "donegal", "country": "IE"}]}),
                        encoding="utf-8")
    survey = load_survey(manifest, errors="report")
    assert survey.responses["respondent_id"].tolist() == ["A1"]
    contradiction = survey.report.rejected.iloc[0]
    assert (contradiction["row"], contradiction["column"], contradiction["value"], contradiction["action"]) == (
        3, "region", "South Savo", "row dropped")
    assert "contradicts the file's region 'donegal'" in contradiction["reason"]


def test_a_manifest_next_to_an_export_gives_its_facts_and_a_file_is_loaded_once(run):
    folder, manifest, exports = run
    sidecar = folder / "survey.yaml"
    sidecar.write_text(manifest.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        alone = load_survey(exports[1].path)
        assert alone.report.files.loc[0, ["manifest", "layout_chosen"]].tolist() == ["survey.yaml", "forced"]
        both = load_survey([manifest, exports[1].path])
        assert both.report.files["file"].tolist() == [e.path.name for e in exports]
    finally:
        sidecar.unlink()


def test_validate_manifest_exit_codes(run, tmp_path, capsys):
    _, manifest, _ = run
    assert main(["validate", "--manifest", str(manifest)]) == 0
    out = capsys.readouterr().out
    assert "facts from partners.yaml" in out and "layout qualtrics (forced)" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text("files:\n  - path: nowhere.csv\n    region: atlantis\n", encoding="utf-8")
    assert main(["validate", "--manifest", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "invalid survey manifest" in err and "file not found" in err and "'atlantis'" in err
    assert main(["validate"]) == 2
    assert "give export paths or --manifest" in capsys.readouterr().err
    assert main(["validate", "--manifest", str(tmp_path / "none.yaml")]) == 2


def test_illustrative_exports_load_through_their_committed_manifest():
    manifest = load_manifest(config.ILLUSTRATIVE_SURVEY_DIR / "survey.yaml")
    assert [spec.path.name for spec in manifest.files] == [e[2] for e in synthetic.EXPORTS.values()]
    assert sum(spec.tool not in (None, "plain") for spec in manifest.files) >= 3
    survey = evidence.load_evidence_survey()
    assert (survey.report.files["manifest"] == "survey.yaml").all()
    assert survey.report.files["invited"].notna().all()


def test_evidence_loads_through_an_injected_manifest(run):
    _, manifest, exports = run
    survey = evidence.load_evidence_survey([str(manifest)], None)  # as the build injects them
    assert survey.report.files["file"].tolist() == [e.path.name for e in exports]


LOAD = """
import pandas as pd
from innocap_analysis import evidence
from innocap_analysis.evidence import save_table
survey = evidence.load_evidence_survey(survey_paths, codebook_path)
counts = survey.responses.groupby("region", observed=True).size().rename("n").reset_index()
save_table(counts, "01_regions", "Respondents per region.", counts=["n"])
"""


def _notebook(path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("survey_paths = None\ncodebook_path = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(LOAD)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_build_manifest_injects_it_and_the_notebooks_load_every_region(run, tmp_path):
    _, manifest, exports = run
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_probe.ipynb")
    out = tmp_path / "output" / "partners" / "figures"
    code = build.run_build(notebooks_dir=notebooks, figures_dir=out, manifest=manifest, progress=False)
    assert code == 0
    executed = nbformat.read(out.parent / "notebooks" / "01_probe.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'survey_paths = ["{manifest.resolve()}"]' in injected.source  # papermill's translation
    counts = pd.read_csv(out / "tables" / "01_regions.csv")
    assert sorted(counts["region"]) == sorted(e.region for e in exports)
    assert counts["n"].sum() == sum(e.rows for e in exports)


def test_build_refuses_a_malformed_manifest_before_running(tmp_path, capsys):
    broken = tmp_path / "survey.yaml"
    broken.write_text("files: []\n", encoding="utf-8")
    assert build.run_build(notebooks_dir=tmp_path, figures_dir=tmp_path / "f", manifest=broken, progress=False) == 2
    assert "'files' must be a non-empty list" in capsys.readouterr().err


@pytest.mark.slow
def test_full_build_on_single_region_tool_exports_through_a_manifest(tmp_path, cb):
    """`innocap build --manifest` on five one-region exports from five tools: the full report, elsewhere."""
    truth = synthetic.simulate_responses(cb, seed=7)
    plan = [("south_savo", "webropol"), ("vasternorrland", "surveymonkey_xlsx"), ("donegal", "google_forms"),
            ("newfoundland_labrador", "qualtrics_legacy"), ("south_iceland", "limesurvey_code")]
    exports = [write_tool_export(writer, truth, region, tmp_path / "exports", cb, seed=k)
               for k, (region, writer) in enumerate(plan)]
    manifest = tmp_path / "exports" / "survey.yaml"
    manifest.write_text(yaml.safe_dump({"files": [e.manifest for e in exports]}, allow_unicode=True),
                        encoding="utf-8")
    out = tmp_path / "output" / "tools" / "figures"
    assert build.run_build(manifest=manifest, figures_dir=out, progress=False) == 0
    produced = pd.read_csv(out / "MANIFEST.csv")
    assert sorted(produced["file"]) == sorted(pd.read_csv(config.FIGURES_MANIFEST)["file"])
    counts = pd.read_csv(out / "tables" / "01_response_counts.csv")
    assert sorted(counts["region"]) == sorted(region for region, _ in plan)
    assert "real survey exports" in (out / "evidence_report.html").read_text(encoding="utf-8")
