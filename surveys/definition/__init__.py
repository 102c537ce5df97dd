"""Survey definitions: the pure (no web, no database) engine behind every survey.

This package owns what a survey *is* and how a respondent moves through it:

- the tree of sections, pages and questions (:mod:`.model`);
- question types, one class each, in one registry (:mod:`.questions`): each parses posted form
  fields, validates, renders (Jinja template name + context), summarises for "check your
  answers" and exports its answer;
- show-if conditions (:mod:`.conditions`) and routing as pure functions (:mod:`.routing`);
- the YAML/JSON definition format with its JSON Schema and semantic checks (:mod:`.loading`,
  ``survey.schema.json``, docs/survey-format.md).

Form fields: question ``key`` posts as ``q-<key>``; multi-field types add a suffix
(``q-<key>-other``, ``q-<key>-month``/``-year``, ``q-<key>-1``..``-3``, ``q-<key>-<row>``).
``question.field_names()`` lists them and ``question.error_anchor`` is the id to link errors to.
``parse`` takes ``Mapping[str, Sequence[str]]`` (every value posted under each name).
"""

from surveys.definition.answers import NOT_ANSWERED, Answer, Answers, is_answered
from surveys.definition.conditions import Condition, holds
from surveys.definition.errors import DefinitionError
from surveys.definition.loading import (
    dump_definition,
    load_definition,
    parse_definition_text,
    survey_from_dict,
    survey_to_dict,
)
from surveys.definition.model import RESPONDENT_TYPES, Page, PageRef, Section, Survey
from surveys.definition.questions import (
    QUESTION_TYPES,
    ExportColumn,
    Option,
    QuestionType,
    Rendering,
)
from surveys.definition.routing import (
    is_on_route,
    next_page,
    previous_page,
    prune_answers,
    visible_pages,
    visible_question_count,
    visible_question_total,
    visible_questions,
)

__all__ = [
    "NOT_ANSWERED",
    "QUESTION_TYPES",
    "RESPONDENT_TYPES",
    "Answer",
    "Answers",
    "Condition",
    "DefinitionError",
    "ExportColumn",
    "Option",
    "Page",
    "PageRef",
    "QuestionType",
    "Rendering",
    "Section",
    "Survey",
    "dump_definition",
    "holds",
    "is_answered",
    "is_on_route",
    "load_definition",
    "next_page",
    "parse_definition_text",
    "previous_page",
    "prune_answers",
    "survey_from_dict",
    "survey_to_dict",
    "visible_pages",
    "visible_question_count",
    "visible_question_total",
    "visible_questions",
]
