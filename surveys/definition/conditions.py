"""Show-if conditions over earlier answers.

A condition is a small immutable tree. In a definition file it is written as one of::

    {question: respondent_type, equals: professional}
    {question: abuse_types, any_of: [stalking, online_abuse]}
    {question: services_used, answered: true}
    {not: <condition>}
    {all: [<condition>, ...]}
    {any: [<condition>, ...]}

``equals`` and ``any_of`` compare against the *values* of an answer: the chosen option for a
single choice or rating, every ticked option for a multiple choice, every row rating for a grid,
and the text form of anything else. So ``{question: abuse_types, equals: stalking}`` holds when
"stalking" is one of the ticked boxes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveys.definition.answers import Answer, answer_values, is_answered


@dataclass(frozen=True)
class Equals:
    question: str
    value: str


@dataclass(frozen=True)
class AnyOf:
    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Answered:
    question: str


@dataclass(frozen=True)
class Not:
    condition: Condition


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOfConditions:
    conditions: tuple[Condition, ...]


Condition = Equals | AnyOf | Answered | Not | AllOf | AnyOfConditions


def holds(condition: Condition | None, answers: Mapping[str, Answer]) -> bool:
    """True when ``condition`` is met by ``answers`` (no condition always holds)."""
    match condition:
        case None:
            return True
        case Equals(question, value):
            return value in answer_values(answers.get(question))
        case AnyOf(question, values):
            return bool(set(values) & set(answer_values(answers.get(question))))
        case Answered(question):
            return is_answered(answers.get(question))
        case Not(inner):
            return not holds(inner, answers)
        case AllOf(parts):
            return all(holds(part, answers) for part in parts)
        case AnyOfConditions(parts):
            return any(holds(part, answers) for part in parts)
    raise TypeError(f"not a condition: {condition!r}")


def referenced_questions(condition: Condition | None) -> list[str]:
    """Question keys a condition reads, in the order they are written."""
    match condition:
        case None:
            return []
        case Equals(question, _) | AnyOf(question, _) | Answered(question):
            return [question]
        case Not(inner):
            return referenced_questions(inner)
        case AllOf(parts) | AnyOfConditions(parts):
            return [key for part in parts for key in referenced_questions(part)]
    raise TypeError(f"not a condition: {condition!r}")


def condition_from_dict(data: Mapping[str, Any]) -> Condition:
    """Build a condition from its definition-file form (already schema-checked)."""
    if "not" in data:
        return Not(condition_from_dict(data["not"]))
    if "all" in data:
        return AllOf(tuple(condition_from_dict(part) for part in data["all"]))
    if "any" in data:
        return AnyOfConditions(tuple(condition_from_dict(part) for part in data["any"]))
    question = str(data["question"])
    if "equals" in data:
        return Equals(question, str(data["equals"]))
    if "any_of" in data:
        return AnyOf(question, tuple(str(value) for value in data["any_of"]))
    return Answered(question)


def condition_to_dict(condition: Condition) -> dict[str, Any]:
    """The definition-file form of a condition (inverse of :func:`condition_from_dict`)."""
    match condition:
        case Equals(question, value):
            return {"question": question, "equals": value}
        case AnyOf(question, values):
            return {"question": question, "any_of": list(values)}
        case Answered(question):
            return {"question": question, "answered": True}
        case Not(inner):
            return {"not": condition_to_dict(inner)}
        case AllOf(parts):
            return {"all": [condition_to_dict(part) for part in parts]}
        case AnyOfConditions(parts):
            return {"any": [condition_to_dict(part) for part in parts]}
    raise TypeError(f"not a condition: {condition!r}")
