"""Statistical disclosure control: every suppression rule of the package, in one place.

Anything published about respondents (a table, a figure, a sentence) passes through this module
first. Four rules, applied in this order:

1. **Threshold rule** (primary): a cell of 1 to ``min_n - 1`` respondents is masked, whether it
   is a group's size or the count in one answer category (:func:`threshold_mask`). A zero is
   published (nobody is described by it), unless rule 2 applies.
2. **Attribute rule** (primary): a share of 0% or 100% computed from a group of fewer than
   ``min_group_for_extremes`` respondents is masked, because it tells every member's answer
   (:func:`extreme_share_mask`); :func:`share_band` gives a band instead where one is wanted.
3. **Secondary suppression**: further cells are masked so that no masked cell can be solved back
   from the published ones, through the margins of a table or through other tables published from
   the same counts. It is a small integer program (:func:`protect_cells`, solved with
   :func:`scipy.optimize.milp`, HiGHS) that masks the fewest extra cells.
4. **Audit**: for every masked cell, the interval an attacker can derive from everything published
   (:func:`audit_intervals`, two linear programs per cell with :func:`scipy.optimize.linprog`).
   A primary cell whose interval is narrower than ``min_width`` (default the threshold) is not
   protected; :func:`protect_cells` adds cuts until every one is, and the build fails if one is not
   (:func:`audit_publication`).

Statistics computed from a masked count (a share, its interval, a mean, a test statistic) are
masked with it (rule ``"derived"``). Tables get a boolean ``suppressed`` column and carry their
masked cells in ``DataFrame.attrs`` (:func:`disclosure_records`), which
:func:`~innocap_analysis.evidence.publish.save_table` passes to the build's ``DISCLOSURE.csv``.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E., Spicer, K. &
    de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley. Ch. 4 (threshold rule, secondary
    cell suppression, audit by linear programming), ch. 5 (frequency tables, attribute disclosure from
    zero and full cells).
Fischetti, M. & Salazar-González, J. J. (2001). Solving the cell suppression problem on tabular data
    with linear constraints. *Management Science* 47(7), 1008-1027 (the integer program and its cuts).
Meindl, B. (2024). sdcTable: Methods for statistical disclosure control in tabular data. R package;
    de Wolf, P.-P. et al. tau-Argus (the same model: hierarchies of additive relations, primary
    suppression, optimal secondary suppression, audit).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from . import config

#: Rule names, as written in ``DISCLOSURE.csv``.
THRESHOLD = "threshold"
EXTREME_SHARE = "extreme share"
SECONDARY = "secondary"
DERIVED = "derived"
#: Rules that protect a cell for its own sake (the audit interval applies to these).
PRIMARY_RULES: tuple[str, ...] = (THRESHOLD, EXTREME_SHARE)
#: Columns of a disclosure record (one masked cell) and of ``DISCLOSURE.csv``.
RECORD_COLUMNS: tuple[str, ...] = ("row", "column", "rule", "audit_low", "audit_high")
DISCLOSURE_COLUMNS: tuple[str, ...] = ("table", "notebook", *RECORD_COLUMNS)

#: Roles of a cell in a linked system of cells.
VISIBLE = "visible"  # shown in a published table; masking it costs a cell
IMPLICIT = "implicit"  # not shown, but derivable from shown cells (a complement such as "not aware")
FIXED = "fixed"  # known to everyone (published elsewhere): never masked unless it is itself primary
HIDDEN = "hidden"  # never published: unknown to everyone, neither protected nor counted
ROLES: tuple[str, ...] = (VISIBLE, IMPLICIT, FIXED, HIDDEN)

_ATTRS_RECORDS = "disclosure"
_ATTRS_COUNTS = "respondent_counts"
_ATTRS_KEYS = "disclosure_keys"
_TOTAL = "__total__"


class DisclosureError(ValueError):
    """A table cannot be protected, or a published output breaks a disclosure rule."""


# --------------------------------------------------------------------------------- primary rules


def threshold_mask(counts: Sequence[float] | np.ndarray | pd.Series, min_n: int = config.MIN_CELL_SIZE) -> np.ndarray:
    """Cells of 1 to ``min_n - 1`` respondents (the threshold rule; missing counts are not flagged).

    Parameters
    ----------
    counts
        Respondent counts.
    min_n
        Smallest count that may be published (respondents).

    Returns
    -------
    numpy.ndarray of bool
    """
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, not {min_n}")
    values = pd.to_numeric(pd.Series(np.asarray(counts, dtype=object)), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num((values > 0) & (values < min_n), nan=False).astype(bool)


def extreme_share_mask(
    counts: Sequence[float] | np.ndarray | pd.Series,
    bases: Sequence[float] | np.ndarray | pd.Series,
    min_group: int = config.MIN_GROUP_FOR_EXTREMES,
) -> np.ndarray:
    """Shares of 0% or 100% (``count`` of ``base``) from groups of fewer than ``min_group`` (attribute rule).

    "0 of 7 are aware" tells every one of the 7 what the others answered; the same share from a
    group of 40 does not single anybody out in practice. An empty group (``base = 0``) has no share.
    """
    count = np.asarray(counts, dtype=float)
    base = np.asarray(bases, dtype=float)
    with np.errstate(invalid="ignore"):
        small = (base > 0) & (base < min_group)
        extreme = (count == 0) | (count == base)
    return np.nan_to_num(small & extreme, nan=False).astype(bool)


def share_band(count: int, base: int, min_width: int = config.MIN_AUDIT_WIDTH) -> str:
    """A band for a masked share that covers at least ``min_width`` possible counts, in percent.

    The alternative to masking an extreme share: ``share_band(0, 7)`` is ``"0-57%"`` (0 to 4 of 7), which
    holds the true share without telling which of five counts it is. Returns ``""`` for an empty group.
    """
    if base <= 0:
        return ""
    width = min(max(min_width - 1, 0), base)
    low = min(max(count - width // 2, 0), base - width)
    high = low + width
    return f"{100 * low / base:.0f}-{100 * high / base:.0f}%"


# ------------------------------------------------------------------------------ linked cells


@dataclass(frozen=True)
class Protection:
    """The outcome of :func:`protect_cells`, one entry per cell.

    Attributes
    ----------
    masked
        Cells not published (hidden cells included).
    rule
        ``"threshold"``, ``"extreme share"``, ``"secondary"`` or ``""`` (published, or hidden).
    audit_low, audit_high
        What an attacker can derive about each masked cell (respondents; ``NaN`` for published and
        hidden cells, ``inf`` when unbounded).
    rounds
        Integer programs solved (1 when the first pattern passed the audit).
    """

    masked: np.ndarray
    rule: np.ndarray
    audit_low: np.ndarray
    audit_high: np.ndarray
    rounds: int

    @property
    def width(self) -> np.ndarray:
        """Audit interval width per cell (respondents)."""
        return self.audit_high - self.audit_low


def _as_relations(relations: sparse.sparray | sparse.spmatrix | np.ndarray | None, m: int) -> sparse.csr_array:
    if relations is None:
        return sparse.csr_array((0, m))
    out = sparse.csr_array(relations, dtype=float)
    if out.shape[1] != m:
        raise ValueError(f"relations have {out.shape[1]} columns for {m} cells")
    return out


def audit_intervals(
    values: Sequence[float] | np.ndarray,
    relations: sparse.sparray | sparse.spmatrix | np.ndarray | None,
    masked: Sequence[bool] | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of each masked cell that follows from the published cells (linear programming).

    For a masked cell ``i`` the attacker's problem is ``min / max x_i`` subject to every relation
    ``relations @ x = 0`` with the published cells fixed at their values and every masked cell
    ``x >= 0`` (counts). Each connected group of masked cells is solved on its own with
    :func:`scipy.optimize.linprog` (HiGHS). This is the standard audit of cell suppression
    (Hundepool et al. 2012, sec. 4.3; tau-Argus "audit"). The linear relaxation ignores that counts
    are integers, so an interval may be up to one count wider than the integer one.

    Parameters
    ----------
    values
        True value of every cell (respondents).
    relations
        Sparse matrix, one row per additive relation (coefficients such as +1 for parts, -1 for the
        total), ``relations @ values == 0``.
    masked
        Cells the attacker does not see.

    Returns
    -------
    (low, high)
        Arrays over all cells; ``NaN`` for published cells, ``inf`` where unbounded.
    """
    values = np.asarray(values, dtype=float)
    masked = np.asarray(masked, dtype=bool)
    m = len(values)
    rel = _as_relations(relations, m)
    low = np.full(m, np.nan)
    high = np.full(m, np.nan)
    if not masked.any():
        return low, high
    inconsistent = np.abs(rel @ values) > 1e-6
    if inconsistent.any():
        raise DisclosureError(f"relations {np.flatnonzero(inconsistent)[:5].tolist()} do not hold for the values")
    hidden_idx = np.flatnonzero(masked)
    rel_abs = abs(rel)
    sub = rel_abs[:, hidden_idx]
    adjacency = (sub.T @ sub).tocsr()
    n_comp, labels = connected_components(adjacency, directed=False)
    published = ~masked
    rhs_all = -(rel[:, np.flatnonzero(published)] @ values[published])
    for comp in range(n_comp):
        cols = hidden_idx[labels == comp]
        rows = np.flatnonzero(np.asarray(rel_abs[:, cols].sum(axis=1)).ravel() > 0)
        if rows.size == 0:
            low[cols], high[cols] = 0.0, np.inf
            continue
        a_eq = rel[rows][:, cols].toarray()
        b_eq = rhs_all[rows]
        for k, cell in enumerate(cols):
            objective = np.zeros(len(cols))
            objective[k] = 1.0
            bounds = [(0, None)] * len(cols)
            lower = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            upper = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if lower.status != 0:
                raise DisclosureError(f"audit of cell {cell} failed: {lower.message}")
            low[cell] = max(0.0, round(lower.fun, 6))
            high[cell] = np.inf if upper.status == 3 else round(-upper.fun, 6)
    return low, high


