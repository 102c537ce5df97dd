"""Breakdowns of rating and theme questions, overall and by group, with suppression.

Every table states its base (who is counted), what was excluded ("don't know"), what was
suppressed and why, and a chi-square test of difference between groups where meaningful.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from analysis.disclosure import TOTAL, SuppressedTable, percentages, suppress
from analysis.errors import AnalysisError
from analysis.sources import require_columns

DONT_KNOW = ("don't know", "dont know", "not applicable", "n/a", "don't know / not applicable")
ALL = "All"
BASE_ROW = "Respondents (base)"


@dataclass
class ChiSquare:
    statistic: float
    p_value: float
    dof: int
    note: str


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


def _answers(frame: pd.DataFrame, question: str, dont_know: Sequence[str]) -> pd.DataFrame:
    answers = frame[frame[question].notna() & (frame[question].astype(str).str.strip() != "")]
    is_dk = (
        answers[question].astype(str).str.strip().str.lower().isin([d.lower() for d in dont_know])
    )
    return answers.assign(_dk=is_dk.to_numpy())


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
    require_columns(frame, [question] + ([group] if group else []))
    answers = _answers(frame, question, dont_know)
    rated = answers[~answers["_dk"]]
    values = rated[question].astype(str).str.strip()
    if levels is None:
        levels = sorted(values.unique().tolist())
    unknown = sorted(set(values) - set(levels))
    if unknown:
        raise AnalysisError(f"column '{question}' has values not in the levels: {unknown[0]!r}")
    rows = rated[group].fillna("Not stated").astype(str) if group else pd.Series(ALL, rated.index)
    counts = pd.crosstab(rows, pd.Categorical(values, categories=list(levels)), dropna=False)
    counts.columns = [str(c) for c in counts.columns]
    counts.index = [str(i) for i in counts.index]
    table = suppress(counts, k, check_columns=len(counts) > 1)
    excluded = int(answers["_dk"].sum())
    base = (
        f"Base: {len(rated)} respondents who gave a rating; {excluded} 'don't know / not "
        f"applicable' answers excluded; {len(frame) - len(answers)} did not answer"
    )
    net = _net(table, list(levels), net_size, k) if len(levels) >= 2 * net_size else None
    return Breakdown(
        table, percentages(table), net, base, [], chi_square(counts) if group else None
    )


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


def cross_tab(frame: pd.DataFrame, rows: str, columns: str, k: int = 10) -> Breakdown:
    """Respondents by two groups, suppressed, with a chi-square test."""
    require_columns(frame, [rows, columns])
    counts = pd.crosstab(frame[rows].fillna("Not stated"), frame[columns].fillna("Not stated"))
    counts.index = [str(i) for i in counts.index]
    counts.columns = [str(c) for c in counts.columns]
    table = suppress(counts, k)
    base = f"Base: {len(frame)} respondents"
    return Breakdown(table, percentages(table), None, base, [], chi_square(counts))


def theme_breakdown(
    coded: pd.DataFrame, themes: Sequence[str], group: str | None = None, k: int = 10
) -> Breakdown:
    """Respondents mentioning each theme, overall and by group (themes are multi-label)."""
    require_columns(coded, list(themes) + ([group] if group else []))
    groups = coded[group].fillna("Not stated").astype(str) if group else pd.Series(ALL, coded.index)
    body = coded[list(themes)].apply(pd.to_numeric).fillna(0).astype(int).gt(0).astype(int)
    counts = body.groupby(groups.to_numpy()).sum().T
    counts.loc[BASE_ROW] = groups.value_counts().reindex(counts.columns).to_numpy()
    # Themes are not additive down a column (one respondent, several themes): rows only.
    table = suppress(counts, k, check_columns=False)
    base_row = table.counts.loc[BASE_ROW].astype("Float64")
    pct = (table.counts.astype("Float64") / base_row * 100).round(1)
    pct = pct.mask(table.hidden | table.hidden.loc[[BASE_ROW]].to_numpy()).drop(index=BASE_ROW)
    base = (
        f"Base: all {len(coded)} respondents to the question; "
        "a respondent can mention several themes"
    )
    test = chi_square(counts.drop(index=BASE_ROW)) if group else None
    notes = ["percentages are of respondents in each group (column), not of mentions"]
    return Breakdown(table, pct, None, base, notes, test)
