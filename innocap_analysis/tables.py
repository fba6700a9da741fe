"""Publishing tables: one call writes CSV, Markdown and LaTeX with a caption.

Tables that describe groups of respondents must go through
:func:`innocap_analysis.survey.privacy.suppress_small_cells` before they reach here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from . import config, provenance

TABLE_FORMATS: tuple[str, ...] = ("csv", "md", "tex")


def tables_directory(directory: str | os.PathLike[str] | None = None) -> Path:
    """Where tables go: the argument, else ``tables/`` under the build's figure folder."""
    if directory is not None:
        return Path(directory)
    staging = os.environ.get("INNOCAP_STAGING_DIR")
    if staging:
        return Path(staging) / "tables"
    figures = os.environ.get("INNOCAP_FIGURES_DIR")
    return Path(figures) / "tables" if figures else config.TABLES_DIR


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
    directory: str | os.PathLike[str] | None = None,
    float_format: str = ".3g",
) -> list[Path]:
    """Write ``table`` as ``<name>.csv``, ``<name>.md`` and ``<name>.tex``.

    The CSV holds full precision; Markdown and LaTeX round to ``float_format`` and
    carry the caption. Missing values (for example suppressed cells) are blank.
    Returns the files written.
    """
    if not caption:
        raise ValueError("every published table needs a caption")
    if not name or Path(name).name != name:
        raise ValueError(f"table name must be a plain file stem, got {name!r}")
    out_dir = tables_directory(directory)
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
    for path in paths.values():
        provenance.record_output(path, "table", caption=caption)
    return provenance.SavedFiles(paths.values())
