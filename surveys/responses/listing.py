"""Finding responses for staff: counts by status, filters, free-text search, one page at a
time (advanced-alchemy's ``LimitOffset`` -> ``OffsetPagination``), and erasure.

Withdrawals delete the response, so the withdrawn count comes from the audit log
(``response_withdrawn`` events recorded by :func:`surveys.journey.withdraw`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import OffsetPagination
from sqlalchemy import ColumnElement, String, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from consult.audit import AuditEvent
from consult.consultations.models import Consultation
from consult.errors import NotFound
from surveys.definition import Option, QuestionType, Survey
from surveys.journey import current_version, definition_of
from surveys.models import Draft, Response, SurveyVersion

PAGE_SIZE = 25
KEY_PATTERN = re.compile(r"[A-Za-z0-9_]{1,100}")


class ResponseRepository(SQLAlchemyAsyncRepository[Response]):
    model_type = Response


@dataclass(frozen=True)
class StatusCounts:
    draft: int
    submitted: int
    withdrawn: int


@dataclass
class ResponseFilters:
    respondent_type: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    question: str = ""
    option: str = ""
    search: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


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
    page: int = 1,
) -> ResponseFilters:
    """The list's query parameters as filters (the export reads the same ones)."""
    filters = ResponseFilters(
        respondent_type=respondent_type[:40], search=search.strip()[:200], page=page
    )
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


async def status_counts(
    db: AsyncSession, consultation_id: uuid.UUID, now: datetime
) -> StatusCounts:
    drafts = await db.scalar(
        select(func.count())
        .select_from(Draft)
        .where(Draft.consultation_id == consultation_id, Draft.expires_at > now)
    )
    submitted = await db.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.consultation_id == consultation_id)
    )
    withdrawn = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "response_withdrawn",
            AuditEvent.object_type == "consultation",
            AuditEvent.object_id == str(consultation_id),
        )
    )
    return StatusCounts(int(drafts or 0), int(submitted or 0), int(withdrawn or 0))


def choice_questions(survey: Survey | None) -> list[tuple[QuestionType, tuple[Option, ...]]]:
    """Questions with a fixed list of answers, for the "answer" filter's select lists."""
    if survey is None:
        return []
    return [(q, options) for q in survey.questions() if (options := q.filter_options)]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _answer_is(dialect: str, key: str, value: str) -> ColumnElement[bool]:
    """The answer to ``key`` is ``value`` (single choice, rating) or includes it (multiple)."""
    if dialect == "postgresql":
        clause = text(
            "((survey_response.answers -> :fkey) @> to_jsonb(CAST(:fvalue AS text)) OR "
            "(survey_response.answers -> :fkey -> 'selected') @> "
            "jsonb_build_array(CAST(:fvalue AS text)))"
        ).bindparams(fkey=key, fvalue=value)
    else:
        clause = text(
            "(json_extract(survey_response.answers, :fpath) = :fvalue OR EXISTS (SELECT 1 FROM "
            "json_each(survey_response.answers, :fselected) WHERE json_each.value = :fvalue))"
        ).bindparams(fpath=f'$."{key}"', fselected=f'$."{key}".selected', fvalue=value)
    # A raw clause is not a column expression, which the repository's filters need.
    return Response.id.in_(select(Response.id).where(clause))


def conditions(dialect: str, filters: ResponseFilters) -> list[ColumnElement[bool]]:
    """The filters as WHERE clauses on ``survey_response`` (the list and the export share them)."""
    where: list[ColumnElement[bool]] = []
    if filters.respondent_type:
        where.append(Response.respondent_type == filters.respondent_type)
    if filters.submitted_from:
        start = datetime.combine(filters.submitted_from, time.min, tzinfo=UTC)
        where.append(Response.submitted_at >= start)
    if filters.submitted_to:
        end = datetime.combine(filters.submitted_to + timedelta(days=1), time.min, tzinfo=UTC)
        where.append(Response.submitted_at < end)
    if filters.question and filters.option and KEY_PATTERN.fullmatch(filters.question):
        where.append(_answer_is(dialect, filters.question, filters.option))
    if filters.search:
        # Matches anywhere in the stored answers (text, and option codes too).
        pattern = f"%{_escape_like(filters.search)}%"
        where.append(cast(Response.answers, String).ilike(pattern, escape="\\"))
    return where


async def find_responses(
    db: AsyncSession, consultation_id: uuid.UUID, filters: ResponseFilters
) -> OffsetPagination[Response]:
    dialect = db.get_bind().dialect.name
    page = LimitOffset(limit=PAGE_SIZE, offset=(max(filters.page, 1) - 1) * PAGE_SIZE)
    items, total = await ResponseRepository(session=db).list_and_count(
        Response.consultation_id == consultation_id,
        *conditions(dialect, filters),
        page,
        order_by=[Response.submitted_at.desc(), Response.id.desc()],
    )
    return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)


async def get_response(
    db: AsyncSession, consultation_id: uuid.UUID, response_id: uuid.UUID
) -> Response:
    response = await db.get(Response, response_id)
    if response is None or response.consultation_id != consultation_id:
        raise NotFound("There is no response with that reference")
    return response


async def survey_of(db: AsyncSession, response: Response) -> tuple[int, Survey]:
    version = await db.get(SurveyVersion, response.version_id)
    if version is None:  # RESTRICT on the foreign key makes this unreachable
        raise NotFound("The survey version of this response is missing")
    return version.number, definition_of(version)


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


async def current_survey(db: AsyncSession, consultation: Consultation) -> Survey | None:
    version = await current_version(db, consultation)
    return definition_of(version) if version else None
