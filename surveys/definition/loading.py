"""Reading and writing survey definitions (YAML or JSON), checked against
``survey.schema.json`` and then by :mod:`.checks`.

- :func:`load_definition` - text or a file path -> :class:`Survey`, or :class:`DefinitionError`.
- :func:`dump_definition` - :class:`Survey` -> YAML or JSON text that loads back equal.
- :func:`survey_from_dict` / :func:`survey_to_dict` - the same, for already-parsed data.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from surveys.definition.checks import check_definition
from surveys.definition.conditions import condition_from_dict, condition_to_dict
from surveys.definition.errors import DefinitionError
from surveys.definition.model import Page, Section, Survey
from surveys.definition.questions.base import QuestionType
from surveys.definition.questions.registry import QUESTION_TYPES

SCHEMA_PATH = Path(__file__).with_name("survey.schema.json")


def survey_schema() -> dict[str, Any]:
    """The full JSON Schema: ``survey.schema.json`` (what every survey and question shares)
    with each registered question type's own fields (``QuestionType.schema``) added as the
    branch for that ``type``."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    question = schema["$defs"]["question"]
    question["properties"]["type"] = {"enum": list(QUESTION_TYPES)}
    question["allOf"] = [
        {
            "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
            "then": {"required": [], **cls.schema},
        }
        for name, cls in QUESTION_TYPES.items()
    ]
    return schema


def _validator() -> jsonschema.Draft202012Validator:
    return _validator_for(tuple(QUESTION_TYPES.items()))


# Keyed by the registered types, so registering one (a test's throwaway type) builds a new one.
@lru_cache(maxsize=4)
def _validator_for(
    types: tuple[tuple[str, type[QuestionType]], ...],
) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(survey_schema())


def load_definition(source: str | Path) -> Survey:
    """Load a definition from YAML/JSON text, or from a file only when given a ``Path``.

    A string is always text, never a file name: uploads reach this function, and a one-line
    upload such as ``/etc/x.yaml`` must not make the server read its own files."""
    if isinstance(source, Path):
        try:
            source = source.read_text(encoding="utf-8")
        except OSError as error:
            raise DefinitionError([f"definition: cannot read file ({error.strerror})"]) from error
    return survey_from_dict(parse_definition_text(source))


# A real definition is a few hundred lines nested about ten deep; these leave room for that.
MAX_TEXT_LENGTH = 1024 * 1024
MAX_DEPTH = 40


class _DefinitionLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with a nesting limit.

    Aliases (``*name``) let a few hundred bytes expand into millions of nodes (the "billion
    laughs"); a survey definition never needs them, so the first one is refused before
    anything is built. Nesting is capped before Python's own recursion limit is reached."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a survey definition", mark
            )
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", mark
            )
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth


