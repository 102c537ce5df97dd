"""Free-text questions: ``short_text``, ``long_text`` (with a stated limit) and ``three_words``.

Stored values: ``str`` for short/long text; for three words a list of three strings, in box
order, with ``""`` for a blank box. Free text may hold names and places, so every text question
carries ``sensitive`` (default true) which switches browser autocomplete off.
Export: ``<key>`` for text; ``<key>_1``.. ``<key>_3`` for three words.
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
    form_text,
)


def length_error(text: str, limit: int, subject: str = "Answer") -> str | None:
    if len(text) <= limit:
        return None
    return f"{subject} must be {limit} characters or fewer - you have {len(text)}"


@dataclass(frozen=True, kw_only=True)
class ShortText(QuestionType):
    type_name: ClassVar[str] = "short_text"
    holds_free_text: ClassVar[bool] = True

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
        return [ExportColumn(self.key, self.title)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return {self.key: value if isinstance(value, str) and value else None}


@dataclass(frozen=True, kw_only=True)
class LongText(ShortText):
    type_name: ClassVar[str] = "long_text"

    max_length: int = 2000
    rows: int = 6


WORD_COUNT = 3


@dataclass(frozen=True, kw_only=True)
class ThreeWords(QuestionType):
    type_name: ClassVar[str] = "three_words"
    holds_free_text: ClassVar[bool] = True

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

    def export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(f"{self.key}_{n}", f"{self.title} (word {n})")
            for n in range(1, WORD_COUNT + 1)
        ]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        words = value if isinstance(value, list) else [""] * WORD_COUNT
        return {
            f"{self.key}_{n}": (str(word) or None)
            for n, word in enumerate(words[:WORD_COUNT], start=1)
        }
