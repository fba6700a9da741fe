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
    return load_survey(written, cb, errors="report")


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


def test_formats_and_languages(loaded):
    files = loaded.report.files.set_index("file")
    assert files.loc["south_savo_webropol_fi.csv", ["format", "encoding", "separator"]].tolist() == [
        "csv", "utf-8-sig", ";"]
    assert files.loc["donegal_en.csv", ["format", "separator"]].tolist() == ["csv", ","]
    assert files.loc["vasternorrland_sv.xlsx", "format"] == "xlsx"
    assert files.loc["newfoundland_labrador_en.xlsx", "format"] == "xlsx"
    assert files.loc["south_iceland_is.sav", "format"] == "sav"
    assert set(loaded.report.labels_mapped) == {"code", "en", "fi", "sv", "is"}


def test_round_trip_codes_equal_generator(loaded, truth, cb):
    r = loaded.responses.set_index("respondent_id")
    t = truth.responses.set_index("respondent_id")
    assert sorted(r.index) == sorted(t.index)  # the duplicate is dropped, every respondent kept once
    r = r.loc[t.index]
    oor = truth.injected["out_of_range"]
    for column in ["region", "country", "stakeholder", "size_band", "role"]:
        assert r[column].astype(str).tolist() == t[column].astype(str).tolist(), column
    for item in cb.item_ids:
        got, want = r[item].copy(), t[item].copy()
        if item == oor["item"]:
            assert got[oor["respondent_id"]] is pd.NA
            got[oor["respondent_id"]] = want[oor["respondent_id"]] = 0
        assert got.equals(want), item
    m = loaded.missing_reasons.set_index(loaded.responses["respondent_id"]).loc[t.index]
    tm = truth.missing_reasons.set_index(t.index)
    m.loc[oor["respondent_id"], oor["item"]] = tm.loc[oor["respondent_id"], oor["item"]]
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
    assert report.values_normalised["whitespace"] > 0 and report.values_normalised["float_code"] > 0
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
    for name in ("south_savo_webropol_fi.csv", "south_iceland_is.sav"):
        entry = rows[f"raw/illustrative/{name}"]
        assert "seed 20260401" in entry["source"] and entry["licence"].startswith("CC0")
        assert "innocap data illustrative" in entry["derivation"]


def test_cli_data_illustrative_to_other_folder_leaves_manifest(tmp_path, capsys):
    from innocap_analysis.app.cli import main

    manifest = config.DATA_MANIFEST.read_bytes()
    assert main(["data", "illustrative", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(e[2] for e in synthetic.EXPORTS.values())
    assert capsys.readouterr().out.count("wrote ") == 5
    assert config.DATA_MANIFEST.read_bytes() == manifest


def test_load_illustrative_survey_reads_the_committed_files():
    from innocap_analysis.survey import load_illustrative_survey

    survey = load_illustrative_survey()
    assert survey.report.files["file"].tolist() == [e[2] for e in synthetic.EXPORTS.values()]
    assert survey.report.rows_kept == len(synthetic.illustrative_truth().responses)
