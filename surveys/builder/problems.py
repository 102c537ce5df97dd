"""What stops a draft from being published, in the words staff see on the builder page.

The definition loader reports problems by field path (``sections[2].pages[0].questions[0].
options: must not be empty``), which is right for a file but not for someone building a survey
in the browser. Here each message names the section, page and question by their titles and
says what to do ("Page 'About you', question 'Your age': add at least one option").

The builder also refuses what the loader allows for surveys published before these checks: a
survey with no consent question (respondents' answers are stored only after consent) and a
question whose key would take the name of a column every export has.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from surveys.definition import QUESTION_TYPES, DefinitionError, survey_from_dict
from surveys.definition.checks import check_definition
from surveys.exports.layout import SYSTEM_NAMES

Definition = dict[str, Any]

# Columns every response export starts with.
SYSTEM_COLUMNS = SYSTEM_NAMES

_PATH = re.compile(
    r"^sections\[(\d+)\](?:\.pages\[(\d+)\](?:\.questions\[(\d+)\])?)?(?:\.(?P<field>.+))?$"
)
_QUOTED = re.compile(r"'([^']*)'")


def _title(item: dict[str, Any], fallback: str) -> str:
    return str(item.get("title") or item.get("key") or fallback)


def _question_titles(definition: Definition) -> dict[str, str]:
    return {
        q.get("key", ""): _title(q, "untitled")
        for s in definition.get("sections", [])
        for p in s.get("pages", [])
        for q in p.get("questions", [])
        if isinstance(q, dict)
    }


def location(definition: Definition, s: int, p: int | None, q: int | None) -> str:
    """ "Section 'Your experience'", "Page 'About you', question 'Your age'", or "Page 2 of
    section 'Start'" for a page without a title."""
    try:
        section = definition["sections"][s]
        where = f"Section '{_title(section, f'{s + 1}')}'"
        if p is None:
            return where
        page = section["pages"][p]
        if page.get("title"):
            where = f"Page '{page['title']}'"
        else:
            where = f"Page {p + 1} of section '{_title(section, f'{s + 1}')}'"
        if q is None:
            return where
        return f"{where}, question '{_title(page['questions'][q], f'{q + 1}')}'"
    except (KeyError, IndexError, TypeError):
        return f"Section {s + 1}"


def _advice(field: str, reason: str, titles: dict[str, str]) -> str:
    """What to do about one problem with one field of a section, page or question."""
    root = field.split("[", 1)[0].split(".", 1)[0]
    quoted = _QUOTED.findall(reason)
    if root in ("options", "rows") and "." not in field and "empty" in reason:
        return "add at least one option" if root == "options" else "add at least one row to rate"
    if root == "scale" and "." not in field:
        return "choose a rating scale, or list at least two levels of a custom one"
    if root in ("options", "rows", "scale") and "used twice" in reason:
        return f"the value '{quoted[0]}' is listed twice; give each answer its own value"
    if root in ("options", "scale") and "reserved" in reason:
        return f"the value '{quoted[0]}' is kept for an answer the survey adds itself; use another"
    if root == "pages" and "empty" in reason:
        return "add at least one page, or delete the section"
    if root == "questions" and "empty" in reason:
        return "add a question to this page, or delete the page"
    if root == "title":
        return "give it a title"
    if root == "key" and "already used" in reason:
        return f"the key '{quoted[0]}' is used twice; each must be different"
    if root == "show_if" and "never be true" in reason:
        return "its 'show only when' condition can never be met, so nobody would see it"
    if root == "show_if" and "not asked on an earlier page" in reason:
        asked = titles.get(quoted[0], quoted[0]) if quoted else "a question"
        return (
            f"it is shown only after an answer to '{asked}', which is not on an earlier page: "
            "move that question earlier or choose another condition"
        )
    if root == "show_if" and "not a question" in reason:
        return "its condition uses a question that is not in the survey any more; choose another"
    if root == "respondent_types" and "needs respondent_type_question" in reason:
        return (
            "it is shown only to some respondent types: choose the question that asks the "
            "respondent type in the survey settings"
        )
    if root == "respondent_types" and "earlier page" in reason:
        return (
            "it is routed by respondent type, but the question asking it is not on an earlier page"
        )
    if root == "respondent_types" and "not an option" in reason:
        return (
            f"it is shown to the respondent type '{quoted[0]}', which the question does not offer"
        )
    if root == "maximum":
        return "the maximum must not be less than the minimum"
    return f"{field.replace('_', ' ')} {reason}"


def plain(definition: Definition, message: str) -> str:
    """One loader message (``path: why``) in plain language, naming items by their titles."""
    path, _, reason = message.partition(": ")
    found = _PATH.match(path)
    if found:
        s, p, q = (int(g) if g is not None else None for g in found.groups()[:3])
        assert s is not None
        where = location(definition, s, p, q)
        field = found.group("field") or ""
        if not field:
            return f"{where}: {reason}"
        return f"{where}: {_advice(field, reason, _question_titles(definition))}"
    if path == "sections":
        return "Add at least one section to the survey"
    if path == "title":
        return "Survey settings: give the survey a title"
    if path == "respondent_type_question":
        return (
            "Survey settings: the question chosen as the respondent-type question must be a "
            "single-choice question in the survey; choose it again"
        )
    return message


def _records_consent(question: dict[str, Any]) -> bool:
    kind = QUESTION_TYPES.get(str(question.get("type")))
    return kind is not None and kind.records_consent


def _consent_problems(definition: Definition) -> list[str]:
    for section in definition.get("sections", []):
        for page in section.get("pages", []):
            if any(_records_consent(q) for q in page.get("questions", [])):
                return []
    return [
        "The survey has no consent question: add a page with a Consent question before the "
        "other questions (nothing a respondent enters is kept until they agree)"
    ]


def _column_problems(definition: Definition) -> list[str]:
    problems = []
    for s, section in enumerate(definition.get("sections", [])):
        for p, page in enumerate(section.get("pages", [])):
            for q, question in enumerate(page.get("questions", [])):
                key = question.get("key")
                if key == "respondent_type" and (definition.get("respondent_type_question") == key):
                    continue  # the respondent-type question's own column is that column
                if key in SYSTEM_COLUMNS:
                    problems.append(
                        f"{location(definition, s, p, q)}: the key '{key}' is the name of a "
                        "column every export has; use another key"
                    )
    return problems


def definition_problems(definition: Definition) -> list[str]:
    """Everything loading would refuse, as ``field path: why`` messages.

    Loading stops at schema problems; a draft in progress usually has one (an empty page), so
    the semantic checks are tried as well, to list routing mistakes in the same pass.
    """
    try:
        survey_from_dict(definition)
    except DefinitionError as error:
        problems = list(error.messages)
    else:
        return []
    # When the data is too malformed for the semantic checks, the schema messages say why.
    with contextlib.suppress(KeyError, TypeError, AttributeError, ValueError):
        problems += [p for p in check_definition(definition) if p not in problems]
    return problems


def publish_problems(definition: Definition, missing_data_protection: list[str]) -> list[str]:
    """Why the draft cannot be published, in plain language, in page order."""
    problems = [plain(definition, message) for message in definition_problems(definition)]
    problems += _consent_problems(definition) + _column_problems(definition)
    problems += [
        f"Consultation details: fill in the {label.lower()} before publishing"
        for label in missing_data_protection
    ]
    return list(dict.fromkeys(problems))
