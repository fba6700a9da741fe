"""innocap build: executes notebooks, publishes only on success, writes MANIFEST.csv and the report."""

import csv
import subprocess
import sys

import nbformat
import pytest

from innocap_analysis.app import build

GOOD = """
import matplotlib.pyplot as plt
import pandas as pd
from innocap_analysis.evidence import save_figure, save_section, save_table
from innocap_analysis.plots import use_style
use_style()  # crops figures to what is drawn ("tight"), but never a page
fig, ax = plt.subplots()
ax.plot([1, 2, 3])
save_figure(fig, "01_probe_line", caption="A line.")
save_table(pd.DataFrame({"a": [1, 2]}), "01_probe_table", "A table.", counts=())
save_section("01_probe_section", "## A section\\n\\nSome text.", "A section.")
page = plt.figure(figsize=(8.27, 11.69))
page.text(0.1, 0.9, "An A4 page")
save_figure(page, "01_probe_page", caption="A page.", formats=("pdf",), page=True, footnote="Illustrative.")
"""

BAD_AFTER_SAVE = """
import matplotlib.pyplot as plt
from innocap_analysis.evidence import save_figure
fig, ax = plt.subplots()
save_figure(fig, "02_half_written", caption="Should never be published.")
raise ValueError("region XX999 not in the codebook")
"""


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("survey_paths = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# probe"), params] + [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture()
def project(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_good.ipynb", GOOD)
    return notebooks, tmp_path / "figures"


def test_build_executes_publishes_and_records_provenance(project, capsys):
    notebooks, figures = project
    code = build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False)
    assert code == 0
    assert {p.name for p in figures.glob("*.*")} >= {"01_probe_line.png", "01_probe_line.svg", "MANIFEST.csv"}
    assert (figures / "tables" / "01_probe_table.md").exists()
    assert (figures / "sections" / "01_probe_section.md").read_text(encoding="utf-8") == "## A section\n\nSome text.\n"
    rows = list(csv.DictReader(open(figures / "MANIFEST.csv", encoding="utf-8")))
    assert {r["file"] for r in rows} == {
        "01_probe_line.png", "01_probe_line.svg", "01_probe_line.pdf", "01_probe_page.pdf",
        "sections/01_probe_section.md", "DISCLOSURE.csv",
        *(f"tables/01_probe_table.{ext}" for ext in ("csv", "md", "tex", "xlsx", "docx")),
    }
    assert {r["kind"] for r in rows if r["file"].startswith("sections/")} == {"section"}
    # the page keeps its A4 size (595 x 842 pt), it is not cropped to what is drawn
    assert b"/MediaBox [ 0 0 595.44 841.68 ]" in (figures / "01_probe_page.pdf").read_bytes()
    assert all(r["notebook"] == ("" if r["kind"] == "disclosure" else "01_good.ipynb") and len(r["sha256"]) == 64
               for r in rows)
    executed = nbformat.read(notebooks / "01_good.ipynb", as_version=4)
    assert any(c.get("outputs") is not None for c in executed.cells if c.cell_type == "code")
    html = (figures / "evidence_report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "A line." in html and "synthetic" in html
    summary = capsys.readouterr().out
    assert "innocap build: done" in summary and "01_good.ipynb" in summary


def test_rebuild_is_byte_identical(project):
    notebooks, figures = project
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False) == 0
    first = {p: p.read_bytes() for p in sorted(figures.rglob("*")) if p.is_file()}
    first_nb = (notebooks / "01_good.ipynb").read_bytes()
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False) == 0
    second = {p: p.read_bytes() for p in sorted(figures.rglob("*")) if p.is_file()}
    assert first == second
    assert (notebooks / "01_good.ipynb").read_bytes() == first_nb


def test_failing_notebook_names_the_cell_and_publishes_nothing(project, capsys):
    notebooks, figures = project
    _notebook(notebooks / "02_bad.ipynb", BAD_AFTER_SAVE)
    before = (notebooks / "02_bad.ipynb").read_bytes()
    code = build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False)
    err = capsys.readouterr().err
    assert code == 1
    assert "02_bad.ipynb, cell 2" in err
    assert "ValueError: region XX999 not in the codebook" in err
    assert "Traceback" not in err
    assert not (figures / "02_half_written.png").exists()
    assert (notebooks / "02_bad.ipynb").read_bytes() == before
    # the good notebook before it was published, but no manifest claims the failed run
    assert not (figures / "MANIFEST.csv").exists()


