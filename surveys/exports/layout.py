"""The export column layout: metadata columns, then every question's export columns.

Responses to different survey versions share one export: the columns are the union over the
versions, matched by column name (which is built from the question key), in the newest
version's order with columns that only older versions had appended. A column's heading is the
wording of the newest version that has it; each *cell* comes from the question of the version
that response answered, so option labels follow the wording that respondent saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from surveys.definition import ExportColumn, Option, QuestionType, Survey
from surveys.definition.questions.base import ExportCell
from surveys.definition.questions.choice import MultipleChoice
from surveys.definition.questions.consent import Consent

METADATA_COLUMNS = (
    ExportColumn("respondent_type", "Respondent type"),
    ExportColumn("submitted_at", "Submitted at (UTC)"),
    ExportColumn("survey_version", "Survey version"),
)


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


def _question_columns(question: QuestionType) -> list[LayoutColumn]:
    columns = question.export_columns()
    names = {column.name for column in columns}
    options: tuple[Option, ...] | None = getattr(question, "all_options", None)
    result = []
    for column in columns:
        coded = f"{column.name}_label" in names and options is not None
        label_of = (
            column.name.removesuffix("_label")
            if column.name.endswith("_label") and column.name.removesuffix("_label") in names
            else None
        )
        flag = None
        if isinstance(question, MultipleChoice) and not column.name.endswith("__other_text"):
            flag = "Selected"
        elif isinstance(question, Consent):
            flag = question.label
        result.append(
            LayoutColumn(
                column.name,
                column.label,
                question.key,
                options if coded else None,
                label_of,
                flag,
            )
        )
    return result


@dataclass(frozen=True)
class ExportLayout:
    columns: tuple[LayoutColumn, ...]

    @classmethod
    def for_versions(cls, surveys: Sequence[Survey]) -> ExportLayout:
        """``surveys`` oldest first; the newest wording heads each column."""
        seen: dict[str, LayoutColumn] = {}
        for survey in reversed(surveys):
            for question in survey.questions():
                for column in _question_columns(question):
                    seen.setdefault(column.name, column)
        metadata = tuple(LayoutColumn(c.name, c.label) for c in METADATA_COLUMNS)
        return cls(metadata + tuple(seen.values()))

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def labels(self) -> list[str]:
        return [column.label for column in self.columns]

    def row(
        self,
        survey: Survey,
        *,
        respondent_type: str | None,
        submitted_at: datetime,
        version_number: int,
        answers: Mapping[str, Any],
    ) -> list[ExportCell]:
        """One response's cells in column order, exported by its own version's questions."""
        cells: dict[str, ExportCell] = {
            "respondent_type": respondent_type,
            "submitted_at": submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "survey_version": version_number,
        }
        for question in survey.questions():
            cells.update(question.export(answers.get(question.key)))
        return [cells.get(name) for name in self.names]
