"""Publishing: every file of the evidence base is written through this module.

:func:`save_figure` writes figures (300-dpi PNG, SVG and PDF, byte-identically across runs),
:func:`save_table` writes tables (CSV, Markdown, LaTeX, XLSX and DOCX, with a caption),
:func:`save_section` writes narrative sections (Markdown) and :func:`save_layers` writes GeoPackages.
All of them check the output name with :func:`check_output_name`, resolve the output folder with
:func:`output_directory` and record the output for ``figures/MANIFEST.csv``.

Byte-identical figures need three things: no timestamps or software versions in the file
metadata, a fixed SVG hash salt (matplotlib otherwise draws random ids for clip paths), and fonts
that do not depend on the machine (DejaVu Sans ships with matplotlib; SVG text is stored as paths).
Byte-identical XLSX and DOCX files (both are zip archives) need fixed document properties and
fixed zip entry dates (:func:`normalise_zip`).

Outside ``innocap build`` (a notebook run in JupyterLab, nbconvert or papermill) outputs go to a
scratch folder, ``output/scratch/figures``, so that such a run never overwrites the committed
``figures/``; set ``INNOCAP_FIGURES_DIR`` to write elsewhere (``committed`` names ``figures/``).

Tables that describe groups of respondents must go through :mod:`innocap_analysis.disclosure`
before they reach :func:`save_table`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import textwrap
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import docx
import geopandas as gpd
import matplotlib as mpl
import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
from docx.shared import Pt
from matplotlib.figure import Figure
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from PIL import Image

from .. import config, provenance
from ..geography.indicators import write_indicator_layers
from ..labels import display_table
from ..plots.style import RC_PARAMS

#: Resolution of published PNGs (dots per inch): print quality.
PUBLICATION_DPI: int = 300
#: Resolution of the copy a notebook displays (the published PNG, scaled down), dots per inch.
PREVIEW_DPI: int = 100
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
TABLE_FORMATS: tuple[str, ...] = ("csv", "md", "tex", "xlsx", "docx")
#: Tables longer than this many rows are LaTeX longtables (they break across pages).
LONGTABLE_ROWS: int = 30
#: The one date written into XLSX and DOCX properties and zip entries, so reruns give the same bytes.
FIXED_DATE = dt.datetime(2000, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def check_output_name(name: str, what: str = "output") -> None:
    """Refuse anything but a plain file stem (no folder, no leading dot) as an output name."""
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"{what} name must be a plain file stem, got {name!r}")


def output_directory(
    directory: str | os.PathLike[str] | None = None,
    kind: Literal["figure", "table", "section", "layer"] = "figure",
) -> Path:
    """Where an output goes: the argument, else the build's staging folder, else the scratch folder.

    ``innocap build`` sets ``INNOCAP_STAGING_DIR`` so that a notebook that fails half-way
    leaves nothing behind that looks current. Outside a build, outputs go to
    :func:`innocap_analysis.config.figures_directory_outside_build`: ``output/scratch/figures``
    unless ``INNOCAP_FIGURES_DIR`` names another folder (``committed`` is ``figures/``). Tables go
    into the ``tables/`` subfolder and sections into ``sections/``, unless ``directory`` is given.
    """
    if directory is not None:
        return Path(directory)
    staging = os.environ.get("INNOCAP_STAGING_DIR")
    root = Path(staging) if staging else config.figures_directory_outside_build()
    sub = provenance.OUTPUT_SUBFOLDERS.get(kind)
    return root / sub if sub else root


def figures_directory(directory: str | os.PathLike[str] | None = None) -> Path:
    """Where figures go (:func:`output_directory` for figures)."""
    return output_directory(directory, "figure")


def tables_directory(directory: str | os.PathLike[str] | None = None) -> Path:
    """Where tables go (:func:`output_directory` for tables)."""
    return output_directory(directory, "table")


def save_figure(
    fig: Figure,
    name: str,
    *,
    directory: str | os.PathLike[str] | None = None,
    caption: str = "",
    footnote: str = "",
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: float = PUBLICATION_DPI,
    close: bool = True,
) -> list[Path]:
    """Save ``fig`` as ``<name>.png``, ``<name>.svg`` and ``<name>.pdf``, byte-identically across runs.

    Parameters
    ----------
    fig
        The figure.
    name
        File stem, numbered by notebook, for example ``"04_distance_map"``.
    caption
        One or two sentences for the evidence report and ``figures/MANIFEST.csv``:
        what is shown, the data source, and the illustrative-data caveat where it applies.
    footnote
        Text drawn into the image under the figure, e.g. the illustrative-data caveat, so
        that the figure carries it even when shown without its caption.
    directory
        Output folder; by default the build's folder (see :func:`output_directory`).
    formats
        File formats to write, among ``png``, ``svg`` and ``pdf`` (:data:`FIGURE_FORMATS`).
    dpi
        Resolution of the PNG, dots per inch (default :data:`PUBLICATION_DPI`, 300). SVG and PDF
        are vector formats; their embedded raster images (map backgrounds) use it too.
    close
        Close the figure afterwards (default). In a notebook the returned object displays
        the saved PNG itself, scaled to :data:`PREVIEW_DPI`, so the figure is shown once, as published.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    check_output_name(name, "figure")
    unknown = sorted(set(formats) - set(_METADATA))
    if unknown or not formats:
        raise ValueError(f"figure formats must be among {sorted(_METADATA)}, got {list(formats)}")
    if not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}")
    out_dir = output_directory(directory, "figure")
    out_dir.mkdir(parents=True, exist_ok=True)
    if footnote:
        # Place the footnote just under everything already drawn (axis labels, legends,
        # captions), so it never overlaps them whatever the figure's layout.
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        fig.text(bbox.x0 / fig.get_figwidth(), (bbox.y0 - 0.04) / fig.get_figheight(),
                 textwrap.fill(footnote, 150), ha="left", va="top", fontsize=7, color="#444444")
    written = []
    with mpl.rc_context({"svg.hashsalt": RC_PARAMS["svg.hashsalt"], "svg.fonttype": "path"}):
        for fmt in formats:
            path = out_dir / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, metadata=_METADATA[fmt], dpi=dpi, bbox_inches="tight", pad_inches=0.1)
            provenance.record_output(path, "figure", caption=caption)
            written.append(path)
    if close:
        plt.close(fig)
    pngs = [p for p in written if p.suffix == ".png"]
    return provenance.SavedFiles(written, preview=_preview_png(pngs[0], dpi) if pngs else None)


