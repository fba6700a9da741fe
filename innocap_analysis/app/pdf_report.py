"""The evidence report as a PDF: the content of the HTML page, page-numbered, for print and for attachment.

Built with fpdf2 (pure Python: no system binary at run time) from the same model as the HTML page
(:func:`~innocap_analysis.app.report.report_model`): the data caveat, a table of contents with page
numbers (and PDF bookmarks), then per notebook its narrative sections (Markdown rendered through
the same CommonMark renderer, headings kept), its figures (the published 300-dpi PNGs) with their
captions, and its tables with display names and labelled headers. A table wider than
:data:`MAX_COLUMNS` columns is printed in column blocks that repeat its first column; a table
longer than :data:`MAX_ROWS` rows prints its first :data:`MAX_ROWS` rows and names the files that
hold all of them. The attributions close the document. Text is set in DejaVu Sans (shipped with
matplotlib), which covers every character of the partner names (ä, ð, þ, í).

The file carries a fixed creation date and producer, so the same outputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle
from fpdf.outline import TableOfContents
from matplotlib import get_data_path
from PIL import Image

from ..evidence.publish import PUBLICATION_DPI
from .report import ReportItem, ReportModel, markdown_html, report_model

PDF_REPORT_NAME = "evidence_report.pdf"
#: Columns per printed block of a wide table (the first column is repeated in every block).
MAX_COLUMNS = 8
#: Rows printed per table; longer tables name their CSV/XLSX for the rest.
MAX_ROWS = 40
_FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_FONT_DIR = Path(get_data_path()) / "fonts" / "ttf"
_FONT = "DejaVu"


class _ReportPDF(FPDF):
    """A4 portrait, DejaVu Sans, "INNOCAP evidence report - page N of M" in the footer."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(_FONT, "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(_FONT, "I", str(_FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.add_font(_FONT, "BI", str(_FONT_DIR / "DejaVuSans-BoldOblique.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_creation_date(_FIXED_DATE)
        self.set_producer("innocap_analysis")
        self.set_creator("innocap_analysis")
        self.set_title("INNOCAP evidence report")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"INNOCAP evidence report - page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)


def _render_toc(pdf: FPDF, outline: list) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(_FONT, "B", 13)
    pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 9)
    TableOfContents(level_indent=5, line_spacing=1.2, ignore_pages_before_toc=False).render_toc(pdf, outline)


def _paragraph(pdf: FPDF, text: str, size: float = 9, style: str = "", colour: int = 0) -> None:
    pdf.set_font(_FONT, style, size)
    pdf.set_text_color(colour)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _figure(pdf: FPDF, item: ReportItem) -> None:
    width_mm = pdf.epw
    w, h = _png_size_mm(item.path)
    scale = min(1.0, width_mm / w, (pdf.eph - 30) / h)
    w, h = w * scale, h * scale
    if pdf.get_y() + h + 12 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.start_section(f"Figure {item.name}", level=1)
    pdf.image(str(item.path), x=pdf.l_margin + (width_mm - w) / 2, w=w, h=h)
    pdf.ln(1)
    _caption(pdf, item, "(also .svg and .pdf)")
    pdf.ln(3)


def _png_size_mm(path: Path) -> tuple[float, float]:
    """The printed size of a published PNG at its own resolution, in millimetres."""
    with Image.open(path) as image:
        dpi = float(image.info.get("dpi", (PUBLICATION_DPI, PUBLICATION_DPI))[0]) or PUBLICATION_DPI
        return image.width / dpi * 25.4, image.height / dpi * 25.4


def _caption(pdf: FPDF, item: ReportItem, tail: str = "") -> None:
    pdf.set_font(_FONT, "B", 7.5)
    pdf.set_text_color(60)
    pdf.multi_cell(0, 3.6, f"**{item.name}.** {item.caption} {tail}".strip(), markdown=True,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(_FONT, "", 7.5)


def _column_blocks(n_columns: int) -> list[list[int]]:
    """Column indices per printed block: all columns, or the first column plus up to MAX_COLUMNS - 1 others."""
    if n_columns <= MAX_COLUMNS:
        return [list(range(n_columns))]
    step = MAX_COLUMNS - 1
    return [[0, *range(start, min(start + step, n_columns))] for start in range(1, n_columns, step)]


def _table(pdf: FPDF, item: ReportItem) -> None:
    table = item.table
    if pdf.get_y() + 25 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.start_section(f"Table {item.name}", level=1)
    shown_rows = table.rows[:MAX_ROWS]
    note = ""
    if table.n_rows > MAX_ROWS:
        note = (f"(first {MAX_ROWS} of {table.n_rows} rows; all rows in tables/{item.name}.csv, .xlsx and "
                ".docx, and in the HTML report)")
    _caption(pdf, item, note)
    blocks = _column_blocks(len(table.header))
    for number, block in enumerate(blocks, start=1):
        if len(blocks) > 1:
            _paragraph(pdf, f"Columns {number} of {len(blocks)} blocks", size=6.5, style="I", colour=90)
        pdf.set_font(_FONT, "", 6.5)
        aligns = tuple("RIGHT" if table.numeric[j] else "LEFT" for j in block)
        with pdf.table(
            text_align=aligns,
            line_height=3.2,
            padding=0.8,
            headings_style=FontFace(emphasis="BOLD", fill_color=(240, 240, 240)),
            borders_layout="SINGLE_TOP_LINE",
            first_row_as_headings=True,
            repeat_headings=1,
        ) as grid:
            grid.row([table.header[j] for j in block])
            for row in shown_rows:
                grid.row([row[j] for j in block])
        pdf.ln(2)
    pdf.ln(2)


def _section(pdf: FPDF, item: ReportItem) -> None:
    html = markdown_html(item.markdown)
    if not re.search(r"<h[1-6]>", html):  # write_html makes the outline entries of the section's headings
        pdf.start_section(item.title, level=1)
    pdf.set_font(_FONT, "", 9)
    headings = {f"h{level}": TextStyle(font_family=_FONT, font_style="B", font_size_pt=size, color=0, t_margin=2,
                                       b_margin=1)
                for level, size in ((3, 12), (4, 10.5), (5, 9.5), (6, 9))}
    pdf.write_html(html, font_family=_FONT, tag_styles=headings)
    pdf.ln(3)


def render_pdf_report(model: ReportModel) -> bytes:
    """The PDF for ``model``."""
    pdf = _ReportPDF()
    pdf.add_page()
    _paragraph(pdf, model.title, size=15, style="B")
    pdf.ln(2)
    _paragraph(pdf, f"Data caveat. {model.data_note}", size=9, style="B", colour=90)
    pdf.ln(1)
    _paragraph(pdf, f"Generated by innocap_analysis {model.version} (innocap build). Every figure and table traces "
                    "to its notebook and input checksums in MANIFEST.csv; the HTML report "
                    "(evidence_report.html) has the same content.", size=7.5, colour=90)
    pdf.ln(3)
    n_entries = sum(1 + len(nb.items) for nb in model.notebooks) + 1
    pdf.insert_toc_placeholder(_render_toc, pages=max(1, -(-n_entries // 55)), allow_extra_pages=True)
    for nb in model.notebooks:
        if pdf.get_y() > pdf.t_margin + 1:  # the table of contents' page break already started a page
            pdf.add_page()
        pdf.start_section(nb.title, level=0)  # an outline entry; the heading is printed below
        _paragraph(pdf, nb.title, size=14, style="B")
        _paragraph(pdf, f"Notebook: notebooks/{nb.notebook}", size=7.5, colour=90)
        pdf.ln(2)
        for item in nb.items:
            {"section": _section, "figure": _figure, "table": _table}[item.kind](pdf, item)
    pdf.add_page()
    pdf.start_section("Data sources and attributions", level=0)
    _paragraph(pdf, "Data sources and attributions", size=14, style="B")
    for text in model.attributions:
        _paragraph(pdf, text, size=8.5)
        pdf.ln(2)
    return bytes(pdf.output())


def write_pdf_report(figures_dir: Path, *, real_run: bool = False) -> Path:
    """Write ``evidence_report.pdf`` next to ``MANIFEST.csv`` in ``figures_dir``; returns its path."""
    out = figures_dir / PDF_REPORT_NAME
    out.write_bytes(render_pdf_report(report_model(figures_dir, real_run=real_run)))
    return out
