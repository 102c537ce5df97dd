"""``consent``: one checkbox; the only question type that may be required.

Stored value: ``"yes"`` when ticked, otherwise ``None``. Export: ``<key>`` as 1 or blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import ExportCell, Form, QuestionType, form_values
from surveys.definition.questions.exporting import FLAG, ExportColumn
from surveys.definition.questions.settings import Setting

YES = "yes"
# What an imported cell says when the box was ticked (anything else is "not ticked").
TICKED = frozenset({"yes", "y", "1", "true", "agreed", "ticked"})


@dataclass(frozen=True, kw_only=True)
class Consent(QuestionType):
    type_name: ClassVar[str] = "consent"
    type_label: ClassVar[str] = "Consent"
    records_consent: ClassVar[bool] = True
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            "label": {"type": "string", "minLength": 1},
            "required": {"type": "boolean"},
            "error_message": {"type": "string", "minLength": 1},
        },
    }
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting(name="label", label="Tick box label", blank="I agree"),
        Setting(
            name="error_message", label="Message when not ticked (optional)",
            title="Error message",
        ),
        Setting(name="required", label="Must be ticked to continue", widget="tick"),
    )  # fmt: skip

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

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        return ({self.field_name: [YES]} if cell.strip().casefold() in TICKED else {}), None

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(self.key, self.title, FLAG, flag_label=self.label)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return {self.key: 1 if value == YES else None}
