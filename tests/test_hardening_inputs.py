"""Hardening (issue 16), inputs: run names, bounded readers, formula neutralisation, checked data and exports.

Every bad input ends in a clear message and an exit code; nothing is written where it should not be.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import markupsafe
import nbformat
import openpyxl
import pandas as pd
import pyreadstat
import pytest
import yaml
from survey_helpers import write_small_codebook

from innocap_analysis import config
from innocap_analysis.app import build, cli
from innocap_analysis.app.report import write_evidence_report
from innocap_analysis.evidence import publish, publishable_rejections
from innocap_analysis.survey import SurveyValidationError, load_codebook, load_survey
from innocap_analysis.survey.codebook import CodebookLabelWarning
from innocap_analysis.survey.readers import ExportReadError, ReadLimits, read_export

DATA = config.PROJECT_ROOT / "tests" / "data" / "survey"
HYPERLINK = '=HYPERLINK("http://evil.example/","cost")'


def _digest_tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _probe_notebooks(folder):
    """One quick notebook that saves a table (the build's machinery without the real notebooks)."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("survey_paths = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "import pandas as pd\nfrom innocap_analysis.evidence import save_table\n"
        "save_table(pd.DataFrame({'a': [1, 2]}), '01_probe', 'A probe table.', counts=())")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "01_probe.ipynb")
    return folder


# --- run names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["..", "/tmp/x", "../../x", "", "a/b", ".hidden", "a\\b", "x\n", "é"])
def test_unsafe_run_names_are_refused_with_what_is_allowed(name):
    with pytest.raises(config.RunNameError, match="letters, digits"):
        config.run_directory(name)


@pytest.mark.parametrize("name", ["real", "wave2-2027", "donegal_v1.2", "A"])
def test_safe_run_names_stay_under_output(name):
    figures, tables = config.output_dirs(name)
    assert figures == config.OUTPUT_ROOT / name / "figures" and tables == figures / "tables"
    assert config.OUTPUT_ROOT in figures.resolve().parents


def test_cli_refuses_unsafe_run_names_and_writes_nothing(tmp_path, capsys):
    export = DATA / "good_en.csv"
    committed = _digest_tree(config.FIGURES_DIR)
    output_before = sorted(p.name for p in config.OUTPUT_ROOT.glob("*")) if config.OUTPUT_ROOT.exists() else []
    outside = config.PROJECT_ROOT.parent.parent / "x"
    existed = outside.exists()
    for name in ["..", str(tmp_path / "x"), "../../x", ""]:
        code = cli.main(["build", "--survey", str(export), "--run-name", name])
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert f"invalid run name {name!r}" in err and "letters, digits, '-', '_' and '.'" in err
        assert "Traceback" not in err
    assert not (tmp_path / "x").exists()
    assert outside.exists() == existed
    assert _digest_tree(config.FIGURES_DIR) == committed
    assert (sorted(p.name for p in config.OUTPUT_ROOT.glob("*")) if config.OUTPUT_ROOT.exists() else []) \
        == output_before


def test_symlinked_output_folder_is_refused_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    project = tmp_path.resolve() / "project"
    elsewhere = tmp_path.resolve() / "elsewhere"  # e.g. the committed figures/, or a folder git tracks
    elsewhere.mkdir()
    project.mkdir()
    (project / "output").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.setattr(config, "OUTPUT_ROOT", project / "output")
    with pytest.raises(config.RunNameError, match="not symlinks"):
        config.run_directory("real")
    # and a run folder that is itself a symlink out of output/
    monkeypatch.setattr(config, "OUTPUT_ROOT", tmp_path.resolve() / "real_output")
    (tmp_path / "real_output").mkdir()
    (tmp_path / "real_output" / "sneaky").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(config.RunNameError, match="resolves to"):
        config.run_directory("sneaky")
    code = build.run_build(survey_paths=[DATA / "good_en.csv"], run_name="sneaky", progress=False,
                           notebooks_dir=_probe_notebooks(tmp_path / "nb"))
    assert code == 2 and "resolves to" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


# --- bounded readers -------------------------------------------------------------------------------------


def _far_cell_workbook(path, column, row=1_048_576):
    wb = openpyxl.Workbook()
    wb.active.cell(row=row, column=column, value="x")
    wb.save(path)
    return path


