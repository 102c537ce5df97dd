"""What the survey builder asks staff for each question type: the type's settings.

Each question type lists its :class:`Setting`\\ s in page order (``QuestionType.settings``). The
builder renders one form widget per setting and reads it back into the definition field it
names, so a new type needs no builder code unless it needs a new kind of widget. Widgets:

- ``text``: a one-line text box (``max_length`` characters); ``blank`` is stored when left empty.
- ``whole_number``: a whole number between ``low`` and ``high``.
- ``tick``: a checkbox; a value equal to the type's default is left out of the definition.
- ``options``: ``value|label`` lines -> a list of options (``fallback`` names a value-less line).
- ``scale``: a preset scale name, or custom ``value|label`` lines typed in ``scale_options``.
- ``optional_label``: a checkbox ``<form_name>`` that, when ticked, stores the text box's label
  (``blank`` when left empty).
"""

from __future__ import annotations

from dataclasses import dataclass

WIDGETS = frozenset({"text", "whole_number", "tick", "options", "scale", "optional_label"})


@dataclass(frozen=True, kw_only=True)
class Setting:
    # The definition field this setting sets.
    name: str
    # The label on the builder's page.
    label: str
    widget: str = "text"
    # The name in error messages, when shorter than the page's label.
    title: str | None = None
    # The form field, when it differs from ``name`` (a long text's box height, "text_rows").
    form_name: str | None = None
    hint: str | None = None
    low: int = 1
    high: int = 20_000
    max_length: int = 300
    blank: str | None = None
    fallback: str = "option"
    # The tick box beside an ``optional_label`` text box.
    tick_label: str | None = None
    # The GOV.UK width class of a text box, or a textarea's height in lines.
    width: str | None = None
    rows: int = 5

    def __post_init__(self) -> None:
        if self.widget not in WIDGETS:
            raise ValueError(f"setting {self.name}: unknown widget {self.widget!r}")

    @property
    def field(self) -> str:
        return self.form_name or self.name

    @property
    def message_name(self) -> str:
        return self.title or self.label


def limit(name: str, label: str, title: str, hint: str | None = None) -> Setting:
    """A character limit: a whole number from 1 to 20,000 in a short box."""
    return Setting(
        name=name, label=label, title=title, widget="whole_number", hint=hint,
        width="govuk-input--width-5",
    )  # fmt: skip
