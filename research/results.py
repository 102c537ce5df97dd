"""Per-question results: counts with their base, percentages of those answering, "not
answered", net good/poor for ratings, a chart per table, and the same tables suppressed for
download. Pure functions over the responses' DataFrame; the controller only renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.disclosure import SuppressedTable
from research.charts import ChartRenderer, Figure, percent_bars
from research.tables import (
    NOT_ANSWERED,
    RAW,
    Table,
    answered_percentages,
    count_table,
    counts_and_percent,
    net_scores,
    net_table,
    tidy,
)
from surveys.definition import Option, QuestionType, Survey
from surveys.definition.questions.base import option_label
from surveys.definition.questions.exporting import (
    ANY_OF,
    NUMERIC,
    ONE_OF,
    RATING,
    RATING_GRID,
    TEXT,
)

EVERYONE = "All in the selection"


@dataclass(frozen=True)
class Counts:
    """A question's counts before totals: rows x answers (``Not answered`` last)."""

    counts: pd.DataFrame
    row_title: str
    check_columns: bool
    scale: list[str] | None = None  # rating levels, best first: nets are taken from these
    stacked: bool = False


@dataclass
class QuestionResult:
    question: QuestionType
    base: int
    answered: int
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def not_answered(self) -> int:
        return self.base - self.answered

    @property
    def is_text(self) -> bool:
        return self.question.holds_free_text


def asked_types(survey: Survey, question: QuestionType) -> set[str] | None:
    """The respondent types routed to a question (section, page and question limits), or
    None when every type is asked."""
    for section in survey.sections:
        for page in section.pages:
            if question in page.questions:
                limits = [
                    set(t)
                    for t in (
                        section.respondent_types,
                        page.respondent_types,
                        question.respondent_types,
                    )
                    if t
                ]
                return set.intersection(*limits) if limits else None
    return None


def question_columns(question: QuestionType) -> list[str]:
    """The frame columns holding a question's answers (its own export columns)."""
    return ["respondent_type", *[column.name for column in question.export_columns()]]


def asked(frame: pd.DataFrame, survey: Survey, question: QuestionType) -> pd.DataFrame:
    types = asked_types(survey, question)
    return frame if types is None else frame[frame["respondent_type"].isin(types)]


def text_series(frame: pd.DataFrame, question: QuestionType) -> pd.Series:
    """One text per response ("" when blank); a three-words answer is its words joined (the
    text columns of the question's export, in order)."""
    columns = [c.name for c in question.export_columns() if c.kind == TEXT]
    if len(columns) > 1:
        parts = [frame[name].astype(object).fillna("") for name in columns]
        joined = parts[0].astype(str)
        for part in parts[1:]:
            joined = joined.str.cat(part.astype(str), sep=" ")
        return joined.str.strip()
    return frame[columns[0]].astype(object).fillna("").astype(str).str.strip()


def _coded(frame: pd.DataFrame, column: str, labels: dict[str, str]) -> pd.DataFrame:
    # Counted on the codes, then relabelled: a handful of values, however many rows.
    by_code = frame[column].value_counts(dropna=True)
    found: dict[str, int] = {}
    for code, count in by_code.items():
        label = labels.get(str(code), str(code))
        found[label] = found.get(label, 0) + int(count)
    ordered = list(labels.values()) + sorted(set(found) - set(labels.values()))
    row = {label: found.get(label, 0) for label in ordered}
    row[NOT_ANSWERED] = len(frame) - int(by_code.sum())
    return pd.DataFrame([row], index=[EVERYONE])


def counts_for(frame: pd.DataFrame, question: QuestionType) -> Counts | None:
    """The counts of a choice or rating question over ``frame`` (those asked it), as its type
    says it is tabulated (``QuestionType.tabulation``)."""
    shape = question.tabulation
    all_options: tuple[Option, ...] = getattr(question, "all_options", ())
    scale = [o.label for o in getattr(question, "scale", ())]
    if shape == RATING_GRID:
        labels = {o.value: o.label for o in all_options}
        rows: dict[str, pd.Series] = {}
        for row in getattr(question, "rows", ()):
            single = _coded(frame, f"{question.key}__{row.value}", labels)
            rows[row.label] = single.iloc[0]
        counts = pd.DataFrame(rows).T.fillna(0).astype(int)
        return Counts(counts, "Item", True, scale, True)
    if shape in (ONE_OF, RATING):
        labels = {o.value: o.label for o in all_options}
        levels = scale if shape == RATING else None
        return Counts(_coded(frame, question.key, labels), "Respondents", False, levels)
    if shape == ANY_OF:
        options: dict[str, dict[str, int]] = {}
        for option in all_options:
            column = frame[f"{question.key}__{option.value}"]
            selected = int((column == 1).sum())
            answered = int(column.notna().sum())
            options[option.label] = {
                "Selected": selected,
                "Not selected": answered - selected,
                NOT_ANSWERED: len(frame) - answered,
            }
        return Counts(pd.DataFrame(options).T.astype(int), "Answer", False)
    return None