def _preview_png(path: Path, dpi: float) -> bytes:
    """The published PNG scaled to :data:`PREVIEW_DPI` (what a notebook stores and shows)."""
    with Image.open(path) as image:
        scale = min(1.0, PREVIEW_DPI / dpi)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = image.resize(size, Image.Resampling.LANCZOS) if scale < 1 else image.copy()
    buffer = io.BytesIO()
    small.save(buffer, format="PNG")
    return buffer.getvalue()


def _markdown(table: pd.DataFrame, caption: str, float_format: str) -> str:
    """The caption in bold, then the table as a pipe table (:meth:`pandas.DataFrame.to_markdown`).

    Cells are formatted first (:func:`_cell`: floats to ``float_format``, missing values blank,
    ``|`` escaped), so tabulate lays them out without reparsing text as numbers; numeric columns
    are right-aligned.
    """
    shown = table.reset_index() if _has_named_index(table) else table
    cells = pd.DataFrame({c: [_cell(v, float_format) for v in shown[c].tolist()] for c in shown.columns},
                         columns=shown.columns, index=range(len(shown)))
    align = ["right" if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
             else "left" for c in shown.columns]
    body = cells.to_markdown(index=False, tablefmt="pipe", disable_numparse=True, colalign=align) if len(
        shown.columns) else ""
    return "\n".join([f"**{caption}**", "", body]) + "\n"


def _has_named_index(table: pd.DataFrame) -> bool:
    return any(name is not None for name in table.index.names)