_MEASURE = textwrap.dedent("""
    import json, pickle, resource, sys, time
    from innocap_analysis.survey import readers
    limits = readers.ReadLimits(**json.loads(sys.argv[2]))
    t = time.perf_counter()
    how, detail = readers._fork_reader("xlsx", sys.argv[1], (None,), limits)
    status, payload, _ = pickle.loads(detail) if how == "result" else (how, None, None)
    print(json.dumps({"seconds": time.perf_counter() - t, "status": status,
                      "signal": detail if how == "signal" else None,
                      "rows": len(readers._unpack_cells(*payload).cells) if status == "ok" else None,
                      "message": payload[0] if status == "error" else None,
                      "child_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
""")


def _measure_xlsx_read(path, **limits):
    """Read ``path`` in a reader child of a fresh process; seconds and the child's peak memory (MiB)."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path), json.dumps(limits)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("column", [1, 16_384])  # A1048576, and XFD1048576 (the last cell Excel has)
def test_one_cell_at_the_last_row_is_refused_fast_and_small(tmp_path, column):
    # Before: A1048576 took 2.0 s and 285 MB through pandas; XFD1048576 grew past 23 GB and was OOM-killed.
    path = _far_cell_workbook(tmp_path / "far.xlsx", column)
    measured = _measure_xlsx_read(path)
    assert measured["status"] == "error"
    assert "row 1,048,576" in measured["message"] and "INNOCAP_READ_MAX_ROWS" in measured["message"]
    assert measured["seconds"] < 5 and measured["child_maxrss_mb"] < 200, measured


def test_a_used_range_beyond_the_memory_limit_is_a_clear_error_for_the_file(tmp_path):
    # A1 and XFD1048576: calamine stores the used range densely (16,384 x 1,048,576 cells), cannot allocate
    # it within the child's memory limit and aborts; the file gets one clear error, the caller lives on.
    path = _far_cell_workbook(tmp_path / "far.xlsx", 16_384)
    wb = openpyxl.load_workbook(path)
    wb.active["A1"] = "id"
    wb.save(path)
    measured = _measure_xlsx_read(path)
    assert measured["status"] == "signal" and measured["signal"] == signal.SIGABRT, measured
    assert measured["seconds"] < 5 and measured["child_maxrss_mb"] < 200, measured
    with pytest.raises(ExportReadError, match=r"XLSX reader crashed \(SIGABRT\): the sheet's values span more cells"):
        read_export(path)


def test_one_cell_at_the_last_row_is_read_cheaply_when_the_cap_allows_it(tmp_path):
    path = _far_cell_workbook(tmp_path / "far.xlsx", 1)
    measured = _measure_xlsx_read(path, max_rows=1_048_576)
    assert measured["status"] == "ok" and measured["rows"] == 1  # row 1 (the header) is empty; one data row
    assert measured["seconds"] < 5 and measured["child_maxrss_mb"] < 200, measured
    table = read_export(path, limits=ReadLimits(max_rows=1_048_576))
    assert table.row_numbers.tolist() == [1_048_576] and table.blank_rows == 1_048_576 - 2


def test_row_and_column_caps_are_configurable_and_name_the_cell(tmp_path, monkeypatch):
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("id,a\n" + "".join(f"{i},1\n" for i in range(20)), encoding="utf-8")
    assert len(read_export(csv_path).cells) == 20
    with pytest.raises(ExportReadError, match=r"more than 10 rows.*INNOCAP_READ_MAX_ROWS"):
        read_export(csv_path, limits=ReadLimits(max_rows=10))
    monkeypatch.setenv("INNOCAP_READ_MAX_ROWS", "10")
    assert ReadLimits.from_environment().max_rows == 10
    with pytest.raises(ExportReadError, match="more than 10 rows"):
        read_export(csv_path)
    monkeypatch.delenv("INNOCAP_READ_MAX_ROWS")
    wide = tmp_path / "wide.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append([f"c{j}" for j in range(12)])
    wb.active.append(list(range(12)))
    wb.save(wide)
    assert read_export(wide).cells.shape == (1, 12)
    with pytest.raises(ExportReadError, match=r"value in column L \(its values span A1:L2\); at most 5 columns"):
        read_export(wide, limits=ReadLimits(max_columns=5))
    sav = tmp_path / "wide.sav"
    pyreadstat.write_sav(pd.DataFrame({f"v{j}": [1.0, 2.0] for j in range(8)}), sav)
    assert read_export(sav).cells.shape == (2, 8)
    with pytest.raises(ExportReadError, match="8 variables; at most 5"):
        read_export(sav, limits=ReadLimits(max_columns=5))
    with pytest.raises(ExportReadError, match="more than 1 cases"):
        read_export(sav, limits=ReadLimits(max_rows=1))
    for bad in ("many", "-5", "0"):
        monkeypatch.setenv("INNOCAP_READ_MAX_COLUMNS", bad)
        with pytest.raises(ValueError, match="INNOCAP_READ_MAX_COLUMNS must be a positive number"):
            ReadLimits.from_environment()
    assert cli.main(["validate", str(csv_path)]) == 2  # a usage error, not a traceback


def test_a_duplicate_of_a_dropped_row_is_kept_not_a_crash(tmp_path):
    # Found by the fuzz test: the first A1 is dropped (unknown region), so it cannot shadow the second A1;
    # the loader used to look the dropped row up as "first seen" and raised KeyError.
    rows = (DATA / "good_en.csv").read_text(encoding="utf-8").splitlines()
    export = tmp_path / "dup.csv"
    export.write_text("\n".join([rows[0], rows[1].replace("donegal", "atlantis"), *rows[1:]]) + "\n",
                      encoding="utf-8")
    survey = load_survey(export, codebook=write_small_codebook(tmp_path), errors="report")
    rejected = survey.report.rejected
    assert "A1" in set(survey.responses["respondent_id"])
    assert not rejected["reason"].str.contains("duplicate").any()
    assert (rejected["row"] == 2).any()  # the dropped first A1, listed


def test_huge_spss_values_keep_their_text(tmp_path):
    path = tmp_path / "huge.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": ["a", "b", "c"], "x": [3.0, 1e300, float("inf")]}), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        table = read_export(path)
    assert table.cells[1].tolist() == ["3", "1e+300", "inf"]


def test_xlsx_keeps_text_that_pandas_read_as_missing(tmp_path):
    # "N/A" is a codebook label (not applicable); the old reader (pandas' NA strings) made it an empty answer.
    path = tmp_path / "na.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["id", "DS1", "note"])
    wb.active.append(["a", "N/A", 4.0])
    wb.active.append([None, None, None])
    wb.active.append(["b", "NA", 2.5])
    wb.save(path)
    table = read_export(path)
    assert table.cells.values.tolist() == [["a", "N/A", "4"], ["b", "NA", "2.5"]]
    assert table.row_numbers.tolist() == [2, 4] and table.blank_rows == 1


_CRASH = textwrap.dedent("""
    import ctypes, json, os, sys, time
    from pathlib import Path
    from innocap_analysis.survey import readers

    def segfault(path, limits): ctypes.string_at(0)
    def hang(path, limits): time.sleep(60)
    def hog(path, limits): return bytearray(4 * 1024 ** 3)
    def leave(path, limits): os._exit(3)

    class Here:  # the reader server's work, done by this (single-threaded) process
        def request(self, *args): return readers._fork_reader(*args)

    readers._SERVER = Here()
    out = {}
    for name, reader in [("segfault", segfault), ("hang", hang), ("hog", hog), ("exit", leave)]:
        readers._ISOLATED_READERS["sav"] = (reader, "SPSS")
        t = time.perf_counter()
        try:
            readers.read_isolated("sav", Path(sys.argv[1]), limits=readers.ReadLimits(memory_mb=256, seconds=2))
            out[name] = ["no error", 0]
        except readers.ExportReadError as exc:
            out[name] = [str(exc), time.perf_counter() - t]
    print(json.dumps(out))
