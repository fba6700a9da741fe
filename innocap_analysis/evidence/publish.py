"""Publishing: every file of the evidence base is written through this module.

:func:`save_figure` writes figures (PNG and SVG, byte-identically across runs), :func:`save_table`
writes tables (CSV, Markdown and LaTeX with a caption) and :func:`save_layers` writes GeoPackages.
All three check the output name with :func:`check_output_name`, resolve the output folder with
:func:`output_directory` and record the output for ``figures/MANIFEST.csv``.

Byte-identical figures need three things: no timestamps or software versions in the file
metadata, a fixed SVG hash salt (matplotlib otherwise draws random ids for clip paths), and fonts
that do not depend on the machine (DejaVu Sans ships with matplotlib; SVG text is stored as paths).

Tables that describe groups of respondents must go through :mod:`innocap_analysis.disclosure`
before they reach :func:`save_table`, which declares their respondent counts (``counts=[...]``) and
refuses any count of 1 to ``MIN_CELL_SIZE - 1``; :func:`save_figure` refuses a drawn label
``n = k`` with such a count. The build audits every published table again
(:func:`innocap_analysis.disclosure.audit_publication`).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text

from .. import config, disclosure, provenance
from ..geography.indicators import write_indicator_layers
from ..plots.style import RC_PARAMS

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg")
TABLE_FORMATS: tuple[str, ...] = ("csv", "md", "tex")
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
    directory: str | os.PathLike[str] | None = None, kind: Literal["figure", "table"] = "figure"
) -> Path:
    """Where an output goes: the argument, else the build's staging folder, else ``figures/``.

    ``innocap build`` sets ``INNOCAP_STAGING_DIR`` so that a notebook that fails half-way
    leaves nothing behind that looks current, and ``INNOCAP_FIGURES_DIR`` for runs on
    real exports, which never write into the committed ``figures/``. Tables go into the
    ``tables/`` subfolder of the figure folder, unless ``directory`` is given.
    """
    if directory is not None:
        return Path(directory)
    staging = os.environ.get("INNOCAP_STAGING_DIR")
    root = Path(staging) if staging else Path(os.environ.get("INNOCAP_FIGURES_DIR", config.FIGURES_DIR))
    return root / "tables" if kind == "table" else root


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
    close: bool = True,
) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg``, byte-identically across runs.

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
        File formats to write.
    close
        Close the figure afterwards (default). In a notebook the returned object displays
        the saved PNG itself, so the figure is shown once, exactly as published.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    check_output_name(name, "figure")
    _check_figure_counts(fig, name)
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
            fig.savefig(path, format=fmt, metadata=_METADATA.get(fmt), dpi=RC_PARAMS["savefig.dpi"],
                        bbox_inches="tight", pad_inches=0.1)
            provenance.record_output(path, "figure", caption=caption)
            written.append(path)
    if close:
        plt.close(fig)
    return provenance.SavedFiles(written)


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
    shown = table.reset_index() if _has_named_index(table) else table
    header = "| " + " | ".join(str(c) for c in shown.columns) + " |"
    rule = "| " + " | ".join("---" for _ in shown.columns) + " |"
    body = [
        "| " + " | ".join(_cell(v, float_format) for v in row) + " |"
        for row in shown.itertuples(index=False, name=None)
    ]
    return "\n".join([f"**{caption}**", "", header, rule, *body]) + "\n"


def _has_named_index(table: pd.DataFrame) -> bool:
    return any(name is not None for name in table.index.names)


def _cell(value: object, float_format: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return format(value, float_format)
    return str(value).replace("|", "\\|")


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
    """Write ``table`` as ``<name>.csv``, ``<name>.md`` and ``<name>.tex``.

    The CSV holds full precision; Markdown and LaTeX round to ``float_format`` and
    carry the caption. Missing values (for example suppressed cells) are blank.

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
    table.to_csv(paths["csv"], index=keep_index, lineterminator="\n")
    paths["md"].write_text(_markdown(table, caption, float_format), encoding="utf-8")
    latex = table.to_latex(
        index=keep_index,
        caption=caption,
        label=f"tab:{name}",
        na_rep="",
        float_format=lambda v: format(v, float_format),
        escape=True,
    )
    paths["tex"].write_text(latex, encoding="utf-8")
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
    path = write_indicator_layers(layers, output_directory(directory, "figure") / f"{name}.gpkg")
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
