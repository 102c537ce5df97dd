"""Statistical disclosure control: primary and secondary small-cell suppression.

A table of counts is extended with its row totals, column totals and grand total. Each row and
each column of that extended table is a sum constraint, so a line with exactly one hidden value
lets a reader work it back out. Secondary suppression hides the smallest other visible value on
such a line (body cells before totals), repeating until no line has exactly one hidden value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TOTAL = "Total"


@dataclass
class SuppressedTable:
    counts: pd.DataFrame  # extended table with totals; hidden cells are NA
    hidden: pd.DataFrame  # bool mask, same shape
    reasons: pd.DataFrame  # row, column, reason
    k: int

    def notes(self) -> list[str]:
        primary = int((self.reasons["reason"].str.startswith("primary")).sum())
        secondary = len(self.reasons) - primary
        out = [f"counts under {self.k} are hidden ({primary} cell(s))"] if primary else []
        if secondary:
            out.append(
                f"{secondary} further cell(s) hidden so hidden counts cannot be worked out "
                "from row or column totals"
            )
        return out or [f"no cells under {self.k}; nothing suppressed"]


def _lines(shape: tuple[int, int], check_columns: bool) -> list[list[tuple[int, int]]]:
    rows, cols = shape
    lines = [[(r, c) for c in range(cols)] for r in range(rows)]
    if check_columns:
        lines += [[(r, c) for r in range(rows)] for c in range(cols)]
    return lines


def suppress(
    counts: pd.DataFrame,
    k: int = 10,
    check_columns: bool = True,
    suppress_zeros: bool = False,
) -> SuppressedTable:
    """Suppress a table of counts (rows x columns, no totals) with totals added.

    ``check_columns=False`` is for tables whose rows are not additive down a column (e.g.
    multi-label themes), where only row totals are true sums.
    """
    body = counts.astype(int)
    ext = body.copy()
    ext[TOTAL] = body.sum(axis=1)
    if check_columns:
        ext.loc[TOTAL] = ext.sum(axis=0)
    values = ext.to_numpy()
    hidden = (values < k) & ((values > 0) | suppress_zeros)
    reasons = [
        (ext.index[r], ext.columns[c], f"primary: count under {k}")
        for r, c in zip(*np.nonzero(hidden), strict=True)
    ]
    is_total = np.zeros_like(hidden)
    is_total[:, -1] = True
    if check_columns:
        is_total[-1, :] = True
    lines = _lines(values.shape, check_columns)
    lines_of: dict[tuple[int, int], list[int]] = {}
    for index, line in enumerate(lines):
        for p in line:
            lines_of.setdefault(p, []).append(index)

    def fixes_another(p: tuple[int, int], current: int) -> bool:
        return any(sum(hidden[q] for q in lines[i]) == 1 for i in lines_of[p] if i != current)

    changed = True
    while changed:
        changed = False
        for index, line in enumerate(lines):
            if sum(hidden[p] for p in line) != 1:
                continue
            visible = [p for p in line if not hidden[p]]
            if not visible:
                continue
            # Prefer a body cell that also protects another line, then the smallest non-zero:
            # zeros and totals protect less, and each extra hidden cell costs information.
            best = min(
                visible,
                key=lambda p: (
                    bool(is_total[p]),
                    not fixes_another(p, index),
                    values[p] == 0,
                    values[p],
                ),
            )
            hidden[best] = True
            reasons.append(
                (ext.index[best[0]], ext.columns[best[1]], "secondary: protects a hidden cell")
            )
            changed = True
    shown = ext.astype("Int64").mask(hidden)
    mask = pd.DataFrame(hidden, index=ext.index, columns=ext.columns)
    return SuppressedTable(
        shown, mask, pd.DataFrame(reasons, columns=["row", "column", "reason"]), k
    )


def percentages(table: SuppressedTable, base_column: str = TOTAL) -> pd.DataFrame:
    """Row percentages, hidden where the cell or its base is hidden."""
    counts = table.counts.astype("Float64")
    base = counts[base_column]
    pct = counts.div(base, axis=0).mul(100).round(1)
    return pct.mask(table.hidden | table.hidden[[base_column]].to_numpy())
