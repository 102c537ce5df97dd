"""Breakdowns of rating and theme questions, overall and by group, with suppression.

Every table states its base (who is counted), what was excluded ("don't know"), what was
suppressed and why, and a chi-square test of difference between groups where meaningful and
safe: the test only ever uses a table whose every cell can already be worked out from what is
published (:func:`analysis.disclosure.test_table`), so its value gives nothing away. Labels are
cleaned and capped (:func:`analysis.disclosure.clean_label`) and names reserved for totals are
refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from analysis.disclosure import (
    TOTAL,
    SuppressedTable,
    check_k,
    check_labels,
    clean_label,
    clean_labels,
    percentages,
    suppress,
    test_table,
)
from analysis.errors import AnalysisError
from analysis.sources import require_columns

DONT_KNOW = ("don't know", "dont know", "not applicable", "n/a", "don't know / not applicable")
ALL = "All"
BASE_ROW = "Respondents (base)"
NOT_STATED = "Not stated"
NO_TEST = (
    "no test of difference: with these cells hidden, no table of categories that could be "
    "combined was left to test without giving hidden counts away"
)


@dataclass
class ChiSquare:
    statistic: float
    p_value: float
    dof: int
    note: str
    table: pd.DataFrame | None = None  # the counts tested, when not the full table


@dataclass
class Breakdown:
    table: SuppressedTable
    percent: pd.DataFrame
    net: pd.DataFrame | None
    base: str
    notes: list[str] = field(default_factory=list)
    test: ChiSquare | None = None

    def all_notes(self) -> list[str]:
        test = [self.test.note] if self.test else []
        return [self.base, *self.table.notes(), *self.notes, *test]


def chi_square(counts: pd.DataFrame) -> ChiSquare | None:
    """Pearson chi-square of independence; None when the table has fewer than 2x2 levels."""
    body = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if body.shape[0] < 2 or body.shape[1] < 2:
        return None
    result = chi2_contingency(body.to_numpy(), correction=False)
    expected = np.asarray(result.expected_freq)
    small = float((expected < 5).mean())
    note = f"chi-square = {result.statistic:.2f}, df = {result.dof}, p = {result.pvalue:.3g}"
    if small > 0.2 or expected.min() < 1:
        note += (
            f"; not reliable: {small:.0%} of cells have expected counts under 5 "
            "(more than 20%) or some under 1"
        )
    return ChiSquare(float(result.statistic), float(result.pvalue), int(result.dof), note)


def safe_chi_square(
    table: SuppressedTable, counts: pd.DataFrame, rows: Sequence[str] | None = None
) -> tuple[ChiSquare | None, list[str]]:
    """The chi-square test a suppressed table may publish, and a note when there is none.

    Computed on :func:`analysis.disclosure.test_table`: the full table when nothing is hidden,
    otherwise one with the categories holding hidden cells combined, every cell of which can
    already be worked out from the published table.
    """
    tested = test_table(table, counts, rows)
    if tested is None:
        return None, [NO_TEST]
    result = chi_square(tested.counts)
    if result is None:
        return None, [NO_TEST] if tested.note else []
    if tested.note:
        result.note += f"; {tested.note}"
        result.table = tested.counts
    return result, []


def _labels(values: pd.Series) -> pd.Series:
    return clean_labels(values.fillna(NOT_STATED).astype(str))


def _answers(frame: pd.DataFrame, question: str, dont_know: Sequence[str]) -> pd.DataFrame:
    answers = frame[frame[question].notna() & (frame[question].astype(str).str.strip() != "")]
    is_dk = (
        answers[question].astype(str).str.strip().str.lower().isin([d.lower() for d in dont_know])
    )
    return answers.assign(_dk=is_dk.to_numpy())


@dataclass(frozen=True)
class RatingCounts:
    """What a rating breakdown needs from the rows: counts of each level per group, and how
    many answered "don't know" or not at all. Small, whatever the number of rows, so a
    background job can store it and a page can build the breakdown from it at any ``k``."""

    counts: pd.DataFrame  # groups x levels (worst to best)
    levels: list[str]
    rows: int
    excluded: int
    unanswered: int
    grouped: bool


def rating_counts(
    frame: pd.DataFrame,
    question: str,
    levels: Sequence[str] | None = None,
    group: str | None = None,
    dont_know: Sequence[str] = DONT_KNOW,
) -> RatingCounts:
    require_columns(frame, [question] + ([group] if group else []))
    answers = _answers(frame, question, dont_know)
    rated = answers[~answers["_dk"]]
    values = clean_labels(rated[question].astype(str))
    if levels is None:
        levels = sorted(values.unique().tolist())
    levels = [clean_label(level) for level in levels]
    check_labels(levels, "level")
    unknown = sorted(set(values) - set(levels))
    if unknown:
        raise AnalysisError(f"column '{question}' has values not in the levels: {unknown[0]!r}")
    rows = _labels(rated[group]) if group else pd.Series(ALL, rated.index)
    check_labels(sorted(set(rows)), "group")
    counts = pd.crosstab(rows, pd.Categorical(values, categories=list(levels)), dropna=False)
    counts.columns = [str(c) for c in counts.columns]
    counts.index = [str(i) for i in counts.index]
    counts.index.name = counts.columns.name = None
    excluded = int(answers["_dk"].sum())
    return RatingCounts(
        counts, list(levels), len(frame), excluded, len(frame) - len(answers), group is not None
    )


def rating_breakdown(
    frame: pd.DataFrame,
    question: str,
    levels: Sequence[str] | None = None,
    group: str | None = None,
    k: int = 10,
    dont_know: Sequence[str] = DONT_KNOW,
    net_size: int = 2,
) -> Breakdown:
    """Counts and percentages per level; ``levels`` ordered worst to best enables net scores."""
    k = check_k(k)
    return breakdown_of_ratings(
        rating_counts(frame, question, levels, group, dont_know), k, net_size
    )


def breakdown_of_ratings(found: RatingCounts, k: int = 10, net_size: int = 2) -> Breakdown:
    """:func:`rating_breakdown` from counts already taken."""
    k = check_k(k)
    counts, levels = found.counts, found.levels
    table = suppress(counts, k, check_columns=len(counts) > 1)
    rated = int(counts.to_numpy().sum())
    base = (
        f"Base: {rated} respondents who gave a rating; {found.excluded} 'don't know / not "
        f"applicable' answers excluded; {found.unanswered} did not answer"
    )
    net = _net(table, levels, net_size, k) if len(levels) >= 2 * net_size else None
    test, notes = safe_chi_square(table, counts) if found.grouped else (None, [])
    return Breakdown(table, percentages(table), net, base, notes, test)


def _net(table: SuppressedTable, levels: list[str], size: int, k: int) -> pd.DataFrame:
    out = pd.DataFrame(index=table.counts.index)
    out["base"] = table.counts[TOTAL]
    for name, chosen in (("good", levels[-size:]), ("poor", levels[:size])):
        # A net is shown only when every part is shown, otherwise it reveals a hidden part.
        parts_hidden = table.hidden[chosen].any(axis=1) | table.hidden[TOTAL]
        count = table.counts[chosen].sum(axis=1, skipna=False)
        count = count.mask(parts_hidden | (count < k))
        out[f"{name}_n"] = count
        out[f"{name}_pct"] = (count / out["base"] * 100).astype("Float64").round(1)
    return out


def cross_counts(frame: pd.DataFrame, rows: str, columns: str) -> pd.DataFrame:
    """Respondents by two groups (labels cleaned and checked), before suppression."""
    require_columns(frame, [rows, columns])
    row_labels, column_labels = _labels(frame[rows]), _labels(frame[columns])
    check_labels(sorted(set(row_labels)), "group")
    check_labels(sorted(set(column_labels)), "group")
    counts = pd.crosstab(row_labels.to_numpy(), column_labels.to_numpy())
    counts.index = [str(i) for i in counts.index]
    counts.columns = [str(c) for c in counts.columns]
    counts.index.name = counts.columns.name = None
    return counts


def cross_tab(frame: pd.DataFrame, rows: str, columns: str, k: int = 10) -> Breakdown:
    """Respondents by two groups, suppressed, with a chi-square test."""
    k = check_k(k)
    return crossed(cross_counts(frame, rows, columns), k)


def crossed(counts: pd.DataFrame, k: int = 10) -> Breakdown:
    """:func:`cross_tab` from counts already taken (every respondent is in one cell)."""
    k = check_k(k)
    table = suppress(counts, k)
    base = f"Base: {int(counts.to_numpy().sum())} respondents"
    test, notes = safe_chi_square(table, counts)
    return Breakdown(table, percentages(table), None, base, notes, test)


def theme_breakdown(
    coded: pd.DataFrame, themes: Sequence[str], group: str | None = None, k: int = 10
) -> Breakdown:
    """Respondents mentioning each theme, overall and by group (themes are multi-label)."""
    k = check_k(k)
    require_columns(coded, list(themes) + ([group] if group else []))
    names = [clean_label(t) for t in themes]
    check_labels(names, "theme", reserved=(TOTAL, BASE_ROW))
    groups = _labels(coded[group]) if group else pd.Series(ALL, coded.index)
    check_labels(sorted(set(groups)), "group")
    body = coded[list(themes)].apply(pd.to_numeric, errors="coerce").fillna(0)
    body = body.astype(int).gt(0).astype(int)
    body.columns = names
    counts = body.groupby(groups.to_numpy()).sum().T
    counts.loc[BASE_ROW] = groups.value_counts().reindex(counts.columns).to_numpy()
    # Themes are not additive down a column (one respondent, several themes): rows only; no
    # theme count exceeds its group's base, which an attacker can use too.
    table = suppress(counts, k, check_columns=False, bound_row=BASE_ROW)
    base_row = table.counts.loc[BASE_ROW].astype("Float64")
    pct = (table.counts.astype("Float64") / base_row * 100).round(1)
    pct = pct.mask(table.hidden | table.hidden.loc[[BASE_ROW]].to_numpy()).drop(index=BASE_ROW)
    base = (
        f"Base: all {len(coded)} respondents to the question; "
        "a respondent can mention several themes"
    )
    notes = ["percentages are of respondents in each group (column), not of mentions"]
    test, more = safe_chi_square(table, counts, names) if group else (None, [])
    return Breakdown(table, pct, None, base, notes + more, test)
