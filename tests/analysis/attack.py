"""An attacker for published tables and word clouds, written apart from the library.

It sees only what is published: the table with its totals (hidden cells blank), which cells
are hidden and the label of each ("count under k": 1..k-1, "protects": k or more, "hidden":
withheld), percentages and chart data (derived from visible cells, so they add nothing that is
not checked below), and the test statistic. It enumerates every whole-number table consistent
with all of it, optionally re-running the whole publication on each candidate (an attacker who
knows the code), and reports hidden cells that take one value only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

TOTAL = "Total"


def _equations(shown: pd.DataFrame, check_columns: bool) -> list[list[tuple[tuple[int, int], int]]]:
    rows, cols = shown.shape
    lines = [[((r, c), 1) for c in range(cols - 1)] + [((r, cols - 1), -1)] for r in range(rows)]
    if check_columns:
        body_rows = rows - 1
        lines += [
            [((r, c), 1) for r in range(body_rows)] + [((rows - 1, c), -1)] for c in range(cols)
        ]
    return lines


def _domains(
    shown: pd.DataFrame, reasons: pd.DataFrame, k: int, zeros_hidden: bool, cap: int
) -> dict[tuple[int, int], tuple[int, int]]:
    rows = {r: i for i, r in enumerate(shown.index)}
    cols = {c: j for j, c in enumerate(shown.columns)}
    floor = 0 if zeros_hidden else 1
    out = {}
    for _, item in reasons.iterrows():
        cell = (rows[item["row"]], cols[item["column"]])
        reason = str(item["reason"])
        if reason.startswith("primary"):
            out[cell] = (floor, k - 1)
        elif reason.startswith("secondary"):
            out[cell] = (k, cap)
        else:
            out[cell] = (floor, cap)
    return out


def candidates(
    shown: pd.DataFrame,
    reasons: pd.DataFrame,
    k: int,
    check_columns: bool = True,
    zeros_hidden: bool = False,
    bound_row: str | None = None,
    cap: int | None = None,
    limit: int = 200_000,
    avoid: dict[tuple[int, int], int] | None = None,
) -> Iterator[np.ndarray]:
    """Every extended table (totals included) consistent with the published cells and labels.

    Backtracking over hidden cells with interval pruning on each line sum; ``cap`` bounds the
    otherwise unlimited "k or more" cells (tables beyond it are not needed to show ambiguity).
    ``avoid`` leaves out one value of some cells (to ask "can this cell be anything else?").
    """
    values = shown.to_numpy(dtype=float, na_value=np.nan)
    if cap is None:
        visible_total = np.nansum(values)
        cap = int(visible_total) + 4 * k + 4
    domains = _domains(shown, reasons, k, zeros_hidden, cap)
    cells = sorted(domains)
    lines = _equations(shown, check_columns)
    bound_at = list(shown.index).index(bound_row) if bound_row is not None else None
    grid = np.where(np.isnan(values), 0, values).astype(np.int64)
    assigned = ~np.isnan(values)
    lines_of: dict[tuple[int, int], list[int]] = {}
    for i, line in enumerate(lines):
        for p, _ in line:
            lines_of.setdefault(p, []).append(i)
    found = 0

    def feasible(line: list[tuple[tuple[int, int], int]]) -> bool:
        low = high = 0
        for p, coef in line:
            if assigned[p]:
                low += coef * grid[p]
                high += coef * grid[p]
            else:
                lo, hi = domains[p]
                low += coef * (lo if coef > 0 else hi)
                high += coef * (hi if coef > 0 else lo)
        return low <= 0 <= high

    def bounded() -> bool:
        if bound_at is None:
            return True
        for c in range(grid.shape[1]):
            if not assigned[bound_at, c]:
                continue
            for r in range(grid.shape[0]):
                if r != bound_at and assigned[r, c] and grid[r, c] > grid[bound_at, c]:
                    return False
        return True

    def walk(i: int) -> Iterator[np.ndarray]:
        nonlocal found
        if found >= limit:
            raise RuntimeError("too many candidate tables for exhaustive search")
        if i == len(cells):
            found += 1
            yield grid.copy()
            return
        p = cells[i]
        lo, hi = domains[p]
        for v in range(lo, hi + 1):
            if avoid and avoid.get(p) == v:
                continue
            grid[p] = v
            assigned[p] = True
            if all(feasible(lines[j]) for j in lines_of[p]) and bounded():
                yield from walk(i + 1)
            assigned[p] = False
        grid[p] = 0

    if not all(feasible(line) for line in lines):
        return
    yield from walk(0)


def pinned_by_search(
    shown: pd.DataFrame,
    reasons: pd.DataFrame,
    k: int,
    truth: np.ndarray,
    check_columns: bool = True,
    accept: Callable[[np.ndarray], bool] | None = None,
    **options: object,
) -> list[tuple[int, int]]:
    """Hidden cells for which no consistent table gives any other value (depth-first search,
    stopping at the first table that moves the cell; ``accept`` adds a published statistic)."""
    hidden = shown.isna().to_numpy()
    out = []
    for r, c in np.argwhere(hidden):
        cell = (int(r), int(c))
        found = candidates(
            shown,
            reasons,
            k,
            check_columns,
            avoid={cell: int(truth[cell])},
            **options,  # type: ignore[arg-type]
        )
        if not any(accept is None or accept(g) for g in found):
            out.append(cell)
    return out


def pinned_cells(
    tables: Sequence[np.ndarray], hidden: np.ndarray, truth: np.ndarray | None = None
) -> list[tuple[int, int]]:
    """Hidden cells that take the same value in every candidate (there must be some)."""
    if not tables:
        raise AssertionError("no candidate table at all: the attacker model is wrong")
    stack = np.stack(tables)
    if truth is not None:
        assert any((t == truth).all() for t in tables), "the true table is not a candidate"
    return [
        (int(r), int(c)) for r, c in np.argwhere(hidden) if (stack[:, r, c] == stack[0, r, c]).all()
    ]


def extended(body: pd.DataFrame, check_columns: bool = True) -> pd.DataFrame:
    ext = body.copy()
    ext[TOTAL] = body.sum(axis=1)
    if check_columns:
        ext.loc[TOTAL] = ext.sum(axis=0)
    return ext


def body_of(grid: np.ndarray, shown: pd.DataFrame, check_columns: bool) -> pd.DataFrame:
    rows = len(shown.index) - (1 if check_columns else 0)
    return pd.DataFrame(
        grid[:rows, :-1], index=shown.index[:rows], columns=shown.columns[:-1]
    ).astype(int)


def _milp_problem(
    shown: pd.DataFrame,
    reasons: pd.DataFrame,
    k: int,
    check_columns: bool,
    zeros_hidden: bool,
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], int], list[LinearConstraint], Bounds]:
    values = shown.to_numpy(dtype=float, na_value=np.nan)
    cap = int(np.nansum(values)) * 3 + 10 * k
    domains = _domains(shown, reasons, k, zeros_hidden, cap)
    cells = sorted(domains)
    index = {p: i for i, p in enumerate(cells)}
    a_rows, rhs = [], []
    for line in _equations(shown, check_columns):
        row = np.zeros(len(cells))
        constant = 0.0
        for p, coef in line:
            if p in index:
                row[index[p]] += coef
            else:
                constant += coef * values[p]
        if row.any():
            a_rows.append(row)
            rhs.append(-constant)
    constraint = (
        [LinearConstraint(np.array(a_rows), np.array(rhs), np.array(rhs))] if a_rows else []
    )
    bounds = Bounds([domains[p][0] for p in cells], [domains[p][1] for p in cells])
    return cells, index, constraint, bounds


def milp_pinned(
    shown: pd.DataFrame,
    reasons: pd.DataFrame,
    k: int,
    check_columns: bool = True,
    zeros_hidden: bool = False,
) -> list[tuple[int, int]]:
    """The same question for tables too big to enumerate: min and max of each hidden cell."""
    cells, index, constraint, bounds = _milp_problem(shown, reasons, k, check_columns, zeros_hidden)
    out = []
    for p in cells:
        objective = np.zeros(len(cells))
        objective[index[p]] = 1
        low = milp(objective, constraints=constraint, integrality=1, bounds=bounds)
        high = milp(-objective, constraints=constraint, integrality=1, bounds=bounds)
        assert low.x is not None and high.x is not None, "no consistent table"
        if round(low.x[index[p]]) == round(high.x[index[p]]):
            out.append(p)
    return out


def sum_range(
    shown: pd.DataFrame,
    reasons: pd.DataFrame,
    k: int,
    cells_to_add: list[tuple[int, int]],
    check_columns: bool = True,
) -> tuple[int, int]:
    """Smallest and largest possible sum of some cells over all consistent tables."""
    values = shown.to_numpy(dtype=float, na_value=np.nan)
    cells, index, constraint, bounds = _milp_problem(shown, reasons, k, check_columns, False)
    objective = np.zeros(len(cells))
    constant = 0
    for p in cells_to_add:
        if p in index:
            objective[index[p]] += 1
        else:
            constant += int(values[p])
    if not objective.any():
        return constant, constant
    low = milp(objective, constraints=constraint, integrality=1, bounds=bounds)
    high = milp(-objective, constraints=constraint, integrality=1, bounds=bounds)
    assert low.x is not None and high.x is not None, "no consistent table"
    return round(low.fun) + constant, round(-high.fun) + constant


def consistent_with_publication(
    grids: Sequence[np.ndarray],
    shown: pd.DataFrame,
    check_columns: bool,
    publish: Callable[[pd.DataFrame], object],
    published: object,
) -> list[np.ndarray]:
    """Candidates whose own publication (re-run with the library) is identical to the real one."""
    return [g for g in grids if publish(body_of(g, shown, check_columns)) == published]


def cloud_candidates(
    published: dict[str, dict[str, int]],
    sizes: dict[str, int],
    k: int,
    word: str,
) -> list[dict[str, int]]:
    """Per-group counts of ``word`` consistent with a published set of clouds.

    ``published`` maps "All" and each group to its shown words and counts; ``sizes`` gives each
    published cloud's respondents; respondents in no published group form the remainder. A
    word absent from a cloud has a count from 0 to k-1 there or, if hidden to protect, up to the
    group's size: the attacker is allowed both.
    """
    groups = [g for g in published if g != "All"]
    remainder = sizes["All"] - sum(sizes[g] for g in groups)
    total_shown = word in published["All"]
    options = []
    for g in groups:
        if word in published[g]:
            options.append([published[g][word]])
        else:
            options.append(list(range(0, sizes[g] + 1)))
    options.append(list(range(0, remainder + 1)))
    out = []
    for combo in itertools.product(*options):
        total = sum(combo)
        if total_shown and total != published["All"][word]:
            continue
        if not total_shown and total >= k:
            continue
        out.append(dict(zip([*groups, "(rest)"], combo, strict=True)))
    return out
