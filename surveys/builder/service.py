"""Editing a survey definition as data: pure functions over the definition dict.

The builder stores a draft as the same plain dict the definition format uses, so a draft may be
incomplete (an empty page, a question without options) while staff work on it; only publishing
insists on a definition that loads. Every function here returns a new dict and never mutates its
argument, so a failed edit leaves the stored draft as it was.

Sections and questions are addressed by key; pages, which have no key, by position in their
section.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

Definition = dict[str, Any]
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class BuilderError(ValueError):
    """An edit that cannot be made; ``field`` is the form field to point the message at."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- keys --------------------------------------------------------------------------------------
def key_from(text: str, fallback: str = "item") -> str:
    """A definition key (snake_case, starts with a letter) made from a label or slug."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]
    if not key:
        return fallback
    return key if key[0].isalpha() else f"{fallback}_{key}"[:60]


# A new survey starts with its consent page: the journey keeps nothing before consent, and
# publishing refuses a survey without one.
CONSENT_SECTION: dict[str, Any] = {
    "key": "before_you_start",
    "title": "Before you start",
    "pages": [
        {
            "questions": [
                {
                    "key": "consent",
                    "type": "consent",
                    "title": "Taking part",
                    "hint": (
                        "Your answers are anonymous. Please do not include names or details "
                        "that could identify you or anyone else."
                    ),
                    "label": "I understand and want to take part",
                }
            ]
        }
    ],
}


def new_definition(key: str, title: str) -> Definition:
    return {
        "key": key_from(key, "survey"),
        "title": title,
        "sections": [copy.deepcopy(CONSENT_SECTION)],
    }


def question_keys(definition: Definition) -> list[str]:
    return [q["key"] for _, _, _, q in questions_with_positions(definition)]


def questions_with_positions(definition: Definition) -> list[tuple[int, int, int, dict[str, Any]]]:
    return [
        (s, p, q, question)
        for s, section in enumerate(definition.get("sections", []))
        for p, page in enumerate(section.get("pages", []))
        for q, question in enumerate(page.get("questions", []))
    ]


# --- finding -----------------------------------------------------------------------------------
def section_index(definition: Definition, key: str) -> int:
    for s, section in enumerate(definition["sections"]):
        if section["key"] == key:
            return s
    raise BuilderError("section", f"There is no section '{key}' in this draft")


def find_question(definition: Definition, key: str) -> tuple[int, int, int]:
    for s, p, q, question in questions_with_positions(definition):
        if question["key"] == key:
            return s, p, q
    raise BuilderError("question", f"There is no question '{key}' in this draft")


def page_of(definition: Definition, section_key: str, page: int) -> dict[str, Any]:
    pages = definition["sections"][section_index(definition, section_key)]["pages"]
    if not 0 <= page < len(pages):
        raise BuilderError("page", "That page is not in this section any more")
    page_data: dict[str, Any] = pages[page]
    return page_data


def _edited(definition: Definition, change: Callable[[Definition], None]) -> Definition:
    data = copy.deepcopy(definition)
    change(data)
    return data


def _move(items: list[Any], index: int, direction: str) -> None:
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def _check_new_key(existing: list[str], key: str, field: str, kind: str) -> None:
    if not KEY_PATTERN.match(key):
        raise BuilderError(field, f"{kind} key must be lower-case letters, digits and underscores")
    if key in existing:
        raise BuilderError(field, f"Another {kind.lower()} already uses the key '{key}'")


# --- survey ------------------------------------------------------------------------------------
def update_survey(definition: Definition, fields: dict[str, Any]) -> Definition:
    """Title, description and the respondent-type question (``None`` removes optional ones)."""

    def change(data: Definition) -> None:
        for name, value in fields.items():
            if value in (None, ""):
                data.pop(name, None)
            else:
                data[name] = value

    return _edited(definition, change)


# --- sections ----------------------------------------------------------------------------------
def add_section(definition: Definition, key: str, title: str) -> Definition:
    _check_new_key([s["key"] for s in definition["sections"]], key, "key", "Section")
    return _edited(
        definition, lambda d: d["sections"].append({"key": key, "title": title, "pages": []})
    )


def update_section(definition: Definition, key: str, fields: dict[str, Any]) -> Definition:
    index = section_index(definition, key)
    return _edited(definition, lambda d: _apply(d["sections"][index], fields))


def move_section(definition: Definition, key: str, direction: str) -> Definition:
    index = section_index(definition, key)
    return _edited(definition, lambda d: _move(d["sections"], index, direction))


def delete_section(definition: Definition, key: str) -> Definition:
    index = section_index(definition, key)
    return _edited(definition, lambda d: d["sections"].pop(index))


# --- pages -------------------------------------------------------------------------------------
def add_page(definition: Definition, section_key: str, title: str = "") -> Definition:
    index = section_index(definition, section_key)
    page: dict[str, Any] = {"title": title} if title else {}
    page["questions"] = []
    return _edited(definition, lambda d: d["sections"][index]["pages"].append(page))


def update_page(
    definition: Definition, section_key: str, page: int, fields: dict[str, Any]
) -> Definition:
    page_of(definition, section_key, page)
    index = section_index(definition, section_key)
    return _edited(definition, lambda d: _apply(d["sections"][index]["pages"][page], fields))


def move_page(definition: Definition, section_key: str, page: int, direction: str) -> Definition:
    page_of(definition, section_key, page)
    index = section_index(definition, section_key)
    return _edited(definition, lambda d: _move(d["sections"][index]["pages"], page, direction))


def delete_page(definition: Definition, section_key: str, page: int) -> Definition:
    page_of(definition, section_key, page)
    index = section_index(definition, section_key)
    return _edited(definition, lambda d: d["sections"][index]["pages"].pop(page))


# --- questions ---------------------------------------------------------------------------------
def add_question(
    definition: Definition, section_key: str, page: int, question: dict[str, Any]
) -> Definition:
    page_of(definition, section_key, page)
    _check_new_key(question_keys(definition), question["key"], "key", "Question")
    index = section_index(definition, section_key)
    return _edited(
        definition, lambda d: d["sections"][index]["pages"][page]["questions"].append(question)
    )


def update_question(definition: Definition, key: str, question: dict[str, Any]) -> Definition:
    """Replace a question's fields; its key and type stay (answers are stored under the key)."""
    s, p, q = find_question(definition, key)

    def change(data: Definition) -> None:
        questions = data["sections"][s]["pages"][p]["questions"]
        questions[q] = {**question, "key": key, "type": questions[q]["type"]}

    return _edited(definition, change)


