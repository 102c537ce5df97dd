"""Checks the JSON Schema cannot express, run on the raw (schema-valid) definition data.

Each problem is reported as ``<field path>: <why>``, e.g.
``sections[1].pages[0].questions[2].options[3].value: 'other' is used twice``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.definition.answers import Answer
from surveys.definition.conditions import condition_from_dict, holds, referenced_questions
from surveys.definition.questions.registry import QUESTION_TYPES

TESTS = ("equals", "any_of", "answered")
COMBINATORS = ("not", "all", "any")
MAX_COMBINATIONS = 20_000


@dataclass(frozen=True)
class _Asked:
    """Where a question is asked: its path and (section, page) position."""

    path: str
    position: tuple[int, int]
    data: Mapping[str, Any]


def check_definition(data: Mapping[str, Any]) -> list[str]:
    asked: dict[str, _Asked] = {}
    problems: list[str] = []
    section_keys: dict[str, str] = {}
    for s, section in enumerate(data["sections"]):
        path = f"sections[{s}]"
        key = section["key"]
        if key in section_keys:
            problems.append(f"{path}.key: '{key}' is already used by {section_keys[key]}")
        section_keys.setdefault(key, path)
        for p, page in enumerate(section["pages"]):
            for q, question in enumerate(page["questions"]):
                qpath = f"{path}.pages[{p}].questions[{q}]"
                key = question["key"]
                if key in asked:
                    problems.append(f"{qpath}.key: '{key}' is already used by {asked[key].path}")
                    continue
                asked[key] = _Asked(qpath, (s, p), question)
                problems.extend(_option_problems(qpath, question))
                problems.extend(
                    QUESTION_TYPES[question["type"]].definition_problems(qpath, question)
                )
    problems.extend(_respondent_type_problems(data, asked))
    problems.extend(_condition_problems(data, asked))
    return problems


def _option_problems(path: str, question: Mapping[str, Any]) -> Iterator[str]:
    generated = {
        value: flag
        for value, flag in QUESTION_TYPES[question["type"]].generated_options.items()
        if question.get(flag)
    }
    for field in ("options", "rows", "scale"):
        items = question.get(field)
        if not isinstance(items, list):
            continue
        seen: set[str] = set()
        for i, option in enumerate(items):
            value = option["value"]
            if value in seen:
                yield f"{path}.{field}[{i}].value: '{value}' is used twice"
            elif field != "rows" and value in generated:
                yield (
                    f"{path}.{field}[{i}].value: '{value}' is reserved for the answer added by "
                    f"{generated[value]}"
                )
            seen.add(value)


def _respondent_type_problems(data: Mapping[str, Any], asked: dict[str, _Asked]) -> Iterator[str]:
    key = data.get("respondent_type_question")
    users = list(_items_with_respondent_types(data))
    if key is None:
        for path, _, _ in users:
            yield f"{path}.respondent_types: needs respondent_type_question to be set on the survey"
        return
    if key not in asked:
        yield f"respondent_type_question: no question has the key '{key}'"
        return
    holder = asked[key]
    if not QUESTION_TYPES[holder.data["type"]].groups_respondents:
        yield f"respondent_type_question: '{key}' must be a single_choice question"
        return
    offered = {option["value"] for option in holder.data["options"]}
    for path, position, item in users:
        if position <= holder.position:
            yield f"{path}.respondent_types: '{key}' must be asked on an earlier page"
        for value in item["respondent_types"]:
            if value not in offered:
                yield f"{path}.respondent_types: '{value}' is not an option of '{key}'"


def _items_with_respondent_types(
    data: Mapping[str, Any],
) -> Iterator[tuple[str, tuple[int, int], Mapping[str, Any]]]:
    for path, position, item, _ in _conditional_items(data):
        if item.get("respondent_types"):
            yield path, position, item


def _conditional_items(
    data: Mapping[str, Any],
) -> Iterator[tuple[str, tuple[int, int], Mapping[str, Any], str]]:
    """(path, position, item, kind) for every section, page and question.

    A section's position is (s, -1) so only earlier sections come before it.
    """
    for s, section in enumerate(data["sections"]):
        yield f"sections[{s}]", (s, -1), section, "section"
        for p, page in enumerate(section["pages"]):
            yield f"sections[{s}].pages[{p}]", (s, p), page, "page"
            for q, question in enumerate(page["questions"]):
                yield f"sections[{s}].pages[{p}].questions[{q}]", (s, p), question, "question"


def _condition_problems(data: Mapping[str, Any], asked: dict[str, _Asked]) -> Iterator[str]:
    for path, position, item, kind in _conditional_items(data):
        if "show_if" not in item:
            continue
        cpath = f"{path}.show_if"
        shape = list(_shape_problems(cpath, item["show_if"]))
        if shape:
            yield from shape
            continue
        refs = list(_reference_problems(cpath, item["show_if"], position, asked))
        if refs:
            yield from refs
            continue
        condition = condition_from_dict(item["show_if"])
        if not _can_hold(condition, asked):
            yield f"{cpath}: can never be true, so this {kind} is unreachable"


def _shape_problems(path: str, condition: Mapping[str, Any]) -> Iterator[str]:
    used = [name for name in (*TESTS, *COMBINATORS) if name in condition]
    if len(used) != 1:
        yield f"{path}: must have exactly one of {', '.join((*TESTS, *COMBINATORS))}"
        return
    if used[0] in TESTS and "question" not in condition:
        yield f"{path}.question: is required with {used[0]}"
    if used[0] in COMBINATORS and "question" in condition:
        yield f"{path}.question: not allowed with {used[0]}"
    if used[0] == "not":
        yield from _shape_problems(f"{path}.not", condition["not"])
    if used[0] in ("all", "any"):
        for i, part in enumerate(condition[used[0]]):
            yield from _shape_problems(f"{path}.{used[0]}[{i}]", part)


def _reference_problems(
    path: str, condition: Mapping[str, Any], position: tuple[int, int], asked: dict[str, _Asked]
) -> Iterator[str]:
    for key in referenced_questions(condition_from_dict(condition)):
        if key not in asked:
            yield f"{path}: refers to '{key}', which is not a question in this survey"
        elif asked[key].position >= position:
            yield (
                f"{path}: refers to '{key}', which is not asked on an earlier page; "
                "conditions may only use earlier answers"
            )


def _candidates(question: Mapping[str, Any]) -> list[Answer]:
    """A small set of answers that covers every outcome a condition can test for."""
    return QUESTION_TYPES[question["type"]].condition_candidates(question)


def _can_hold(condition: Any, asked: dict[str, _Asked]) -> bool:
    keys = list(dict.fromkeys(referenced_questions(condition)))
    choices = [_candidates(asked[key].data) for key in keys]
    combinations = 1
    for options in choices:
        combinations *= len(options)
    if combinations > MAX_COMBINATIONS:
        return True  # too many to try; give the author the benefit of the doubt
    return any(
        holds(condition, dict(zip(keys, combo, strict=True)))
        for combo in itertools.product(*choices)
    )