def _milp_constraints(
    values: np.ndarray, rel: sparse.csr_array, primary: np.ndarray, hidden: np.ndarray, min_width: float
) -> tuple[sparse.csr_array, np.ndarray]:
    """Rows ``A s >= b`` of the cell suppression integer program (see :func:`protect_cells`)."""
    m = len(values)
    coo = rel.tocoo()
    k, i, a = coo.row, coo.col, coo.data
    keep = ~hidden[i]
    k, i, a = k[keep], i[keep], a[keep]
    t = np.arange(len(k))
    select = sparse.csr_array((np.ones(len(k)), (t, k)), shape=(len(k), rel.shape[0]))
    own = sparse.csr_array((np.ones(len(k)), (t, i)), shape=(len(k), m))
    # (a) a masked cell is never alone in a relation: sum over the relation's cells minus twice its own >= 0
    alone = select @ abs(rel) - 2 * own
    blocks, bounds = [alone], [np.zeros(len(k))]
    # (b) a primary cell's relation holds masked partners able to absorb a change of min_width:
    # a partner on the same side gives at most its value, a partner on the other side (a total) min_width.
    p = primary[i]
    if p.any():
        capped = np.minimum(values, min_width)
        rel_coo = rel.tocoo()
        same_pos = sparse.csr_array(
            (np.where(rel_coo.data > 0, capped[rel_coo.col], min_width), (rel_coo.row, rel_coo.col)), shape=rel.shape
        )
        same_neg = sparse.csr_array(
            (np.where(rel_coo.data < 0, capped[rel_coo.col], min_width), (rel_coo.row, rel_coo.col)), shape=rel.shape
        )
        sel = select[np.flatnonzero(p)]
        sign = a[p]
        capacity = sparse.diags_array((sign > 0).astype(float)) @ sel @ same_pos
        capacity = capacity + sparse.diags_array((sign < 0).astype(float)) @ sel @ same_neg
        capacity = capacity - sparse.csr_array(
            (capped[i[p]], (np.arange(p.sum()), i[p])), shape=(int(p.sum()), m)
        )
        blocks.append(capacity)
        bounds.append(np.maximum(min_width - values[i[p]], 0.0))
    return sparse.vstack(blocks).tocsr(), np.concatenate(bounds)


