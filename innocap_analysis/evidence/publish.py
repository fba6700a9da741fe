"""Publishing: every file of the evidence base is written through this module.

:func:`save_figure` writes figures (300-dpi PNG, SVG and PDF, byte-identically across runs),
:func:`save_table` writes tables (CSV, Markdown, LaTeX, XLSX and DOCX, with a caption),
:func:`save_section` writes narrative sections (Markdown, ``sections/``) and :func:`save_layers` writes
GeoPackages. All of them check the output name with :func:`check_output_name`, resolve the output folder with
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
before they reach :func:`save_table`, which declares their respondent counts (``counts=[...]``) and
refuses any count of 1 to ``MIN_CELL_SIZE - 1``; :func:`save_figure` refuses a drawn label
``n = k`` with such a count. The build audits every published table again
(:func:`innocap_analysis.disclosure.audit_publication`).

Two further rules hold for everything published:

* no cell of a CSV (or any other spreadsheet file) the package writes can run as a formula:
  :func:`neutralise_formulas` prefixes a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return with ``'`` (the OWASP rule against CSV injection); numbers stay numbers;
* a build publishes its whole output folder at once (:func:`begin_publication`,
  :func:`complete_publication`): it writes a complete new folder beside the old one on the same
  filesystem and swaps it in with one rename, so a reader never sees half of one build and half of
  another, and an I/O error (a full disk, a read-only folder) leaves the previous outputs complete.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import io
import os
import re
import secrets
import shutil
import textwrap
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
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
from matplotlib.text import Text
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from PIL import Image

from .. import config, disclosure, labels, provenance
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


#: Subfolder of the figure folder per output kind (figures and layers sit at its top); the one
#: mapping lives in :mod:`innocap_analysis.provenance`, which names the outputs in MANIFEST.csv.
OUTPUT_SUBFOLDERS: dict[str, str] = provenance.OUTPUT_SUBFOLDERS


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
    page: bool = False,
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
    page
        Keep the figure's own size (a printed page, e.g. A4) instead of cropping it to what is
        drawn; the footnote then goes at the foot of the page.

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
    _check_figure_counts(fig, name)
    out_dir = output_directory(directory, "figure")
    out_dir.mkdir(parents=True, exist_ok=True)
    if footnote and page:
        fig.text(0.06, 0.02, textwrap.fill(footnote, 130), ha="left", va="bottom", fontsize=7, color="#444444")
    elif footnote:
        # Place the footnote just under everything already drawn (axis labels, legends,
        # captions), so it never overlaps them whatever the figure's layout.
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        fig.text(bbox.x0 / fig.get_figwidth(), (bbox.y0 - 0.04) / fig.get_figheight(),
                 textwrap.fill(footnote, 150), ha="left", va="top", fontsize=7, color="#444444")
    written = []
    with mpl.rc_context({"svg.hashsalt": RC_PARAMS["svg.hashsalt"], "svg.fonttype": "path"}):
        for fmt in formats:
            path = out_dir / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, metadata=_METADATA[fmt], dpi=dpi,
                        bbox_inches=fig.bbox_inches if page else "tight", pad_inches=0.1)
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


def _check_figure_counts(fig: Figure, name: str) -> None:
    """Refuse a figure that writes a respondent count of 1 to ``MIN_CELL_SIZE - 1`` (``"n = 3"``)."""
    texts = [t.get_text() for t in fig.findobj(Text)]
    findings = disclosure.small_counts_in_text(texts, name=name)
    if findings:
        raise disclosure.DisclosureError(
            f"figure {name!r} writes respondent counts below {config.MIN_CELL_SIZE}: "
            + "; ".join(str(f) for f in findings[:5]) + " (draw masked cells as 'n < 5')"
        )


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

    The one place that prepares a table for office formats: display names and labelled headers,
    then :func:`neutralise_formulas` (a text cell a spreadsheet would run as a formula starts with
    ``'``), as for the CSV.
    """
    return neutralise_formulas(display_table(table))


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
    counts: Sequence[str] | None = None,
    shares: Mapping[str, str] | None = None,
    directory: str | os.PathLike[str] | None = None,
    float_format: str = ".3g",
) -> list[Path]:
    """Write ``table`` as ``<name>.csv``, ``.md``, ``.tex``, ``.xlsx`` and ``.docx``.

    The CSV holds full precision and the data's own keys and column names. Markdown and LaTeX
    round to ``float_format`` and carry the caption; the LaTeX uses booktabs rules and, beyond
    :data:`LONGTABLE_ROWS` rows, a longtable. XLSX (numbers at full precision) and DOCX (rounded)
    show display names and labelled headers (:func:`office_table`), for authors to paste into
    documents. Missing values (for example suppressed cells) are blank. In the CSV, XLSX and DOCX a
    text cell that a spreadsheet would run as a formula starts with ``'`` (:func:`neutralise_formulas`).
    Every format gives the same bytes for the same table. Returns the files written.

    Parameters
    ----------
    counts
        Required: the columns that hold respondent counts (a group's size or the number of
        respondents in an answer category); ``counts=()`` for a table that holds none (geography,
        model results). They are checked here (:func:`innocap_analysis.disclosure.check_table`: no
        count of 1 to ``MIN_CELL_SIZE - 1``), recorded for ``MANIFEST.csv`` and checked again by the
        build's disclosure audit, together with the masked cells the table carries
        (:func:`innocap_analysis.disclosure.disclosure_records`, written to ``DISCLOSURE.csv``).
    shares
        ``{share column: count column of its base}`` for shares of respondents, which reveal a count
        (``share * base``) and are checked as one.

    Returns the files written.

    Raises
    ------
    innocap_analysis.disclosure.DisclosureError
        When a declared count (or a count a declared share reveals) is 1 to ``MIN_CELL_SIZE - 1``,
        or a column the protecting function recorded as a count is not declared.
    """
    if not caption:
        raise ValueError("every published table needs a caption")
    check_output_name(name, "table")
    if counts is None or isinstance(counts, str):
        raise TypeError(
            f"save_table({name!r}): declare the respondent-count columns, counts=[...] "
            "(counts=() when the table holds no counts of respondents)"
        )
    counts, shares = list(counts), dict(shares or {})
    disclosure.check_table(table, counts, shares, name=name)
    masked = disclosure.disclosure_records(table)
    out_dir = output_directory(directory, "table")
    out_dir.mkdir(parents=True, exist_ok=True)
    keep_index = _has_named_index(table)
    paths = {fmt: out_dir / f"{name}.{fmt}" for fmt in TABLE_FORMATS}
    neutralise_formulas(table).to_csv(paths["csv"], index=keep_index, lineterminator="\n")
    paths["md"].write_text(_markdown(table, caption, float_format), encoding="utf-8")
    paths["tex"].write_text(_latex(table, caption, name, float_format), encoding="utf-8")
    write_xlsx(table, paths["xlsx"], caption)
    write_docx(table, paths["docx"], caption, float_format)
    declared = {"counts": counts, "shares": shares}
    for fmt, path in paths.items():
        cells = ([[r, c, rule, _json_number(lo), _json_number(hi)]
                  for r, c, rule, lo, hi in masked.itertuples(index=False, name=None)] if fmt == "csv" else [])
        provenance.record_output(path, "table", caption=caption, disclosure={**declared, "masked": cells})
    return provenance.SavedFiles(paths.values())


