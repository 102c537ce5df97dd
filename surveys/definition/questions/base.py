"""What every question type shares: the base class, options, form reading and rendering specs.

Field names: every form field of a question starts with ``q-<key>``. Types with one field use
exactly ``q-<key>``; the others add a suffix (``-other``, ``-month``, ``-year``, ``-1``..``-3``,
``-<row value>``). :meth:`QuestionType.field_names` lists them, and the first one is the id an
error summary links to (:attr:`QuestionType.error_anchor`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from analysis.spreadsheet import clean_text
from surveys.definition.answers import NOT_ANSWERED, Answer
from surveys.definition.conditions import Condition, condition_from_dict, condition_to_dict
from surveys.definition.questions.exporting import ExportColumn
from surveys.definition.questions.settings import Setting

Form = Mapping[str, Sequence[str]]
ExportCell = str | int | float | None

# Several answers in one imported cell: "police; family | friends".
CELL_SEPARATORS = re.compile(r"\s*[;\n|]\s*")

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
    # What staff see for the type (the builder's "add a question" list, its form's caption).
    type_label: ClassVar[str]
    # JSON Schema of the type's own definition fields: {"properties": {...}, "required": [...]}.
    # The loader adds it to survey.schema.json as the branch for ``type: <type_name>``.
    schema: ClassVar[dict[str, Any]] = {"properties": {}}
    # The builder's edit form for the type, in page order (see :mod:`.settings`).
    settings: ClassVar[tuple[Setting, ...]] = ()
    # Fields holding tuples of Option, converted to and from plain dicts by the loader.
    option_fields: ClassVar[tuple[str, ...]] = ()
    # Answers the type adds itself (value -> the definition field that switches it on), which a
    # definition's own options must not reuse.
    generated_options: ClassVar[dict[str, str]] = {}
    # The question whose page is the survey's consent page (shown at /consent).
    records_consent: ClassVar[bool] = False
    # How research tabulates the answers (ONE_OF, ANY_OF, RATING, RATING_GRID, NUMERIC, None).
    tabulation: ClassVar[str | None] = None
    # Whether results can be split by its answer (age band, ethnicity): one answer per respondent.
    groups_respondents: ClassVar[bool] = False
    # Typical seconds to read and answer one question (the start page's time estimate).
    answer_seconds: ClassVar[int] = 20
    # Types whose answers are words a respondent wrote (coded into themes, shown as quotes, and
    # deleted at the end of the retention period: see :meth:`without_free_text`).
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

    def summary_rows(self, value: Answer) -> list[tuple[str, str]]:
        """ "Check your answers" rows as ``(question, answer)``: one row unless the type has
        parts worth a row each (a rating grid's rated items)."""
        return [(self.title, self.summarise(value))]

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

    # --- retention, filters and timing -------------------------------------------------------
    def without_free_text(self, value: Answer) -> Answer:
        """The answer as kept after the retention period: free text removed (``None`` deletes
        the whole answer). A type that ``holds_free_text`` loses its whole answer unless it
        says otherwise, so a new free-text type cannot escape the deletion by omission."""
        return None if self.holds_free_text else value

    @property
    def filter_options(self) -> tuple[Option, ...] | None:
        """The answers the staff response list can filter on ("answer is"), or ``None`` when
        the type has no fixed list of answers stored as the answer itself."""
        return None

    @property
    def seconds(self) -> int:
        """Typical seconds to answer this question (a grid's time grows with its rows)."""
        return self.answer_seconds

    # --- checks on the definition data (before the question is built) -----------------------
    @classmethod
    def definition_problems(cls, path: str, data: Mapping[str, Any]) -> list[str]:
        """What the JSON Schema cannot say is wrong with this question's definition data, as
        ``<path>.<field>: why`` messages (the data already passed the schema)."""
        return []

    @classmethod
    def condition_candidates(cls, data: Mapping[str, Any]) -> list[Answer]:
        """A small set of answers covering every outcome a condition on this question can test
        (the loader tries them to find conditions that can never hold)."""
        return [None, "answered"]

    # --- reading a spreadsheet cell (response import) ----------------------------------------
    def import_parts(self) -> list[tuple[str, str]]:
        """What one column of an imported table can answer: ``(part, label)`` pairs. Most
        types take one column (part ``""``); a rating grid takes one column per row."""
        return [("", self.title)]

    def cell_fields(self, cell: str, part: str = "") -> tuple[dict[str, list[str]], str | None]:
        """The form fields this question would have received for an imported ``cell`` (of
        column ``part``), or a problem with the cell. :meth:`parse` then reads the fields, so
        an imported answer meets the same rules as a typed one."""
        return {self.field_name: [cell]}, None

    # --- the data dictionary ------------------------------------------------------------------
    def dictionary_extras(self, columns: Sequence[str]) -> dict[str, Any]:
        """What the data dictionary says about this question beyond key, type and wording
        (levels of a choice, rows of a grid); ``columns`` are its export column names."""
        return {}

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


def match_option(options: Sequence[Option], cell: str) -> str | None:
    """The option a spreadsheet cell names, by code or by label (any case)."""
    wanted = cell.strip().casefold()
    for option in options:
        if wanted in (option.value.casefold(), option.label.casefold()):
            return option.value
    return None


def listed(options: Sequence[Option]) -> str:
    return ", ".join(o.label for o in options)


def option_label(options: Sequence[Option], value: str) -> str:
    for option in options:
        if option.value == value:
            return option.label
    return value
