"""save_figure and save_table: byte-identical across runs, no volatile metadata, captions carried."""

import hashlib

import matplotlib

matplotlib.use("Agg")
import json  # noqa: E402
import re  # noqa: E402
import zipfile  # noqa: E402

import docx  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from innocap_analysis import config  # noqa: E402
from innocap_analysis.evidence.publish import (  # noqa: E402
    FIGURE_FORMATS,
    TABLE_FORMATS,
    output_directory,
    save_figure,
    save_section,
    save_table,
)
from innocap_analysis.plots.style import style_context  # noqa: E402


def _figure():
    with style_context():
        fig, ax = plt.subplots(figsize=(4, 3))
        rng = np.random.default_rng(1)
        ax.scatter(rng.normal(size=50), rng.normal(size=50), label="points")
        ax.imshow(rng.random((5, 5)), extent=(0, 1, 0, 1))  # an image forces clip paths and ids in SVG
        ax.set_title("Ålesund, Þorlákshöfn, Mikkeli")
        ax.legend()
    return fig


def _digests(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_save_figure_is_byte_identical_across_runs(tmp_path):
    first = save_figure(_figure(), "probe", directory=tmp_path / "a", close=True)
    second = save_figure(_figure(), "probe", directory=tmp_path / "b", close=True)
    assert sorted(p.suffix for p in first) == [".pdf", ".png", ".svg"]
    assert _digests(first) == _digests(second)


def test_saved_files_carry_no_dates_or_versions(tmp_path):
    paths = save_figure(_figure(), "probe", directory=tmp_path, close=True)
    svg = next(p for p in paths if p.suffix == ".svg").read_text()
    assert "<dc:date>" not in svg
    assert matplotlib.__version__ not in svg
    png = next(p for p in paths if p.suffix == ".png").read_bytes()
    assert b"Software" not in png and matplotlib.__version__.encode() not in png
    pdf = next(p for p in paths if p.suffix == ".pdf").read_bytes()
    for volatile in (b"CreationDate", b"ModDate", b"Producer", matplotlib.__version__.encode()):
        assert volatile not in pdf


def test_save_figure_writes_300_dpi_png_and_takes_dpi_and_formats(tmp_path):
    default = save_figure(_figure(), "probe", directory=tmp_path / "a")
    png = Image.open(next(p for p in default if p.suffix == ".png"))
    assert png.info["dpi"] == pytest.approx((300, 300), abs=0.1)
    half = save_figure(_figure(), "probe", directory=tmp_path / "b", dpi=150, formats=("png",))
    assert [p.suffix for p in half] == [".png"]
    small = Image.open(half[0])
    assert small.info["dpi"] == pytest.approx((150, 150), abs=0.1)
    assert small.width == pytest.approx(png.width / 2, abs=2)
    with pytest.raises(ValueError, match="formats"):
        save_figure(_figure(), "probe", directory=tmp_path, formats=("bmp",))


def test_save_figure_rejects_paths_as_names(tmp_path):
    with pytest.raises(ValueError):
        save_figure(_figure(), "../escape", directory=tmp_path, close=True)


def _md_rows(text):
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_save_table_writes_csv_markdown_latex_xlsx_docx_with_caption(tmp_path):
    table = pd.DataFrame({"region": ["donegal", "vasternorrland"], "n": [12, pd.NA], "share": [0.5, 0.25],
                          "note": ["a|b", "0012"]})
    paths = save_table(table, "t_probe", "Respondents per region (illustrative data)", counts=["n"],
                       directory=tmp_path)
    assert sorted(p.suffix for p in paths) == [".csv", ".docx", ".md", ".tex", ".xlsx"]
    assert pd.read_csv(tmp_path / "t_probe.csv")["share"].tolist() == [0.5, 0.25]
    md = (tmp_path / "t_probe.md").read_text(encoding="utf-8")
    assert md.startswith("**Respondents per region (illustrative data)**")
    rows = _md_rows(md)
    assert rows[0] == ["region", "n", "share", "note"]
    assert rows[3] == ["vasternorrland", "", "0.25", "0012"]  # blank for missing; text not reparsed as a number
    assert rows[2][3] == "a\\|b"  # a pipe inside a cell is escaped
    tex = (tmp_path / "t_probe.tex").read_text()
    assert "\\caption{Respondents per region (illustrative data)}" in tex
    assert "\\toprule" in tex and "\\bottomrule" in tex and "longtable" not in tex.split("\n", 1)[1]
    assert "Västernorrland" in tex and "Region" in tex  # display names and labelled headers
    again = save_table(table, "t_probe", "Respondents per region (illustrative data)", counts=["n"],
                       directory=tmp_path / "b")
    assert _digests(paths) == _digests(again)


def test_xlsx_and_docx_carry_display_names_and_no_write_time(tmp_path):
    table = pd.DataFrame({"region": ["donegal", "vasternorrland"], "n": [12, pd.NA], "share": [0.5, 0.125],
                          "suppressed": [False, True]})
    save_table(table, "t_office", "Caption (illustrative data)", counts=["n"], directory=tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "t_office.xlsx").active
    values = list(sheet.values)
    assert values[0][0] == "Caption (illustrative data)"
    assert values[2] == ("Region", "n", "Share", "Suppressed")
    assert values[3] == ("County Donegal", 12, 0.5, None)  # numbers stay numbers
    assert values[4] == ("Västernorrland", None, 0.125, "suppressed")
    document = docx.Document(str(tmp_path / "t_office.docx"))
    assert document.paragraphs[0].text == "Caption (illustrative data)"
    assert [c.text for c in document.tables[0].rows[2].cells] == ["Västernorrland", "", "0.125", "suppressed"]
    for suffix in ("xlsx", "docx"):
        with zipfile.ZipFile(tmp_path / f"t_office.{suffix}") as archive:
            assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
            core = archive.read("docProps/core.xml").decode()
        assert re.findall(r"\d{4}-\d\d-\d\dT", core) and set(re.findall(r"(\d{4})-\d\d-\d\dT", core)) == {"2000"}


def test_long_tables_are_longtables(tmp_path):
    table = pd.DataFrame({"x": np.arange(40), "y": np.linspace(0, 1, 40)})
    save_table(table, "t_long", "Forty rows", counts=(), directory=tmp_path)
    tex = (tmp_path / "t_long.tex").read_text()
    assert "\\begin{longtable}" in tex and "\\endhead" in tex and "longtable}" in tex.splitlines()[0]


def test_save_section_writes_markdown_into_sections(tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("INNOCAP_PROVENANCE_LOG", str(log))
    monkeypatch.setenv("INNOCAP_STAGING_DIR", str(tmp_path / "staging"))
    saved = save_section("06_findings", "## Findings\n\nGaps are widest in *Suðurland*.", "Findings (illustrative)")
    assert saved == [tmp_path / "staging" / "sections" / "06_findings.md"]
    assert saved[0].read_text(encoding="utf-8") == "## Findings\n\nGaps are widest in *Suðurland*.\n"
    record = json.loads(log.read_text().splitlines()[0])
    assert (record["kind"], record["file"], record["caption"]) == ("section", "06_findings.md", "Findings (illustrative)")
    with pytest.raises(ValueError, match="caption"):
        save_section("06_x", "text", "")


def test_outside_a_build_outputs_go_to_scratch_unless_asked(monkeypatch, tmp_path):
    monkeypatch.delenv("INNOCAP_STAGING_DIR", raising=False)
    monkeypatch.delenv("INNOCAP_FIGURES_DIR", raising=False)
    assert output_directory() == config.SCRATCH_FIGURES_DIR
    assert output_directory(kind="table") == config.SCRATCH_FIGURES_DIR / "tables"
    monkeypatch.setenv("INNOCAP_FIGURES_DIR", "committed")
    assert output_directory() == config.FIGURES_DIR
    monkeypatch.setenv("INNOCAP_FIGURES_DIR", str(tmp_path))
    assert output_directory(kind="section") == tmp_path / "sections"


def test_save_table_requires_a_caption(tmp_path):
    with pytest.raises(ValueError, match="caption"):
        save_table(pd.DataFrame({"a": [1]}), "t", "", counts=(), directory=tmp_path)


def test_committed_evidence_base_has_every_format_of_every_figure_and_table():
    """Each published figure exists as a 300-dpi PNG, an SVG and a PDF; each table in every table format."""
    manifest = pd.read_csv(config.FIGURES_MANIFEST, dtype=str)
    stems = lambda kind: manifest.loc[manifest["kind"] == kind, "file"].str.rsplit(".", n=1)  # noqa: E731
    figures = stems("figure").groupby(stems("figure").str[0]).agg(lambda s: {p[1] for p in s})
    tables = stems("table").groupby(stems("table").str[0]).agg(lambda s: {p[1] for p in s})
    assert len(figures) > 20 and len(tables) > 40
    assert {stem: sorted(fmts) for stem, fmts in figures.items() if fmts != set(FIGURE_FORMATS)} == {}
    assert {stem: sorted(fmts) for stem, fmts in tables.items() if fmts != set(TABLE_FORMATS)} == {}
    for stem in figures.index:
        with Image.open(config.FIGURES_DIR / f"{stem}.png") as png:
            assert png.info["dpi"] == pytest.approx((300, 300), abs=0.1), stem