def _json_number(value: float) -> float | str | None:
    """A float for the JSON provenance log: ``None`` for NaN, ``"inf"`` for an unbounded interval."""
    if pd.isna(value):
        return None
    return "inf" if value == float("inf") else float(value)


def save_section(
    name: str,
    markdown: str,
    caption: str,
    *,
    directory: str | os.PathLike[str] | None = None,
) -> provenance.SavedFiles:
    """Write a narrative section of the evidence (``<name>.md`` in ``sections/``) and record it.

    Sections are generated text (a partner profile, a methods annex) that the evidence report shows
    as prose; they go to ``figures/MANIFEST.csv`` with kind ``section`` and their caption. The text
    is written as given (UTF-8, one trailing newline), so the same text gives the same bytes.

    Parameters
    ----------
    name
        File stem, numbered by notebook (``"08_profile_donegal"``); sections appear in the HTML and
        PDF reports in notebook order, each with a table-of-contents entry.
    markdown
        The section (CommonMark), starting with its heading; its headings are kept.
    caption
        One sentence on what the section holds, with the illustrative-data caveat where it applies.
    directory
        Output folder; by default the build's ``sections/`` folder (:func:`output_directory`).

    Returns
    -------
    innocap_analysis.provenance.SavedFiles
        The one file written.
    """
    if not caption:
        raise ValueError("every published section needs a caption")
    if not isinstance(markdown, str) or not markdown.strip():
        raise ValueError(f"section {name!r} is empty")
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


# --- Spreadsheet formulas (CSV injection) ---------------------------------------------------------------

