"""Free-text questions: ``short_text``, ``long_text`` (with a stated limit) and ``three_words``.

Stored values: ``str`` for short/long text; for three words a list of three strings, in box
order, with ``""`` for a blank box. Free text may hold names and places, so every text question
carries ``sensitive`` (default true) which switches browser autocomplete off.
Export: ``<key>`` for text; ``<key>_1``.. ``<key>_3`` for three words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import (
    CELL_SEPARATORS,
    ExportCell,
    Form,
    QuestionType,
    form_text,
)
from surveys.definition.questions.exporting import TEXT, ExportColumn
from surveys.definition.questions.settings import Setting, limit

TEXT_SCHEMA: dict[str, Any] = {
    "properties": {
        "max_length": {"type": "integer", "minimum": 1, "maximum": 20000},
        "sensitive": {"type": "boolean"},
    },
}
TEXT_SETTINGS = (
    limit("max_length", "Character limit", "Character limit", "Leave blank for the usual limit."),
    Setting(
        name="sensitive", label="Answers may be sensitive (redacted in analysis)", widget="tick"
    ),
)


def length_error(text: str, limit: int, subject: str = "Answer") -> str | None:
    if len(text) <= limit:
        return None
    return f"{subject} must be {limit} characters or fewer - you have {len(text)}"


@dataclass(frozen=True, kw_only=True)
class ShortText(QuestionType):
    type_name: ClassVar[str] = "short_text"
    type_label: ClassVar[str] = "Short text"
    schema: ClassVar[dict[str, Any]] = TEXT_SCHEMA
    settings: ClassVar[tuple[Setting, ...]] = TEXT_SETTINGS
    holds_free_text: ClassVar[bool] = True
    answer_seconds: ClassVar[int] = 40

    max_length: int = 200
    sensitive: bool = True

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        text = form_text(form, self.field_name)
        if not text:
            return None, []
        return text, self.validate(text)

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, str):
            return ["Enter your answer as text"]
        error = length_error(value, self.max_length)
        return [error] if error else []

    def summarise(self, value: Answer) -> str:
        return value if isinstance(value, str) and value else NOT_ANSWERED

    def free_text(self, value: Answer) -> str | None:
        return value if isinstance(value, str) and value.strip() else None

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(self.key, self.title, TEXT)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return {self.key: value if isinstance(value, str) and value else None}


@dataclass(frozen=True, kw_only=True)
class LongText(ShortText):
    type_name: ClassVar[str] = "long_text"
    type_label: ClassVar[str] = "Long text"
    answer_seconds: ClassVar[int] = 90
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            **TEXT_SCHEMA["properties"],
            "rows": {"type": "integer", "minimum": 2, "maximum": 30},
        },
    }
    settings: ClassVar[tuple[Setting, ...]] = (
        *TEXT_SETTINGS,
        Setting(
            name="rows", label="Box height in lines", title="Box height", widget="whole_number",
            form_name="text_rows", low=2, high=30, width="govuk-input--width-5",
        ),
    )  # fmt: skip

    max_length: int = 2000
    rows: int = 6


WORD_COUNT = 3


@dataclass(frozen=True, kw_only=True)
class ThreeWords(QuestionType):
    type_name: ClassVar[str] = "three_words"
    type_label: ClassVar[str] = "Three words"
    schema: ClassVar[dict[str, Any]] = TEXT_SCHEMA
    settings: ClassVar[tuple[Setting, ...]] = TEXT_SETTINGS
    holds_free_text: ClassVar[bool] = True
    answer_seconds: ClassVar[int] = 30

    max_length: int = 40
    sensitive: bool = True

    def field_names(self) -> list[str]:
        return [f"{self.field_name}-{n}" for n in range(1, WORD_COUNT + 1)]

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        words = [form_text(form, name) for name in self.field_names()]
        if not any(words):
            return None, []
        return words, self.validate(words)

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        if not (isinstance(value, list) and len(value) == WORD_COUNT):
            return ["Enter up to three words"]
        errors = []
        for position, word in zip(("First", "Second", "Third"), value, strict=True):
            if not isinstance(word, str):
                return ["Enter up to three words"]
            error = length_error(word, self.max_length, f"{position} word")
            if error:
                errors.append(error)
        return errors

    def summarise(self, value: Answer) -> str:
        if not isinstance(value, list) or not any(value):
            return NOT_ANSWERED
        return ", ".join(str(word) for word in value if word)

    def free_text(self, value: Answer) -> str | None:
        """All three words count: "scared, alone, relieved"."""
        if not isinstance(value, list):
            return None
        words = [str(word).strip() for word in value if isinstance(word, str) and word.strip()]
        return ", ".join(words) or None

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        """One cell holds the three words, separated like several answers ("a; b; c")."""
        words = [*CELL_SEPARATORS.split(cell.strip()), "", "", ""][:WORD_COUNT]
        return {name: [word] for name, word in zip(self.field_names(), words, strict=True)}, None

    def dictionary_extras(self, columns: Sequence[str]) -> dict[str, Any]:
        return {"parts": list(columns)}

    def export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(f"{self.key}_{n}", f"{self.title} (word {n})", TEXT)
            for n in range(1, WORD_COUNT + 1)
        ]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        words = value if isinstance(value, list) else [""] * WORD_COUNT
        return {
            f"{self.key}_{n}": (str(word) or None)
            for n, word in enumerate(words[:WORD_COUNT], start=1)
        }
