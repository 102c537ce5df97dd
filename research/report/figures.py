"""The numbers of report sections, from a table of answers (one row per submitted response)
and the survey definition. Every count goes through `analysis.disclosure.suppress` before it
becomes a cell; charts take only the cells left shown."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.breakdown import rating_breakdown
from analysis.disclosure import TOTAL, SuppressedTable, suppress
from consult.errors import Invalid
from research.report.document import Chart, Table, count_cell
from surveys.definition import QuestionType, Survey
from surveys.definition.questions.exporting import ANY_OF, ONE_OF, RATING, RATING_GRID

NOT_ANSWERED = "Not answered"


def _all_options(question: QuestionType) -> tuple[Any, ...]:
    return tuple(getattr(question, "all_options", ()) or ())


def _labels(question: QuestionType) -> dict[str, str]:
    options = _all_options(question)
    return {o.value: o.label for o in options}


def chart_rows(table: Table, group: str = "All") -> list[dict[str, Any]]:
    """Shown cells only, parsed back from the cells so the chart cannot differ from the table."""
    out = []
    for label, cell, *_ in table.rows:
        if "% of " not in cell:
            continue
        count, rest = cell.split(" (", 1)
        out.append(
            {
                "group": group,
                "category": label,
                "percent": float(rest.split("%")[0]),
                "count": int(count),
            }
        )
    return out


def counts_table(caption: str, counts: pd.Series, k: int, additive: bool) -> Table:
    """One column of respondent counts. When the rows add up (one answer each) their total is
    a sum constraint too, so secondary suppression protects it; when they do not (several
    answers each) only the small cells themselves are hidden."""
    table = suppress(counts.astype(int).to_frame("Respondents"), k=k, check_columns=additive)
    cells = table.counts["Respondents"]
    base = cells.get(TOTAL) if additive else None
    rows = [[str(label), count_cell(cells[label], base)] for label in counts.index]
    notes = table.notes()
    if additive:
        rows.append(["Total", count_cell(base)])
        notes.append(f"Percentages are of the {count_cell(base)} respondents who answered")
    return Table(caption, ["Answer", "Respondents (% of base)"], rows, notes)


def choice_counts(frame: pd.DataFrame, question: QuestionType) -> tuple[pd.Series, bool]:
    labels = _labels(question)
    values = frame[question.key] if question.key in frame else pd.Series(dtype=object)
    if question.tabulation == ANY_OF:
        ticked: dict[str, int] = dict.fromkeys(labels.values(), 0)
        for value in values.dropna():
            for code in value.get("selected", []) if isinstance(value, dict) else []:
                ticked[labels.get(code, code)] = ticked.get(labels.get(code, code), 0) + 1
        return pd.Series(ticked, dtype=int), False
    answered = values.dropna().astype(str)
    counts = answered.map(lambda v: labels.get(v, v)).value_counts()
    order = [*labels.values(), *sorted(set(counts.index) - set(labels.values()))]
    return counts.reindex(order).fillna(0).astype(int), True


def question_table(frame: pd.DataFrame, question: QuestionType, k: int) -> tuple[Table, Chart]:
    if question.tabulation == RATING_GRID:
        return grid_table(frame, question, k)
    if question.tabulation not in {ONE_OF, ANY_OF, RATING}:
        raise Invalid("Choose a choice or rating question for a question's results")
    counts, additive = choice_counts(frame, question)
    table = counts_table(question.title, counts, k, additive)
    if not additive:
        answered = int(frame[question.key].notna().sum()) if question.key in frame else 0
        base = answered if answered >= k else None
        table.rows = [[r[0], _with_base(r[1], base)] for r in table.rows]
        table.notes.append(
            f"Respondents could choose more than one answer; base: {count_cell(base)} "
            "respondents who answered"
        )
    chart = Chart(question.title, chart_alt(question.title, table), chart_rows(table))
    return table, chart


def _with_base(cell: str, base: int | None) -> str:
    return count_cell(int(cell), base) if cell.isdigit() else cell


def chart_alt(title: str, table: Table) -> str:
    return (
        f"Bar chart: {title}. The table beside it gives every value; hidden (suppressed) "
        "values are left out of the chart."
    )


def _scale_worst_first(question: QuestionType) -> list[str]:
    return [o.label for o in reversed(getattr(question, "scale", ()))]


def _rating_column(frame: pd.DataFrame, question: QuestionType, item: str | None) -> pd.Series:
    labels = {o.value: o.label for o in _all_options(question)}
    raw = frame[question.key] if question.key in frame else pd.Series(dtype=object)
    if item is not None:
        raw = raw.map(lambda v: v.get(item) if isinstance(v, dict) else None)
    return raw.map(lambda v: labels.get(v, v) if isinstance(v, str) else None)


def grid_table(frame: pd.DataFrame, question: QuestionType, k: int) -> tuple[Table, Chart]:
    levels = _scale_worst_first(question)
    dont_know = [o.label for o in _all_options(question) if o.label not in levels]
    rows = {o.label: _rating_column(frame, question, o.value) for o in question.rows}  # type: ignore[attr-defined]
    counts = pd.DataFrame(
        {label: values.value_counts().reindex(levels).fillna(0) for label, values in rows.items()}
    ).T.astype(int)
    # Items are answered by overlapping people: only each item's row adds up.
    suppressed = suppress(counts, k=k, check_columns=False)
    table = _rows_with_base(question.title, suppressed, levels)
    table.notes.append(f"Excluded: {', '.join(dont_know) or 'none'}")
    return table, Chart(question.title, chart_alt(question.title, table), _grid_chart(table), True)


def _rows_with_base(caption: str, table: SuppressedTable, levels: list[str]) -> Table:
    rows = []
    for label in table.counts.index:
        if label == TOTAL:
            continue
        base = table.counts.loc[label, TOTAL]
        cells = [count_cell(table.counts.loc[label, level], base) for level in levels]
        rows.append([str(label), *cells, count_cell(base)])
    notes = [*table.notes(), "Percentages are of each row's base (the last column)"]
    return Table(caption, ["", *levels, "Base (respondents)"], rows, notes)


def _grid_chart(table: Table) -> list[dict[str, Any]]:
    out = []
    for row in table.rows:
        for level, cell in zip(table.columns[1:-1], row[1:-1], strict=True):
            if "% of " in cell:
                count, rest = cell.split(" (", 1)
                out.append(
                    {
                        "group": row[0],
                        "category": level,
                        "percent": float(rest.split("%")[0]),
                        "count": int(count),
                    }
                )
    return out


def breakdown_table(
    frame: pd.DataFrame,
    question: QuestionType,
    item: str | None,
    group: QuestionType | None,
    k: int,
    type_labels: dict[str, str],
) -> tuple[Table, Chart]:
    if question.tabulation not in {RATING, RATING_GRID}:
        raise Invalid("A breakdown needs a rating question (or one row of a rating grid)")
    levels = _scale_worst_first(question)
    dont_know = [o.label for o in _all_options(question) if o.label not in levels]
    data = pd.DataFrame({"rating": _rating_column(frame, question, item)})
    if group is None:
        data["group"] = frame["respondent_type"].map(lambda v: type_labels.get(v, v))
    else:
        labels = _labels(group)
        data["group"] = (
            frame[group.key].map(lambda v: labels.get(v, v) if isinstance(v, str) else None)
            if group.key in frame
            else None
        )
    result = rating_breakdown(data, "rating", levels, "group", k=k, dont_know=dont_know)
    caption = question.title + (f": {_item_label(question, item)}" if item else "")
    table = _rows_with_base(caption, result.table, levels)
    table.rows = [r for r in table.rows if r[0] != TOTAL]
    table.notes = [*result.all_notes(), "Percentages are of each group's base (the last column)"]
    return table, Chart(caption, chart_alt(caption, table), _grid_chart(table), True)


def _item_label(question: QuestionType, item: str | None) -> str:
    for option in getattr(question, "rows", ()):
        if option.value == item:
            return str(option.label)
    raise Invalid("That row is not part of the rating grid")


def group_question(survey: Survey, key: str) -> QuestionType | None:
    if not key or key == "respondent_type":
        return None
    question = survey.question(key)
    if not question.groups_respondents:
        raise Invalid("Group by respondent type or a single-choice question")
    return question
