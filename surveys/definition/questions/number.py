"""``number``: a whole or decimal number with an optional minimum and maximum.

Stored value: ``int`` (or ``float`` when ``decimal: true``). When the input cannot be read, parse
returns the raw text as the value so the page can show back what was typed. Export: ``<key>``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import ExportCell, Form, QuestionType, form_text
from surveys.definition.questions.exporting import NUMBER, NUMERIC, ExportColumn
from surveys.definition.questions.settings import Setting

WHOLE = re.compile(r"-?\d{1,15}")
DECIMAL = re.compile(r"-?(\d{1,15}(\.\d{0,6})?|\.\d{1,6})")


def _plain(number: float) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


@dataclass(frozen=True, kw_only=True)
class Number(QuestionType):
    type_name: ClassVar[str] = "number"
    type_label: ClassVar[str] = "Number"
    answer_seconds: ClassVar[int] = 15
    tabulation: ClassVar[str | None] = NUMERIC
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            "minimum": {"type": "number"},
            "maximum": {"type": "number"},
            "decimal": {"type": "boolean"},
            "suffix": {"type": "string", "minLength": 1},
        },
    }
    settings: ClassVar[tuple[Setting, ...]] = (
        *(
            Setting(
                name=name, label=f"{title} (optional)", title=title, widget="whole_number",
                low=-(10**12), high=10**12, width="govuk-input--width-10",
            )
            for name, title in (("minimum", "Minimum"), ("maximum", "Maximum"))
        ),
        Setting(
            name="suffix", label="Suffix (optional, like ‘years’)", title="Suffix", max_length=40,
            width="govuk-input--width-10",
        ),
        Setting(name="decimal", label="Allow decimals", widget="tick"),
    )  # fmt: skip

    minimum: int | float | None = None
    maximum: int | float | None = None
    decimal: bool = False
    # Shown after the box, e.g. "years" or "people".
    suffix: str | None = None

    @classmethod
    def definition_problems(cls, path: str, data: Mapping[str, Any]) -> list[str]:
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            return [f"{path}.maximum: must not be less than minimum ({low})"]
        return []

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        text = form_text(form, self.field_name).replace(",", "")
        if not text:
            return None, []
        pattern = DECIMAL if self.decimal else WHOLE
        if not pattern.fullmatch(text):
            example = "like 12.5" if self.decimal else "like 12"
            kind = "a number" if self.decimal else "a whole number"
            return text[:50], [f"Enter {kind}, {example}"]
        number: int | float = float(text) if self.decimal else int(text)
        errors = self.validate(number)
        return (text[:50], errors) if errors else (number, [])

    def range_message(self) -> str:
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"Enter a number between {_plain(low)} and {_plain(high)}"
        if low is not None:
            return f"Enter a number that is {_plain(low)} or more"
        return f"Enter a number that is {_plain(high or 0)} or less"

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ["Enter a number"]
        if isinstance(value, float) and (not self.decimal or not math.isfinite(value)):
            return ["Enter a whole number, like 12"] if not self.decimal else ["Enter a number"]
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            return [self.range_message()]
        return []

    def summarise(self, value: Answer) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return NOT_ANSWERED
        return f"{_plain(value)} {self.suffix}" if self.suffix else _plain(value)

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(self.key, self.title, NUMBER)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        keep = isinstance(value, int | float) and not isinstance(value, bool)
        return {self.key: value if keep else None}  # type: ignore[dict-item]