def move_question(definition: Definition, key: str, direction: str) -> Definition:
    s, p, q = find_question(definition, key)
    return _edited(
        definition, lambda d: _move(d["sections"][s]["pages"][p]["questions"], q, direction)
    )


def move_question_to_page(
    definition: Definition, key: str, section_key: str, page: int
) -> Definition:
    """Move a question to the end of another page of the draft; its own page: no change."""
    s, p, q = find_question(definition, key)
    page_of(definition, section_key, page)
    target = section_index(definition, section_key)
    if (target, page) == (s, p):
        return _edited(definition, lambda d: None)

    def change(data: Definition) -> None:
        question = data["sections"][s]["pages"][p]["questions"].pop(q)
        data["sections"][target]["pages"][page]["questions"].append(question)

    return _edited(definition, change)


def delete_question(definition: Definition, key: str) -> Definition:
    s, p, q = find_question(definition, key)

    def change(data: Definition) -> None:
        data["sections"][s]["pages"][p]["questions"].pop(q)
        if data.get("respondent_type_question") == key:
            del data["respondent_type_question"]

    return _edited(definition, change)


def _apply(item: dict[str, Any], fields: dict[str, Any]) -> None:
    """Set fields, removing the optional ones left blank (the format omits unset fields)."""
    for name, value in fields.items():
        if value in (None, "", [], False):
            item.pop(name, None)
        else:
            item[name] = value
