"""Reading the builder's forms into definition data, with messages in page order.

Answer options are typed one per line as ``value|label``; a line without ``|`` is a label and
its value is made from it. Routing is chosen from select boxes the page fills from the
definition, so nothing here parses code a person typed.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import FormMultiDict

from consult.forms import FormErrors, text, whole_number
from surveys.builder.service import KEY_PATTERN, Definition, key_from
from surveys.definition import RESPONDENT_TYPES
from surveys.definition.questions.rating import SCALES

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


def _limit(form: FormMultiDict, name: str, label: str, errors: FormErrors) -> int | None:
    return whole_number(form, name, label, errors, low=1, high=20_000)


def question_fields(
    form: FormMultiDict, kind: str, errors: FormErrors, current: dict[str, Any]
) -> dict[str, Any]:
    """A question's definition data from its form; optional fields left blank are omitted."""
    data: dict[str, Any] = {
        "type": kind,
        "title": text(form, "title", "Question", errors, max_length=500, required=True),
        "hint": text(form, "hint", "Hint", errors, max_length=2000),
    }
    if kind in ("single_choice", "multiple_choice"):
        data["options"] = options(form, "options", "Answer options", errors)
        data["prefer_not_to_say"] = checked(form, "prefer_not_to_say")
    if kind == "multiple_choice":
        data["other_label"] = text(form, "other_label", "Other answer label", errors)
        data["other_max_length"] = _limit(form, "other_max_length", "Other answer limit", errors)
    if kind in ("rating", "rating_grid"):
        scale = str(form.get("scale", "") or "")
        if scale in SCALES:
            data["scale"] = scale
        else:
            data["scale"] = options(form, "scale_options", "Rating scale", errors)
        if checked(form, "dont_know"):
            data["dont_know_label"] = (
                text(form, "dont_know_label", "Don't know label", errors) or "Don't know"
            )
    if kind == "rating_grid":
        data["rows"] = options(form, "rows", "Rows", errors, fallback="row")
    if kind in ("short_text", "long_text", "three_words"):
        data["max_length"] = _limit(form, "max_length", "Character limit", errors)
        data["sensitive"] = checked(form, "sensitive")
    if kind == "long_text":
        data["rows"] = whole_number(form, "text_rows", "Box height", errors, low=2, high=30)
    if kind == "number":
        for name, label in (("minimum", "Minimum"), ("maximum", "Maximum")):
            data[name] = whole_number(form, name, label, errors, low=-(10**12), high=10**12)
        data["decimal"] = checked(form, "decimal")
        data["suffix"] = text(form, "suffix", "Suffix", errors, max_length=40)
    if kind == "month_year":
        data["not_in_future"] = checked(form, "not_in_future")
        data["earliest_year"] = whole_number(
            form, "earliest_year", "Earliest year", errors, low=1000, high=2999
        )
    if kind == "consent":
        data["label"] = text(form, "label", "Tick box label", errors) or "I agree"
        data["required"] = checked(form, "required")
        data["error_message"] = text(form, "error_message", "Error message", errors) or None
    data.update(visibility(form, current))
    return _without_defaults(data)


# Fields whose default the format omits; "sensitive" defaults to true, so false must be kept.
DEFAULTS: dict[str, Any] = {"prefer_not_to_say": False, "decimal": False, "not_in_future": False}
LISTS = ("options", "scale", "rows")


def _without_defaults(data: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in data.items():
        if name in LISTS and isinstance(value, list):
            kept[name] = value  # kept even when empty, so publishing says "must not be empty"
            continue
        if value is None or value == "" or value == [] or DEFAULTS.get(name, object()) == value:
            continue
        if name in ("sensitive", "required") and value is True:
            continue
        kept[name] = value
    return kept
