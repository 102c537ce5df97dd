"""Statistical disclosure control: the one module every published number goes through.

The rules, in the words of ``docs/analysis.md`` ("Disclosure control"):

- **Who the attacker is.** Someone who has every published output of a table (counts, totals,
  percentages, net scores, chart data, the test of difference, and which cells are hidden and
  why: "count under k" means 1 to k-1, "protects a hidden cell" means k or more) and knows these
  rules. Counts are whole numbers and never negative.
- **Primary suppression.** A count from 1 to k-1 is hidden, in the body and in the totals.
  Zeros are shown (a zero says nobody, which identifies nobody); the attacker therefore knows
  that every hidden count is at least 1, and the checks below assume so.
- **Secondary suppression.** Every row and column of the table with its totals is a sum. A line
  with exactly one hidden value gives it away, so another of its values is hidden: a body cell
  before a total, one that also protects another line, then the nearest to the hidden cell.
  The choice never depends on the size of the values (choosing "the smallest" would tell the
  attacker the hidden one is smaller than the others), and zeros are never chosen.
- **The check.** Integer programming (``scipy.optimize.milp``) finds, for every hidden cell,
  the smallest and largest value it can take given everything published. While one can take
  only one value, another cell next to it is hidden. This is what catches sums of hidden cells
  that pin them (a row ``1, 1, 40, 50, 60``: the two hidden cells add up to 2 and are each at
  least 1). If a cell is pinned only by the labels themselves (k = 2, or a line of nine 1s with
  k = 10) and nothing is left to hide, the labels are withheld: every hidden cell then just says
  "hidden".
- **Tests of difference** are computed only on a table whose every cell can already be worked
  out from what is published (:func:`test_table`): the full table when nothing is hidden,
  otherwise the table with the categories holding hidden cells combined (and groups whose
  total is hidden combined or left out). A statistic of the full table with hidden cells picks
  out the true table among those consistent with the totals, so it is never published.
- **Reserved names.** ``Total`` (and, in theme tables, ``Respondents (base)``) label the totals;
  a group or category with that name, in any case, is refused rather than overwritten.
- **k** is a whole number of at least 1 (:func:`check_k`).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.errors import AnalysisError

TOTAL = "Total"
LABEL_LIMIT = 80
BLANK_LABEL = "(blank)"
PRIMARY = "primary: count under {k}"
SECONDARY = "secondary: protects a hidden cell"
WITHHELD = "hidden (reason withheld: it would narrow the hidden counts down)"

Cell = tuple[int, int]


def check_k(k: object, name: str = "k") -> int:
    """``k`` as an int, or a one-line :class:`AnalysisError` unless it is a whole number >= 1."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise AnalysisError(f"{name} must be a whole number of at least 1 (got {k!r})")
    if k < 1:
        raise AnalysisError(f"{name} must be a whole number of at least 1 (got {int(k)})")
    return int(k)


