"""Routing: which sections, pages and questions a respondent sees, as pure functions.

Everything here is computed from the survey definition, the answers so far and the set of
section keys the respondent chose to skip; nothing is stored. Items are walked in document
order, and a condition only ever sees answers to questions that are themselves still visible,
so changing an early answer hides everything that depended on it, all the way down.

- :func:`visible_pages` - the pages of the current route, in order.
- :func:`next_page` / :func:`previous_page` - neighbours on the route; ``None`` means "go to
  check your answers" / "go back to the start". ``current`` need not be on the route any more.
- :func:`visible_questions` - the questions to show on one page.
- :func:`prune_answers` - answers restricted to visible questions: what gets submitted.
- :func:`visible_question_count` - the count for a section's content note;
  :func:`visible_question_total` - the count for the whole route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveys.definition.answers import Answer, Answers, is_answered
from surveys.definition.conditions import holds
from surveys.definition.model import PageRef, Survey
from surveys.definition.questions.base import QuestionType

NO_SKIPS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Route:
    pages: dict[PageRef, list[QuestionType]]
    answers: Answers


# A page view asks for its questions and its Back link, "check your answers" asks for every
# page: the same walk over the same answers, several times in one request. The survey keeps its
# last few walks (with a copy of the answers they saw, compared by value), so repeats cost a
# lookup; the memo belongs to the survey object, not to this module.
_RECENT_WALKS = 4


def _walk(survey: Survey, answers: Mapping[str, Answer], skipped: frozenset[str]) -> _Route:
    recent: list[tuple[dict[str, Answer], frozenset[str], _Route]] = survey.recent_walks
    for known_answers, known_skipped, route in list(recent):
        if known_skipped == skipped and known_answers == answers:
            return route
    route = _walk_now(survey, answers, skipped)
    recent.insert(0, (dict(answers), skipped, route))
    del recent[_RECENT_WALKS:]
    return route


def _walk_now(survey: Survey, answers: Mapping[str, Answer], skipped: frozenset[str]) -> _Route:
    seen: Answers = {}
    pages: dict[PageRef, list[QuestionType]] = {}
    for s, section in enumerate(survey.sections):
        if section.key in skipped or not holds(survey.condition_for(section), seen):
            continue
        for p, page in enumerate(section.pages):
            if not holds(survey.condition_for(page), seen):
                continue
            shown = [q for q in page.questions if holds(survey.condition_for(q), seen)]
            if not shown:
                continue
            pages[PageRef(s, p)] = shown
            for question in shown:
                if is_answered(answers.get(question.key)):
                    seen[question.key] = answers[question.key]
    return _Route(pages, seen)


def visible_pages(
    survey: Survey, answers: Mapping[str, Answer], skipped_sections: frozenset[str] = NO_SKIPS
) -> list[PageRef]:
    return list(_walk(survey, answers, skipped_sections).pages)


def visible_questions(
    survey: Survey,
    ref: PageRef,
    answers: Mapping[str, Answer],
    skipped_sections: frozenset[str] = NO_SKIPS,
) -> list[QuestionType]:
    """Questions to show on ``ref``; empty when the page is off the route."""
    return list(_walk(survey, answers, skipped_sections).pages.get(ref, ()))


def next_page(
    survey: Survey,
    current: PageRef | None,
    answers: Mapping[str, Answer],
    skipped_sections: frozenset[str] = NO_SKIPS,
) -> PageRef | None:
    """The first route page after ``current`` (``None`` current = start of the survey)."""
    for ref in visible_pages(survey, answers, skipped_sections):
        if current is None or _position(ref) > _position(current):
            return ref
    return None


def previous_page(
    survey: Survey,
    current: PageRef | None,
    answers: Mapping[str, Answer],
    skipped_sections: frozenset[str] = NO_SKIPS,
) -> PageRef | None:
    """The last route page before ``current`` (``None`` current = from check your answers)."""
    earlier = [
        ref
        for ref in visible_pages(survey, answers, skipped_sections)
        if current is None or _position(ref) < _position(current)
    ]
    return earlier[-1] if earlier else None


def prune_answers(
    survey: Survey, answers: Mapping[str, Answer], skipped_sections: frozenset[str] = NO_SKIPS
) -> Answers:
    """Only the answers to questions still on the route, in survey order; blanks dropped."""
    return dict(_walk(survey, answers, skipped_sections).answers)


def is_on_route(
    survey: Survey,
    ref: PageRef,
    answers: Mapping[str, Answer],
    skipped_sections: frozenset[str] = NO_SKIPS,
) -> bool:
    """Whether a page may be shown now (the web layer should redirect when it may not)."""
    return ref in _walk(survey, answers, skipped_sections).pages


def visible_question_count(
    survey: Survey,
    section_key: str,
    answers: Mapping[str, Answer],
    skipped_sections: frozenset[str] = NO_SKIPS,
) -> int:
    """How many questions of a section the respondent would see now (for its content note)."""
    index = next(i for i, s in enumerate(survey.sections) if s.key == section_key)
    route = _walk(survey, answers, skipped_sections - {section_key})
    return sum(len(qs) for ref, qs in route.pages.items() if ref.section == index)


def visible_question_total(
    survey: Survey, answers: Mapping[str, Answer], skipped_sections: frozenset[str] = NO_SKIPS
) -> int:
    """How many questions the whole route has now (for the start page's time estimate)."""
    return sum(len(qs) for qs in _walk(survey, answers, skipped_sections).pages.values())


def _position(ref: PageRef) -> tuple[int, int]:
    return (ref.section, ref.page)