# What looks like a formula is one rule, in :mod:`innocap_analysis.labels` (the codebook warns with it too).
_TRIGGER = "^[" + re.escape("".join(labels.FORMULA_TRIGGERS)) + "]"


def neutralise_cell(value: object) -> object:
    """One cell (or header) as :func:`neutralise_formulas` writes it: ``'`` before a formula trigger."""
    return "'" + value if labels.formula_like(value) else value


def restore_cell(value: object) -> object:
    """The text before :func:`neutralise_cell`: for reading a published CSV back where no formula can run (HTML)."""
    if isinstance(value, str) and value.startswith("'") and labels.formula_like(value[1:]):
        return value[1:]
    return value


def _neutralise_values(values: pd.Series) -> pd.Series:
    """Text values with ``'`` before a formula trigger; any other dtype (numbers, dates) unchanged."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.cat.categories, dtype=values.cat.categories.dtype)
        fixed = _neutralise_values(categories)
        return values if fixed is categories else values.cat.rename_categories(list(fixed))
    if not (pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)):
        return values
    try:
        text = values.str
    except AttributeError:  # an object column without any text (e.g. all integers)
        return values
    risky = text.contains(_TRIGGER, regex=True, na=False) & ~text.fullmatch(labels.PLAIN_NUMBER, na=False)
    risky = risky.astype(bool)
    if not risky.any():
        return values
    fixed = values.astype(object).copy()
    fixed[risky.to_numpy()] = ("'" + values[risky].astype(str)).to_numpy(dtype=object)
    return fixed.astype(values.dtype)


def _neutralise_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_neutralise_index(level) for level in index.levels])
    names = pd.Series(index, dtype=index.dtype)
    fixed = _neutralise_values(names)
    return index if fixed is names else pd.Index(fixed, name=index.name, dtype=index.dtype)


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` that no spreadsheet will run as formulas (the OWASP rule against CSV injection).

    Every text cell, column label and index label that starts with ``=``, ``+``, ``-``, ``@``, tab
    or carriage return (:data:`innocap_analysis.labels.FORMULA_TRIGGERS`) gets a ``'`` in front:
    ``=HYPERLINK("http://x","cost")`` is written ``'=HYPERLINK("http://x","cost")``, which Excel,
    LibreOffice and Google Sheets show as text. Numbers stay numbers: numeric columns are not touched, and a text cell that is a plain
    number (``"-3"``, ``"+1.5"``) is what a spreadsheet reads as that number, so it is kept too.
    Every writer of a spreadsheet-readable file (CSV, XLSX, DOCX tables) applies this.

    References
    ----------
    OWASP Foundation, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.
    """
    out = table.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        fixed = _neutralise_values(column)
        if fixed is not column:
            out.isetitem(position, fixed)
    out.columns = _neutralise_index(out.columns).set_names([neutralise_cell(n) for n in out.columns.names])
    out.index = _neutralise_index(out.index).set_names([neutralise_cell(n) for n in out.index.names])
    return out


def neutralise_record(record: Mapping[str, object]) -> dict[str, object]:
    """A row of a CSV written with :mod:`csv` (such as ``MANIFEST.csv``) with :func:`neutralise_cell` on each value."""
    return {key: neutralise_cell(value) for key, value in record.items()}


# --- Publishing a whole output folder at once -------------------------------------------------------

_NEW, _OLD = "innocap-new", "innocap-old"
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


class PublishError(Exception):
    """An I/O error while publishing, said in one line: the path, the system's error and what was kept.

    A path inside the unfinished publication folder is named as the output it was to become
    (``figures/tables/x.csv``, not ``.figures.innocap-new-.../tables/x.csv``).
    """

    def __init__(self, exc: OSError, target: Path):
        target = Path(target)
        path = Path(os.fsdecode(getattr(exc, "filename2", None) or exc.filename or target))
        self.path = _as_published(path, target)
        self.errno, self.target = exc.errno, target
        code = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else ""
        reason = (exc.strerror or str(exc)) + (f" ({code})" if code else "")
        super().__init__(f"cannot publish {self.path}: {reason}; nothing was published, the previous outputs "
                         f"in {target} are unchanged")