def clean_label(value: object, limit: int = LABEL_LIMIT) -> str:
    """A label safe to publish and chart: no control or format characters, one line, capped.

    NUL bytes and other control characters crash the chart renderer and a 500 KB label fills
    every file it is written to; both come from free-text group columns.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return BLANK_LABEL
    text = str(value)
    if len(text) > 20 * limit:
        text = text[: 20 * limit]
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or BLANK_LABEL


def clean_labels(values: pd.Series) -> pd.Series:
    """:func:`clean_label` over a column, computed once per distinct value."""
    mapping = {v: clean_label(v) for v in pd.unique(values)}
    return values.map(mapping).astype(object)


_PURPOSE = {"total": "the totals", "respondents (base)": "the base row"}


def check_labels(labels: Iterable[object], what: str, reserved: Sequence[str] = (TOTAL,)) -> None:
    """Refuse labels that collide with a reserved name (any case) or with each other."""
    seen: set[str] = set()
    folded_reserved = {r.casefold() for r in reserved}
    for label in labels:
        text = str(label)
        key = text.strip().casefold()
        if key in folded_reserved:
            shown = clean_label(text)
            raise AnalysisError(
                f"{what} {shown!r} is a reserved name (it labels "
                f"{_PURPOSE.get(key, 'a total')}); rename it, for example to '{shown} (group)'"
            )
        if text in seen:
            raise AnalysisError(f"{what} {clean_label(text)!r} appears twice after cleaning")
        seen.add(text)


@dataclass
class SuppressedTable:
    counts: pd.DataFrame  # extended table with totals; hidden cells are NA
    hidden: pd.DataFrame  # bool mask, same shape
    reasons: pd.DataFrame  # row, column, reason
    k: int
    check_columns: bool = True
    suppress_zeros: bool = False
    bound_row: str | None = None
    labelled: bool = True  # False when per-cell reasons were withheld

    def notes(self) -> list[str]:
        if not self.labelled:
            return [
                f"{len(self.reasons)} cell(s) hidden: counts under {self.k} and further cells "
                "so that no hidden count can be worked out; which is which is not said, "
                "because here it would narrow the hidden counts down"
            ]
        primary = int((self.reasons["reason"].str.startswith("primary")).sum())
        secondary = len(self.reasons) - primary
        zeros = " (zeros included)" if self.suppress_zeros else ""
        out = [f"counts under {self.k}{zeros} are hidden ({primary} cell(s))"] if primary else []
        if secondary:
            out.append(
                f"{secondary} further cell(s) hidden so hidden counts cannot be worked out "
                "from row or column totals"
            )
        return out or [f"no cells under {self.k}; nothing suppressed"]


class _Structure:
    """The published constraints of an extended table: its line sums and bounds."""

    def __init__(self, shape: tuple[int, int], check_columns: bool, bound_row: int | None) -> None:
        rows, cols = shape
        self.shape = shape
        # (cell, coefficient) per line: body cells +1, the line's total -1; each sums to zero.
        self.lines: list[list[tuple[Cell, int]]] = []
        body_rows = rows - 1 if check_columns else rows
        for r in range(rows):
            self.lines.append([((r, c), 1) for c in range(cols - 1)] + [((r, cols - 1), -1)])
        if check_columns:
            for c in range(cols):
                self.lines.append([((r, c), 1) for r in range(body_rows)] + [((rows - 1, c), -1)])
        # value[r, c] <= value[bound_row, c]: a theme count never exceeds its group's base.
        self.at_most: list[tuple[Cell, Cell]] = []
        if bound_row is not None:
            self.at_most = [
                ((r, c), (bound_row, c)) for r in range(rows) if r != bound_row for c in range(cols)
            ]
        self.lines_of: dict[Cell, list[int]] = {}
        for index, line in enumerate(self.lines):
            for p, _ in line:
                self.lines_of.setdefault(p, []).append(index)


class _Attacker:
    """Integer programme over the hidden cells of a table, given everything published."""

    def __init__(
        self,
        structure: _Structure,
        values: np.ndarray,
        hidden: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
    ) -> None:
        self.cells: list[Cell] = [tuple(p) for p in np.argwhere(hidden)]  # type: ignore[misc]
        self.index = {p: i for i, p in enumerate(self.cells)}
        n = len(self.cells)
        rows_a: list[np.ndarray] = []
        lower: list[float] = []
        upper: list[float] = []
        for line in structure.lines:
            row = np.zeros(n)
            constant = 0.0
            for p, coef in line:
                if p in self.index:
                    row[self.index[p]] += coef
                else:
                    constant += coef * values[p]
            if row.any():
                rows_a.append(row)
                lower.append(-constant)
                upper.append(-constant)
        for small, big in structure.at_most:
            row = np.zeros(n)
            constant = 0.0
            for p, coef in ((small, 1), (big, -1)):
                if p in self.index:
                    row[self.index[p]] += coef
                else:
                    constant += coef * values[p]
            if row.any():
                rows_a.append(row)
                lower.append(-np.inf)
                upper.append(-constant)
        self.constraints = (
            [LinearConstraint(np.array(rows_a), np.array(lower), np.array(upper))] if rows_a else []
        )
        self.low = np.array([low[p] for p in self.cells], dtype=float)
        self.high = np.array([high[p] for p in self.cells], dtype=float)
        self.truth = np.array([values[p] for p in self.cells], dtype=float)

    def extreme(self, objective: np.ndarray) -> np.ndarray:
        """A feasible table minimising ``objective``; the true table if the solver fails."""
        if not len(self.cells):
            return self.truth
        result = milp(
            objective,
            constraints=self.constraints,
            integrality=np.ones(len(self.cells)),
            bounds=Bounds(self.low, self.high),
        )
        return np.round(result.x) if result.x is not None else self.truth

    def pinned(self) -> list[Cell]:
        """Hidden cells that take one value in every table consistent with what is published.

        Every solution found also clears the other cells it moves, so most tables need a few
        solves rather than two per hidden cell.
        """
        n = len(self.cells)
        free = np.zeros(n, dtype=bool)
        for i in range(n):
            if free[i]:
                continue
            for sign in (-1.0, 1.0):
                objective = np.zeros(n)
                objective[i] = sign
                solution = self.extreme(objective)
                free |= solution != self.truth
                if free[i]:
                    break
        return [p for i, p in enumerate(self.cells) if not free[i]]

    def value_range(self, cells: Sequence[Cell], values: np.ndarray) -> tuple[float, float]:
        """Smallest and largest possible sum of ``cells`` (visible ones count as published)."""
        objective = np.zeros(len(self.cells))
        constant = 0.0
        for p in cells:
            if p in self.index:
                objective[self.index[p]] += 1
            else:
                constant += values[p]
        if not objective.any():
            return constant, constant
        low = float(objective @ self.extreme(objective)) + constant
        high = float(objective @ self.extreme(-objective)) + constant
        return low, high


def _domains(
    values: np.ndarray, hidden: np.ndarray, k: int, suppress_zeros: bool, labelled: bool
) -> tuple[np.ndarray, np.ndarray]:
    """What the attacker knows of each hidden cell from its label (and of visible ones)."""
    cap = float(values.sum()) * 2 + 10 * k + 10  # a solver bound only; "no upper limit"
    floor = 0.0 if suppress_zeros else 1.0
    small = values < k
    if labelled:
        low = np.where(small, floor, float(k))
        high = np.where(small, float(k - 1), cap)
    else:
        low = np.full(values.shape, floor)
        high = np.full(values.shape, cap)
    return np.where(hidden, low, values), np.where(hidden, high, values)


def _choose(
    structure: _Structure,
    values: np.ndarray,
    hidden: np.ndarray,
    is_total: np.ndarray,
    near: Cell,
    candidates: Iterable[Cell],
    current: int | None,
) -> Cell | None:
    """The visible non-zero cell to hide next; depends on positions only, never on sizes."""

    def fixes_another(p: Cell) -> bool:
        return any(
            sum(hidden[q] for q, _ in structure.lines[i]) == 1
            for i in structure.lines_of[p]
            if i != current
        )

    options = [p for p in candidates if not hidden[p] and values[p] != 0]
    if not options:
        return None
    return min(
        options,
        key=lambda p: (
            bool(is_total[p]),
            not fixes_another(p),
            abs(p[0] - near[0]) + abs(p[1] - near[1]),
            p,
        ),
    )


def suppress(
    counts: pd.DataFrame,
    k: int = 10,
    check_columns: bool = True,
    suppress_zeros: bool = False,
    *,
    bound_row: str | None = None,
) -> SuppressedTable:
    """Suppress a table of counts (rows x columns, no totals) with totals added.

    ``check_columns=False`` is for tables whose rows are not additive down a column (e.g.
    multi-label themes), where only row totals are true sums. ``bound_row`` names a row that is
    at least every other row in each column (a theme table's base), which an attacker can use.
    """
    k = check_k(k)
    check_labels(counts.index, "row")
    check_labels(counts.columns, "column")
    if bound_row is not None and bound_row not in counts.index:
        raise AnalysisError(f"bound row {bound_row!r} is not a row of the table")
    numeric = counts.apply(pd.to_numeric, errors="coerce")
    if numeric.isna().to_numpy().any() or (numeric < 0).to_numpy().any():
        raise AnalysisError("a table of counts must hold whole numbers of at least 0")
    body = numeric.astype(int)
    ext = body.copy()
    ext[TOTAL] = body.sum(axis=1)
    if check_columns:
        ext.loc[TOTAL] = ext.sum(axis=0)
    values = ext.to_numpy().astype(np.int64)
    bound_index = list(ext.index).index(bound_row) if bound_row is not None else None
    structure = _Structure(values.shape, check_columns, bound_index)
    is_total = np.zeros(values.shape, dtype=bool)
    is_total[:, -1] = True
    if check_columns:
        is_total[-1, :] = True

    hidden = (values < k) & ((values > 0) | suppress_zeros)
    labelled = True
    while True:
        _secondary(structure, values, hidden, is_total)
        low, high = _domains(values, hidden, k, suppress_zeros, labelled)
        pinned = _Attacker(structure, values, hidden, low, high).pinned()
        if not pinned:
            break
        if labelled and any(low[q] == high[q] for q in pinned):
            labelled = False  # its label alone pins it (k = 2: "under 2" means 1)
            continue
        p = pinned[0]
        around = [q for i in structure.lines_of[p] for q, _ in structure.lines[i]]
        everywhere = [tuple(q) for q in np.argwhere(~hidden)]
        extra = _choose(structure, values, hidden, is_total, p, around, None) or _choose(
            structure,
            values,
            hidden,
            is_total,
            p,
            everywhere,
            None,  # type: ignore[arg-type]
        )
        if extra is not None:
            hidden[extra] = True
        elif labelled:
            labelled = False  # nothing left to hide: the labels are what pins it
        else:
            break  # cannot happen with non-negative counts; hiding more is impossible anyway

    reasons = []
    for r, c in zip(*np.nonzero(hidden), strict=True):
        if not labelled:
            reason = WITHHELD
        elif values[r, c] < k:
            reason = PRIMARY.format(k=k)
        else:
            reason = SECONDARY
        reasons.append((ext.index[r], ext.columns[c], reason))
    shown = ext.astype("Int64").mask(hidden)
    mask = pd.DataFrame(hidden, index=ext.index, columns=ext.columns)
    return SuppressedTable(
        shown,
        mask,
        pd.DataFrame(reasons, columns=["row", "column", "reason"]),
        k,
        check_columns,
        suppress_zeros,
        bound_row,
        labelled,
    )


def _secondary(
    structure: _Structure, values: np.ndarray, hidden: np.ndarray, is_total: np.ndarray
) -> None:
    """Hide cells until no line has exactly one hidden value (in place)."""
    changed = True
    while changed:
        changed = False
        for index, line in enumerate(structure.lines):
            cells = [p for p, _ in line]
            hidden_cells = [p for p in cells if hidden[p]]
            if len(hidden_cells) != 1:
                continue
            best = _choose(structure, values, hidden, is_total, hidden_cells[0], cells, index)
            if best is None:
                raise AnalysisError("internal error: no cell left to protect a hidden count")
            hidden[best] = True
            changed = True


def attacker(table: SuppressedTable, truth: pd.DataFrame) -> _Attacker:
    """The integer programme an attacker would solve for ``table`` (``truth``: the full counts
    with totals, needed only to state the problem; the solver sees only published values)."""
    values = truth.reindex(index=table.counts.index, columns=table.counts.columns).to_numpy()
    values = values.astype(np.int64)
    hidden = table.hidden.to_numpy()
    bound = list(table.counts.index).index(table.bound_row) if table.bound_row else None
    structure = _Structure(values.shape, table.check_columns, bound)
    low, high = _domains(values, hidden, table.k, table.suppress_zeros, table.labelled)
    return _Attacker(structure, values, hidden, low, high)


def percentages(table: SuppressedTable, base_column: str = TOTAL) -> pd.DataFrame:
    """Row percentages, hidden where the cell or its base is hidden."""
    counts = table.counts.astype("Float64")
    base = counts[base_column]
    pct = counts.div(base, axis=0).mul(100).round(1)
    return pct.mask(table.hidden | table.hidden[[base_column]].to_numpy())


@dataclass
class TestTable:
    """A table a test of difference may use: every cell is already derivable when published."""

    counts: pd.DataFrame
    note: str  # "" when it is the full table


def test_table(
    table: SuppressedTable, truth: pd.DataFrame, rows: Sequence[str] | None = None
) -> TestTable | None:
    """The most detailed coarsening of ``table``'s body that reveals nothing new, or None.

    ``truth`` is the unsuppressed body (rows x columns). With nothing hidden it is the body
    itself. Otherwise the columns holding hidden cells are combined into one; groups whose
    combined cell still cannot be worked out are combined (when columns add up) or left out.
    Every cell of the result is checked with the integer programme to take one value only.
    """
    body_rows = [r for r in (rows if rows is not None else truth.index) if r in truth.index]
    columns = list(truth.columns)
    hidden = table.hidden.loc[body_rows, columns]
    if not hidden.to_numpy().any():
        return TestTable(truth.loc[body_rows, columns].astype(int), "")
    full = truth.copy()
    full[TOTAL] = truth.sum(axis=1)
    if table.check_columns:
        full.loc[TOTAL] = full.sum(axis=0)
    solver = attacker(table, full)
    grid = full.reindex(index=table.counts.index, columns=table.counts.columns).to_numpy()
    row_at = {r: i for i, r in enumerate(table.counts.index)}
    col_at = {c: j for j, c in enumerate(table.counts.columns)}
    merged = [c for c in columns if hidden[c].any()]
    kept = [c for c in columns if c not in merged]
    if len(kept) + (1 if merged else 0) < 2:
        return None  # every category would be combined into one: nothing left to test
    merged_label = " + ".join(merged)
    total_shown = ~table.hidden[TOTAL]

    def determined(row_labels: Sequence[str], col_labels: Sequence[str]) -> bool:
        cells = [(row_at[r], col_at[c]) for r in row_labels for c in col_labels]
        low, high = solver.value_range(cells, grid)
        return low == high

    groups: list[tuple[str, list[str]]] = []
    undetermined: list[str] = []
    for r in body_rows:
        # With the row's total shown, its combined cell is that total less the shown cells.
        if not merged or total_shown[r] or determined([r], merged):
            groups.append((r, [r]))
        else:
            undetermined.append(r)
    notes = []
    if merged:
        notes.append(f"categories {', '.join(repr(c) for c in merged)} combined")
    if undetermined:
        if table.check_columns and len(undetermined) > 1 and determined(undetermined, merged):
            label = " + ".join(undetermined)
            groups.append((label, undetermined))
            notes.append(f"groups {', '.join(repr(r) for r in undetermined)} combined")
        else:
            notes.append(f"groups {', '.join(repr(r) for r in undetermined)} left out")
    out_columns = [*kept, merged_label] if merged else kept
    data = []
    for _, members in groups:
        row = [int(truth.loc[members, c].sum()) for c in kept]
        if merged:
            row.append(int(truth.loc[members, merged].to_numpy().sum()))
        data.append(row)
    result = pd.DataFrame(data, index=[g for g, _ in groups], columns=out_columns)
    for _, members in groups:  # belt and braces: every cell must already be derivable
        if len(members) == 1 and total_shown[members[0]]:
            continue  # shown cells, and the total less them
        for column in out_columns:
            parts = merged if column == merged_label and merged else [column]
            if not determined(members, parts):
                return None
    result = result.loc[result.sum(axis=1) > 0, result.sum(axis=0) > 0]
    if result.shape[0] < 2 or result.shape[1] < 2:
        return None
    return TestTable(result, "tested with " + "; ".join(notes) + " (no hidden count is used)")
