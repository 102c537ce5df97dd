"""Theme results: how many respondents mention each theme, overall and by group, over time.

Counts are respondents (one answer each per question), and the coding that counts is used:
an agreed resolution, else a person's decision, else the machine's suggestion. Tables that
leave the workspace go through `analysis.disclosure` first.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.disclosure import SuppressedTable, suppress
from research.coding.decisions import Coding

ALL = "All respondents"
ANSWERED = "Answered the question"


@dataclass
class ThemeResults:
    counts: pd.DataFrame  # rows: themes then ANSWERED; columns: ALL then each group
    by_person: pd.Series  # theme -> respondents whose coding by a person includes it
    over_time: pd.DataFrame  # month x theme counts


def theme_results(
    answers: pd.DataFrame,
    codings: dict[str, Coding],
    themes: list[str],
    group_column: str = "respondent_type",
    group_labels: dict[str, str] | None = None,
) -> ThemeResults:
    labels = group_labels or {}
    coded = [codings.get(rid) for rid in answers["id"]]
    marks = pd.DataFrame(
        {theme: [int(c is not None and theme in c.themes) for c in coded] for theme in themes},
        index=answers.index,
    )
    person = pd.Series([bool(c and c.by_person) for c in coded], index=answers.index)
    groups = answers[group_column].map(
        lambda v: labels.get(str(v), str(v)) if pd.notna(v) else "Not answered"
    )
    counts = pd.DataFrame({ALL: marks.sum()}, index=themes)
    for group in sorted(groups.unique()):
        counts[group] = marks[groups == group].sum()
    answered = pd.Series({ALL: len(answers), **groups.value_counts().to_dict()})
    counts.loc[ANSWERED] = answered.reindex(counts.columns).fillna(0).astype(int)
    months = pd.to_datetime(answers["submitted_at"], utc=True).dt.strftime("%Y-%m")
    over_time = marks.groupby(months).sum() if len(marks) else marks
    return ThemeResults(
        counts=counts.astype(int),
        by_person=marks[person].sum().reindex(themes).fillna(0).astype(int),
        over_time=over_time,
    )


def published_table(results: ThemeResults, k: int) -> tuple[SuppressedTable, pd.DataFrame]:
    """The table for download: small counts hidden, with secondary suppression along each
    group row (themes are not additive down a column: one answer can carry several)."""
    groups = results.counts.drop(columns=[ALL])
    table = suppress(groups, k=k, check_columns=False)
    shares = percentages_of_answered(table)
    return table, shares


def percentages_of_answered(table: SuppressedTable) -> pd.DataFrame:
    """Each cell as a percentage of its group's respondents who answered, hidden wherever the
    cell or the base is hidden."""
    counts = table.counts.astype("Float64")
    base = counts.loc[ANSWERED]
    pct = counts.div(base, axis=1).mul(100).round(1)
    return pct.mask(table.hidden | table.hidden.loc[[ANSWERED]].to_numpy())
