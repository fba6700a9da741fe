"""Statistical disclosure control: every suppression rule of the package, in one place.

Anything published about groups of respondents (a table, a figure, a sentence) passes through
this module first. References: Hundepool et al. (2012), *Statistical Disclosure Control*,
Wiley, ch. 4 (threshold rule).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from . import config


def suppress_small_cells(
    table: pd.DataFrame,
    min_n: int = config.MIN_CELL_SIZE,
    count_column: str | None = "n",
    *,
    value_columns: list[str] | None = None,
    mask_count: bool = True,
) -> pd.DataFrame:
    """Mask every group smaller than ``min_n`` (primary cell suppression).

    Two table shapes are handled:

    * a *group table* with a count column (default ``n``): in rows with ``n < min_n``
      the value columns (all other numeric columns, or ``value_columns``) and, if
      ``mask_count``, the count itself become ``<NA>``; a boolean column ``suppressed``
      is added;
    * a *frequency table* (``count_column=None``, e.g. from :func:`pandas.crosstab`):
      every cell with ``0 < count < min_n`` becomes ``<NA>``.

    Only primary suppression is done: a masked cell can sometimes be recovered from
    margins; publish margins computed from the suppressed table, or none.
    Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4
    (threshold rule).

    Parameters
    ----------
    table
        Group statistics or frequencies.
    min_n
        Minimum group size (respondents) that may be published; default
        :data:`innocap_analysis.config.MIN_CELL_SIZE`.

    Returns
    -------
    pandas.DataFrame, a new table (the input is not modified); numeric columns that
    get masked become nullable (``Float64``/``Int64``).
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, not {min_n}")
    out = table.copy()
    if count_column is None:
        numeric = out.select_dtypes("number").columns
        for column in numeric:
            values = out[column]
            small = (values > 0) & (values < min_n)
            out[column] = values.astype("Float64" if values.dtype.kind == "f" else "Int64").mask(small)
        return out
    if count_column not in out.columns:
        raise KeyError(f"suppress_small_cells: no count column {count_column!r} in {list(out.columns)}")
    counts = pd.to_numeric(out[count_column])
    small = (counts < min_n).to_numpy()
    columns = value_columns if value_columns is not None else [
        c for c in out.select_dtypes("number").columns if c != count_column
    ]
    for column in columns:
        values = out[column]
        if values.dtype.kind in "iub":
            values = values.astype("Int64")
        elif values.dtype.kind == "f":
            values = values.astype("Float64")
        out[column] = values.mask(small)
    if mask_count:
        out[count_column] = counts.astype("Int64").mask(small)
    out["suppressed"] = small
    return out


def suppress_small_estimates(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    *,
    min_cell_size: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Blank every statistic of a row whose smallest count is below ``min_cell_size``.

    The rule is :func:`suppress_small_cells` (primary threshold
    suppression) applied to the smallest of ``count_columns``. Statistics stay float64 (NaN
    where blanked) and other counts become ``Int64`` (``<NA>`` where blanked); each count in
    ``count_columns`` is blanked where it is itself below the threshold but not zero, so a
    structurally empty cell stays visible. A ``suppressed`` column says which rows were
    blanked. Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley,
    ch. 4 (threshold rule).
    """
    protected = {"dimension", "group", "estimator", "assumption", "meaning", "category", *count_columns}
    numeric = [c for c in table.columns if c not in protected and pd.api.types.is_numeric_dtype(table[c])]
    flagged = suppress_small_cells(
        table.assign(_smallest_count=table[list(count_columns)].min(axis=1)),
        min_cell_size,
        count_column="_smallest_count",
        value_columns=numeric,
        mask_count=False,
    ).drop(columns="_smallest_count")
    for column in numeric:
        if column == "n" or column.startswith("n_"):
            flagged[column] = flagged[column].astype("Int64")
        else:
            flagged[column] = flagged[column].astype(float)  # Float64 <NA> -> NaN, as every other estimate
    for column in count_columns:
        blank = (table[column] > 0) & (table[column] < min_cell_size)
        flagged[column] = table[column].astype("Int64").mask(blank)
    flagged["suppressed"] = flagged["suppressed"].astype(bool)
    return flagged
