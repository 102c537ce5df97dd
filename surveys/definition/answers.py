"""The stored shape of answers, shared by question types, conditions and routing.

An answer is JSON-serialisable so the web layer can keep it in a JSON column as-is:
``str | int | float | list[str] | dict[str, str] | dict[str, str | list[str]] | None``.
``None`` means "not answered"; a question type never stores an empty string or empty list.
"""

from __future__ import annotations

from typing import Any

Answer = str | int | float | list[str] | dict[str, Any] | None
Answers = dict[str, Answer]

NOT_ANSWERED = "Not answered"


def is_answered(value: Answer) -> bool:
    return value not in (None, "", [], {})


def answer_values(value: Answer) -> list[str]:
    """The option-like values inside an answer, used by ``equals`` / ``any_of`` conditions."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, dict):
        if "selected" in value:
            return [str(item) for item in value["selected"]]
        return [str(item) for item in value.values()]
    return [str(value)]
