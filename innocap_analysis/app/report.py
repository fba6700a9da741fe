"""The evidence report: one self-contained, offline HTML page of every section, figure and table.

The page is assembled from ``MANIFEST.csv`` in notebook order (:func:`report_model`, which
:mod:`~innocap_analysis.app.pdf_report` uses too) and rendered with the jinja2 templates in
``innocap_analysis/app/templates``. It opens with a table of contents whose entries link to an
anchor per notebook, section, figure and table. Within a notebook, its narrative sections come
first (``figures/sections/*.md``, written by :func:`~innocap_analysis.evidence.publish.save_section`),
then its figures, then its tables.

Figures are embedded as PNG data URIs (the published 300-dpi PNG scaled to
:data:`REPORT_FIGURE_DPI` in a 256-colour palette, which keeps the page a few megabytes), so the page opens without
network or neighbouring files. Tables show display names and labelled headers
(:func:`innocap_analysis.labels.display_table`); a table longer than :data:`COLLAPSE_ROWS` rows is
collapsed under a summary line, with a link that downloads its CSV (embedded too). Every table
scrolls inside its own box, so that no table makes the page wider than the screen. The same
inputs give the same bytes.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from PIL import Image

from .. import __version__
from ..evidence import publish
from ..evidence.sentences import report_caveat
from ..labels import display_table
from ..provenance import ATTRIBUTION_GEO

REPORT_NAME = "evidence_report.html"
TITLE = "INNOCAP evidence base: capability and service distance in the NPA partner regions"
#: Resolution of the figures embedded in the HTML page (the published PNGs are 300 dpi).
REPORT_FIGURE_DPI = 150
#: Tables with more rows than this are collapsed, with a link to their CSV.
COLLAPSE_ROWS = 15
#: The attributions printed at the end of both reports.
ATTRIBUTIONS = (
    ATTRIBUTION_GEO,
    "NUTS 2021 boundaries: © EuroGeographics for the administrative boundaries, GISCO - Eurostat "
    "(non-commercial use). Population, area and typologies: Source: Eurostat. Settlements: Data from "
    "GeoNames (geonames.org), CC BY 4.0. Newfoundland and Labrador, Faroe Islands and Greenland outlines: "
    "Made with Natural Earth (public domain).",
)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("innocap_analysis.app", "templates"),
    autoescape=jinja2.select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass
class ReportTable:
    """A table as the reports show it: display cells (text), the CSV's bytes, its size."""

    header: list[str]
    rows: list[list[str]]
    csv_bytes: bytes
    n_rows: int
    n_columns: int
    numeric: list[bool] = field(default_factory=list)

    @property
    def collapsed(self) -> bool:
        return self.n_rows > COLLAPSE_ROWS


@dataclass
class ReportItem:
    """One section, figure or table of the report."""

    kind: str  # "section", "figure" or "table"
    anchor: str
    name: str
    file: str
    caption: str
    title: str
    path: Path
    table: ReportTable | None = None
    markdown: str = ""


@dataclass
class ReportNotebook:
    """The outputs of one notebook, in report order (sections, figures, tables)."""

    anchor: str
    title: str
    notebook: str
    items: list[ReportItem] = field(default_factory=list)


@dataclass
class ReportModel:
    """Everything both reports show, in order."""

    title: str
    data_note: str
    version: str
    real_run: bool
    notebooks: list[ReportNotebook]
    attributions: tuple[str, ...] = ATTRIBUTIONS


def notebook_title(name: str) -> str:
    """``04_service_distance.ipynb`` -> ``04. Service distance``."""
    stem = Path(name).stem
    number, _, rest = stem.partition("_")
    return f"{number}. {rest.replace('_', ' ').capitalize()}"


def display_cell(value: str) -> str:
    """Shorten long decimals for reading (the CSV keeps full precision)."""
    try:
        number = float(value)
    except ValueError:
        return value
    if "." not in value or not (abs(number) < 1e15):
        return value
    return f"{number:.4g}" if abs(number) < 1e4 else f"{number:,.0f}"


def read_report_table(csv_path: Path) -> ReportTable:
    """A published CSV as the reports show it: display names, labelled headers, rounded decimals."""
    raw = csv_path.read_bytes()
    # The CSV carries a ' before text that looks like a formula (publish.neutralise_formulas); the page shows the text.
    table = pd.read_csv(io.BytesIO(raw), keep_default_na=False, dtype=str).map(publish.restore_cell)
    table.columns = [publish.restore_cell(c) for c in table.columns]
    shown = display_table(table)
    rows = [[display_cell(str(v)) for v in row] for row in shown.itertuples(index=False, name=None)]
    numeric = [all(_is_number(row[j]) for row in rows if row[j] != "") and any(row[j] != "" for row in rows)
               for j in range(len(shown.columns))]
    return ReportTable([str(c) for c in shown.columns], rows, raw, len(table), len(table.columns), numeric)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _anchor(prefix: str, name: str) -> str:
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")


