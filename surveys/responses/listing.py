"""The staff responses list's pieces that are not queries: reading the filters from the query
string (one declaration, injected into the list and the export), what an audit record says
about them, the answer filter's select lists, a response's summary and the names of respondent
types. The queries are in :mod:`surveys.store.listing`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar.params import Parameter

from consult.consultations.models import Consultation
from surveys.definition import Option, QuestionType, Survey
from surveys.store.listing import KEY_PATTERN, ResponseFilters

EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2999, 12, 31)
# The last page a list can have is far below this; a longer number would overflow the query.
MAX_PAGE = 1_000_000


def _date(raw: str, name: str, label: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = f"{label} must be a real date, like 2027-03-31"
        return None
    # 9999-12-31 is a real date, but the day after it (the end of a "to" range) is not.
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        errors[name] = f"{label} must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}"
        return None
    return value


def read_filters(
    respondent_type: str = "",
    submitted_from: str = "",
    submitted_to: str = "",
    answer: str = "",
    search: str = "",
    page: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = 1,
) -> ResponseFilters:
    """The list's query parameters as filters: a dependency (``filters``) of the list and the
    export, so both read the same parameters the same way."""
    filters = ResponseFilters(
        respondent_type=respondent_type[:40], search=search.strip()[:200], page=page
    )
    filters.raw = {
        "submitted_from": submitted_from,
        "submitted_to": submitted_to,
        "answer": answer,
    }
    filters.submitted_from = _date(submitted_from, "submitted_from", "From date", filters.errors)
    filters.submitted_to = _date(submitted_to, "submitted_to", "To date", filters.errors)
    # One select list of "question: option" pairs, so no JavaScript is needed to pair them.
    filters.question, _, filters.option = answer.partition("=")
    return filters


def filters_used(filters: ResponseFilters) -> dict[str, Any]:
    """The filters in force, for an audit record. Search text is never recorded (a person may
    have typed a name or a detail from an answer): only that a search was used."""
    used: dict[str, Any] = {}
    if filters.respondent_type:
        used["respondent_type"] = filters.respondent_type
    if filters.submitted_from:
        used["submitted_from"] = filters.submitted_from.isoformat()
    if filters.submitted_to:
        used["submitted_to"] = filters.submitted_to.isoformat()
    if filters.question and filters.option and KEY_PATTERN.fullmatch(filters.question):
        used["answer"] = f"{filters.question}={filters.option}"[:200]
    if filters.search:
        used["search"] = True
    return used


def choice_questions(survey: Survey | None) -> list[tuple[QuestionType, tuple[Option, ...]]]:
    """Questions with a fixed list of answers, for the "answer" filter's select lists."""
    if survey is None:
        return []
    return [(q, options) for q in survey.questions() if (options := q.filter_options)]


def summary(survey: Survey, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Sections with each question's wording and summarised answer, as that version asked."""
    return [
        {
            "title": section.title,
            "rows": [
                {"question": q.title, "answer": q.summarise(answers.get(q.key))}
                for q in section.questions
            ],
        }
        for section in survey.sections
    ]


@dataclass(frozen=True)
class RespondentTypes:
    """How staff pages name respondent types: in the survey's own words when it asks them."""

    question: str
    options: list[tuple[str, str]]

    def label(self, value: str | None) -> str:
        if not value:
            return "Not given"
        return dict(self.options).get(value, value.replace("_", " ").capitalize())


def respondent_types(survey: Survey | None, consultation: Consultation) -> RespondentTypes:
    """The survey's respondent-type question and its options when it has one; otherwise the
    consultation's list of types, or the platform's four."""
    if survey is not None and survey.respondent_type_question:
        question = survey.question(survey.respondent_type_question)
        options = question.filter_options or ()  # a single choice question: its answers
        return RespondentTypes(question.title, [(o.value, o.label) for o in options])
    if consultation.respondent_types:
        listed = [(str(t["value"]), str(t["label"])) for t in consultation.respondent_types]
        return RespondentTypes("Respondent type", listed)
    from surveys.builder.choices import RESPONDENT_TYPE_LABELS

    return RespondentTypes("Respondent type", list(RESPONDENT_TYPE_LABELS.items()))
