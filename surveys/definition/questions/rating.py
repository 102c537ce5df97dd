"""Likert ratings: ``rating`` (one scale) and ``rating_grid`` (several rows, same scale).

The scale is listed best first, either inline or by preset name (``satisfaction``, ``quality``,
``agreement``, ``safety``). An optional "Don't know / not applicable" answer (value
``dont_know``) sits outside the scale: it gets no score.

Stored values: rating -> scale value (``str``); grid -> ``{row value: scale value}`` holding only
the rows answered (each row is optional). Export: ``<key>``, ``<key>_score`` (best = highest,
counting down to 1) and ``<key>_label``; a grid repeats these per row as ``<key>__<row>...``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.questions.base import (
    ExportCell,
    Form,
    Option,
    QuestionType,
    form_values,
    listed,
    match_option,
    option_label,
)
from surveys.definition.questions.choice import offered_values
from surveys.definition.questions.exporting import (
    CODE,
    LABEL,
    RATING,
    RATING_GRID,
    SCORE,
    ExportColumn,
)
from surveys.definition.questions.scales import SCALES
from surveys.definition.questions.settings import Setting

DONT_KNOW = "dont_know"
GRID_ROW_SECONDS = 8


RATING_SCHEMA: dict[str, Any] = {
    "properties": {
        "scale": {"$ref": "#/$defs/scale"},
        "dont_know_label": {"type": "string", "minLength": 1},
    },
    "required": ["scale"],
}
ROWS_SETTING = Setting(
    name="rows", label="Rows (things to rate)", title="Rows", widget="options",
    hint="One per line, as value|label.", fallback="row",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Rating(QuestionType):
    type_name: ClassVar[str] = "rating"
    type_label: ClassVar[str] = "Rating scale"
    schema: ClassVar[dict[str, Any]] = RATING_SCHEMA
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting(name="scale", label="Rating scale", widget="scale"),
        Setting(
            name="dont_know_label", label="‘Don't know’ label", title="Don't know label",
            widget="optional_label", form_name="dont_know", tick_label="Offer ‘Don't know’",
            blank="Don't know",
        ),
    )  # fmt: skip
    option_fields: ClassVar[tuple[str, ...]] = ("scale",)
    generated_options: ClassVar[dict[str, str]] = {"dont_know": "dont_know_label"}
    answer_seconds: ClassVar[int] = 12
    tabulation: ClassVar[str | None] = RATING

    scale: tuple[Option, ...] = ()
    dont_know_label: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        data = dict(data)
        if isinstance(data.get("scale"), str):
            data["scale"] = [option.to_dict() for option in SCALES[data["scale"]]]
        return super().from_dict(data)

    @classmethod
    def offered(cls, data: Mapping[str, Any]) -> list[str]:
        """Every answer value the definition data offers (a preset scale's too)."""
        scale = data["scale"]
        listed = [o.to_dict() for o in SCALES[scale]] if isinstance(scale, str) else scale
        return offered_values(listed, cls.generated_options, data)

    @classmethod
    def condition_candidates(cls, data: Mapping[str, Any]) -> list[Answer]:
        return [None, *cls.offered(data)]

    @property
    def all_options(self) -> tuple[Option, ...]:
        dont_know = (Option(DONT_KNOW, self.dont_know_label),) if self.dont_know_label else ()
        return self.scale + dont_know

    def score(self, code: str) -> int | None:
        codes = [option.value for option in self.scale]
        return len(codes) - codes.index(code) if code in codes else None

    def _check(self, code: object) -> bool:
        return isinstance(code, str) and code in {o.value for o in self.all_options}

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        values = form_values(form, self.field_name)
        if not values:
            return None, []
        if len(values) > 1 or not self._check(values[0]):
            return None, ["Select one of the ratings listed"]
        return values[0], []

    def validate(self, value: Answer) -> list[str]:
        return [] if value is None or self._check(value) else ["Select one of the ratings listed"]

    def summarise(self, value: Answer) -> str:
        return option_label(self.all_options, value) if isinstance(value, str) else NOT_ANSWERED

    @property
    def filter_options(self) -> tuple[Option, ...] | None:
        return self.all_options

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        code = match_option(self.all_options, cell)
        if code is None:
            return {}, f"'{cell}' is not one of the options ({listed(self.all_options)})"
        return {self.field_name: [code]}, None

    def scores(self) -> tuple[tuple[int, str], ...]:
        """Each level of the scale's score (best = highest) and label."""
        found = [(self.score(o.value), o.label) for o in self.scale]
        return tuple((score, label) for score, label in found if score is not None)

    def dictionary_extras(self, columns: Sequence[str]) -> dict[str, Any]:
        # In the survey's order, best first, with scores (an answer outside the scale such as
        # "don't know" has no score).
        return {
            "levels": [
                {"value": o.value, "label": o.label, "score": self.score(o.value)}
                for o in self.all_options
            ]
        }

    def _columns(self, prefix: str, title: str) -> list[ExportColumn]:
        return [
            ExportColumn(prefix, f"{title} (code)", CODE, options=self.all_options),
            ExportColumn(f"{prefix}_score", f"{title} (score)", SCORE, scores=self.scores()),
            ExportColumn(f"{prefix}_label", title, LABEL),
        ]

    def _cells(self, prefix: str, code: object) -> dict[str, ExportCell]:
        if not isinstance(code, str):
            return {prefix: None, f"{prefix}_score": None, f"{prefix}_label": None}
        return {
            prefix: code,
            f"{prefix}_score": self.score(code),
            f"{prefix}_label": option_label(self.all_options, code),
        }

    def export_columns(self) -> list[ExportColumn]:
        return self._columns(self.key, self.title)

    def export(self, value: Answer) -> dict[str, ExportCell]:
        return self._cells(self.key, value)


@dataclass(frozen=True, kw_only=True)
class RatingGrid(Rating):
    type_name: ClassVar[str] = "rating_grid"
    type_label: ClassVar[str] = "Rating grid"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {
            **RATING_SCHEMA["properties"],
            "rows": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/option"}},
        },
        "required": ["scale", "rows"],
    }
    settings: ClassVar[tuple[Setting, ...]] = (*Rating.settings, ROWS_SETTING)
    tabulation: ClassVar[str | None] = RATING_GRID
    option_fields: ClassVar[tuple[str, ...]] = ("scale", "rows")

    rows: tuple[Option, ...] = ()

    @classmethod
    def condition_candidates(cls, data: Mapping[str, Any]) -> list[Answer]:
        first = data["rows"][0]["value"]
        return [None, *({first: v} for v in cls.offered(data))]

    @property
    def seconds(self) -> int:
        return 10 + GRID_ROW_SECONDS * len(self.rows)

    def row_field_name(self, row: Option) -> str:
        return f"{self.field_name}-{row.value}"

    def field_names(self) -> list[str]:
        return [self.row_field_name(row) for row in self.rows]

    @property
    def filter_options(self) -> tuple[Option, ...] | None:
        return None  # answers are stored per row, not as one code

    def import_parts(self) -> list[tuple[str, str]]:
        return [(row.value, f"{self.title}: {row.label}") for row in self.rows]

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        code = match_option(self.all_options, cell)
        if code is None:
            return {}, f"'{cell[:60]}' is not one of the ratings ({listed(self.all_options)})"
        return {f"{self.field_name}-{part}": [code]}, None

    def dictionary_extras(self, columns: Sequence[str]) -> dict[str, Any]:
        rows = [
            {
                "value": row.value,
                "label": row.label,
                "columns": [c for c in columns if c.startswith(f"{self.key}__{row.value}")],
            }
            for row in self.rows
        ]
        return {**super().dictionary_extras(columns), "rows": rows}

    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        value: dict[str, str] = {}
        errors: list[str] = []
        for row in self.rows:
            values = form_values(form, self.row_field_name(row))
            if not values:
                continue
            if len(values) > 1 or not self._check(values[0]):
                errors.append(f"Select one of the ratings listed for {row.label}")
                continue
            value[row.value] = values[0]
        return (value or None), errors

    def validate(self, value: Answer) -> list[str]:
        if value is None:
            return []
        rows = {row.value for row in self.rows}
        if not isinstance(value, dict) or not set(value) <= rows:
            return ["Select one of the ratings listed"]
        return [
            f"Select one of the ratings listed for {row.label}"
            for row in self.rows
            if row.value in value and not self._check(value[row.value])
        ]

    def summary_rows(self, value: Answer) -> list[tuple[str, str]]:
        """Each item rated is a row of its own."""
        if not isinstance(value, dict) or not value:
            return super().summary_rows(value)
        return [
            (f"{self.title}: {row.label}", option_label(self.all_options, str(value[row.value])))
            for row in self.rows
            if row.value in value
        ]

    def summarise(self, value: Answer) -> str:
        if not isinstance(value, dict) or not value:
            return NOT_ANSWERED
        return "\n".join(
            f"{row.label}: {option_label(self.all_options, str(value[row.value]))}"
            for row in self.rows
            if row.value in value
        )

    def export_columns(self) -> list[ExportColumn]:
        return [
            column
            for row in self.rows
            for column in self._columns(f"{self.key}__{row.value}", f"{self.title}: {row.label}")
        ]

    def export(self, value: Answer) -> dict[str, ExportCell]:
        answers = value if isinstance(value, dict) else {}
        row_cells: dict[str, ExportCell] = {}
        for row in self.rows:
            row_cells.update(self._cells(f"{self.key}__{row.value}", answers.get(row.value)))
        return row_cells
