"""What the builder's select lists offer, read from the draft's definition: routing conditions
(earlier choice questions' options), respondent types, the respondent-type question, and the
pages a question can move to. Offering only what exists means nothing typed is parsed."""

from __future__ import annotations

import json
from typing import Any

from surveys.builder.service import Definition, questions_with_positions
from surveys.definition import QUESTION_TYPES, RESPONDENT_TYPES, QuestionType
from surveys.definition.questions.exporting import ANY_OF, ONE_OF, RATING
from surveys.definition.questions.rating import SCALES

# Questions whose answers a show-if condition can name (QuestionType.tabulation).
CHOICE_TABULATIONS = (ONE_OF, ANY_OF, RATING)
RESPONDENT_TYPE_LABELS = {
    "victim_survivor": "Victim-survivor",
    "on_behalf": "On behalf of someone",
    "professional": "Professional",
    "public": "Member of the public",
}


def condition_choices(definition: Definition, before: tuple[int, int]) -> list[tuple[str, str]]:
    """``("<question>=<option>", "Question title: option label")`` for every choice question on
    a page before ``before`` (section, page): the only answers a condition may use."""
    choices: list[tuple[str, str]] = []
    for s, p, _, question in questions_with_positions(definition):
        if (s, p) >= before or _tabulation(question) not in CHOICE_TABULATIONS:
            continue
        options = question.get("options") or question.get("scale") or []
        if isinstance(options, str):  # a preset scale name
            continue
        for option in options:
            value = f"{question['key']}={option['value']}"
            choices.append((value, f"{question['title']}: {option['label']}"))
    return choices


def respondent_type_choices(definition: Definition) -> list[tuple[str, str]]:
    """The types the survey's respondent-type question offers (all types when it has none)."""
    labels = dict(RESPONDENT_TYPE_LABELS)
    key = definition.get("respondent_type_question")
    if key:
        for _, _, _, question in questions_with_positions(definition):
            if question["key"] == key:
                offered = {o["value"]: o["label"] for o in question.get("options", [])}
                return [(v, offered[v]) for v in RESPONDENT_TYPES if v in offered]
    return [(value, labels[value]) for value in RESPONDENT_TYPES]


def _kind(question: dict[str, Any]) -> type[QuestionType] | None:
    return QUESTION_TYPES.get(str(question.get("type")))


def _tabulation(question: dict[str, Any]) -> str | None:
    kind = _kind(question)
    return kind.tabulation if kind else None


def _groups_respondents(question: dict[str, Any]) -> bool:
    kind = _kind(question)
    return kind is not None and kind.groups_respondents


def single_choice_questions(definition: Definition) -> list[tuple[str, str]]:
    """Questions that can route by respondent type: one answer from a list (single choice)."""
    return [
        (q["key"], q["title"])
        for _, _, _, q in questions_with_positions(definition)
        if _groups_respondents(q)
    ]


def page_choices(definition: Definition) -> list[tuple[str, str]]:
    """``("<section key>:<page number>", "Section 1: title, page 2: title")`` for every page."""
    choices: list[tuple[str, str]] = []
    for s, section in enumerate(definition.get("sections", []), start=1):
        for p, page in enumerate(section.get("pages", []), start=1):
            title = f": {page['title']}" if page.get("title") else ""
            label = f"Section {s}: {section['title']}, page {p}{title}"
            choices.append((f"{section['key']}:{p}", label))
    return choices


def condition_text(definition: Definition, condition: dict[str, Any] | None) -> str:
    """A show-if condition in words: "'Who helped?' is The police" (codes only as a fallback)."""
    if not condition:
        return ""
    if set(condition) == {"question", "equals"}:
        for _, _, _, question in questions_with_positions(definition):
            if question["key"] != condition["question"]:
                continue
            options = question.get("options") or question.get("scale") or []
            if isinstance(options, str):  # a preset scale
                options = [o.to_dict() for o in SCALES.get(options, ())]
            labels = {o["value"]: o["label"] for o in options}
            if question.get("prefer_not_to_say"):
                labels.setdefault("prefer_not_to_say", "Prefer not to say")
            if question.get("dont_know_label"):
                labels.setdefault("dont_know", question["dont_know_label"])
            if question.get("other_label"):
                labels.setdefault("other", question["other_label"])
            value = labels.get(condition["equals"], condition["equals"])
            return f"‘{question['title']}’ is {value}"
        return f"{condition['question']} = {condition['equals']}"
    if set(condition) == {"question", "answered"}:
        titles = {q["key"]: q["title"] for _, _, _, q in questions_with_positions(definition)}
        return f"‘{titles.get(condition['question'], condition['question'])}’ is answered"
    return json.dumps(condition)


def respondent_type_labels(definition: Definition, values: list[str]) -> list[str]:
    labels = dict(respondent_type_choices(definition))
    return [labels.get(value, value) for value in values]