def parse_definition_text(text: str) -> Any:
    """YAML or JSON text -> plain data, or :class:`DefinitionError` with a clear message:
    never an exception from the parser (deep nesting, aliases, huge numbers)."""
    if len(text) > MAX_TEXT_LENGTH:
        raise DefinitionError(["definition: the text is larger than 1 MB"])
    try:
        return yaml.load(text, Loader=_DefinitionLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise DefinitionError([f"definition: not valid YAML or JSON ({error})"]) from error
    except ValueError as error:
        # int() refuses numbers of more than 4,300 digits.
        raise DefinitionError(["definition: a number has more than 4,300 digits"]) from error
    except RecursionError as error:
        raise DefinitionError(["definition: nested too deeply"]) from error


def survey_from_dict(data: Any) -> Survey:
    problems = schema_problems(data)
    if not problems:
        problems = check_definition(data)
    if problems:
        raise DefinitionError(problems)
    return _build_survey(data)


def schema_problems(data: Any) -> list[str]:
    """JSON Schema violations as ``path: why`` messages, in document order."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.path])
    paths = [tuple(error.absolute_path) for error in errors]
    # A failing type-specific branch also makes every field of that branch "unevaluated";
    # reporting those as unknown would blame the wrong thing, so keep only the real cause.
    kept = [
        error
        for error in errors
        if error.validator != "unevaluatedProperties"
        or not any(
            len(p) > len(error.path) and p[: len(error.path)] == tuple(error.path) for p in paths
        )
    ]
    return [f"{_path(error.absolute_path)}: {_reason(error)}" for error in kept]


def _path(parts: deque[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "definition"


def _reason(error: jsonschema.ValidationError) -> str:
    match error.validator:
        case "minItems" if error.validator_value == 1:
            return "must not be empty"
        case "minItems":
            return f"must have at least {error.validator_value} items"
        case "required":
            missing = str(error.message).split("'")[1]
            return f"'{missing}' is required"
        case "additionalProperties" | "unevaluatedProperties":
            return f"unknown field(s): {error.message.split('(')[-1].rstrip(')')}"
        case "enum" if error.path and error.path[-1] == "type":
            known = ", ".join(QUESTION_TYPES)
            return f"unknown question type {error.instance!r}; use one of: {known}"
        case "enum":
            allowed = ", ".join(str(v) for v in error.validator_value)  # type: ignore[union-attr]
            return f"{error.instance!r} is not allowed; use one of: {allowed}"
        case "pattern":
            return f"{error.instance!r} must be lower-case letters, digits and underscores"
        case "type":
            kind = str(error.validator_value)
            return f"must be {'an' if kind[0] in 'aeio' else 'a'} {kind}"
        case "minLength":
            return "must not be blank"
        case "oneOf" if error.path and error.path[-1] == "scale":
            return "must be a preset name (satisfaction, quality, agreement, safety) or a list"
    return str(error.message)


def _build_survey(data: Mapping[str, Any]) -> Survey:
    return Survey(
        key=data["key"],
        title=data["title"],
        description=data.get("description"),
        respondent_type_question=data.get("respondent_type_question"),
        version=data.get("version", 1),
        sections=tuple(_build_section(section) for section in data["sections"]),
    )


def _build_section(data: Mapping[str, Any]) -> Section:
    return Section(
        key=data["key"],
        title=data["title"],
        content_note=data.get("content_note"),
        skippable=data.get("skippable", False),
        show_if=condition_from_dict(data["show_if"]) if "show_if" in data else None,
        respondent_types=tuple(data.get("respondent_types", ())),
        pages=tuple(_build_page(page) for page in data["pages"]),
    )


def _build_page(data: Mapping[str, Any]) -> Page:
    return Page(
        title=data.get("title"),
        show_if=condition_from_dict(data["show_if"]) if "show_if" in data else None,
        respondent_types=tuple(data.get("respondent_types", ())),
        questions=tuple(QUESTION_TYPES[q["type"]].from_dict(q) for q in data["questions"]),
    )


def survey_to_dict(survey: Survey) -> dict[str, Any]:
    data: dict[str, Any] = {"key": survey.key, "title": survey.title}
    _put(data, "description", survey.description)
    _put(data, "respondent_type_question", survey.respondent_type_question)
    if survey.version != 1:
        data["version"] = survey.version
    data["sections"] = [_section_to_dict(section) for section in survey.sections]
    return data


def _section_to_dict(section: Section) -> dict[str, Any]:
    data: dict[str, Any] = {"key": section.key, "title": section.title}
    _put(data, "content_note", section.content_note)
    if section.skippable:
        data["skippable"] = True
    _put_visibility(data, section)
    data["pages"] = [_page_to_dict(page) for page in section.pages]
    return data


def _page_to_dict(page: Page) -> dict[str, Any]:
    data: dict[str, Any] = {}
    _put(data, "title", page.title)
    _put_visibility(data, page)
    data["questions"] = [question.to_dict() for question in page.questions]
    return data


def _put(data: dict[str, Any], name: str, value: object) -> None:
    if value is not None:
        data[name] = value


def _put_visibility(data: dict[str, Any], item: Section | Page | QuestionType) -> None:
    if item.respondent_types:
        data["respondent_types"] = list(item.respondent_types)
    if item.show_if is not None:
        data["show_if"] = condition_to_dict(item.show_if)


def dump_definition(survey: Survey, format: Literal["yaml", "json"] = "yaml") -> str:
    data = survey_to_dict(survey)
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
