"""Choice questions: ``single_choice`` (radios) and ``multiple_choice`` (checkboxes).

Stored values: single choice -> the option value (``str``); multiple choice ->
``{"selected": [option values...], "other": "free text"}`` (``other`` only when given).
Export: single choice -> ``<key>`` (code) and ``<key>_label``; multiple choice -> one 0/1 column
``<key>__<option>`` per option plus ``<key>__other_text``. Unanswered exports as blank cells,
never 0, so "not answered" and "not ticked" stay distinguishable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import (
    MAX_FIELD_LENGTH,
    PREFER_NOT_TO_SAY,
    ExportCell,
    ExportColumn,
    Form,
    Option,
    QuestionType,
    form_text,
    form_values,
    option_label,
)
from surveys.definition.questions.text import length_error

NOT_IN_LIST = "Select one of the answers listed"
OTHER = "other"


@dataclass(frozen=True, kw_only=True)
class SingleChoice(QuestionType):
    type_name: ClassVar[str] = "single_choice"
    option_fields: ClassVar[tuple[str, ...]] = ("options",)

    options: tuple[Option, ...] = ()
    prefer_not_to_say: bool = False

    @property
    def all_options(self) -> tuple[Option, ...]:
        return self.options + ((PREFER_NOT_TO_SAY,) if self.prefer_not_to_say else ())

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        values = form_values(form, self.field_name)
        if not values:
            return None, []
        if len(values) > 1:
            return None, ["Select one answer only"]
        errors = self.validate(values[0])
        return (None, errors) if errors else (values[0], [])

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, str) or value not in {o.value for o in self.all_options}:
            return [NOT_IN_LIST]
        return []

    def summarise(self, value: Answer) -> str:
        if not isinstance(value, str):
            return NOT_ANSWERED
        return option_label(self.all_options, value)

    def export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(self.key, f"{self.title} (code)"),
            ExportColumn(f"{self.key}_label", self.title),
        ]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        if not isinstance(value, str):
            return {self.key: None, f"{self.key}_label": None}
        return {self.key: value, f"{self.key}_label": option_label(self.all_options, value)}


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(QuestionType):
    type_name: ClassVar[str] = "multiple_choice"
    option_fields: ClassVar[tuple[str, ...]] = ("options",)

    options: tuple[Option, ...] = ()
    prefer_not_to_say: bool = False
    # When set, an "other" checkbox with this label reveals a text box named q-<key>-other.
    other_label: str | None = None
    other_max_length: int = 500

    @property
    def all_options(self) -> tuple[Option, ...]:
        other = (Option(OTHER, self.other_label),) if self.other_label else ()
        pnts = (PREFER_NOT_TO_SAY,) if self.prefer_not_to_say else ()
        return self.options + other + pnts

    @property
    def other_field_name(self) -> str:
        return f"{self.field_name}-other"

    def field_names(self) -> list[str]:
        names = [self.field_name]
        if self.other_label:
            names.append(self.other_field_name)
        return names

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        ticked = set(form_values(form, self.field_name))
        if not ticked:
            return None, []
        selected = [o.value for o in self.all_options if o.value in ticked]
        value: dict[str, str | list[str]] = {"selected": selected}
        other = form_text(form, self.other_field_name) if self.other_label else ""
        # Text typed into a hidden "other" box is dropped: the respondent un-ticked it.
        if other and OTHER in selected:
            value["other"] = other
        if ticked - set(selected):
            return value, [NOT_IN_LIST]
        return value, self.validate(value)

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, dict) or not isinstance(value.get("selected"), list):
            return [NOT_IN_LIST]
        selected = value["selected"]
        if not selected or not set(selected) <= {o.value for o in self.all_options}:
            return [NOT_IN_LIST]
        if PREFER_NOT_TO_SAY.value in selected and len(selected) > 1:
            return ["Select ‘Prefer not to say’ on its own, or untick it"]
        other = value.get("other", "")
        if not isinstance(other, str) or len(other) > MAX_FIELD_LENGTH:
            return [NOT_IN_LIST]
        error = length_error(other, self.other_max_length, "Other answer")
        return [error] if error else []

    def summarise(self, value: Answer) -> str:
        if not isinstance(value, dict) or not value.get("selected"):
            return NOT_ANSWERED
        labels = []
        for code in value["selected"]:
            label = option_label(self.all_options, code)
            if code == OTHER and value.get("other"):
                label = f"{label}: {value['other']}"
            labels.append(label)
        return "\n".join(labels)

    def export_columns(self) -> list[ExportColumn]:
        columns = [
            ExportColumn(f"{self.key}__{o.value}", f"{self.title}: {o.label}")
            for o in self.all_options
        ]
        if self.other_label:
            columns.append(ExportColumn(f"{self.key}__other_text", f"{self.title}: other (text)"))
        return columns

    def export(self, value: Answer) -> dict[str, ExportCell]:
        answered = isinstance(value, dict) and bool(value.get("selected"))
        selected = value["selected"] if isinstance(value, dict) and answered else []
        row: dict[str, ExportCell] = {
            f"{self.key}__{o.value}": (int(o.value in selected) if answered else None)
            for o in self.all_options
        }
        if self.other_label:
            other = value.get("other") if isinstance(value, dict) else None
            row[f"{self.key}__other_text"] = other or None
        return row
