"""The workspace's filters: which responses a page counts.

Filters arrive as GET query parameters from the filter form, so a filtered page is a link that
can be shared or bookmarked: ``respondent_type`` (several types: any of them) and ``answer``
(several ``question=option`` choices). Choices on the same question match any of them; choices
on different questions must all hold. A grid row is ``grid.row=option``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from surveys.definition import Option, QuestionType, Survey
from surveys.definition.questions.exporting import ANY_OF, ONE_OF, RATING, RATING_GRID

MAX_FILTERS = 20
MAX_TOKEN = 200


@dataclass(frozen=True)
class AnswerChoice:
    token: str
    label: str
    column: str
    value: str | int
    question_key: str
    title: str


@dataclass(frozen=True)
class ChoiceGroup:
    title: str
    choices: tuple[AnswerChoice, ...]


def _group(question: QuestionType, options: Sequence[Option], row: Option | None) -> ChoiceGroup:
    key = question.key if row is None else f"{question.key}.{row.value}"
    column = question.key if row is None else f"{question.key}__{row.value}"
    title = question.title if row is None else f"{question.title}: {row.label}"
    choices = []
    for option in options:
        if question.tabulation == ANY_OF:  # a 0/1 column per option
            choice = AnswerChoice(
                f"{key}={option.value}", option.label, f"{column}__{option.value}", 1, key, title
            )
        else:
            choice = AnswerChoice(
                f"{key}={option.value}", option.label, column, option.value, key, title
            )
        choices.append(choice)
    return ChoiceGroup(title, tuple(choices))


def choice_groups(survey: Survey) -> list[ChoiceGroup]:
    """Every choice and rating question (and grid row) a page can be filtered by."""
    groups = []
    for question in survey.questions():
        options = getattr(question, "all_options", ())
        if question.tabulation == RATING_GRID:
            groups += [_group(question, options, row) for row in getattr(question, "rows", ())]
        elif question.tabulation in (ONE_OF, ANY_OF, RATING):
            groups.append(_group(question, options, None))
    return groups


def respondent_type_options(survey: Survey, fallback: Sequence[dict[str, str]]) -> list[Option]:
    """The answers of the survey's respondent-type question, else the consultation's list."""
    key = survey.respondent_type_question
    if key:
        try:
            question = survey.question(key)
        except KeyError:
            question = None
        if question is not None and question.groups_respondents:
            return list(getattr(question, "options", ()))
    return [Option(str(item["value"]), str(item["label"])) for item in fallback]


@dataclass
class Selection:
    respondent_types: list[str] = field(default_factory=list)
    answers: list[AnswerChoice] = field(default_factory=list)
    type_labels: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.respondent_types or self.answers)

    def describe(self) -> list[str]:
        parts = []
        if self.respondent_types:
            names = ", ".join(self.type_labels.get(t, t) for t in self.respondent_types)
            parts.append(f"Respondent type: {names}")
        parts += [f"{choice.title}: {choice.label}" for choice in self.answers]
        return parts

    def params(self) -> list[tuple[str, str]]:
        return [("respondent_type", t) for t in self.respondent_types] + [
            ("answer", choice.token) for choice in self.answers
        ]

    def query(self) -> str:
        return urlencode(self.params())

    def apply(self, frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The responses the filters keep; only ``columns`` when given (copying a few columns
        of a large frame is far cheaper than copying every one)."""
        wanted = list(dict.fromkeys(c for c in columns if c in frame.columns)) if columns else None
        if not self.active:
            return frame[wanted] if wanted else frame
        mask = pd.Series(True, index=frame.index)
        if self.respondent_types:
            mask &= frame["respondent_type"].isin(self.respondent_types)
        by_question: dict[str, list[AnswerChoice]] = {}
        for choice in self.answers:
            by_question.setdefault(choice.question_key, []).append(choice)
        for choices in by_question.values():
            either = pd.Series(False, index=frame.index)
            for choice in choices:
                if choice.column in frame.columns:
                    either |= frame[choice.column] == choice.value
            mask &= either
        return frame.loc[mask, wanted] if wanted else frame[mask]


def read_selection(
    survey: Survey,
    types: Sequence[Option],
    respondent_type: Sequence[str] | None,
    answer: Sequence[str] | None,
) -> Selection:
    """Check the query's filters against what the survey offers; each bad value is named."""
    selection = Selection(type_labels={option.value: option.label for option in types})
    known_types = set(selection.type_labels)
    for raw in respondent_type or []:
        if not raw:
            continue
        if raw not in known_types:
            selection.errors["respondent_type"] = (
                f"'{raw[:40]}' is not a respondent type of this survey"
            )
            continue
        if raw not in selection.respondent_types:
            selection.respondent_types.append(raw)
    offered = {choice.token: choice for group in choice_groups(survey) for choice in group.choices}
    tokens = [token for token in answer or [] if token]
    if len(tokens) > MAX_FILTERS:
        selection.errors["answer"] = f"Choose at most {MAX_FILTERS} answer filters"
        tokens = tokens[:MAX_FILTERS]
    for token in tokens:
        choice = offered.get(token[:MAX_TOKEN])
        if choice is None:
            selection.errors["answer"] = _unknown(survey, token[:MAX_TOKEN])
        elif choice not in selection.answers:
            selection.answers.append(choice)
    return selection


def _unknown(survey: Survey, token: str) -> str:
    key, _, value = token.partition("=")
    question_key = key.split(".")[0]
    try:
        question = survey.question(question_key)
    except KeyError:
        return f"There is no choice or rating question '{key[:60]}' to filter by"
    return f"'{value[:60]}' is not an answer to '{question.title}' (filter '{key[:60]}')"