def _cell(value: object, float_format: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return format(value, float_format)
    return str(value).replace("|", "\\|")


def office_table(table: pd.DataFrame) -> pd.DataFrame:
    """The cells the XLSX and DOCX writers publish: :func:`~innocap_analysis.labels.display_table`.

    The one place that prepares a table for office formats (display names, labelled headers), so
    that a cell-level safeguard (for example neutralising spreadsheet formulas) wraps it once.
    """
    return display_table(table)


def normalise_zip(path: Path) -> None:
    """Rewrite a zip archive (XLSX, DOCX) with fixed entry dates and attributes, in the same order.

    Office writers stamp each zip entry with the time of writing, and openpyxl stamps the
    workbook's ``modified`` property when it saves; fixing both (every date in
    ``docProps/core.xml`` becomes :data:`FIXED_DATE`) makes reruns byte-identical.
    """
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entries = [(filename, _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<2>", data) if filename == "docProps/core.xml"
                else data) for filename, data in entries]
    with zipfile.ZipFile(path, "w") as target:
        for filename, data in entries:
            info = zipfile.ZipInfo(filename, date_time=FIXED_DATE.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, data, compresslevel=6)


def _office_value(value: object) -> object:
    """A cell for openpyxl: numbers stay numbers, missing values are empty, everything else is text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "yes" if value else ""
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    return value if isinstance(value, int | float | str) else str(value)


def write_xlsx(table: pd.DataFrame, path: Path, caption: str, sheet: str = "table") -> Path:
    """Write ``table`` as a one-sheet workbook: the caption in A1, headers in bold on row 3, then the rows.

    Numbers are stored as numbers (full precision, as in the CSV); the workbook's properties
    carry :data:`FIXED_DATE`, so the same table gives the same bytes.
    """
    cells = office_table(table)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([caption])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    ws.append([str(c) for c in cells.columns])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in cells.itertuples(index=False, name=None):
        ws.append([_office_value(v) for v in row])
    for index, column in enumerate(cells.columns, start=1):
        longest = max([len(str(column)), *(len(str(v)) for v in cells[column].tolist()[:200])])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
    ws.freeze_panes = "A4"
    book.properties.creator = "innocap_analysis"
    book.properties.created = FIXED_DATE
    book.properties.modified = FIXED_DATE
    book.properties.lastModifiedBy = None
    book.save(path)
    normalise_zip(path)
    return path


def write_docx(table: pd.DataFrame, path: Path, caption: str, float_format: str = ".3g") -> Path:
    """Write ``table`` as a Word document: the caption, then a table with a bold header row.

    Numbers are rounded to ``float_format`` as in the Markdown and LaTeX; the document's core
    properties carry :data:`FIXED_DATE`, so the same table gives the same bytes.
    """
    cells = office_table(table)
    document = docx.Document()
    props = document.core_properties
    props.author = "innocap_analysis"
    props.last_modified_by = "innocap_analysis"
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.revision = 1
    document.add_paragraph(caption, style="Caption")
    grid = document.add_table(rows=1, cols=len(cells.columns))
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, cells.columns, strict=True):
        run = cell.paragraphs[0].add_run(str(column))
        run.bold = True
        run.font.size = Pt(8)
    for row in cells.itertuples(index=False, name=None):
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.paragraphs[0].add_run(_cell(value, float_format)).font.size = Pt(8)
    document.save(str(path))
    normalise_zip(path)
    return path


def _latex(table: pd.DataFrame, caption: str, name: str, float_format: str) -> str:
    """booktabs rules, display headers; a longtable beyond :data:`LONGTABLE_ROWS` rows."""
    shown = display_table(table)
    long = len(shown) > LONGTABLE_ROWS
    latex = shown.to_latex(
        index=False,
        caption=caption,
        label=f"tab:{name}",
        na_rep="",
        float_format=lambda v: format(v, float_format),
        escape=True,
        longtable=long,
    )
    needs = "booktabs, longtable" if long else "booktabs"
    return f"% innocap_analysis table {name}; needs \\usepackage{{{needs}}}\n" + latex


def save_table(
    table: pd.DataFrame,
    name: str,
    caption: str,
    *,
    directory: str | os.PathLike[str] | None = None,
    float_format: str = ".3g",
) -> list[Path]:
    """Write ``table`` as ``<name>.csv``, ``.md``, ``.tex``, ``.xlsx`` and ``.docx``.

    The CSV holds full precision and the data's own keys and column names. Markdown and LaTeX
    round to ``float_format`` and carry the caption; the LaTeX uses booktabs rules and, beyond
    :data:`LONGTABLE_ROWS` rows, a longtable. XLSX (numbers at full precision) and DOCX (rounded)
    show display names and labelled headers (:func:`office_table`), for authors to paste into
    documents. Missing values (for example suppressed cells) are blank. Every format gives the
    same bytes for the same table. Returns the files written.
    """
    if not caption:
        raise ValueError("every published table needs a caption")
    check_output_name(name, "table")
    out_dir = output_directory(directory, "table")
    out_dir.mkdir(parents=True, exist_ok=True)
    keep_index = _has_named_index(table)
    paths = {fmt: out_dir / f"{name}.{fmt}" for fmt in TABLE_FORMATS}
    table.to_csv(paths["csv"], index=keep_index, lineterminator="\n")
    paths["md"].write_text(_markdown(table, caption, float_format), encoding="utf-8")
    paths["tex"].write_text(_latex(table, caption, name, float_format), encoding="utf-8")
    write_xlsx(table, paths["xlsx"], caption)
    write_docx(table, paths["docx"], caption, float_format)
    for path in paths.values():
        provenance.record_output(path, "table", caption=caption)
    return provenance.SavedFiles(paths.values())


def save_section(name: str, markdown: str, caption: str, *,
                 directory: str | os.PathLike[str] | None = None) -> provenance.SavedFiles:
    """Write a narrative section of the evidence report as ``sections/<name>.md`` and record it.

    Parameters
    ----------
    name
        File stem, numbered by notebook (``"06_findings"``); sections appear in the HTML and PDF
        reports in notebook order, with a table-of-contents entry each.
    markdown
        The section's text (CommonMark; headings, lists, emphasis, tables). Its headings are kept.
    caption
        One line on what the section is; goes to ``figures/MANIFEST.csv`` (kind ``section``).
    directory
        Output folder; by default the ``sections/`` folder of :func:`output_directory`.

    Returns
    -------
    innocap_analysis.provenance.SavedFiles
        The one file written.
    """
    if not caption:
        raise ValueError("every published section needs a caption")
    if not isinstance(markdown, str) or not markdown.strip():
        raise ValueError(f"section {name!r}: the markdown text is empty")
    check_output_name(name, "section")
    out_dir = output_directory(directory, "section")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.md"
    path.write_text(markdown.rstrip("\n") + "\n", encoding="utf-8")
    provenance.record_output(path, "section", caption=caption)
    return provenance.SavedFiles([path])


def save_layers(
    layers: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame],
    name: str,
    *,
    caption: str,
    directory: str | os.PathLike[str] | None = None,
) -> provenance.SavedFiles:
    """Write map layers as ``<name>.gpkg`` into the build's figure folder and record it.

    Parameters
    ----------
    layers
        As for :func:`~innocap_analysis.geography.indicators.write_indicator_layers`.
    name
        File stem, numbered by notebook (``"04_service_distance_indicators"``).
    caption
        What the layers hold and their sources; goes to ``figures/MANIFEST.csv`` (kind ``layer``).
    directory
        Output folder; by default :func:`output_directory`.

    Returns
    -------
    innocap_analysis.provenance.SavedFiles
        The one file written (shown by file name only). Two writes of the same layers give the
        same bytes (see :func:`~innocap_analysis.geography.indicators.write_indicator_layers`).
    """
    if not caption:
        raise ValueError("every published output needs a caption")
    check_output_name(name, "layer file")
    path = write_indicator_layers(layers, output_directory(directory, "layer") / f"{name}.gpkg")
    provenance.record_output(path, "layer", caption=caption)
    return provenance.SavedFiles([path])


def save_interim(table: pd.DataFrame, name: str) -> provenance.SavedFiles:
    """Leave a table for a later notebook of the same build (:func:`~innocap_analysis.evidence.inputs.load_interim`).

    Written as ``<name>.parquet`` (dtypes kept, same bytes for the same table) into
    :func:`innocap_analysis.config.interim_directory`. Interim tables are not published: they
    are not in ``figures/MANIFEST.csv``, and the notebook that reads one records it as an input.
    """
    check_output_name(name, "interim table")
    directory = config.interim_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.parquet"
    table.to_parquet(path, index=False)
    return provenance.SavedFiles([path])
