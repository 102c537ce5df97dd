"""``consent``: one checkbox; the only question type that may be required.

Stored value: ``"yes"`` when ticked, otherwise ``None``. Export: ``<key>`` as 1 or blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import (
    ExportCell,
    ExportColumn,
    Form,
    QuestionType,
    form_values,
)

YES = "yes"


@dataclass(frozen=True, kw_only=True)
class Consent(QuestionType):
    type_name: ClassVar[str] = "consent"

    # The statement next to the checkbox, e.g. "I understand and want to take part".
    label: str = "I agree"
    required: bool = True
    error_message: str = "Tick the box if you want to take part"

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        values = form_values(form, self.field_name)
        if values and values != [YES]:
            return None, ["Tick the box or leave it empty"]
        value = YES if values else None
        return value, self.validate(value)

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return [self.error_message] if self.required else []
        return [] if value == YES else ["Tick the box or leave it empty"]

    def summarise(self, value: Answer) -> str:
        return self.label if value == YES else NOT_ANSWERED

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(self.key, self.title)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return {self.key: 1 if value == YES else None}