""")


def test_xlsx_numbers_read_as_written_column_at_a_time(tmp_path):
    # The vectorised conversion must give what the one-cell rule (_xlsx_text) gives, for every kind of cell.
    import datetime

    from innocap_analysis.survey.readers import _xlsx_text

    values = [3.0, -0.0, 2.5, 1 / 3, 1e20, 2.0**53 + 2, 1e-20, 0.9999999999, 12345678901234.0, True, False,
              datetime.datetime(2026, 1, 2, 3, 4, 5), "4.0", "", "N/A"]
    path = tmp_path / "numbers.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["id", "value"])
    for k, value in enumerate(values):
        wb.active.append([f"r{k}", value])
    wb.save(path)
    got = read_export(path).cells[1].tolist()
    wanted = [v if isinstance(v, str) else _xlsx_text(v) for v in values]
    assert got == wanted
    assert got[:9] == ["3", "0", "2.5", "0.3333333333333333", "100000000000000000000", "9007199254740994",
                       "1e-20", "0.9999999999", "12345678901234"]  # nothing rounded to what Excel would show


def test_xlsx_used_range_away_from_a1_keeps_the_sheets_row_and_column_numbers(tmp_path):
    path = tmp_path / "offset.xlsx"
    wb = openpyxl.Workbook()
    wb.active["C4"], wb.active["D4"] = "a", 1
    wb.active["D7"] = "b"
    wb.save(path)
    table = read_export(path)
    assert [h[0] for h in table.headers] == ["", "", "", ""]  # row 1 is empty: no header
    assert table.cells.values.tolist() == [["", "", "a", "1"], ["", "", "", "b"]]
    assert table.row_numbers.tolist() == [4, 7] and table.blank_rows == 4  # rows 2, 3, 5 and 6


@pytest.mark.parametrize("column", [["a", "b\x00c", ""], [], ["only"], ["", ""]])
def test_cells_survive_the_trip_from_the_reader_child(column):
    from innocap_analysis.survey.readers import RawTable, _pack_cells, _unpack_cells

    cells = pd.DataFrame({0: pd.Series(column, dtype=object), 1: pd.Series(["x"] * len(column), dtype=object)})
    table = RawTable([["h0"], ["h1"]], cells, pd.RangeIndex(len(column)).to_numpy() + 2, "xlsx")
    back = _unpack_cells(*_pack_cells(table))
    assert back.cells.equals(cells) and back.cells.dtypes.tolist() == [object, object]
    assert back.headers == table.headers and back.row_numbers.tolist() == table.row_numbers.tolist()


def test_a_reader_that_crashes_hangs_or_hogs_memory_becomes_an_error_for_that_file(tmp_path):
    out = subprocess.run([sys.executable, "-c", _CRASH, str(tmp_path / "any.sav")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["segfault"][0] == "the SPSS reader crashed (SIGSEGV)"
    assert result["hang"][0].startswith("the SPSS reader took longer than the time limit of 2 s")
    assert result["hang"][1] < 10
    assert result["hog"][0].startswith("the SPSS reader needed more than the memory limit of 256 MiB")
    assert result["exit"][0] == "the SPSS reader crashed (exit code 3)"


def _segfaulting_sav(folder):
    """A one-byte corrupt .sav on which ReadStat (pyreadstat 1.3) segfaults, or None if it no longer does.

    The fuzzing of issue 16 found single-byte crashers: a numeric variable record whose type byte
    says "string of width 47" makes ReadStat read past its buffers (exit -11 in 4 of 300 cases).
    """
    path = folder / "crash.sav"
    pyreadstat.write_sav(pd.DataFrame({"Q1": [1.0, 2.0, 3.0] * 20, "Q2": ["a", "bb", "ccc"] * 20}), path,
                         column_labels=["First question", "Second"],
                         variable_value_labels={"Q1": {1.0: "one", 2.0: "two", 3.0: "three"}})
    data = bytearray(path.read_bytes())
    record = data.find(bytes([2, 0, 0, 0, 0, 0, 0, 0]), 176)  # after the 176-byte header: the first numeric variable
    data[record + 4] = 47
    path.write_bytes(bytes(data))
    bare = subprocess.run([sys.executable, "-c", "import pyreadstat, sys; pyreadstat.read_sav(sys.argv[1])",
                           str(path)], capture_output=True, timeout=60)
    return path if bare.returncode < 0 else None


def test_the_cli_reports_a_segfaulting_sav_instead_of_dying(tmp_path):
    crash = _segfaulting_sav(tmp_path)
    if crash is None:
        pytest.skip("this ReadStat no longer crashes on the corrupt file (the isolation is tested above)")
    with pytest.raises(SurveyValidationError, match=r"crash\.sav: unreadable: the SPSS reader crashed \(SIG"):
        load_survey(crash)
    out = subprocess.run([sys.executable, "-m", "innocap_analysis.app.cli", "validate", str(crash)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr[-2000:]
    assert "crash.sav: unreadable: the SPSS reader crashed (SIG" in out.stdout
    assert "Traceback" not in out.stderr


# --- formulas ---------------------------------------------------------------------------------------------


def test_neutralise_formulas_prefixes_formula_text_and_keeps_numbers():
    table = pd.DataFrame({
        "label": [HYPERLINK, "@SUM(A1)", "+ sampling", "\tx", "\rx", "-1", "-2.5e3", "plain", None],
        "n": [5, -3, 7, 1, 2, 3, 4, 5, 6],
        "mixed": [1, "=1+1", 2.5, None, "a", "-", "b", "c", "d"],
        "kind": pd.Categorical(["=c", "b", "=c", "b", "b", "b", "b", "b", "b"]),
    }).set_index(pd.Index(["=i"] * 9, name="=idx"))
    table.columns = ["label", "n", "=mixed", "kind"]
    out = publish.neutralise_formulas(table)
    assert out["label"].tolist()[:8] == ["'" + HYPERLINK, "'@SUM(A1)", "'+ sampling", "'\tx", "'\rx", "-1", "-2.5e3",
                                         "plain"]
    assert pd.isna(out["label"].iloc[8])
    assert out["n"].tolist() == [5, -3, 7, 1, 2, 3, 4, 5, 6] and out["n"].dtype == table["n"].dtype
    assert out["'=mixed"].tolist()[:3] == [1, "'=1+1", 2.5] and out["'=mixed"].iloc[5] == "'-"
    assert out["kind"].cat.categories.tolist() == ["'=c", "b"]
    assert out.index.name == "'=idx" and set(out.index) == {"'=i"}
    assert out.dtypes["label"] == table.dtypes["label"]
    assert table["label"].iloc[0] == HYPERLINK  # the caller's table is not changed


def test_a_formula_label_reaches_the_published_csv_neutralised(tmp_path):
    raw = yaml.safe_load(write_small_codebook(tmp_path).read_text(encoding="utf-8"))
    raw["profile"]["stakeholder"]["levels"]["sme"]["en"] = HYPERLINK
    codebook_path = tmp_path / "formula.yaml"
    codebook_path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.warns(CodebookLabelWarning, match=r"profile\.stakeholder\.levels\.sme\.en = '=HYPERLINK"):
        codebook = load_codebook(codebook_path)
    export = tmp_path / "export.csv"
    rows = (DATA / "good_en.csv").read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([rows[0]]))
    first = next(csv.reader([rows[1]]))
    first[header.index("DS1")] = HYPERLINK  # a partner pasted the label into an item
    buffer = [rows[0], ",".join(f'"{v}"' if "," in v or '"' in v else v for v in
                                [c.replace('"', '""') for c in first]), *rows[2:]]
    export.write_text("\n".join(buffer) + "\n", encoding="utf-8")
    survey = load_survey(export, codebook=codebook, errors="report")
    rejections = publishable_rejections(survey)
    assert HYPERLINK in set(rejections["value"].dropna())
    written = publish.save_table(rejections, "01_validation_issues", "Problems.", counts=(), directory=tmp_path / "out")
    csv_path = next(p for p in written if p.suffix == ".csv")
    assert "'=HYPERLINK(" in csv_path.read_text(encoding="utf-8")
    cells = [cell for row in csv.reader(open(csv_path, encoding="utf-8")) for cell in row]
    assert "'" + HYPERLINK in cells and HYPERLINK not in cells


def test_the_html_report_shows_the_text_and_the_csv_keeps_the_prefix(tmp_path):
    table = pd.DataFrame({"item": [HYPERLINK, "plain"], "n": [-3, 5]})
    publish.save_table(table, "01_formula", "A table.", counts=(), directory=tmp_path / "tables")
    row = dict.fromkeys(build.MANIFEST_COLUMNS, "")
    row.update(file="tables/01_formula.csv", kind="table", notebook="01_x.ipynb", caption="=1+1 in a caption")
    build.write_manifest([row], tmp_path / "MANIFEST.csv")
    page = write_evidence_report(tmp_path).read_text(encoding="utf-8")
    # the page is rendered by jinja2, which escapes with markupsafe (" as &#34;)
    assert str(markupsafe.escape(HYPERLINK)) in page and str(markupsafe.escape("'" + HYPERLINK)) not in page
    assert "<td>-3</td>" in page and str(markupsafe.escape("=1+1 in a caption")) in page
    assert "'" + HYPERLINK in (tmp_path / "tables" / "01_formula.csv").read_text(encoding="utf-8").replace('""', '"')


def test_the_shipped_codebook_has_no_formula_labels():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CodebookLabelWarning)
        load_codebook()


def test_manifest_csv_cells_are_neutralised(tmp_path):
    row = dict.fromkeys(build.MANIFEST_COLUMNS, "")
    row.update(file="x.png", kind="figure", notebook="01.ipynb", caption="=1+1 looks like a formula")
    build.write_manifest([row], tmp_path / "MANIFEST.csv")
    assert next(csv.DictReader(open(tmp_path / "MANIFEST.csv", encoding="utf-8")))["caption"] == \
        "'=1+1 looks like a formula"


# --- the build checks its inputs first --------------------------------------------------------------------


@pytest.fixture()
def tampered_data(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data, ignore=shutil.ignore_patterns("interim"))
    target = data / "external" / "npa_regions_2021_2027.csv"
    content = bytearray(target.read_bytes())
    content[58] ^= 0x01  # one byte of the first data row
    target.write_bytes(bytes(content))
    monkeypatch.setattr(config, "DATA_DIR", data)
    return target


def test_build_refuses_tampered_data_naming_the_file(tampered_data, tmp_path, capsys):
    figures = tmp_path / "figures"
    start = time.perf_counter()
    code = cli.main(["build", "--only", "00"])
    err = capsys.readouterr().err
    assert code == 1
    assert "data/external/npa_regions_2021_2027.csv: sha256 is" in err and "--allow-modified-data" in err
    assert "Traceback" not in err and time.perf_counter() - start < 10  # refused before any notebook ran
    assert not figures.exists()


def test_allow_modified_data_builds_and_records_it(tampered_data, tmp_path, capsys):
    figures = tmp_path / "figures"
    code = build.run_build(notebooks_dir=_probe_notebooks(tmp_path / "nb"), figures_dir=figures, progress=False,
                           allow_modified_data=True)
    assert code == 0
    assert "npa_regions_2021_2027.csv" in capsys.readouterr().err
    rows = list(csv.DictReader(open(figures / "MANIFEST.csv", encoding="utf-8")))
    assert rows and all(r["git_commit"].endswith("+modified") for r in rows)


def test_unreadable_export_stops_the_build_with_the_validation_report(tmp_path, capsys):
    empty = tmp_path / "empty_partner.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "binary_partner.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    figures = tmp_path / "output" / "real" / "figures"
    code = build.run_build(survey_paths=[DATA / "good_en.csv", empty, binary], figures_dir=figures, progress=False,
                           notebooks_dir=_probe_notebooks(tmp_path / "nb"))
    captured = capsys.readouterr()
    assert code == 1
    assert "error: validate first: empty_partner.csv could not be read (empty file" in captured.err
    assert "error: validate first: binary_partner.csv could not be read (unreadable: binary data" in captured.err
    assert "rows read:" in captured.out and "good_en.csv" in captured.out  # the validation report
    assert not figures.parent.exists()


def test_row_level_problems_do_not_stop_the_build(tmp_path, capsys):
    figures = tmp_path / "output" / "real" / "figures"
    code = build.run_build(survey_paths=[DATA / "bad_out_of_range.csv"], figures_dir=figures, progress=False,
                           notebooks_dir=_probe_notebooks(tmp_path / "nb"))
    assert code == 0
    assert "note: the exports have" in capsys.readouterr().err
    assert (figures / "MANIFEST.csv").is_file()
