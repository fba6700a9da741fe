"""The indicator hierarchy of a composite index (the shape of COINr's ``iMeta``).

The hierarchy is a ``structure`` table with one row per node: ``code, parent, weight, direction``;
:func:`structure_from_coinr` converts a COINr ``iMeta``. Leaves are the indicators; every code
named as a parent is an aggregate; a node whose parent is empty is a root. Any depth and any number
of roots work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """A validated indicator hierarchy (see :func:`parse_structure`).

    Attributes
    ----------
    indicators
        Leaf codes, in structure order.
    aggregates
        Aggregate codes in structure order (the output column order).
    aggregation_order
        Aggregates sorted by height (children before parents), then structure order.
    children
        Aggregate code -> its child codes, in structure order.
    parent
        Code -> parent code (``None`` for a root).
    weight
        Code -> weight of the node inside its parent's group.
    direction
        Indicator code -> +1 or -1.
    height
        Code -> 0 for indicators, 1 + max height of the children for aggregates.
    """

    indicators: list[str]
    aggregates: list[str]
    aggregation_order: list[str]
    children: dict[str, list[str]]
    parent: dict[str, str | None]
    weight: dict[str, float]
    direction: dict[str, int]
    height: dict[str, int]

    @property
    def roots(self) -> list[str]:
        """Codes without a parent (normally the single overall index)."""
        return [code for code in self.aggregates if self.parent[code] is None]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value == ""


def parse_structure(structure: pd.DataFrame | Hierarchy) -> Hierarchy:
    """Validate a ``code, parent, weight, direction`` table and return a :class:`Hierarchy`.

    Parameters
    ----------
    structure
        One row per node. ``code`` unique and non-empty; ``parent`` empty for a root, else the
        code of another row; ``weight`` finite and >= 0 (the weight inside the parent's group,
        rescaled to sum to 1 there at aggregation time, as in COINr); ``direction`` +1 or -1
        for every indicator (ignored, and may be empty, for aggregates).

    Raises
    ------
    ValueError
        Naming the row and column of any missing column, duplicate code, unknown parent,
        cycle, bad weight or bad direction.
    """
    if isinstance(structure, Hierarchy):
        return structure
    required = ["code", "parent", "weight", "direction"]
    missing = [c for c in required if c not in structure.columns]
    if missing:
        raise ValueError(f"structure lacks column(s) {missing}; it needs {required}")
    codes = [str(c) for c in structure["code"]]
    for row, code in enumerate(structure["code"]):
        if _is_blank(code):
            raise ValueError(f"structure row {row}: column 'code' is empty")
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ValueError(f"structure column 'code' has duplicates: {duplicated}")
    parent: dict[str, str | None] = {}
    for row, (code, par) in enumerate(zip(codes, structure["parent"], strict=True)):
        if _is_blank(par):
            parent[code] = None
            continue
        par = str(par)
        if par not in codes:
            raise ValueError(f"structure row {row} (code {code!r}): parent {par!r} is not a code of the structure")
        if par == code:
            raise ValueError(f"structure row {row} (code {code!r}) is its own parent")
        parent[code] = par
    children: dict[str, list[str]] = {}
    for code in codes:
        if parent[code] is not None:
            children.setdefault(parent[code], []).append(code)
    aggregates = [c for c in codes if c in children]
    indicators = [c for c in codes if c not in children]

    # Heights by repeated relaxation; more passes than nodes means a cycle.
    height = dict.fromkeys(indicators, 0)
    pending = list(aggregates)
    for _ in range(len(codes) + 1):
        if not pending:
            break
        still = []
        for code in pending:
            if all(child in height for child in children[code]):
                height[code] = 1 + max(height[child] for child in children[code])
            else:
                still.append(code)
        if len(still) == len(pending):
            raise ValueError(f"structure has a cycle among codes {sorted(still)}")
        pending = still

    weight: dict[str, float] = {}
    for row, (code, value) in enumerate(zip(codes, structure["weight"], strict=True)):
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"structure row {row} (code {code!r}): weight {value!r} is not a number") from None
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"structure row {row} (code {code!r}): weight {value!r} must be finite and >= 0")
        weight[code] = w
    direction: dict[str, int] = {}
    for row, (code, value) in enumerate(zip(codes, structure["direction"], strict=True)):
        if code not in children:
            try:
                numeric = float(value)
            except (TypeError, ValueError):
                numeric = np.nan
            if _is_blank(value) or numeric not in (1.0, -1.0):
                raise ValueError(f"structure row {row} (indicator {code!r}): direction {value!r} must be +1 or -1")
            direction[code] = int(numeric)
    order = sorted(aggregates, key=lambda c: (height[c], codes.index(c)))
    return Hierarchy(indicators, aggregates, order, children, parent, weight, direction, height)


def structure_from_coinr(imeta: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Convert COINr's ``iMeta`` table to a structure table and a denominator mapping.

    Parameters
    ----------
    imeta
        COINr indicator metadata with columns ``iCode, Parent, Weight, Direction, Type``
        and optionally ``Denominator`` (Becker et al. 2022, ``new_coin`` documentation).
        Rows of ``Type`` ``Indicator`` and ``Aggregate`` form the hierarchy; ``Group`` and
        ``Denominator`` rows describe other columns and are left out.

    Returns
    -------
    structure : pandas.DataFrame
        Columns ``code, parent, weight, direction``.
    denominators : dict
        Indicator code -> name of the column it is divided by.
    """
    missing = [c for c in ("iCode", "Parent", "Weight", "Direction", "Type") if c not in imeta.columns]
    if missing:
        raise ValueError(f"iMeta lacks column(s) {missing}")
    nodes = imeta[imeta["Type"].isin(["Indicator", "Aggregate"])]
    structure = pd.DataFrame(
        {
            "code": nodes["iCode"].astype(str).to_numpy(),
            "parent": nodes["Parent"].to_numpy(),
            "weight": nodes["Weight"].astype(float).to_numpy(),
            "direction": nodes["Direction"].to_numpy(),
        }
    )
    denominators: dict[str, str] = {}
    if "Denominator" in imeta.columns:
        has = nodes["Denominator"].notna() & (nodes["Denominator"].astype(str) != "")
        denominators = dict(zip(nodes.loc[has, "iCode"].astype(str), nodes.loc[has, "Denominator"].astype(str), strict=True))
    return structure, denominators


def _indicator_matrix(data: pd.DataFrame, indicators: Sequence[str], what: str = "data") -> pd.DataFrame:
    missing = [c for c in indicators if c not in data.columns]
    if missing:
        raise ValueError(f"{what} lacks indicator column(s) {missing}")
    out = data[list(indicators)]
    bad = [c for c in indicators if not pd.api.types.is_numeric_dtype(out[c])]
    if bad:
        raise ValueError(f"{what} column(s) {bad} are not numeric (dtypes {[str(out[c].dtype) for c in bad]})")
    if data.index.has_duplicates:
        raise ValueError(f"{what} index has duplicate unit labels: {sorted(set(data.index[data.index.duplicated()]))[:10]}")
    values = out.to_numpy(dtype=float)
    if np.isinf(values).any():
        row, col = np.argwhere(np.isinf(values))[0]
        raise ValueError(f"{what} has an infinite value at unit {data.index[row]!r}, column {indicators[col]!r}")
    return out.astype(float)
