"""How long a survey takes, from the questions each route through it has.

The start page says "It takes about N minutes" before the respondent has chosen a route, so
the estimate is made for every route the respondent-type question opens (one route when the
survey has none) and given as a range when they differ. Each question counts for a typical
time for its type: reading and choosing for choices, typing for text. Questions shown only
after a particular answer to another question are left out, so the low end is what everyone
on that route sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from surveys.definition.answers import Answers
from surveys.definition.model import Survey
from surveys.definition.questions.base import QuestionType
from surveys.definition.routing import visible_pages, visible_questions

SECTION_NOTE_SECONDS = 15


@dataclass(frozen=True)
class Estimate:
    low: int
    high: int

    def __str__(self) -> str:
        if self.low == self.high:
            return f"about {_minutes(self.low)}"
        return f"between {self.low} and {_minutes(self.high)}, depending on your answers"


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def question_seconds(question: QuestionType) -> int:
    """Each type says its typical time (``QuestionType.seconds``)."""
    return question.seconds


def route_seconds(survey: Survey, answers: Answers) -> int:
    total = 0
    sections: set[int] = set()
    for ref in visible_pages(survey, answers):
        if ref.section not in sections and survey.sections[ref.section].content_note:
            total += SECTION_NOTE_SECONDS
        sections.add(ref.section)
        total += sum(question_seconds(q) for q in visible_questions(survey, ref, answers))
    return total


def routes(survey: Survey) -> list[Answers]:
    """One set of answers per route the respondent-type question opens."""
    key = survey.respondent_type_question
    if not key:
        return [{}]
    options = survey.question(key).filter_options or ()  # a single choice question's answers
    return [{key: option.value} for option in options] or [{}]


def estimate(survey: Survey) -> Estimate:
    minutes = [max(1, math.ceil(route_seconds(survey, a) / 60)) for a in routes(survey)]
    return Estimate(min(minutes), max(minutes))
