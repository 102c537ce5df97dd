"""Finding responses for staff: counts by status, the list's filters as WHERE clauses (the list
and the export share them), one page at a time, and free-text search. Plain functions over a
`Connection`.

Withdrawals delete the response, so the withdrawn count comes from the audit log
(``response_withdrawn`` events recorded by :func:`surveys.store.responses.withdraw`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from advanced_alchemy.service import OffsetPagination
from sqlalchemy import ColumnElement, Connection, String, Table, cast, func, select, text

from consult.audit import AuditEvent
from surveys.models import Draft, Response

PAGE_SIZE = 25
KEY_PATTERN = re.compile(r"[A-Za-z0-9_]{1,100}")
_R: Table = Response.__table__  # type: ignore[assignment]
_D: Table = Draft.__table__  # type: ignore[assignment]
_A: Table = AuditEvent.__table__  # type: ignore[assignment]


@dataclass
class ResponseFilters:
    """The list's filters, read once from the query (:func:`surveys.responses.listing.filters`)."""

    respondent_type: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    question: str = ""
    option: str = ""
    search: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    # What was typed in the date boxes and chosen as the answer, shown back as typed.
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusCounts:
    draft: int
    submitted: int
    withdrawn: int


def status_counts(
    connection: Connection, consultation_id: uuid.UUID, now: datetime
) -> StatusCounts:
    drafts = connection.scalar(
        select(func.count())
        .select_from(_D)
        .where(_D.c.consultation_id == consultation_id, _D.c.expires_at > now)
    )
    submitted = connection.scalar(
        select(func.count()).select_from(_R).where(_R.c.consultation_id == consultation_id)
    )
    withdrawn = connection.scalar(
        select(func.count())
        .select_from(_A)
        .where(
            _A.c.action == "response_withdrawn",
            _A.c.object_type == "consultation",
            _A.c.object_id == str(consultation_id),
        )
    )
    return StatusCounts(int(drafts or 0), int(submitted or 0), int(withdrawn or 0))


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
    # As a column expression the raw clause combines with the other filters anywhere.
    return _R.c.id.in_(select(_R.c.id).where(clause))


def conditions(dialect: str, filters: ResponseFilters) -> list[ColumnElement[bool]]:
    """The filters as WHERE clauses on ``survey_response`` (the list and the export share them)."""
    where: list[ColumnElement[bool]] = []
    if filters.respondent_type:
        where.append(_R.c.respondent_type == filters.respondent_type)
    if filters.submitted_from:
        start = datetime.combine(filters.submitted_from, time.min, tzinfo=UTC)
        where.append(_R.c.submitted_at >= start)
    if filters.submitted_to:
        end = datetime.combine(filters.submitted_to + timedelta(days=1), time.min, tzinfo=UTC)
        where.append(_R.c.submitted_at < end)
    if filters.question and filters.option and KEY_PATTERN.fullmatch(filters.question):
        where.append(_answer_is(dialect, filters.question, filters.option))
    if filters.search:
        # Matches anywhere in the stored answers (text, and option codes too).
        pattern = f"%{_escape_like(filters.search)}%"
        where.append(cast(_R.c.answers, String).ilike(pattern, escape="\\"))
    return where


def find_responses(
    connection: Connection, consultation_id: uuid.UUID, filters: ResponseFilters
) -> OffsetPagination[Any]:
    """One page of the filtered list, newest first, with the total the filters find."""
    where = [_R.c.consultation_id == consultation_id, *conditions(connection.dialect.name, filters)]
    offset = (max(filters.page, 1) - 1) * PAGE_SIZE
    total = connection.scalar(select(func.count()).select_from(_R).where(*where))
    items = connection.execute(
        select(_R.c.id, _R.c.export_id, _R.c.respondent_type, _R.c.submitted_at, _R.c.answers)
        .where(*where)
        .order_by(_R.c.submitted_at.desc(), _R.c.id.desc())
        .limit(PAGE_SIZE)
        .offset(offset)
    ).all()
    return OffsetPagination(items=items, limit=PAGE_SIZE, offset=offset, total=int(total or 0))
