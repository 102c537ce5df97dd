"""The export column layout: system columns, then every question's export columns.

System columns come first: ``response_id`` (a pseudonymous id, stable for that response across
exports: ``Response.export_id``, never the database key), ``respondent_type``, ``submitted_at``
and ``survey_version``. Column names are unique. A question keyed ``respondent_type`` (the
demo's respondent-type question) does not get a second column of that name: its code column
*is* the system column, holding the type recorded with the response (which is that question's
answer). Any other question column that would take a system column's name is exported as
``q_<name>`` (the builder refuses such keys; only a hand-written definition can have one).

Responses to different survey versions share one export: the columns are the union over the
versions, matched by column name (which is built from the question key), in the newest
version's order with columns that only older versions had appended. A column's heading is the
wording of the newest version that has it; each *cell* comes from the question of the version
that response answered, so option labels follow the wording that respondent saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from surveys.definition import ExportColumn, Option, QuestionType, Survey
from surveys.definition.questions.base import ExportCell
from surveys.definition.questions.exporting import CODE, LABEL, SYSTEM, TEXT

RESPONSE_ID = "response_id"
RESPONDENT_TYPE = "respondent_type"
METADATA_COLUMNS = (
    ExportColumn(RESPONSE_ID, "Response id (pseudonymous; the same in every export)"),
    ExportColumn(RESPONDENT_TYPE, "Respondent type"),
    ExportColumn("submitted_at", "Submitted at (UTC)"),
    ExportColumn("survey_version", "Survey version"),
)
SYSTEM_NAMES = frozenset(column.name for column in METADATA_COLUMNS)


@dataclass(frozen=True)
class LayoutColumn:
    name: str
    label: str
    question_key: str | None = None
    # Option codes in the cells: SPSS stores them as numbers 1..n with these as value labels.
    options: tuple[Option, ...] | None = None
    # A cell that repeats a coded column as text: SPSS drops it (value labels say the same).
    label_of: str | None = None
    # 0/1 (or 1/blank for consent) flags: SPSS labels 1 with this text.
    flag_label: str | None = None
    kind: str = TEXT
    # A rating's score column: score -> the level's label (SPSS value labels, the dictionary).
    scores: tuple[tuple[int, str], ...] | None = None
    # The question's column of this name in the definition, when the export renames it.
    source: str | None = None
    # SPSS's measurement level (nominal, ordinal, scale), from the question type.
    measure: str | None = None


def _question_columns(question: QuestionType) -> list[LayoutColumn]:
    """The question's export columns as its type describes them (kind, codes, flags, scores)."""
    columns = question.export_columns()
    names = {column.name for column in columns}
    return [
        LayoutColumn(
            column.name,
            column.label,
            question.key,
            column.options,
            _label_of(column, names),
            column.flag_label,
            column.kind,
            column.scores,
            measure=column.measure,
        )
        for column in columns
    ]


def _label_of(column: ExportColumn, names: set[str]) -> str | None:
    """The coded column a ``<name>_label`` column repeats as text, when there is one."""
    if column.kind != LABEL or not column.name.endswith("_label"):
        return None
    coded = column.name.removesuffix("_label")
    return coded if coded in names else None


def _merges_with_type(column: LayoutColumn) -> bool:
    """A question's code column named ``respondent_type`` is the system column itself."""
    return column.name == RESPONDENT_TYPE and column.kind == CODE


def _free_name(name: str, taken: set[str]) -> str:
    candidate, n = f"q_{name}", 1
    while candidate in taken:
        n += 1
        candidate = f"q{n}_{name}"
    return candidate