def test_only_selects_by_number_and_rejects_unknown(project, capsys):
    notebooks, _ = project
    paths = build.discover_notebooks(notebooks)
    assert build.select_notebooks(paths, ["01"]) == paths
    with pytest.raises(ValueError, match="no notebook matches"):
        build.select_notebooks(paths, ["99"])


def test_survey_run_injects_parameters_and_writes_elsewhere(project, tmp_path):
    notebooks, _ = project
    export = tmp_path / "real.csv"
    export.write_text("respondent_id\n1\n")
    out = tmp_path / "output" / "real" / "figures"
    before = (notebooks / "01_good.ipynb").read_bytes()
    code = build.run_build(notebooks_dir=notebooks, figures_dir=out, survey_paths=[export], progress=False)
    assert code == 0
    assert (notebooks / "01_good.ipynb").read_bytes() == before  # committed notebook untouched
    executed = nbformat.read(out.parent / "notebooks" / "01_good.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and str(export.resolve()) in injected[0].source
    assert "real survey exports" in (out / "evidence_report.html").read_text(encoding="utf-8")


def test_cli_help_lists_subcommands():
    out = subprocess.run([sys.executable, "-m", "innocap_analysis.app.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("build", "validate", "data"):
        assert command in out.stdout


def test_cli_build_missing_survey_file_is_a_usage_error(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "innocap_analysis.app.cli", "build", "--survey", str(tmp_path / "nope.csv")],
        capture_output=True, text=True,
    )
    assert out.returncode == 2
    assert "nope.csv" in out.stderr and "Traceback" not in out.stderr


def test_stream_chunks_are_merged_whatever_the_kernel_flushed():
    chunks = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
              nbformat.v4.new_output("stream", name="stdout", text="b\n"),
              nbformat.v4.new_output("stream", name="stderr", text="w\n"),
              nbformat.v4.new_output("stream", name="stdout", text="c\n")]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('a')")]
    nb.cells[0].outputs = chunks
    build._normalise_notebook(nb)  # nbconvert's CoalesceStreamsPreprocessor, as nbval compares
    merged = nb.cells[0].outputs
    assert [(o.name, o.text) for o in merged] == [("stdout", "a\nb\n"), ("stderr", "w\n"), ("stdout", "c\n")]


class _Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_progress_mode_bars_on_a_terminal_lines_in_a_log_none_when_quiet(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(sys, "stdout", _Stream(True))
    assert build.progress_mode(stream=_Stream(True)) == "bars"
    assert build.progress_mode(stream=_Stream(False)) == "lines"
    assert build.progress_mode(stream=_Stream(True), quiet=True) == "none"
    assert build.progress_mode(stream=_Stream(True), progress=False) == "none"
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert build.progress_mode(stream=_Stream(True)) == "lines"
    monkeypatch.setattr(sys, "stdout", _Stream(False))
    monkeypatch.setenv("TQDM_DISABLE", "0")
    assert build.progress_mode(stream=_Stream(True)) == "lines"  # stdout redirected to a log


def test_build_log_has_plain_lines_and_no_kernel_transport_warning(project, capfd):
    notebooks, figures = project
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures) == 0  # capfd: not a terminal
    out, err = capfd.readouterr()
    assert "innocap build: [1/1] 01_good.ipynb done in" in out
    assert "\r" not in out + err and "\x1b[" not in out + err
    assert "TCP without encryption" not in err and "WARNING" not in err
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures, quiet=True) == 0
    out, err = capfd.readouterr()
    assert out == "" and "TCP" not in err


def test_verify_names_every_stale_missing_and_unlisted_figure(project, capsys):
    from innocap_analysis.app.cli import main

    notebooks, figures = project
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False) == 0
    capsys.readouterr()
    assert main(["verify", "--figures", str(figures)]) == 0
    (figures / "01_probe_line.png").write_bytes(b"rewritten outside the build")
    (figures / "tables" / "01_probe_table.md").unlink()
    (figures / "99_stray.png").write_bytes(b"x")
    assert main(["verify", "--figures", str(figures)]) == 1
    err = capsys.readouterr().err
    assert "01_probe_line.png: stale: sha256 is" in err
    assert "tables/01_probe_table.md: listed in MANIFEST.csv but missing" in err
    assert "99_stray.png: not listed in MANIFEST.csv" in err
    assert "3 file(s) do not match" in err