def section_title(markdown: str, caption: str, name: str) -> str:
    """A section's entry in the table of contents: its first heading, else its caption, else its name."""
    tokens = _MARKDOWN.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            return tokens[index + 1].content
    return caption or name


def markdown_html(markdown: str, shift: int = 2) -> str:
    """Render a section's Markdown (CommonMark and tables; raw HTML is escaped, not passed through).

    Headings keep their text and order and move down ``shift`` levels (``#`` becomes ``<h3>``, at
    most ``<h6>``), so that they nest under the report's notebook headings.
    """
    tokens = _MARKDOWN.parse(markdown)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


_KIND_ORDER = {"section": 0, "figure": 1, "table": 2}


def report_model(figures_dir: Path, *, real_run: bool = False) -> ReportModel:
    """Read ``MANIFEST.csv`` and the outputs it lists into the content of the reports.

    Figures are their PNG files (the SVG and PDF twins are named in the caption line); tables are
    their CSV files (the Markdown, LaTeX, XLSX and DOCX twins carry the same content); sections are
    their Markdown files.
    """
    manifest = pd.read_csv(figures_dir / "MANIFEST.csv", dtype=str, keep_default_na=False).map(publish.restore_cell)
    notebooks = []
    for notebook, rows in manifest[manifest["notebook"] != ""].groupby("notebook", sort=True):  # build records apart
        entry = ReportNotebook(_anchor("nb", Path(notebook).stem), notebook_title(notebook), notebook)
        chosen = rows[
            ((rows["kind"] == "figure") & rows["file"].str.endswith(".png"))
            | ((rows["kind"] == "table") & rows["file"].str.endswith(".csv"))
            | ((rows["kind"] == "section") & rows["file"].str.endswith(".md"))
        ].copy()
        chosen["order"] = chosen["kind"].map(_KIND_ORDER)
        for _, row in chosen.sort_values(["order", "file"]).iterrows():
            path = figures_dir / row["file"]
            name = Path(row["file"]).stem
            kind = row["kind"]
            item = ReportItem(kind, _anchor({"figure": "fig", "table": "tab", "section": "sec"}[kind], name),
                              name, row["file"], row["caption"], name, path)
            if kind == "table":
                item.table = read_report_table(path)
            elif kind == "section":
                item.markdown = path.read_text(encoding="utf-8")
                item.title = section_title(item.markdown, row["caption"], name)
            entry.items.append(item)
        notebooks.append(entry)
    return ReportModel(TITLE, report_caveat(illustrative=not real_run), __version__, real_run, notebooks)


def _png_data_uri(path: Path) -> str:
    """The published PNG at :data:`REPORT_FIGURE_DPI`, as a data URI (same bytes for the same PNG)."""
    with Image.open(path) as image:
        scale = min(1.0, REPORT_FIGURE_DPI / publish.PUBLICATION_DPI)
        dpi = image.info.get("dpi", (publish.PUBLICATION_DPI, publish.PUBLICATION_DPI))[0]
        scale = min(1.0, REPORT_FIGURE_DPI / dpi) if dpi else scale
        if scale < 1.0:
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.Resampling.LANCZOS)
        # A 256-colour palette (no dithering: flat plot colours stay flat) makes the page about 2.8 times
        # smaller (9.6 MB of figures -> 3.4 MB here) with no visible change at screen resolution.
        image = image.convert("RGB").quantize(256, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_evidence_report(model: ReportModel) -> str:
    """The report page for ``model`` (the jinja2 template ``report.html.j2``)."""
    template = _ENV.get_template("report.html.j2")
    return template.render(
        model=model,
        figure_src=lambda item: _png_data_uri(item.path),
        csv_href=lambda item: "data:text/csv;base64," + base64.b64encode(item.table.csv_bytes).decode("ascii"),
        section_html=lambda item: markdown_html(item.markdown),
        collapse_rows=COLLAPSE_ROWS,
    )


def write_evidence_report(figures_dir: Path, *, real_run: bool = False) -> Path:
    """Write ``evidence_report.html`` next to ``MANIFEST.csv`` in ``figures_dir``; returns its path."""
    out = figures_dir / REPORT_NAME
    out.write_text(render_evidence_report(report_model(figures_dir, real_run=real_run)), encoding="utf-8")
    return out