@dataclass(frozen=True)
class ExportLayout:
    columns: tuple[LayoutColumn, ...]
    # The surveys (versions) the export covers, oldest first: the data dictionary reads them.
    surveys: tuple[Survey, ...] = field(default=(), compare=False)

    @classmethod
    def for_versions(cls, surveys: Sequence[Survey]) -> ExportLayout:
        """``surveys`` oldest first; the newest wording heads each column."""
        seen: dict[str, LayoutColumn] = {}
        type_column: LayoutColumn | None = None
        for survey in reversed(surveys):
            for question in survey.questions():
                for column in _question_columns(question):
                    if _merges_with_type(column):
                        type_column = type_column or column
                    elif column.name in SYSTEM_NAMES:
                        seen.setdefault(f"\0{column.name}", column)
                    else:
                        seen.setdefault(column.name, column)
        metadata = []
        for system in METADATA_COLUMNS:
            if system.name == RESPONDENT_TYPE and type_column is not None:
                metadata.append(
                    LayoutColumn(
                        RESPONDENT_TYPE,
                        type_column.label,
                        type_column.question_key,
                        type_column.options,
                        kind=CODE,
                        measure=type_column.measure,
                    )
                )
            else:
                metadata.append(LayoutColumn(system.name, system.label, kind=SYSTEM))
        taken = set(SYSTEM_NAMES) | {k for k in seen if not k.startswith("\0")}
        columns = []
        for key, column in seen.items():
            if key.startswith("\0"):
                name = _free_name(column.name, taken)
                taken.add(name)
                column = replace(column, name=name, source=column.name)
            columns.append(column)
        return cls(tuple(metadata) + tuple(columns), tuple(surveys))

    @cached_property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @cached_property
    def _renamed(self) -> dict[str, str]:
        return {c.source: c.name for c in self.columns if c.source is not None}

    @property
    def labels(self) -> list[str]:
        return [column.label for column in self.columns]

    def row(
        self,
        survey: Survey,
        *,
        response_id: str,
        respondent_type: str | None,
        submitted_at: datetime,
        version_number: int,
        answers: Mapping[str, Any],
    ) -> list[ExportCell]:
        """One response's cells in column order, exported by its own version's questions."""
        cells: dict[str, ExportCell] = {}
        for question in survey.questions():
            cells.update(question.export(answers.get(question.key)))
        for old, new in self._renamed.items():
            if old in cells:
                cells[new] = cells.pop(old)
        cells.update(
            {
                RESPONSE_ID: response_id,
                # The type recorded with the response; the respondent-type question's own
                # column of that name (when it has it) holds the same answer.
                RESPONDENT_TYPE: respondent_type or cells.get(RESPONDENT_TYPE),
                "submitted_at": submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "survey_version": version_number,
            }
        )
        return [cells.get(name) for name in self.names]


# --- the data dictionary ------------------------------------------------------------------------
DICTIONARY_FORMAT = "consult-data-dictionary"


def _question_entry(question: QuestionType, columns: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": question.key,
        "type": question.type_name,
        "title": question.title,
        "columns": columns,
    }
    if question.hint:
        entry["hint"] = question.hint
    # Levels of a choice or rating, rows of a grid, parts of three words: the type says.
    entry.update(question.dictionary_extras(columns))
    return entry


def _column_entry(column: LayoutColumn) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": column.name, "label": column.label, "kind": column.kind}
    if column.question_key:
        entry["question"] = column.question_key
    if column.options is not None:
        entry["values"] = [{"value": o.value, "label": o.label} for o in column.options]
    if column.label_of:
        entry["label_of"] = column.label_of
    if column.flag_label is not None:
        entry["values"] = [
            {"value": 1, "label": column.flag_label},
            {"value": 0, "label": "Not selected"},
        ]
    if column.scores is not None:
        entry["values"] = [{"value": score, "label": label} for score, label in column.scores]
    return entry


def data_dictionary(layout: ExportLayout, name: str) -> dict[str, Any]:
    """What each column of the export ``name`` holds and what each question asked: every
    question's key, type and wording, and for choice and rating questions their levels in
    order with labels. Wording is the newest version's (as the column headings are)."""
    newest: dict[str, QuestionType] = {}
    for survey in reversed(layout.surveys):
        for question in survey.questions():
            newest.setdefault(question.key, question)
    by_question: dict[str, list[str]] = {}
    for column in layout.columns:
        if column.question_key:
            by_question.setdefault(column.question_key, []).append(column.name)
    latest = layout.surveys[-1] if layout.surveys else None
    return {
        "format": DICTIONARY_FORMAT,
        "format_version": 1,
        "export": name,
        "survey": {
            "key": latest.key if latest else None,
            "title": latest.title if latest else None,
            "respondent_type_question": latest.respondent_type_question if latest else None,
        },
        "id_column": RESPONSE_ID,
        "blank_means": "not answered (or not shown on that respondent's route)",
        "columns": [_column_entry(column) for column in layout.columns],
        "questions": [
            _question_entry(question, by_question.get(key, [])) for key, question in newest.items()
        ],
    }
