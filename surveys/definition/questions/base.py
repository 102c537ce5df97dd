"""What every question type shares: the base class, options, form reading and rendering specs.

Field names: every form field of a question starts with ``q-<key>``. Types with one field use
exactly ``q-<key>``; the others add a suffix (``-other``, ``-month``, ``-year``, ``-1``..``-3``,
``-<row value>``). :meth:`QuestionType.field_names` lists them, and the first one is the id an
error summary links to (:attr:`QuestionType.error_anchor`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from analysis.spreadsheet import clean_text
from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.conditions import Condition, condition_from_dict, condition_to_dict

Form = Mapping[str, Sequence[str]]
ExportCell = str | int | float | None

# Anything longer than this in any single posted field is tampering, not an answer.
MAX_FIELD_LENGTH = 20_000


@dataclass(frozen=True)
class Option:
    """One answer a respondent can pick. ``value`` is the stable code stored and exported."""

    value: str
    label: str
    hint: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        return cls(str(data["value"]), str(data["label"]), data.get("hint"))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "label": self.label}
        if self.hint:
            data["hint"] = self.hint
        return data


PREFER_NOT_TO_SAY = Option("prefer_not_to_say", "Prefer not to say")


@dataclass(frozen=True)
class ExportColumn:
    name: str
    label: str


@dataclass(frozen=True)
class Rendering:
    """A Jinja template name and the context to render it with."""

    template: str
    context: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class QuestionType:
    """Base of every question type. Subclasses are frozen dataclasses registered by ``type_name``.

    Every question is optional: a blank answer parses to ``None`` with no errors.
    """

    type_name: ClassVar[str]
    # Fields holding tuples of Option, converted to and from plain dicts by the loader.
    option_fields: ClassVar[tuple[str, ...]] = ()
    # Types whose answers are words a respondent wrote (coded into themes, shown as quotes).
    holds_free_text: ClassVar[bool] = False

    key: str
    title: str
    hint: str | None = None
    show_if: Condition | None = None
    respondent_types: tuple[str, ...] = field(default=())

    # --- form fields -------------------------------------------------------------------------
    @property
    def field_name(self) -> str:
        return f"q-{self.key}"

    def field_names(self) -> list[str]:
        """Every form field ``parse`` reads, in page order."""
        return [self.field_name]

    @property
    def error_anchor(self) -> str:
        """The element id an error summary should link to."""
        return self.field_names()[0]

    # --- behaviour each type provides ----------------------------------------------------------
    def parse(self, form: Form) -> tuple[Answer, list[str]]:
        """Read this question's fields from a posted form: ``(value, error messages)``.

        When there are errors the value is what can be kept to re-display (may be ``None``).
        """
        raise NotImplementedError

    def validate(self, value: Answer) -> list[str]:
        """Check a stored value (e.g. a resumed draft) is a valid answer to this question."""
        raise NotImplementedError

    def summarise(self, value: Answer) -> str:
        """Plain text for "check your answers"; ``Not answered`` when skipped."""
        raise NotImplementedError

    def export_columns(self) -> list[ExportColumn]:
        raise NotImplementedError

    def export(self, value: Answer) -> dict[str, ExportCell]:
        """One cell per :meth:`export_columns` name; blanks are ``None``."""
        raise NotImplementedError

    def free_text(self, value: Answer) -> str | None:
        """The words a respondent wrote, for coding, word clouds and quotes; ``None`` for types
        that hold no free text. Each text type says how its stored value reads as text."""
        return None

    # --- rendering ------------------------------------------------------------------------------
    @property
    def template(self) -> str:
        return f"surveys/questions/{self.type_name}.html"

    def render(self, value: Answer, errors: Sequence[str] = (), heading: bool = False) -> Rendering:
        """``heading=True`` when the question is alone on its page: its legend becomes the h1."""
        return Rendering(
            self.template,
            {"question": self, "value": value, "errors": list(errors), "heading": heading},
        )

    # --- definition format ----------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from the definition-file form (already checked against the JSON Schema)."""
        kwargs: dict[str, Any] = {}
        for name, raw in data.items():
            if name == "type":
                continue
            if name in cls.option_fields:
                kwargs[name] = tuple(Option.from_dict(item) for item in raw)
            elif name == "show_if":
                kwargs[name] = condition_from_dict(raw)
            elif isinstance(raw, list):
                kwargs[name] = tuple(raw)
            else:
                kwargs[name] = raw
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The definition-file form; fields left at their default are omitted."""
        data: dict[str, Any] = {"key": self.key, "type": self.type_name}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if spec.name == "key" or value == _default_of(spec):
                continue
            if spec.name in self.option_fields:
                data[spec.name] = [option.to_dict() for option in value]
            elif spec.name == "show_if":
                data[spec.name] = condition_to_dict(value)
            elif isinstance(value, tuple):
                data[spec.name] = list(value)
            else:
                data[spec.name] = value
        return data

    # --- helpers for subclasses -----------------------------------------------------------------
    def _summary_or_blank(self, text: str | None) -> str:
        return text if text else NOT_ANSWERED


def _default_of(spec: dataclasses.Field[Any]) -> Any:
    if spec.default is not dataclasses.MISSING:
        return spec.default
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return dataclasses.MISSING


def form_values(form: Form, name: str) -> list[str]:
    """All non-blank values posted under ``name``, stripped."""
    return [value.strip() for value in form.get(name, ()) if value and value.strip()]


def form_text(form: Form, name: str) -> str:
    """The single text value posted under ``name`` ("" when absent); extra copies are ignored.
    Control characters other than tab and newline are dropped: every text answer, posted or
    imported, is read here (`analysis.spreadsheet.clean_text` is the one rule)."""
    values = form.get(name, ())
    return clean_text(values[0]).strip().replace("\r\n", "\n") if values else ""


def option_label(options: Sequence[Option], value: str) -> str:
    for option in options:
        if option.value == value:
            return option.label
    return value