def _as_published(path: Path, target: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.parent == target.parent and parent.name.startswith(f".{target.name}.{_NEW}-"):
            return target / path.relative_to(parent)
    return path


def _pid_of(path: Path) -> int | None:
    match = re.search(rf"\.(?:{_NEW}|{_OLD})-(\d+)-[0-9a-f]+$", path.name)
    return int(match.group(1)) if match else None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _sibling(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def remove_abandoned(target: Path) -> None:
    """Remove what a killed build left beside ``target`` (its ``.<name>.innocap-new-<pid>-*`` siblings)."""
    target = Path(target)
    if not target.parent.is_dir():
        return
    for path in target.parent.glob(f".{target.name}.innocap-*"):
        pid = _pid_of(path)
        if pid is not None and pid != os.getpid() and not _process_alive(pid):
            _remove(path)


def _copy_tree(source: Path, destination: Path) -> None:
    """Copy the files of ``source`` into the existing folder ``destination`` (symlinks followed)."""
    for path in sorted(source.rglob("*")):
        copy = destination / path.relative_to(source)
        if path.is_dir():
            copy.mkdir(exist_ok=True)
            shutil.copymode(path, copy)
        else:
            shutil.copy2(path, copy)


def begin_publication(target: str | os.PathLike[str]) -> Path:
    """Start publishing into ``target``: a new sibling folder on the same filesystem, holding a copy of it.

    The build writes its outputs into the returned folder (outputs of notebooks not rerun are
    already there), then calls :func:`complete_publication`, or :func:`abandon_publication` on failure.
    ``target`` itself is not touched until then. A symlinked ``target`` is followed: the folder it
    points to is the one replaced, so the symlink stays valid.

    Raises
    ------
    PublishError
        When the folder cannot be made or filled (a read-only or full filesystem): nothing is left behind.
    """
    target = Path(target).resolve()
    new = _sibling(target, _NEW)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(target)
        new.mkdir()
        if target.is_dir():
            shutil.copymode(target, new)
            _copy_tree(target, new)
    except OSError as exc:
        _remove(new)
        raise PublishError(exc, target) from exc
    return new


@lru_cache(maxsize=1)
def _renameat2():  # noqa: ANN202 - the C function, or None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without renameat2
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a filesystem without the exchange: two renames instead
    raise OSError(code, os.strerror(code), str(second))


def complete_publication(new: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Switch the folder ``new`` in for ``target`` in one rename, then remove the old one.

    Where the filesystem can swap two directories atomically (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``: ext4, xfs, btrfs, tmpfs), a reader of ``target`` sees the old folder or the
    new one, nothing else. Elsewhere the old folder is renamed aside first and ``new`` is renamed
    into place with :func:`os.replace`: a reader may find no folder for that instant, never a mixed
    one. ``target`` stays a real directory, so a tracked ``figures/`` keeps a clean ``git status``.

    Raises
    ------
    PublishError
        When the rename fails; ``target`` is then unchanged and ``new`` removed.
    """
    new, target = Path(new), Path(target).resolve()
    try:
        if not target.exists():
            os.replace(new, target)
        elif _exchange(new, target):
            _remove(new)  # now the previous outputs
        else:
            old = _sibling(target, _OLD)
            os.replace(target, old)
            try:
                os.replace(new, target)
            except OSError:
                os.replace(old, target)
                raise
            _remove(old)
    except OSError as exc:
        abandon_publication(new)
        raise PublishError(exc, target) from exc


def abandon_publication(new: str | os.PathLike[str], staged: Iterable[Path] = ()) -> None:
    """Remove an unfinished publication folder (and staged files); the published outputs stay as they were."""
    _remove(Path(new))
    for path in staged:
        _remove(Path(path))


def stage_file(final: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` beside ``final`` under a temporary name, for :func:`replace_staged` to rename into place.

    A build stages every file it publishes outside its output folder (the executed notebooks) before
    it switches the folder in, so that a full disk stops it before anything changed.

    Raises
    ------
    PublishError
        When it cannot be written (nothing is left behind).
    """
    final = Path(final)
    staged = _sibling(final, _NEW)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(final)
        staged.write_bytes(data)
        if final.exists():
            shutil.copymode(final, staged)
    except OSError as exc:
        _remove(staged)
        raise PublishError(exc, final.parent) from exc
    return staged


def replace_staged(pairs: Iterable[tuple[Path, Path]]) -> None:
    """Rename each staged file onto its final path (:func:`os.replace`: each file atomically).

    Raises
    ------
    PublishError
        When a rename fails (the files before it are replaced, the rest keep their previous content).
    """
    pairs = list(pairs)
    for index, (staged, final) in enumerate(pairs):
        try:
            os.replace(staged, final)
        except OSError as exc:
            for leftover, _ in pairs[index:]:
                _remove(Path(leftover))
            raise PublishError(exc, Path(final).parent) from exc