@contextlib.contextmanager
def _quiet_solver() -> Iterator[None]:
    """Silence what HiGHS's MIP solver prints from C to file descriptor 1 (a debug line, not an error).

    The build stores notebook outputs, which must not depend on solver chatter.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def protect_cells(
    values: Sequence[float] | np.ndarray,
    relations: sparse.sparray | sparse.spmatrix | np.ndarray | None,
    primary: Sequence[str] | np.ndarray,
    *,
    roles: Sequence[str] | np.ndarray | None = None,
    min_width: float = config.MIN_AUDIT_WIDTH,
    max_rounds: int = 200,
) -> Protection:
    """Secondary cell suppression: mask the fewest extra cells so that every primary cell is protected.

    The integer program (Fischetti & Salazar-González 2001, in the simplified form of Hundepool et al.
    2012, sec. 4.2) has one binary ``s_i`` per cell (1 = masked) and minimises the number of
    visible cells masked (ties: the smaller cells), subject to

    * every primary cell masked, fixed cells published, hidden cells unknown;
    * no masked cell alone in a relation (it would be the relation's remainder);
    * in every relation of a primary cell, masked partners that can absorb a change of ``min_width``
      respondents (a part gives at most its own value);
    * Benders cuts (Fischetti & Salazar-González 2001): for the current pattern, the attacker's linear
      programs (how far can primary cell ``p`` move up, and down, given the published cells?) are solved
      with :func:`scipy.optimize.linprog`; when the two together span less than ``min_width``, their
      duals give a constraint on ``s`` that every protecting pattern satisfies, and it is added. If
      these cannot settle it, one more cell next to ``p``'s group of masked cells must be masked.

    It is solved with :func:`scipy.optimize.milp` (HiGHS) until no cut is violated, and the pattern is
    then audited (:func:`audit_intervals`), so the returned pattern is always verified.

    Parameters
    ----------
    values
        True value of every cell (respondents).
    relations
        Additive relations, ``relations @ values == 0`` (see :func:`audit_intervals`).
    primary
        Per cell, the primary rule that masks it (``"threshold"``, ``"extreme share"``) or ``""``.
    roles
        Per cell one of :data:`ROLES` (default all ``"visible"``).
    min_width
        Narrowest audit interval allowed for a primary cell (respondents).
    max_rounds
        Integer programs solved at most.

    Returns
    -------
    Protection

    Raises
    ------
    DisclosureError
        When no pattern protects every primary cell (for example when every partner of a small cell is
        published elsewhere).
    """
    values = np.asarray(values, dtype=float)
    m = len(values)
    if np.isnan(values).any() or (values < 0).any():
        raise DisclosureError("cell values must be non-negative counts")
    rule = np.asarray(primary, dtype=object).copy()
    rule[pd.isna(rule)] = ""
    roles = np.asarray(roles if roles is not None else [VISIBLE] * m, dtype=object)
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown cell roles {unknown}; use {ROLES}")
    hidden = roles == HIDDEN
    is_primary = (rule != "") & ~hidden
    rule[hidden] = ""
    rel = _as_relations(relations, m)
    nan = np.full(m, np.nan)
    if not is_primary.any():
        return Protection(hidden.copy(), rule, nan, nan.copy(), 0)

    scale = max(values.max(), 1.0)
    cost = np.where(roles == VISIBLE, 1.0 + 1e-3 * values / scale, 1e-3 + 1e-6 * values / scale)
    cost = np.where(hidden | is_primary, 0.0, cost)
    lower = (is_primary | hidden).astype(float)
    upper = np.where((roles == FIXED) & ~is_primary, 0.0, 1.0)
    matrix, rhs = _milp_constraints(values, rel, is_primary, hidden, float(min_width))
    bound = float(values[roles != HIDDEN].sum() + min_width)  # no cell can move further than this
    cuts: list[np.ndarray] = []
    cut_rhs: list[float] = []
    for rounds in range(1, max_rounds + 1):
        constraint_rows = [matrix] + ([sparse.csr_array(np.vstack(cuts))] if cuts else [])
        a = sparse.vstack(constraint_rows).tocsr()
        b = np.concatenate([rhs, np.asarray(cut_rhs, dtype=float)])
        with _quiet_solver():
            result = milp(cost, integrality=np.ones(m), bounds=Bounds(lower, upper),
                          constraints=LinearConstraint(a, b, np.inf))
        if result.status != 0 or result.x is None:
            raise DisclosureError(
                f"no suppression pattern protects the primary cells {np.flatnonzero(is_primary)[:10].tolist()} "
                f"({result.message}); their partners are all published elsewhere"
            )
        masked = result.x > 0.5
        new_cuts = _benders_cuts(values, rel, masked, is_primary, bound, float(min_width))
        if not new_cuts:
            low, high = audit_intervals(values, rel, masked)
            failing = is_primary & ((high - low) < min_width - 1e-9)
            if not failing.any():
                rule[masked & ~is_primary & ~hidden] = SECONDARY
                return Protection(masked, rule, np.where(hidden, np.nan, low), np.where(hidden, np.nan, high),
                                  rounds)
            new_cuts = [(cut, 1.0) for cut in _cuts(rel, masked, failing, upper > 0)]
            if not new_cuts:
                cells = np.flatnonzero(failing)[:10].tolist()
                raise DisclosureError(
                    f"cells {cells} cannot be protected: their audit interval stays narrower than {min_width} and "
                    "every cell that could widen it is published elsewhere"
                )
        for cut, level in new_cuts:
            cuts.append(cut)
            cut_rhs.append(level)
    raise DisclosureError(f"secondary suppression did not converge in {max_rounds} rounds")


def _benders_cuts(
    values: np.ndarray,
    rel: sparse.csr_array,
    masked: np.ndarray,
    is_primary: np.ndarray,
    bound: float,
    min_width: float,
) -> list[tuple[np.ndarray, float]]:
    """Violated protection constraints of the current pattern, from the attacker's linear programs.

    For a primary cell ``p`` the attacker moves every cell by ``d`` with ``rel @ d = 0`` and
    ``-value_j * s_j <= d_j <= bound * s_j``; ``p`` is protected when ``max d_p + max(-d_p) >= min_width``.
    By LP duality each maximum is at most ``sum_j (alpha_j * bound + beta_j * value_j) * s_j`` for the
    optimal duals ``(alpha, beta)`` of the bounds, whatever the pattern ``s`` (the dual's feasible set
    does not depend on it). So when the current pattern falls short, the sum of the two gives the cut
    ``sum_j coef_j * s_j >= min_width`` that every protecting pattern satisfies and this one does not.
    Only the relations around ``p`` enter (``d`` is zero elsewhere), which keeps each program small.
    """
    m = len(values)
    rel_abs = abs(rel)
    cuts = []
    for p in np.flatnonzero(is_primary):
        rows = rel_abs[:, [p]].nonzero()[0]
        if rows.size == 0:
            continue
        # the neighbourhood reached through masked cells: relations of p, then of masked cells in them, ...
        cols = np.array([p])
        while True:
            touched = np.flatnonzero(np.asarray(rel_abs[rows].sum(axis=0)).ravel() > 0)
            grow = np.union1d(cols, touched[masked[touched]])
            new_rows = np.unique(rel_abs[:, grow].nonzero()[0])
            if len(grow) == len(cols) and len(new_rows) == len(rows):
                break
            cols, rows = grow, new_rows
        cells = np.flatnonzero(np.asarray(rel_abs[rows].sum(axis=0)).ravel() > 0)
        a_eq = rel[rows][:, cells]
        s = masked[cells].astype(float)
        bounds = np.column_stack([-values[cells] * s, bound * s])
        k = int(np.flatnonzero(cells == p)[0])
        reach, coef = 0.0, np.zeros(len(cells))
        for sign in (-1.0, 1.0):  # max d_p, then max -d_p
            objective = np.zeros(len(cells))
            objective[k] = sign
            lp = linprog(objective, A_eq=a_eq, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
            if lp.status != 0:
                reach = np.inf
                break
            reach += -lp.fun
            coef += np.maximum(-np.asarray(lp.upper.marginals), 0.0) * bound
            coef += np.maximum(np.asarray(lp.lower.marginals), 0.0) * values[cells]
        if reach >= min_width - 1e-9:
            continue
        cut = np.zeros(m)
        cut[cells] = coef
        cuts.append((cut, min_width))
    return cuts


def _cuts(rel: sparse.csr_array, masked: np.ndarray, failing: np.ndarray, maskable: np.ndarray) -> list[np.ndarray]:
    """One cut per group of masked cells holding a failing primary cell: mask one more neighbour."""
    m = len(masked)
    idx = np.flatnonzero(masked)
    rel_abs = abs(rel)
    sub = rel_abs[:, idx]
    _, labels = connected_components((sub.T @ sub).tocsr(), directed=False)
    cuts = []
    for comp in np.unique(labels[failing[idx]]):
        cols = idx[labels == comp]
        rows = np.flatnonzero(np.asarray(rel_abs[:, cols].sum(axis=1)).ravel() > 0)
        neighbours = np.asarray(rel_abs[rows].sum(axis=0)).ravel() > 0
        candidates = neighbours & ~masked & maskable
        if not candidates.any():
            return []
        cut = np.zeros(m)
        cut[candidates] = 1.0
        cuts.append(cut)
    return cuts


# ------------------------------------------------------------------------- building relations


class RelationBuilder:
    """Collects additive relations ``sum(coef * x) = 0`` as a sparse matrix (vectorised appends)."""

    def __init__(self, m: int) -> None:
        self.m = m
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.data: list[np.ndarray] = []
        self.count = 0

    def add_sums(self, totals: np.ndarray, parts: Sequence[np.ndarray]) -> None:
        """Relations ``totals[k] = sum_j parts[j][k]`` (one per ``k``; a part index of -1 is absent)."""
        totals = np.asarray(totals, dtype=int)
        k = self.count + np.arange(len(totals))
        self.rows.append(k)
        self.cols.append(totals)
        self.data.append(-np.ones(len(totals)))
        for part in parts:
            part = np.asarray(part, dtype=int)
            present = part >= 0
            self.rows.append(k[present])
            self.cols.append(part[present])
            self.data.append(np.ones(int(present.sum())))
        self.count += len(totals)

    def add_equal(self, left: np.ndarray, right: np.ndarray) -> None:
        """Relations ``left[k] = right[k]`` (a cell shown twice)."""
        left, right = np.asarray(left, dtype=int), np.asarray(right, dtype=int)
        k = self.count + np.arange(len(left))
        self.rows += [k, k]
        self.cols += [left, right]
        self.data += [np.ones(len(left)), -np.ones(len(left))]
        self.count += len(left)

    def matrix(self) -> sparse.csr_array:
        if not self.rows:
            return sparse.csr_array((0, self.m))
        return sparse.csr_array(
            (np.concatenate(self.data), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.count, self.m),
        )


def margin_relations(cells: pd.DataFrame, dims: Sequence[str], total: str = _TOTAL) -> sparse.csr_array:
    """Additive relations of a table with margins: along each dimension, the ``total`` code is the sum of the others.

    ``cells`` holds one row per cell of the full table, margins included (the code ``total`` in a
    dimension column), for every combination of the other dimensions, as sdcTable builds it.

    Returns
    -------
    scipy.sparse.csr_array
        One relation per margin cell and dimension (``len(cells)`` columns).
    """
    dims = list(dims)
    frame = cells[dims].astype(str).reset_index(drop=True)
    frame["_cell"] = np.arange(len(frame))
    builder = RelationBuilder(len(frame))
    for dim in dims:
        others = [d for d in dims if d != dim]
        totals = frame[frame[dim] == total]
        parts = frame[frame[dim] != total]
        if totals.empty:
            continue
        if others:
            joined = totals[[*others, "_cell"]].merge(parts[[*others, "_cell"]], on=others, suffixes=("", "_part"))
        else:
            joined = totals[["_cell"]].merge(parts[["_cell"]], how="cross", suffixes=("", "_part"))
        if joined.empty:
            continue
        wide = joined.groupby("_cell")["_cell_part"].apply(list)
        width = max(len(v) for v in wide)
        padded = np.full((len(wide), width), -1)
        for r, members in enumerate(wide):  # one row per margin cell: a handful
            padded[r, : len(members)] = members
        builder.add_sums(wide.index.to_numpy(), list(padded.T))
    return builder.matrix()


# ----------------------------------------------------------------------------- table records


def _key_values(table: pd.DataFrame, key: str) -> pd.Series:
    if key in table.columns:
        return table[key]
    if key in (table.index.names or []):
        return pd.Series(table.index.get_level_values(key), index=table.index)
    raise KeyError(f"row key {key!r} is neither a column nor an index level of the table")


def _ordered_keys(table: pd.DataFrame, keys: Sequence[str]) -> list[str]:
    """Keys in the order the table shows them (index levels first), so every label of a table reads alike."""
    order = [*(n for n in table.index.names if n is not None), *table.columns]
    return sorted(dict.fromkeys(keys), key=lambda k: order.index(k) if k in order else len(order))


def _row_labels(table: pd.DataFrame, keys: Sequence[str], *, reorder: bool = True) -> pd.Series:
    """``"key=value, key=value"`` per row: how ``DISCLOSURE.csv`` names a masked cell's row.

    The keys are put in the order the table shows them (``reorder``), or kept as given (labels of a
    table whose columns have moved since it was protected, in the order recorded then).
    """
    if not keys:
        return pd.Series([f"row {i}" for i in range(len(table))], index=table.index, dtype=object)
    parts = [f"{k}=" + _key_values(table, k).astype(str) for k in (_ordered_keys(table, keys) if reorder else keys)]
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label.astype(object)


def records_frame(rows: Iterable[tuple]) -> pd.DataFrame:
    """Disclosure records (:data:`RECORD_COLUMNS`) from tuples ``(row, column, rule, audit_low, audit_high)``."""
    frame = pd.DataFrame(list(rows), columns=list(RECORD_COLUMNS))
    return frame.astype({"audit_low": float, "audit_high": float})


def attach_records(
    table: pd.DataFrame, records: pd.DataFrame, counts: Sequence[str], keys: Sequence[str] | None = None
) -> pd.DataFrame:
    """Store the masked cells and the respondent-count columns of a protected table in ``table.attrs``.

    ``records`` has :data:`RECORD_COLUMNS`, their rows labelled by ``keys`` (:func:`_row_labels`). They
    are kept as tuples (hashable, so that pandas can compare attrs when tables are combined);
    :func:`disclosure_records` reads them back, for the rows the table still has.
    """
    previous = disclosure_records(table)
    combined = pd.concat([previous, records], ignore_index=True) if len(previous) else records
    combined = combined.drop_duplicates(["row", "column"], keep="first")
    out = table.copy()
    out.attrs[_ATTRS_RECORDS] = tuple(
        (str(r), str(c), str(rule), float(lo), float(hi))
        for r, c, rule, lo, hi in combined[list(RECORD_COLUMNS)].itertuples(index=False, name=None)
    )
    out.attrs[_ATTRS_COUNTS] = tuple(dict.fromkeys([*table.attrs.get(_ATTRS_COUNTS, ()), *counts]))
    known = table.attrs.get(_ATTRS_KEYS)
    if keys is not None:
        keys = tuple(_ordered_keys(table, keys))
        out.attrs[_ATTRS_KEYS] = keys if known in (None, keys) or (len(previous) == 0) else ()
    return out


def disclosure_records(table: pd.DataFrame) -> pd.DataFrame:
    """The masked cells recorded on a protected table (:data:`RECORD_COLUMNS`), empty if none.

    When the table is a subset of the protected one (some of its rows, as a per-item table taken
    from a table of all items), only the records of the rows it still holds are returned.
    """
    records = records_frame(table.attrs.get(_ATTRS_RECORDS, ()))
    keys = table.attrs.get(_ATTRS_KEYS)
    if not len(records) or not keys:
        return records
    try:
        present = set(_row_labels(table, list(keys), reorder=False))
    except KeyError:
        return records
    return records[records["row"].isin(present)].reset_index(drop=True)


def declared_counts(table: pd.DataFrame) -> tuple[str, ...]:
    """The respondent-count columns the protecting function recorded on ``table``."""
    return tuple(table.attrs.get(_ATTRS_COUNTS, ()))


# --------------------------------------------------------------------------- table protection


def _nullable(column: pd.Series) -> pd.Series:
    if column.dtype.kind in "iub":
        return column.astype("Int64")
    if column.dtype.kind == "f":
        return column.astype("Float64")
    return column


def _mask_columns(out: pd.DataFrame, mask: np.ndarray | pd.Series, columns: Iterable[str], *, keep_float: bool) -> None:
    """Blank ``columns`` where ``mask``; integer columns become nullable only when something is masked."""
    if not np.asarray(mask).any():
        return
    for column in columns:
        if column not in out:
            continue
        values = out[column]
        if values.dtype.kind == "f" and keep_float:
            out[column] = values.mask(mask)
        elif pd.api.types.is_numeric_dtype(values):
            out[column] = _nullable(values).mask(mask)
        else:
            out[column] = values.mask(mask)


def protect_rows(
    table: pd.DataFrame,
    *,
    keys: Sequence[str],
    total: str | None,
    parts: Sequence[str] = (),
    complement: str | None = None,
    complement_columns: Sequence[str] = (),
    other_counts: Sequence[str] = (),
    derived: Mapping[str, Sequence[str]] | None = None,
    extremes: Sequence[str] = (),
    pooled: tuple[str, str] | None = None,
    shared_by: Sequence[str] | None = None,
    total_role: str = VISIBLE,
    min_n: int = config.MIN_CELL_SIZE,
    min_group_for_extremes: int = config.MIN_GROUP_FOR_EXTREMES,
    min_width: int | None = None,
) -> pd.DataFrame:
    """Protect a table whose rows split a group of respondents into answer categories.

    Each row is one group: ``total`` respondents split into the ``parts`` (counts of answer
    categories) and, when ``complement`` is named, an implied remainder ``total - sum(parts)`` that
    the table does not show but anyone can compute (``"not aware"`` beside ``"aware"``). Counts in
    ``other_counts`` (for example don't-know answers, outside ``total``) get the threshold rule too.
    Every count, the implied remainder included, gets the threshold rule; the parts (or
    ``"complement"``) named in ``extremes`` get the attribute rule against ``total``; then
    :func:`protect_cells` adds secondary suppression across

    * the split of each row (``total = parts + complement``);
    * a pooled row: ``pooled = (column, label)`` marks rows (``region == "all"``) that are the sums of
      the other rows with the same remaining keys;
    * a total shown in several rows: ``shared_by`` names the key columns on which ``total`` and the
      ``other_counts`` depend (the same ``n`` repeated for each option of a multi-select question).

    Parameters
    ----------
    table
        One row per group; counts are non-negative integers. A count that is ``<NA>`` (masked by an
        earlier protection, or not applicable) stays as it is and is taken as unknown: relations
        through it are left out.
    keys
        Columns that identify a row (they label ``DISCLOSURE.csv``).
    complement_columns
        Columns that reveal the remainder (test statistics computed without it); masking the remainder
        masks them, so it counts as a visible cell when given.
    derived
        ``{column: [counts]}``: statistics computed from those counts (``"complement"`` names the
        remainder), masked with any of them (rule ``"derived"``).
    total_role
        ``"visible"`` (default) or ``"fixed"`` when the group sizes are published elsewhere and so can
        never be masked to protect a category.
    min_n, min_group_for_extremes, min_width
        The rules' parameters (respondents); ``min_width`` defaults to ``min_n``.

    Returns
    -------
    pandas.DataFrame
        The table with masked counts ``<NA>``, derived statistics ``NaN`` / ``<NA>``, a boolean
        ``suppressed`` column (any masked cell in the row) and its masked cells in ``attrs``
        (:func:`disclosure_records`).
    """
    min_width = min_n if min_width is None else min_width
    derived = dict(derived or {})
    keys = list(keys)
    parts, other_counts = list(parts), list(other_counts)
    data = table.reset_index(drop=True)
    n_rows = len(data)
    slots: list[str] = ([total] if total else []) + parts + (["complement"] if complement else []) + other_counts
    if not slots:
        raise ValueError("protect_rows needs a total, parts or other counts")
    missing = [c for c in [*keys, *([total] if total else []), *parts, *other_counts] if c not in data]
    if missing:
        raise KeyError(f"protect_rows: columns {missing} not in {list(data.columns)}")
    if complement and not total:
        raise ValueError("a complement needs the total it complements")
    shown_slots = [c for c in slots if c != "complement"]
    # a count that is <NA> (masked before, or not applicable) is unknown here: its cell is hidden, and
    # relations through it are left out, since its value is not known to them either
    unknown = {c: data[c].isna().to_numpy() for c in shown_slots}
    split_unknown = np.zeros(n_rows, dtype=bool)
    for c in ([total] if total else []) + parts:
        split_unknown |= unknown[c]
    unknown["complement"] = split_unknown
    already = split_unknown
    counts = {c: pd.to_numeric(data[c]).fillna(0).to_numpy(dtype=float) for c in shown_slots}
    if complement:
        counts["complement"] = np.where(
            split_unknown, 0.0, counts[total] - sum((counts[p] for p in parts), np.zeros(n_rows)))
        if (counts["complement"] < -1e-9).any():
            bad = int(np.flatnonzero(counts["complement"] < 0)[0])
            raise DisclosureError(f"row {bad}: parts {parts} exceed the total {total!r}")
    n_slots = len(slots)
    cell = {s: np.arange(n_rows) * n_slots + j for j, s in enumerate(slots)}
    values = np.empty(n_rows * n_slots)
    roles = np.empty(n_rows * n_slots, dtype=object)
    for s in slots:
        values[cell[s]] = counts[s]
        if s == total:
            roles[cell[s]] = total_role
        elif s == "complement":
            roles[cell[s]] = VISIBLE if complement_columns else IMPLICIT
        else:
            roles[cell[s]] = VISIBLE
    for s_ in slots:
        roles[cell[s_][unknown[s_]]] = HIDDEN
    builder = RelationBuilder(len(values))
    if complement:
        builder.add_sums(cell[total], [cell[p] for p in parts] + [cell["complement"]])
    elif total and parts:
        builder.add_sums(cell[total], [cell[p] for p in parts])
    if pooled is not None:
        column, label = pooled
        rest = [k for k in keys if k != column]
        is_pool = (data[column].astype(str) == str(label)).to_numpy()
        ids = pd.DataFrame({"_row": np.arange(n_rows), "_pool": is_pool})
        for k in rest:
            ids[k] = data[k].astype(str).to_numpy()
        pools = ids[ids["_pool"]]
        members = ids[~ids["_pool"]]
        joined = pools.merge(members, on=rest, suffixes=("", "_member")) if rest else pools.merge(
            members, how="cross", suffixes=("", "_member"))
        grouped = joined.groupby("_row")["_row_member"].apply(list)
        if len(grouped):
            width = max(len(g) for g in grouped)
            padded = np.full((len(grouped), width), -1)
            for r, group in enumerate(grouped):
                padded[r, : len(group)] = group
            for s in slots:
                builder.add_sums(cell[s][grouped.index.to_numpy()],
                                 [np.where(col >= 0, cell[s][np.maximum(col, 0)], -1) for col in padded.T])
    if shared_by is not None:
        group_id = data.groupby(list(shared_by), sort=False, observed=True).ngroup().to_numpy()
        order = np.argsort(group_id, kind="stable")
        same = group_id[order][1:] == group_id[order][:-1]
        left, right = order[:-1][same], order[1:][same]
        for s in [*([total] if total else []), *other_counts]:
            builder.add_equal(cell[s][left], cell[s][right])
    relations = builder.matrix()
    if (roles == HIDDEN).any():
        touches_unknown = np.asarray(abs(relations)[:, np.flatnonzero(roles == HIDDEN)].sum(axis=1)).ravel() > 0
        relations = relations[np.flatnonzero(~touches_unknown)]
    primary = np.full(len(values), "", dtype=object)
    small = threshold_mask(values, min_n) & (roles != HIDDEN)
    primary[small] = THRESHOLD
    if extremes and total:
        for s in extremes:
            flagged = extreme_share_mask(counts[s], counts[total], min_group_for_extremes) & ~already
            target = cell[s][flagged]
            primary[target] = np.where(primary[target] == "", EXTREME_SHARE, primary[target])
    protection = protect_cells(values, relations, primary, roles=roles, min_width=min_width)
    newly = {s_: protection.masked[cell[s_]] & ~unknown[s_] for s_ in slots}  # <NA> already

    out = table.copy()
    labels = _row_labels(data, keys).to_numpy()
    records = []
    masked_slot = newly
    for s in slots:
        mask = masked_slot[s]
        if not mask.any():
            continue
        idx = np.flatnonzero(mask)
        c = cell[s][idx]
        if s == "complement":
            shown = list(complement_columns)
            if not shown:
                primary_rows = idx[protection.rule[c] != SECONDARY]
                pc = cell[s][primary_rows]
                records += zip(labels[primary_rows], [f"{complement} (implied: {total} minus {', '.join(parts)})"]
                               * len(primary_rows), protection.rule[pc], protection.audit_low[pc],
                               protection.audit_high[pc], strict=True)
            _mask_columns(out, _row_mask(out, mask), shown, keep_float=True)
            for column in shown:
                records += zip(labels[idx], [column] * len(idx), protection.rule[c], protection.audit_low[c],
                               protection.audit_high[c], strict=True)
            continue
        _mask_columns(out, _row_mask(out, mask), [s], keep_float=False)
        records += zip(labels[idx], [s] * len(idx), protection.rule[c], protection.audit_low[c],
                       protection.audit_high[c], strict=True)
    any_masked = np.zeros(n_rows, dtype=bool)
    for s in slots:
        if s != "complement" or complement_columns:
            any_masked |= masked_slot[s]
    for column, sources in derived.items():
        mask = np.zeros(n_rows, dtype=bool)
        for source in sources:
            mask |= masked_slot.get(source, np.zeros(n_rows, dtype=bool))
        if column in out and mask.any():
            _mask_columns(out, _row_mask(out, mask), [column], keep_float=True)
            idx = np.flatnonzero(mask)
            records += [(labels[i], column, DERIVED, np.nan, np.nan) for i in idx]
            any_masked |= mask
    out["suppressed"] = (out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out else False) | any_masked
    count_columns = [c for c in slots if c != "complement"]
    return attach_records(out, records_frame(records), count_columns, keys)


def _row_mask(frame: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    return pd.Series(mask, index=frame.index)


def _cube(
    table: pd.DataFrame, groups: list[str], within: list[str], count: str, pooled: str | None = None,
    min_n: int = config.MIN_CELL_SIZE,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The full table of ``count`` over ``groups`` with every margin, per ``within`` slice.

    Rows whose group is ``pooled`` (one grouping column only) are that margin, shown in the table.
    Returns the cells (dimension columns, ``value``, ``role``) and, per table row, its cell index.
    """
    keys = [*within, *groups]
    data = table[keys].astype(str).assign(value=pd.to_numeric(table[count]).fillna(0).to_numpy(dtype=float))
    data = data.reset_index(drop=True)
    if pooled is not None:
        if len(groups) != 1:
            raise ValueError("a pooled row needs exactly one grouping column")
        data[groups[0]] = data[groups[0]].replace({str(pooled): _TOTAL})
    if data.duplicated(keys).any():
        raise DisclosureError(f"rows are not unique by {keys}")
    slices = data[within].drop_duplicates() if within else pd.DataFrame(index=[0])
    grid = slices
    for g in groups:
        codes = pd.DataFrame({g: [*(c for c in pd.unique(data[g]) if c != _TOTAL), _TOTAL]})
        grid = grid.merge(codes, how="cross")
    grid = grid.reset_index(drop=True)
    interior = (grid[groups] != _TOTAL).all(axis=1).to_numpy()
    merged = grid.merge(data.assign(_row=np.arange(len(data))), on=keys, how="left")
    values = merged["value"].to_numpy(dtype=float, copy=True)
    # margins: sums of the interior cells below them
    if (~interior).any():
        inner = merged[interior]
        for mask_code in _margin_patterns(groups):
            summed_dims = [g for g, is_total in zip(groups, mask_code, strict=True) if is_total]
            kept = [*within, *[g for g in groups if g not in summed_dims]]
            sums = inner.groupby(kept, observed=True)["value"].sum() if kept else pd.Series([inner["value"].sum()])
            target = np.ones(len(merged), dtype=bool)
            for g, is_total in zip(groups, mask_code, strict=True):
                target &= (merged[g] == _TOTAL).to_numpy() if is_total else (merged[g] != _TOTAL).to_numpy()
            if kept:
                lookup = merged.loc[target, kept].merge(sums.reset_index(), on=kept, how="left")["value"]
                values[target] = lookup.fillna(0).to_numpy(dtype=float)
            else:
                values[target] = float(sums.iloc[0])
    values = np.nan_to_num(values, nan=0.0)
    shown = merged["_row"].notna().to_numpy()
    stated = merged["value"].to_numpy(dtype=float)
    off = shown & ~interior & (np.abs(stated - values) > 1e-9)
    if off.any():
        raise DisclosureError(f"the pooled row {merged.loc[off, keys].iloc[0].to_dict()} is not the sum of the groups "
                              f"({stated[off][0]:g} against {values[off][0]:g})")
    roles = np.where(shown & interior, VISIBLE, FIXED).astype(object)
    # a margin of 1 to min_n - 1 is masked wherever it is published, so nobody knows it
    roles[~shown & ~interior & (values > 0) & (values < min_n)] = HIDDEN
    cells = merged[keys].assign(value=values, role=roles)
    row_cell = np.full(len(data), -1)
    row_cell[merged.loc[shown, "_row"].astype(int).to_numpy()] = np.flatnonzero(shown)
    return cells, row_cell


def _hide_masked_margins(
    cells: pd.DataFrame, groups: list[str], within: list[str], min_n: int, min_width: int
) -> np.ndarray:
    """Roles of a multi-way table's cells, with the margins its one-way tables mask set to hidden.

    The totals per level of one grouping (respondents per stakeholder type, say) are published in
    one-way tables, which protect them on their own: a small total is masked there, and so is a
    partner that would give it back from the grand total. Those margins are unknown, not fixed.
    """
    roles = cells["role"].to_numpy(dtype=object).copy()
    if len(groups) < 2:
        return roles
    value = cells["value"].to_numpy(dtype=float)
    for g in groups:
        others = [o for o in groups if o != g]
        at_total = (cells[others] == _TOTAL).all(axis=1).to_numpy()
        subset = np.flatnonzero(at_total)
        if subset.size == 0:
            continue
        sub = cells.iloc[subset]
        relations = margin_relations(sub, [*within, g])
        sub_roles = np.where(sub[g].to_numpy() == _TOTAL, roles[subset], VISIBLE).astype(object)
        primary = np.where(threshold_mask(value[subset], min_n) & (sub_roles == VISIBLE), THRESHOLD, "")
        protection = protect_cells(value[subset], relations, primary.astype(object), roles=sub_roles,
                                   min_width=min_width)
        roles[subset[protection.masked & (sub[g].to_numpy() != _TOTAL)]] = HIDDEN
    return roles


def _margin_patterns(groups: list[str]) -> list[tuple[bool, ...]]:
    patterns = []
    for bits in range(1, 2 ** len(groups)):
        patterns.append(tuple(bool(bits >> j & 1) for j in range(len(groups))))
    return patterns


def protect_groups(
    table: pd.DataFrame,
    groups: Sequence[str],
    *,
    within: Sequence[str] = (),
    counts: Sequence[str] = ("n",),
    values: Sequence[str] | None = None,
    pooled: str | None = None,
    mask_counts: bool = True,
    whole_rows: bool = True,
    min_n: int = config.MIN_CELL_SIZE,
    min_width: int | None = None,
) -> pd.DataFrame:
    """Protect a table of group statistics: the threshold rule on each group's size, and secondary suppression.

    Every row is one group (a combination of ``groups``, within a ``within`` slice such as a
    dimension). The group sizes in ``counts`` form a table over ``groups`` whose margins (totals over
    each grouping, and the grand total) are taken to be published elsewhere, as they are in the
    evidence base (respondents per region, per stakeholder type, in all). A group below ``min_n`` is
    masked, and :func:`protect_cells` masks the fewest further groups so that its size cannot be
    recovered from those margins. The statistics of a masked group (``values``, default every other
    numeric column) are masked with it.

    Parameters
    ----------
    groups
        One or two grouping columns (``["region"]``, ``["region", "stakeholder"]``).
    within
        Columns of independent slices (each has its own margins), e.g. ``["dimension"]``.
    counts
        Group-size columns; each is protected on its own, and a row is masked when any is.
    pooled
        A value of the (single) grouping column whose rows are the sum of the other groups
        (``"all"``); they are the margin, shown.
    mask_counts
        Mask the group sizes of masked rows too (default), or keep them (when a size is published
        anyway, e.g. the number of organisations behind an index that is itself masked).
    whole_rows
        Mask a row's every count and statistic when one of its counts is masked (default). With
        ``False`` each count column is masked on its own (independent counts of the same categories,
        such as keys and responses per linking category); ``values`` are masked with any of them.

    Returns
    -------
    pandas.DataFrame
        The table with masked rows blanked, a boolean ``suppressed`` column and its masked cells in
        ``attrs`` (:func:`disclosure_records`).
    """
    min_width = min_n if min_width is None else min_width
    groups, within, counts = list(groups), list(within), list(counts)
    missing = [c for c in [*groups, *within, *counts] if c not in table]
    if missing:
        raise KeyError(f"protect_groups: columns {missing} not in {list(table.columns)}")
    data = table.reset_index(drop=True)
    keys = [*within, *groups]
    labels = _row_labels(data, keys).to_numpy()
    row_masked = np.zeros(len(data), dtype=bool)
    count_masked: dict[str, np.ndarray] = {}
    count_records = []
    for count in counts:
        cells, row_cell = _cube(data, groups, within, count, pooled, min_n)
        relations = margin_relations(cells, keys)
        value = cells["value"].to_numpy(dtype=float)
        role = _hide_masked_margins(cells, groups, within, min_n, min_width)
        shown = np.zeros(len(value), dtype=bool)
        shown[row_cell[row_cell >= 0]] = True
        primary = np.where(threshold_mask(value, min_n) & shown, THRESHOLD, "").astype(object)
        protection = protect_cells(value, relations, primary, roles=role, min_width=min_width)
        masked = protection.masked[row_cell]
        count_masked[count] = masked
        row_masked |= masked
        for i in np.flatnonzero(masked):
            c = row_cell[i]
            count_records.append((labels[i], count, protection.rule[c], protection.audit_low[c],
                                  protection.audit_high[c]))
    out = table.copy()
    if values is None:
        values = [c for c in data.select_dtypes("number").columns if c not in counts and c != "suppressed"]
    records = list(count_records)
    if mask_counts:
        for count in counts:
            mask = row_masked if whole_rows else count_masked[count]
            _mask_columns(out, _row_mask(out, mask), [count], keep_float=False)
    idx = np.flatnonzero(row_masked)
    if mask_counts and whole_rows:
        recorded = {(r, c) for r, c, *_ in count_records}
        records += [(labels[i], count, SECONDARY, np.nan, np.nan) for i in idx for count in counts
                    if (labels[i], count) not in recorded]
    else:
        records = []
    records += [(labels[i], column, DERIVED, np.nan, np.nan) for i in idx for column in values if column in out]
    _mask_columns(out, _row_mask(out, row_masked), [v for v in values if v in out], keep_float=True)
    previous = out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out else np.zeros(len(out), dtype=bool)
    out["suppressed"] = previous | row_masked
    return attach_records(out, records_frame(records), counts, keys)


def protect_pairs(
    table: pd.DataFrame,
    *,
    group_a: str = "group_a",
    group_b: str = "group_b",
    n_a: str = "n_a",
    n_b: str = "n_b",
    within: Sequence[str] = (),
    values: Sequence[str] | None = None,
    min_n: int = config.MIN_CELL_SIZE,
    min_width: int | None = None,
) -> pd.DataFrame:
    """Protect a table of pairwise comparisons: a pair is masked when either of its groups is.

    The groups' sizes (from ``n_a`` and ``n_b``) are protected as by :func:`protect_groups` (threshold
    and secondary suppression against their total), so the pattern is the one every by-group table of
    the same groups shows.
    """
    within = list(within)
    data = table.reset_index(drop=True)
    sizes = pd.concat(
        [data[[*within, group_a, n_a]].set_axis([*within, "_group", "_n"], axis=1),
         data[[*within, group_b, n_b]].set_axis([*within, "_group", "_n"], axis=1)],
        ignore_index=True,
    ).drop_duplicates([*within, "_group"])
    protected = protect_groups(sizes, ["_group"], within=within, counts=["_n"], values=[], min_n=min_n,
                               min_width=min_width)
    keyed = protected.assign(_masked=protected["_n"].isna())
    lookup = keyed.set_index([*within, "_group"])["_masked"]

    def masked_of(group: str) -> np.ndarray:
        index = pd.MultiIndex.from_frame(data[[*within, group]]) if within else pd.Index(data[group])
        return lookup.reindex(index).fillna(False).to_numpy(dtype=bool)

    mask_a, mask_b = masked_of(group_a), masked_of(group_b)
    row_masked = mask_a | mask_b
    out = table.copy()
    keys = [*within, group_a, group_b]
    labels = _row_labels(data, keys).to_numpy()
    sizes_records = disclosure_records(protected).set_index("row")
    records = []
    for mask, group, n in ((mask_a, group_a, n_a), (mask_b, group_b, n_b)):
        _mask_columns(out, _row_mask(out, mask), [n], keep_float=False)
        for i in np.flatnonzero(mask):
            key = ", ".join([*(f"{w}={data.at[i, w]}" for w in within), f"_group={data.at[i, group]}"])
            rule, low, high = (sizes_records.loc[key, ["rule", "audit_low", "audit_high"]]
                               if key in sizes_records.index else (SECONDARY, np.nan, np.nan))
            records.append((labels[i], n, rule, low, high))
    if values is None:
        values = [c for c in data.select_dtypes("number").columns if c not in (n_a, n_b, "suppressed")]
    _mask_columns(out, _row_mask(out, row_masked), [v for v in values if v in out], keep_float=True)
    records += [(labels[i], column, DERIVED, np.nan, np.nan) for i in np.flatnonzero(row_masked)
                for column in values if column in out]
    previous = out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out else np.zeros(len(out), dtype=bool)
    out["suppressed"] = previous | row_masked
    return attach_records(out, records_frame(records), [n_a, n_b], keys)


# ------------------------------------------------------------------------ distributions


def binned_distribution(
    values: Sequence[float] | np.ndarray,
    edges: Sequence[float] | np.ndarray,
    *,
    min_n: int = config.MIN_CELL_SIZE,
    min_width: int | None = None,
) -> pd.DataFrame:
    """The distribution of individual values as publishable bins: tails coded, small bins masked.

    Individual values are never drawn. The values are counted in the bins of ``edges`` (values beyond
    the outer edges fall in the outer bins); bins are merged from each end inwards until the lowest
    and the highest bin each hold at least ``min_n`` values (bottom- and top-coding, so that no
    extreme individual shows), and interior bins of 1 to ``min_n - 1`` values are masked, with
    secondary suppression against the group's total (:func:`protect_cells`). A group of fewer than
    ``min_n`` values gives an empty table: it is not published at all.

    Returns
    -------
    pandas.DataFrame
        ``low, high`` (bin edges; ``-inf`` / ``inf`` for the coded tails), ``count`` (``<NA>`` where
        masked), ``masked``, ``rule``, ``tail`` (``"low"``, ``"high"`` or ``""``).
    """
    min_width = min_n if min_width is None else min_width
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or (np.diff(edges) <= 0).any():
        raise ValueError("edges must be increasing, at least two")
    columns = ["low", "high", "count", "masked", "rule", "tail"]
    if x.size < min_n:
        return pd.DataFrame(columns=columns).astype({"count": "Int64", "masked": bool})
    inner = np.clip(x, edges[0], np.nextafter(edges[-1], -np.inf))
    counts, _ = np.histogram(inner, bins=edges)
    cumulative = np.cumsum(counts)
    first = int(np.searchsorted(cumulative, min_n))  # bins 0..first form the low tail
    reverse = np.cumsum(counts[::-1])
    last = len(counts) - 1 - int(np.searchsorted(reverse, min_n))  # bins last..end form the high tail
    if first >= last:
        lows, highs, cnt = [-np.inf], [np.inf], [int(x.size)]
        tails = ["low"]
    else:
        lows = [-np.inf, *edges[first + 1: last], edges[last]]
        highs = [edges[first + 1], *edges[first + 2: last + 1], np.inf]
        cnt = [int(counts[: first + 1].sum()), *counts[first + 1: last].tolist(), int(counts[last:].sum())]
        tails = ["low"] + [""] * (last - first - 1) + ["high"]
    cnt = np.asarray(cnt, dtype=float)
    k = len(cnt)
    all_cells = np.append(cnt, cnt.sum())
    builder = RelationBuilder(k + 1)
    builder.add_sums(np.array([k]), [np.array([j]) for j in range(k)])
    primary = np.where(threshold_mask(all_cells, min_n), THRESHOLD, "").astype(object)
    roles = np.array([VISIBLE] * k + [FIXED], dtype=object)
    protection = protect_cells(all_cells, builder.matrix(), primary, roles=roles, min_width=min_width)
    masked = protection.masked[:k]
    return pd.DataFrame({
        "low": np.asarray(lows, dtype=float),
        "high": np.asarray(highs, dtype=float),
        "count": pd.array(cnt.astype(int), dtype="Int64").copy(),
        "masked": masked,
        "rule": protection.rule[:k].astype(str),
        "tail": tails,
    }).assign(count=lambda f: f["count"].mask(f["masked"]))


# ---------------------------------------------------------------------- primary-only helpers


def suppress_small_cells(
    table: pd.DataFrame,
    min_n: int = config.MIN_CELL_SIZE,
    count_column: str | None = "n",
    *,
    value_columns: list[str] | None = None,
    mask_count: bool = True,
) -> pd.DataFrame:
    """Mask every group smaller than ``min_n`` (the threshold rule alone, no secondary suppression).

    Two table shapes are handled:

    * a *group table* with a count column (default ``n``): in rows with ``n < min_n``
      the value columns (all other numeric columns, or ``value_columns``) and, if
      ``mask_count``, the count itself become ``<NA>``; a boolean column ``suppressed``
      is added;
    * a *frequency table* (``count_column=None``, e.g. from :func:`pandas.crosstab`):
      every cell with ``0 < count < min_n`` becomes ``<NA>``.

    This is primary suppression only: a masked cell can be recovered from margins published anywhere.
    Tables for publication go through :func:`protect_groups` or :func:`protect_rows`, which add
    secondary suppression and record the masked cells. Reference: Hundepool et al. (2012), ch. 4.

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


# --------------------------------------------------------------------- checks on publication


@dataclass(frozen=True)
class Finding:
    """One breach of a disclosure rule in a published output."""

    table: str
    row: str
    column: str
    value: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table}, {self.row}, column {self.column!r}: {self.value} ({self.problem})"


def small_counts(
    table: pd.DataFrame,
    counts: Sequence[str],
    shares: Mapping[str, str] | None = None,
    *,
    name: str = "table",
    min_n: int = config.MIN_CELL_SIZE,
) -> list[Finding]:
    """Published respondent counts of 1 to ``min_n - 1``, and shares that reveal one.

    Parameters
    ----------
    counts
        The columns that hold respondent counts (declared by whoever publishes the table).
    shares
        ``{share column: count column of its base}``: a share of a base is a count in disguise, so
        ``share * base`` and ``(1 - share) * base`` are checked too (rounded to whole respondents).
    """
    findings: list[Finding] = []
    frame = table.reset_index(drop=True)
    missing = [c for c in [*counts, *(shares or {}), *(shares or {}).values()] if c not in frame]
    if missing:
        raise DisclosureError(f"{name}: declared respondent-count columns {missing} are not in the table")
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(threshold_mask(values, min_n)):
            findings.append(Finding(name, f"row {i + 1}", column, f"{values[i]:g}",
                                    f"a count of 1 to {min_n - 1} respondents"))
    for share, base in (shares or {}).items():
        s = pd.to_numeric(frame[share], errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(frame[base], errors="coerce").to_numpy(dtype=float)
        for implied, what in ((np.round(s * b), "share"), (np.round((1 - s) * b), "complement of the share")):
            for i in np.flatnonzero(threshold_mask(implied, min_n)):
                findings.append(Finding(name, f"row {i + 1}", share, f"{s[i]:.6g} of {b[i]:g}",
                                        f"the {what} reveals {implied[i]:g} respondents"))
    return findings


_N_TEXT = re.compile(r"\bn\s*(?:=|:)\s*(\d[\d,]*)\b")


def small_counts_in_text(texts: Iterable[str], *, name: str = "figure", min_n: int = config.MIN_CELL_SIZE) -> list[Finding]:
    """Labels such as ``"n = 3"`` or ``"n=3"`` drawn into a figure with a count of 1 to ``min_n - 1``.

    A safety net for figures (their bars and points are drawn from protected tables): a respondent
    count written as ``n = k`` must be masked (``n < 5``) when it is small.
    """
    findings = []
    for text in texts:
        for match in _N_TEXT.finditer(text):
            value = int(match.group(1).replace(",", ""))
            if 0 < value < min_n:
                findings.append(Finding(name, "text", "label", repr(text), f"a count of {value} respondents"))
    return findings


def check_table(
    table: pd.DataFrame,
    counts: Sequence[str],
    shares: Mapping[str, str] | None = None,
    *,
    name: str = "table",
    min_n: int = config.MIN_CELL_SIZE,
) -> None:
    """Refuse to publish a table with a small respondent count, or whose protection is incomplete.

    Checks the declared ``counts`` and ``shares`` (:func:`small_counts`), and that every count column the
    protecting function recorded is declared.

    Raises
    ------
    DisclosureError
        Naming the table, row, column and value.
    """
    recorded = [c for c in declared_counts(table) if c in table.columns and c not in counts]
    if recorded:
        raise DisclosureError(
            f"{name}: columns {recorded} hold respondent counts (recorded by the function that protected the "
            f"table) but are not declared: add them to counts=[...]"
        )
    findings = small_counts(table, counts, shares, name=name, min_n=min_n)
    if findings:
        listed = "; ".join(str(f) for f in findings[:5])
        more = f" (and {len(findings) - 5} more)" if len(findings) > 5 else ""
        raise DisclosureError(f"{name}: respondent counts below {min_n} would be published: {listed}{more}")


def _markdown_rows(path: Path) -> pd.DataFrame:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    if len(lines) < 2:
        return pd.DataFrame()
    split = [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]] for line in lines]
    return pd.DataFrame(split[2:], columns=split[0])


def _latex_rows(path: Path) -> pd.DataFrame:
    text = path.read_text(encoding="utf-8")
    try:
        head = text.split("\\toprule", 1)[1].split("\\midrule", 1)
        body = head[1].split("\\bottomrule", 1)[0]
    except IndexError:
        return pd.DataFrame()
    header = [c.strip() for c in head[0].replace("\\\\", "").split("&")]
    rows = [[c.strip() for c in line.replace("\\\\", "").split("&")] for line in body.strip().splitlines()
            if line.strip() and not line.strip().startswith("\\")]
    header = [h.replace("\\_", "_") for h in header]
    return pd.DataFrame([r for r in rows if len(r) == len(header)], columns=header)


def audit_publication(
    directory: str | Path,
    declarations: Mapping[str, tuple[Sequence[str], Mapping[str, str]]],
    masked_cells: pd.DataFrame,
    *,
    min_n: int = config.MIN_CELL_SIZE,
    min_width: float = config.MIN_AUDIT_WIDTH,
) -> list[Finding]:
    """The build's disclosure audit of every published table.

    Parameters
    ----------
    directory
        The figure folder (tables under ``tables/``).
    declarations
        ``{table file stem: (counts, shares)}``: the respondent-count columns declared when each table
        was published (``save_table(..., counts=..., shares=...)``, kept in ``MANIFEST.csv``).
    masked_cells
        ``DISCLOSURE.csv``: every masked cell with its rule and audit interval.
    min_n, min_width
        The threshold and the narrowest audit interval allowed for a primary cell.

    Returns
    -------
    list of Finding
        Empty when the publication passes: no declared count (in the CSV, Markdown and LaTeX copy of
        each table) or share-implied count lies in ``1..min_n - 1``, and every cell masked by a
        primary rule has an audit interval at least ``min_width`` wide.
    """
    directory = Path(directory)
    findings: list[Finding] = []
    for stem, (counts, shares) in sorted(declarations.items()):
        if not counts and not shares:
            continue
        csv = directory / "tables" / f"{stem}.csv"
        if not csv.exists():
            findings.append(Finding(stem, "", "", "", "declared in MANIFEST.csv but missing"))
            continue
        try:
            findings += small_counts(pd.read_csv(csv), counts, shares, name=f"{stem}.csv", min_n=min_n)
        except DisclosureError as exc:
            findings.append(Finding(stem, "", "", "", str(exc)))
        for suffix, reader in ((".md", _markdown_rows), (".tex", _latex_rows)):
            path = csv.with_suffix(suffix)
            if not path.exists():
                continue
            copy = reader(path)
            present = [c for c in counts if c in copy]
            findings += small_counts(copy, present, None, name=path.name, min_n=min_n)
    if len(masked_cells):
        primary = masked_cells[masked_cells["rule"].isin(PRIMARY_RULES)]
        width = pd.to_numeric(primary["audit_high"]) - pd.to_numeric(primary["audit_low"])
        narrow = primary[~(width >= min_width - 1e-9)]
        for row in narrow.itertuples(index=False):
            findings.append(Finding(str(row.table), str(row.row), str(row.column),
                                    f"[{row.audit_low:g}, {row.audit_high:g}]",
                                    f"audit interval narrower than {min_width:g} respondents"))
    return findings


def masked_cell_summary(masked_cells: pd.DataFrame) -> pd.DataFrame:
    """Masked cells per table and rule (for the build's summary and the report to the lead)."""
    if masked_cells.empty:
        return pd.DataFrame(columns=["table", *PRIMARY_RULES, SECONDARY, DERIVED, "total"])
    summary = masked_cells.pivot_table(index="table", columns="rule", values="column", aggfunc="count", fill_value=0)
    summary = summary.reindex(columns=[*PRIMARY_RULES, SECONDARY, DERIVED], fill_value=0)
    summary["total"] = summary.sum(axis=1)
    return summary.reset_index()