def answered_count(frame: pd.DataFrame, question: QuestionType) -> int:
    if question.holds_free_text:
        return int((text_series(frame, question) != "").sum())
    own = [column.name for column in question.export_columns()]
    columns = [c for c in own if c in frame.columns]
    if not columns:
        return 0
    return int(frame[columns].notna().any(axis=1).sum())


def suppressed(found: Counts, k: int) -> tuple[SuppressedTable, pd.DataFrame]:
    table = count_table(found.counts, k, found.check_columns)
    return table, answered_percentages(table)


def question_tables(
    question: QuestionType, found: Counts, k: int
) -> tuple[list[Table], SuppressedTable, pd.DataFrame, pd.DataFrame | None]:
    table, pct = suppressed(found, k)
    tables = [
        counts_and_percent(
            f"{question.title}: number (and % of those answering)", table, pct, found.row_title
        )
    ]
    nets = None
    if found.scale and len(found.scale) >= 4:
        nets = net_scores(table, found.scale)
        if not found.check_columns:
            nets = nets.iloc[:1]
        else:
            nets = nets.drop(index="Total", errors="ignore")
        tables.append(net_table(f"{question.title}: net good and net poor", nets, found.row_title))
    return tables, table, pct, nets


def question_payload(frame: pd.DataFrame, survey: Survey, question: QuestionType) -> dict[str, Any]:
    """What a question's results are made from, small and JSON-able (a background job stores
    it): counts of the selection's respondents asked the question, however many there are."""
    part = asked(frame, survey, question)
    found = counts_for(part, question)
    summary = number_summary(part, question) if question.tabulation == NUMERIC else None
    return {
        "selected": len(frame),
        "base": len(part),
        "answered": answered_count(part, question),
        "counts": None if found is None else counts_to_json(found),
        "summary": None if summary is None else summary.rows,
    }


def counts_to_json(found: Counts) -> dict[str, Any]:
    return {
        "counts": frame_to_json(found.counts),
        "row_title": found.row_title,
        "check_columns": found.check_columns,
        "scale": found.scale,
        "stacked": found.stacked,
    }


def counts_of(payload: dict[str, Any]) -> Counts | None:
    found = payload.get("counts")
    if not found:
        return None
    return Counts(
        frame_from_json(found["counts"]),
        str(found["row_title"]),
        bool(found["check_columns"]),
        found["scale"],
        bool(found["stacked"]),
    )


def question_result(
    payload: dict[str, Any], survey: Survey, question: QuestionType, renderer: ChartRenderer
) -> QuestionResult:
    """The workspace's view of one question over the selection: raw counts (``k=1``, nothing
    hidden), from :func:`question_payload` worked out on request or by a job."""
    base, selected = int(payload["base"]), int(payload["selected"])
    result = QuestionResult(question, base, int(payload["answered"]))
    types = asked_types(survey, question)
    if types is not None:
        result.notes.append(
            "Base: respondents in the selection of the types asked this question "
            f"({', '.join(sorted(types))}); {base} of {selected}"
        )
    found = counts_of(payload)
    if found is not None:
        tables, table, pct, _ = question_tables(question, found, RAW)
        result.tables = tables
        data = tidy(table, pct)
        if not data.empty:
            result.figures.append(
                renderer.figure(
                    percent_bars,
                    data,
                    question.title,
                    found.stacked,
                    title=question.title,
                    alt=f"{'Stacked bar' if found.stacked else 'Bar'} chart of the percentages "
                    "of those answering; the same figures are in the table below.",
                )
            )
    elif payload.get("summary") is not None:
        rows = [[str(cell) for cell in row] for row in payload["summary"]]
        result.tables.append(Table(f"{question.title}: summary", ["Measure", "Value"], rows))
    return result


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    """A small table of counts as JSON (labels as text, cells as whole numbers)."""
    return {
        "index": [str(i) for i in frame.index],
        "columns": [str(c) for c in frame.columns],
        "data": [[int(v) for v in row] for row in frame.to_numpy().tolist()],
    }


def frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        data["data"], index=list(data["index"]), columns=list(data["columns"]), dtype=int
    ).astype(int)


def number_summary(frame: pd.DataFrame, question: QuestionType) -> Table:
    values = pd.to_numeric(frame[question.key], errors="coerce").dropna()
    if values.empty:
        return Table(f"{question.title}: summary", ["Measure", "Value"], [["Answered", "0"]])
    rows = [
        ["Answered", f"{len(values):,}"],
        ["Mean", f"{values.mean():.2f}"],
        ["Median", f"{values.median():g}"],
        ["Lowest", f"{values.min():g}"],
        ["Highest", f"{values.max():g}"],
    ]
    return Table(f"{question.title}: summary", ["Measure", "Value"], rows)


def label_of(question: QuestionType, code: str) -> str:
    options = getattr(question, "all_options", ())
    return option_label(options, code) if options else code
