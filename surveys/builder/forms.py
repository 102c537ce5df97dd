"""Reading the builder's forms into definition data, with messages in page order.

Answer options are typed one per line as ``value|label``; a line without ``|`` is a label and
its value is made from it. Routing is chosen from select boxes the page fills from the
definition, so nothing here parses code a person typed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar.datastructures import FormMultiDict

from consult.forms import FormErrors, text, whole_number
from surveys.builder.service import KEY_PATTERN, Definition, key_from
from surveys.definition import QUESTION_TYPES, RESPONDENT_TYPES, QuestionType
from surveys.definition.questions.rating import SCALES
from surveys.definition.questions.settings import Setting

KEEP = "keep"  # the select value that keeps a condition the builder cannot show as one choice


def checked(form: FormMultiDict, name: str) -> bool:
    return str(form.get(name, "")) in ("yes", "on", "true")


def options(
    form: FormMultiDict, name: str, label: str, errors: FormErrors, *, fallback: str = "option"
) -> list[dict[str, str]]:
    """``value|label`` lines -> options; values checked for shape here, for clashes at publish."""
    parsed: list[dict[str, str]] = []
    for line in str(form.get(name, "") or "").splitlines()[:100]:
        if not line.strip():
            continue
        value, bar, title = (part.strip() for part in line.partition("|"))
        if not bar:
            value, title = key_from(value, fallback), value
        if not title:
            title = value
        if not KEY_PATTERN.match(value):
            errors.add(name, f"{label}: '{value}' must be lower-case letters, digits, underscores")
        parsed.append({"value": value[:60], "label": title[:500]})
    return parsed


def options_text(items: list[dict[str, Any]] | str | None) -> str:
    """Options back into the ``value|label`` lines of the form."""
    if not isinstance(items, list):
        return ""
    return "\n".join(f"{item['value']}|{item['label']}" for item in items)


def visibility(form: FormMultiDict, current: dict[str, Any]) -> dict[str, Any]:
    """``respondent_types`` (ticked boxes) and ``show_if`` (one earlier question = option)."""
    types = [value for value in RESPONDENT_TYPES if value in form.getall("respondent_types", [])]
    fields: dict[str, Any] = {"respondent_types": types}
    choice = str(form.get("show_if", "") or "")
    if choice == KEEP:
        fields["show_if"] = current.get("show_if")
    elif "=" in choice:
        question, _, value = choice.partition("=")
        fields["show_if"] = {"question": question, "equals": value}
    else:
        fields["show_if"] = None
    return fields


def show_if_choice(item: dict[str, Any]) -> str:
    """The select value for an item's current condition ("" none, KEEP when not one pair)."""
    condition = item.get("show_if")
    if not condition:
        return ""
    if set(condition) == {"question", "equals"}:
        return f"{condition['question']}={condition['equals']}"
    return KEEP


def survey_settings(form: FormMultiDict, errors: FormErrors) -> dict[str, Any]:
    return {
        "title": text(form, "title", "Survey title", errors, required=True),
        "description": text(form, "description", "Description", errors, max_length=2000),
        "respondent_type_question": text(
            form, "respondent_type_question", "Respondent type question", errors, max_length=60
        ),
    }


def section_fields(form: FormMultiDict, errors: FormErrors, current: Definition) -> dict[str, Any]:
    return {
        "title": text(form, "title", "Section title", errors, required=True),
        "content_note": text(form, "content_note", "Content note", errors, max_length=2000),
        "skippable": checked(form, "skippable"),
        **visibility(form, current),
    }


def page_fields(form: FormMultiDict, errors: FormErrors, current: Definition) -> dict[str, Any]:
    return {"title": text(form, "title", "Page title", errors), **visibility(form, current)}


def question_fields(
    form: FormMultiDict, kind: str, errors: FormErrors, current: dict[str, Any]
) -> dict[str, Any]:
    """A question's definition data from its form; optional fields left blank are omitted. The
    fields after title and hint are the type's own settings (``QuestionType.settings``)."""
    cls = QUESTION_TYPES[kind]
    data: dict[str, Any] = {
        "type": kind,
        "title": text(form, "title", "Question", errors, max_length=500, required=True),
        "hint": text(form, "hint", "Hint", errors, max_length=2000),
    }
    for setting in cls.settings:
        data[setting.name] = setting_value(form, setting, errors)
    data.update(visibility(form, current))
    return _without_defaults(data, type_defaults(cls))


def setting_value(form: FormMultiDict, setting: Setting, errors: FormErrors) -> Any:
    """One setting read from the form by its widget (see surveys.definition.questions.settings)."""
    name, title = setting.field, setting.message_name
    match setting.widget:
        case "tick":
            return checked(form, name)
        case "whole_number":
            return whole_number(form, name, title, errors, low=setting.low, high=setting.high)
        case "options":
            return options(form, name, title, errors, fallback=setting.fallback)
        case "scale":
            scale = str(form.get(name, "") or "")
            return scale if scale in SCALES else options(form, "scale_options", title, errors)
        case "optional_label":
            if not checked(form, name):
                return None
            return text(form, setting.name, title, errors) or setting.blank
    value = text(form, name, title, errors, max_length=setting.max_length)
    return value or setting.blank


def type_defaults(cls: type[QuestionType]) -> dict[str, Any]:
    """The type's tick boxes' defaults: a tick left at its default is omitted from the definition
    (``prefer_not_to_say: false``, ``sensitive: true``), as the format reads it the same."""
    ticks = {s.name for s in cls.settings if s.widget == "tick"}
    return {f.name: f.default for f in dataclasses.fields(cls) if f.name in ticks}


LISTS = ("options", "scale", "rows")


def _without_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in data.items():
        if name in LISTS and isinstance(value, list):
            kept[name] = value  # kept even when empty, so publishing says "must not be empty"
            continue
        if value is None or value == "" or value == [] or defaults.get(name, object()) == value:
            continue
        kept[name] = value
    return kept
