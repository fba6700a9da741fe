"""The illustrative generator: round trip through the raw exports, determinism, and its stated properties."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from innocap_analysis import config, synthetic
from innocap_analysis.survey import load_codebook, load_survey


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("illustrative")
    return synthetic.write_illustrative_exports(out_dir=out)


@pytest.fixture(scope="module")
def truth():
    return synthetic.illustrative_truth()


@pytest.fixture(scope="module")
def loaded(written, cb):
    manifest = written[0].parent / "survey.yaml"
    return load_survey(manifest, cb, errors="report")


def _aligned(loaded, truth):
    """Loaded rows and truth rows in the same order: file by file (manifest order), row by row.

    Ids a tool numbers per export (Webropol, Microsoft Forms) are qualified by the file, so the
    rows are matched by their place in the export rather than by id.
    """
    r = loaded.responses.sort_values(["source_file", "source_row"], key=lambda s: s.map(
        {e[2]: k for k, e in enumerate(synthetic.EXPORTS.values())}) if s.name == "source_file" else s)
    order = pd.Series(list(synthetic.EXPORTS)).rename("region")
    t = truth.responses.assign(_r=truth.responses["region"].astype(str).map({k: i for i, k in order.items()}))
    t = t.sort_values(["_r"], kind="stable").drop(columns="_r")
    return r, t


def _digest(paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_same_seed_same_bytes_and_other_seed_differs(written, tmp_path):
    again = synthetic.write_illustrative_exports(out_dir=tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in written]
    assert _digest(again) == _digest(written)
    other = synthetic.write_illustrative_exports(out_dir=tmp_path / "other", seed=1)
    assert all(a != b for a, b in zip(_digest(other), _digest(written), strict=True))


def test_committed_files_are_the_generator_output(written):
    committed = [config.ILLUSTRATIVE_SURVEY_DIR / p.name for p in written]
    assert _digest(committed) == _digest(written)


def test_formats_layouts_and_languages(loaded, written, tmp_path):
    files = loaded.report.files.set_index("file")
    assert files.loc["south_savo_webropol_fi.csv", ["format", "encoding", "separator", "layout"]].tolist() == [
        "csv", "utf-8-sig", ";", "webropol"]
    assert files.loc["donegal_en.csv", ["format", "separator", "layout"]].tolist() == ["csv", ",", "plain"]
    assert files.loc["vasternorrland_sv.xlsx", ["format", "layout"]].tolist() == ["xlsx", "plain"]
    assert files.loc["newfoundland_labrador_qualtrics_en.csv", ["format", "layout", "header_rows"]].tolist() == [
        "csv", "qualtrics", 3]
    assert files.loc["south_iceland_msforms_is.xlsx", ["format", "layout"]].tolist() == ["xlsx", "msforms"]
    assert set(loaded.report.labels_mapped) == {"code", "en", "fi", "sv", "is"}
    # At least three exports use real tool layouts, and each is also recognised without the manifest.
    for path in written:
        tool = synthetic.EXPORTS[next(k for k, e in synthetic.EXPORTS.items() if e[2] == path.name)][3]
        lone = tmp_path / path.name  # away from its manifest, so nothing tells the loader the tool
        lone.write_bytes(path.read_bytes())
        alone = load_survey(lone, errors="report", file_profile={path.name: {"region": "donegal", "country": "IE"}})
        assert alone.report.files.loc[0, "layout"] == tool, path.name
        assert alone.report.files.loc[0, "layout_chosen"] == "detected"
    assert sum(e[3] != "plain" for e in synthetic.EXPORTS.values()) >= 3


def test_round_trip_codes_equal_generator(loaded, truth, cb):
    r, t = _aligned(loaded, truth)
    assert len(r) == len(t)  # the duplicate is dropped, every respondent kept once
    plain = r["source_file"].isin([e[2] for e in synthetic.EXPORTS.values() if e[3] == "plain"]).to_numpy()
    assert (r["respondent_id"].to_numpy()[plain] == t["respondent_id"].to_numpy()[plain]).all()
    assert r["respondent_id"].is_unique
    oor = truth.injected["out_of_range"]
    at = int(np.flatnonzero(t["respondent_id"].to_numpy() == oor["respondent_id"])[0])
    for column in ["region", "country", "stakeholder", "size_band", "role"]:
        assert r[column].astype(str).tolist() == t[column].astype(str).tolist(), column
    for item in cb.item_ids:
        got, want = r[item].reset_index(drop=True).copy(), t[item].reset_index(drop=True).copy()
        if item == oor["item"]:
            assert got[at] is pd.NA
            got[at] = want[at] = 0
        assert got.equals(want), item
    m = loaded.missing_reasons.loc[r.index].reset_index(drop=True)
    tm = truth.missing_reasons.loc[t.index].reset_index(drop=True)
    m.loc[at, oor["item"]] = tm.loc[at, oor["item"]]
    pd.testing.assert_frame_equal(m, tm, check_names=False)
    for column in cb.multi_select_columns:
        assert r[column].tolist() == t[column].tolist(), column


def test_report_accounts_for_every_row_and_the_imperfections(loaded, truth):
    report = loaded.report
    assert report.rows_read == len(truth.responses) + 1 and report.rows_kept == len(truth.responses)
    assert report.rows_listed_as_dropped == 1
    dup, oor = truth.injected["duplicate"], truth.injected["out_of_range"]
    assert report.rejected[["file", "row", "column", "value", "action"]].values.tolist() == [
        [oor["file"], oor["row"], oor["item"], oor["value"], "cell set to NA"],
        [dup["file"], dup["row"], "respondent_id", dup["respondent_id"], "row dropped"],
    ]
    dropped = report.dropped_columns.groupby("file")["column"].apply(list).to_dict()
    for file, columns in truth.injected["pii_columns"].items():
        assert set(columns) <= set(dropped[file])
    assert dropped["south_savo_webropol_fi.csv"] == ["Vastausaika", "Sähköposti", "Vapaa sana"]
    reasons = report.dropped_columns.set_index(["file", "column"])["reason"]
    assert reasons[("newfoundland_labrador_qualtrics_en.csv", "IPAddress")] == (
        "personal data (Qualtrics: IP address): dropped")
    assert report.missing_columns.empty  # every file carries every item and option
    assert report.values_normalised["whitespace"] > 0
    flat = set(loaded.responses.astype(str).to_numpy().ravel())
    assert not any("@example.org" in str(v) for v in flat)


def test_sizes_missingness_and_structure(truth, cb):
    r, m = truth.responses, truth.missing_reasons.fillna("")
    sizes = r.groupby("region", observed=True).size()
    assert len(sizes) == 5 and sizes.between(40, 70).all()
    assert (r.groupby(["region", "stakeholder"], observed=True).size() > 0).sum() == 15
    asked = m != "not_asked"
    rate = ((m == "dont_know") | (m == "blank")).sum().sum() / asked.sum().sum()
    assert 0.05 <= rate <= 0.10
    supply = [i.id for i in cb.items_for(role="supply")]
    public = r["stakeholder"] == "public_sector"
    assert (m.loc[public, supply] == "not_asked").all().all()
    assert r.loc[public, supply].isna().all().all()


def _dimension_score(truth, cb, dimension):
    items = cb.items_for(dimension=dimension, role="capability")
    codes = pd.DataFrame({i.id: truth.responses[i.id].astype("Float64") for i in items})
    for item in items:
        if item.reverse:
            codes[item.id] = 6 - codes[item.id]
    return codes.mean(axis=1)


def test_reverse_items_answered_consistently(truth, cb):
    for dimension in cb.dimensions:
        items = cb.items_for(dimension=dimension, role="capability")
        forward = [i.id for i in items if not i.reverse]
        for item in (i for i in items if i.reverse):
            rho = truth.responses[[item.id, *forward]].astype(float).corr(method="spearman").loc[item.id, forward]
            assert (rho < -0.3).all(), (item.id, rho.to_dict())


def test_capability_differs_by_region_and_stakeholder(truth, cb):
    score = _dimension_score(truth, cb, "digital_solutions")
    by_region = score.groupby(truth.responses["region"], observed=True).mean()
    assert by_region["vasternorrland"] > by_region["south_iceland"] + 0.3
    by_type = score.groupby(truth.responses["stakeholder"], observed=True).mean()
    assert by_type["hei_research"] > by_type["public_sector"] + 0.3
    awareness = truth.responses["AW1"].astype(float).mean()
    assert awareness < 3  # lack of awareness is the bottleneck the generator encodes
    assert np.isfinite(by_region).all()


def test_default_writes_register_manifest():
    rows = {r["path"]: r for r in __import__("innocap_analysis.provenance", fromlist=["x"]).read_data_manifest()}
    for name in ("south_savo_webropol_fi.csv", "south_iceland_msforms_is.xlsx", "survey.yaml"):
        entry = rows[f"raw/illustrative/{name}"]
        assert "seed 20260401" in entry["source"] and entry["licence"].startswith("CC0")
        assert "innocap data illustrative" in entry["derivation"]


def test_cli_data_illustrative_to_other_folder_leaves_manifest(tmp_path, capsys):
    from innocap_analysis.app.cli import main

    manifest = config.DATA_MANIFEST.read_bytes()
    assert main(["data", "illustrative", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [e[2] for e in synthetic.EXPORTS.values()] + ["survey.yaml"])
    assert capsys.readouterr().out.count("wrote ") == 6
    assert "--seed 3" in (tmp_path / "survey.yaml").read_text(encoding="utf-8")
    assert config.DATA_MANIFEST.read_bytes() == manifest


def test_load_illustrative_survey_reads_the_committed_files():
    from innocap_analysis.survey import load_illustrative_survey

    survey = load_illustrative_survey()
    assert survey.report.files["file"].tolist() == [e[2] for e in synthetic.EXPORTS.values()]
    assert survey.report.rows_kept == len(synthetic.illustrative_truth().responses)
