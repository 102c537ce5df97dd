"""``month_year``: a month and a year in two boxes (GOV.UK date input without the day).

Fields ``q-<key>-month`` and ``q-<key>-year``. Stored value: ``"YYYY-MM"``. When the input
cannot be read, parse returns ``{"month": text, "year": text}`` so the page can show back what
was typed. Export: ``<key>`` as ``YYYY-MM``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import ExportCell, Form, QuestionType, form_text
from surveys.definition.questions.exporting import MONTH, ExportColumn
from surveys.definition.questions.settings import Setting

MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
STORED = re.compile(r"(\d{4})-(\d{2})")
# An imported cell: 2024-05 or 5/2024.
CELL = re.compile(r"(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4})")


@dataclass(frozen=True, kw_only=True)
class MonthYear(QuestionType):
    type_name: ClassVar[str] = "month_year"
    type_label: ClassVar[str] = "Month and year"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            "not_in_future": {"type": "boolean"},
            "earliest_year": {"type": "integer", "minimum": 1000, "maximum": 9999},
        },
    }
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting(
            name="earliest_year", label="Earliest year", widget="whole_number", low=1000,
            high=2999, width="govuk-input--width-5",
        ),
        Setting(name="not_in_future", label="Must not be in the future", widget="tick"),
    )  # fmt: skip

    not_in_future: bool = False
    earliest_year: int = 1900

    @property
    def month_field_name(self) -> str:
        return f"{self.field_name}-month"

    @property
    def year_field_name(self) -> str:
        return f"{self.field_name}-year"

    def field_names(self) -> list[str]:
        return [self.month_field_name, self.year_field_name]

    def display_parts(self, value: Answer) -> tuple[str, str]:
        """(month, year) text to put back in the boxes."""
        if isinstance(value, dict):
            return str(value.get("month", "")), str(value.get("year", ""))
        if isinstance(value, str) and (match := STORED.fullmatch(value)):
            return str(int(match.group(2))), match.group(1)
        return "", ""

    def parse(self, form: Form, today: date | None = None) -> tuple[Answer, list[str]]:
        month = form_text(form, self.month_field_name)[:20]
        year = form_text(form, self.year_field_name)[:20]
        if not month and not year:
            return None, []
        typed = {"month": month, "year": year}
        if not month:
            return typed, ["Date must include a month"]
        if not year:
            return typed, ["Date must include a year"]
        if not month.isdigit() or not 1 <= int(month) <= 12:
            return typed, ["Month must be a number between 1 and 12"]
        if not (year.isdigit() and len(year) == 4):
            return typed, ["Year must include 4 numbers"]
        value = f"{int(year):04d}-{int(month):02d}"
        errors = self.validate(value, today)
        return (typed, errors) if errors else (value, [])

    def validate(self, value: Answer, today: date | None = None) -> list[str]:
        if value is None:
            return []
        match = STORED.fullmatch(value) if isinstance(value, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12:
            return ["Enter a month and year, like 3 2021"]
        year, month = int(match.group(1)), int(match.group(2))
        if year < self.earliest_year:
            return [f"Year must be {self.earliest_year} or later"]
        today = today or date.today()
        if self.not_in_future and (year, month) > (today.year, today.month):
            return ["Date must be this month or in the past"]
        return []

    def summarise(self, value: Answer) -> str:
        match = STORED.fullmatch(value) if isinstance(value, str) else None
        if not match:
            return NOT_ANSWERED
        return f"{MONTHS[int(match.group(2)) - 1]} {match.group(1)}"

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        match = CELL.fullmatch(cell.strip())
        if not match:
            return {}, f"'{cell}' is not a month and year like 2024-05 or 5/2024"
        year, month = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        )
        return {self.month_field_name: [month], self.year_field_name: [year]}, None

    def export_columns(self) -> list[ExportColumn]:
        return [ExportColumn(self.key, f"{self.title} (YYYY-MM)", MONTH)]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return {self.key: value if isinstance(value, str) and STORED.fullmatch(value) else None}
