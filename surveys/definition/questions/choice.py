"""Choice questions: ``single_choice`` (radios) and ``multiple_choice`` (checkboxes).

Stored values: single choice -> the option value (``str``); multiple choice ->
``{"selected": [option values...], "other": "free text"}`` (``other`` only when given).
Export: single choice -> ``<key>`` (code) and ``<key>_label``; multiple choice -> one 0/1 column
``<key>__<option>`` per option plus ``<key>__other_text``. Unanswered exports as blank cells,
never 0, so "not answered" and "not ticked" stay distinguishable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import (
    CELL_SEPARATORS,
    MAX_FIELD_LENGTH,
    PREFER_NOT_TO_SAY,
    ExportCell,
    Form,
    Option,
    QuestionType,
    form_text,
    form_values,
    listed,
    match_option,
    option_label,
)
from surveys.definition.questions.exporting import (
    ANY_OF,
    CODE,
    FLAG,
    LABEL,
    ONE_OF,
    TEXT,
    ExportColumn,
)
from surveys.definition.questions.settings import Setting, limit
from surveys.definition.questions.text import length_error

NOT_IN_LIST = "Select one of the answers listed"
OTHER = "other"

OPTIONS_SCHEMA = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}}
CHOICE_SETTINGS = (
    Setting(
        name="options", label="Answer options", widget="options", rows=6,
        hint="One per line, as value|label (for example: police|The police). A line without | "
        "is a label; its value is made from it.",
    ),
    Setting(name="prefer_not_to_say", label="Offer ‘Prefer not to say’", widget="tick"),
)  # fmt: skip


def choice_cell(options: Sequence[Option], cell: str) -> str | tuple[None, str]:
    """The option code an imported cell names, or ``(None, problem)``."""
    code = match_option(options, cell)
    if code is None:
        return None, f"'{cell}' is not one of the options ({listed(options)})"
    return code


def offered_values(
    listed: Sequence[Mapping[str, Any]], generated: Mapping[str, str], data: Mapping[str, Any]
) -> list[str]:
    """Every answer value a question's definition data offers: its own and those it switches on."""
    return [o["value"] for o in listed] + [v for v, flag in generated.items() if data.get(flag)]


def levels(options: Sequence[Option]) -> dict[str, Any]:
    """The data dictionary's levels: every answer in the survey's order."""
    return {"levels": [{"value": o.value, "label": o.label} for o in options]}


@dataclass(frozen=True, kw_only=True)
class SingleChoice(QuestionType):
    type_name: ClassVar[str] = "single_choice"
    type_label: ClassVar[str] = "Single choice (radios)"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {"options": OPTIONS_SCHEMA, "prefer_not_to_say": {"type": "boolean"}},
        "required": ["options"],
    }
    settings: ClassVar[tuple[Setting, ...]] = CHOICE_SETTINGS
    option_fields: ClassVar[tuple[str, ...]] = ("options",)
    generated_options: ClassVar[dict[str, str]] = {"prefer_not_to_say": "prefer_not_to_say"}
    answer_seconds: ClassVar[int] = 15
    tabulation: ClassVar[str | None] = ONE_OF
    groups_respondents: ClassVar[bool] = True

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

    @classmethod
    def condition_candidates(cls, data: Mapping[str, Any]) -> list[Answer]:
        return [None, *offered_values(data["options"], cls.generated_options, data)]

    @property
    def filter_options(self) -> tuple[Option, ...] | None:
        return self.all_options

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        code = choice_cell(self.all_options, cell)
        return ({}, code[1]) if isinstance(code, tuple) else ({self.field_name: [code]}, None)

    def dictionary_extras(self, columns: Sequence[str]) -> dict[str, Any]:
        return levels(self.all_options)

    def export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(self.key, f"{self.title} (code)", CODE, options=self.all_options),
            ExportColumn(f"{self.key}_label", self.title, LABEL),
        ]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        if not isinstance(value, str):
            return {self.key: None, f"{self.key}_label": None}
        return {self.key: value, f"{self.key}_label": option_label(self.all_options, value)}


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(QuestionType):
    type_name: ClassVar[str] = "multiple_choice"
    type_label: ClassVar[str] = "Multiple choice (checkboxes)"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            "options": OPTIONS_SCHEMA,
            "prefer_not_to_say": {"type": "boolean"},
            "other_label": {"type": "string", "minLength": 1},
            "other_max_length": {"type": "integer", "minimum": 1, "maximum": 20000},
        },
        "required": ["options"],
    }
    settings: ClassVar[tuple[Setting, ...]] = (
        *CHOICE_SETTINGS,
        Setting(
            name="other_label", label="‘Other’ option label (optional; adds a text box)",
            title="Other answer label",
        ),
        limit("other_max_length", "Character limit for ‘other’", "Other answer limit"),
    )  # fmt: skip
    option_fields: ClassVar[tuple[str, ...]] = ("options",)
    generated_options: ClassVar[dict[str, str]] = {
        "other": "other_label",
        "prefer_not_to_say": "prefer_not_to_say",
    }
    answer_seconds: ClassVar[int] = 25
    tabulation: ClassVar[str | None] = ANY_OF

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

    @classmethod
    def condition_candidates(cls, data: Mapping[str, Any]) -> list[Answer]:
        values = offered_values(data["options"], cls.generated_options, data)
        return [None, {"selected": values}, *({"selected": [v]} for v in values)]

    def without_free_text(self, value: Answer) -> Answer:
        """The ticks stay for analysis; the "other" words go."""
        if isinstance(value, dict) and "other" in value:
            return {k: v for k, v in value.items() if k != "other"}
        return value

    @property
    def filter_options(self) -> tuple[Option, ...] | None:
        return self.all_options

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        codes = []
        for answer in CELL_SEPARATORS.split(cell.strip()):
            code = choice_cell(self.all_options, answer)
            if isinstance(code, tuple):
                return {}, f"{code[1]}; separate answers with ;"
            codes.append(code)
        return {self.field_name: codes}, None

    def dictionary_extras(self, columns: Sequence[str]) -> dict[str, Any]:
        return levels(self.all_options)

    def export_columns(self) -> list[ExportColumn]:
        columns = [
            ExportColumn(
                f"{self.key}__{o.value}", f"{self.title}: {o.label}", FLAG, flag_label="Selected"
            )
            for o in self.all_options
        ]
        if self.other_label:
            columns.append(
                ExportColumn(f"{self.key}__other_text", f"{self.title}: other (text)", TEXT)
            )
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
