"""Breakdowns: a rating (or one row of a rating grid) by a group question, and cross-tabs of
two group questions, computed by :mod:`analysis.breakdown` on option labels.

The workspace calls them with ``k=1`` (raw counts: nothing is under 1); downloads with the consultation's ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.disclosure import TOTAL
from research.results import asked, frame_from_json, frame_to_json
from research.tables import Table, counts_and_percent, missing, number, percent, tidy
from surveys.definition import Option, Survey
from surveys.definition.questions.rating import Rating, RatingGrid

if TYPE_CHECKING:
    from analysis.breakdown import Breakdown, RatingCounts

RESPONDENT_TYPE = "respondent_type"
RATING, GROUP, ROWS, COLUMNS = "_rating", "_group", "_rows", "_columns"


@dataclass(frozen=True)
class RatingTarget:
    """A rating question or one row of a grid, by token (``key`` or ``grid.row``)."""

    token: str
    title: str
    question: Rating
    column: str


@dataclass(frozen=True)
class GroupQuestion:
    key: str
    title: str
    options: tuple[Option, ...]


def rating_targets(survey: Survey) -> list[RatingTarget]:
    found = []
    for question in survey.questions():
        if isinstance(question, RatingGrid):
            found += [
                RatingTarget(
                    f"{question.key}.{row.value}",
                    f"{question.title}: {row.label}",
                    question,
                    f"{question.key}__{row.value}",
                )
                for row in question.rows
            ]
        elif isinstance(question, Rating):
            found.append(RatingTarget(question.key, question.title, question, question.key))
    return found


def group_questions(survey: Survey, types: list[Option]) -> list[GroupQuestion]:
    """Respondent type first, then every single-choice question (age band, ethnicity...)."""
    groups = [GroupQuestion(RESPONDENT_TYPE, "Respondent type", tuple(types))]
    for question in survey.questions():
        if question.groups_respondents and question.key != survey.respondent_type_question:
            options = getattr(question, "all_options", ())
            groups.append(GroupQuestion(question.key, question.title, options))
    return groups


def labelled(values: pd.Series, options: tuple[Option, ...]) -> pd.Series:
    """Option codes shown as their labels (codes no option has are kept as they are), as plain
    objects. A categorical column is relabelled through its few categories, not row by row."""
    names = {option.value: option.label for option in options}
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [names.get(str(code), str(code)) for code in values.cat.categories]
        if len(set(categories)) == len(categories):
            return values.cat.rename_categories(categories).astype(object)
    codes = values.astype(object)
    return codes.map(names).fillna(codes)


def rating_counts_by_group(
    frame: pd.DataFrame, survey: Survey, target: RatingTarget, group: GroupQuestion
) -> RatingCounts:
    """The counts a rating breakdown is made from (small: a background job stores them)."""
    # Imported when first used, as is scipy behind it: seconds off the app's start-up.
    from analysis.breakdown import rating_counts

    part = asked(frame, survey, target.question)
    data = pd.DataFrame(
        {
            RATING: labelled(part[target.column], target.question.all_options),
            GROUP: labelled(part[group.key], group.options),
        }
    )
    levels = [option.label for option in reversed(target.question.scale)]  # worst to best
    dont_know = (target.question.dont_know_label,) if target.question.dont_know_label else ()
    return rating_counts(data, RATING, levels, GROUP, dont_know=dont_know)


def rating_by_group(found: RatingCounts, k: int) -> Breakdown:
    from analysis.breakdown import breakdown_of_ratings

    return breakdown_of_ratings(found, k)


def rating_counts_to_json(found: RatingCounts) -> dict[str, Any]:
    return {
        "counts": frame_to_json(found.counts),
        "levels": found.levels,
        "rows": found.rows,
        "excluded": found.excluded,
        "unanswered": found.unanswered,
        "grouped": found.grouped,
    }


def rating_counts_of(data: dict[str, Any]) -> RatingCounts:
    from analysis.breakdown import RatingCounts

    return RatingCounts(
        frame_from_json(data["counts"]),
        [str(level) for level in data["levels"]],
        int(data["rows"]),
        int(data["excluded"]),
        int(data["unanswered"]),
        bool(data["grouped"]),
    )


def groups_counted(
    frame: pd.DataFrame, rows: GroupQuestion, columns: GroupQuestion
) -> pd.DataFrame:
    """Respondents by two group questions, before suppression (small: a job stores them)."""
    from analysis.breakdown import cross_counts

    data = pd.DataFrame(
        {
            ROWS: labelled(frame[rows.key], rows.options),
            COLUMNS: labelled(frame[columns.key], columns.options),
        }
    )
    return cross_counts(data, ROWS, COLUMNS)


def groups_crossed(counts: pd.DataFrame, k: int) -> Breakdown:
    from analysis.breakdown import crossed

    return crossed(counts, k)


def row_percentages(breakdown: Breakdown) -> pd.DataFrame:
    return breakdown.percent.drop(columns=[TOTAL], errors="ignore")


def breakdown_table(caption: str, breakdown: Breakdown, row_title: str) -> Table:
    return counts_and_percent(caption, breakdown.table, row_percentages(breakdown), row_title)


def net_table(caption: str, breakdown: Breakdown, row_title: str) -> Table | None:
    if breakdown.net is None:
        return None
    rows = []
    for label, row in breakdown.net.iterrows():
        good = f"{number(row['good_n'])} ({percent(row['good_pct'])})"
        poor = f"{number(row['poor_n'])} ({percent(row['poor_pct'])})"
        rows.append([str(label), number(row["base"]), good, poor])
    header = [row_title, "Gave a rating (n)", "Net good", "Net poor"]
    return Table(caption, header, rows)


def chart_data(breakdown: Breakdown) -> pd.DataFrame:
    """Row percentages per group for a stacked bar, hidden cells and totals left out."""
    return tidy(breakdown.table, row_percentages(breakdown))


def download_sections(breakdown: Breakdown) -> list[tuple[str, pd.DataFrame]]:
    sections = [
        ("Number", breakdown.table.counts),
        ("Row percentage", row_percentages(breakdown)),
    ]
    if breakdown.net is not None:
        sections.append(("Net good and net poor", breakdown.net))
    return sections


def has_data(breakdown: Breakdown) -> bool:
    counts = breakdown.table.counts
    return not counts.empty and not all(missing(v) for v in counts.to_numpy().ravel())
