"""Reads for the researcher workspace: a consultation's published versions, a change stamp of
its responses, every response flattened into export rows, and what the overview counts (drafts
by the page they stopped on, drafts started and withdrawals by day).

Rows are flattened by :class:`surveys.exports.ExportLayout` (the export's own code), so the
workspace and a downloaded export read every answer the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select

from consult.audit import AuditEvent
from surveys.definition import Survey, survey_from_dict
from surveys.definition.questions.base import ExportCell
from surveys.exports.layout import ExportLayout
from surveys.models import Draft, Response, SurveyVersion
from surveys.models import Survey as SurveyRow

_R: Table = Response.__table__  # type: ignore[assignment]
_D: Table = Draft.__table__  # type: ignore[assignment]
_V: Table = SurveyVersion.__table__  # type: ignore[assignment]
_S: Table = SurveyRow.__table__  # type: ignore[assignment]
_A: Table = AuditEvent.__table__  # type: ignore[assignment]
BATCH_SIZE = 2000


@dataclass(frozen=True)
class Versions:
    """Published versions, oldest first: id -> (number, definition)."""

    by_id: dict[uuid.UUID, tuple[int, Survey]]

    @property
    def newest(self) -> Survey | None:
        return next(reversed(self.by_id.values()))[1] if self.by_id else None

    def layout(self) -> ExportLayout:
        return ExportLayout.for_versions([survey for _, survey in self.by_id.values()])


def versions(
    conn: Connection,
    consultation_id: uuid.UUID,
    parsed: MutableMapping[uuid.UUID, Survey] | None = None,
) -> Versions:
    """Published versions; ``parsed`` (a caller's cache by version id) saves parsing a
    definition again: a published version never changes, and parsing one takes tens of ms."""
    rows = conn.execute(
        select(_V.c.id, _V.c.number, _V.c.definition)
        .join(_S, _S.c.id == _V.c.survey_id)
        .where(_S.c.consultation_id == consultation_id, _V.c.published_at.is_not(None))
        .order_by(_V.c.number)
    ).all()
    found = {}
    for row in rows:
        survey = parsed.get(row.id) if parsed is not None else None
        if survey is None:
            survey = survey_from_dict(row.definition)
            if parsed is not None:
                parsed[row.id] = survey
        found[row.id] = (row.number, survey)
    return Versions(found)


def response_stamp(conn: Connection, consultation_id: uuid.UUID) -> tuple[Any, ...]:
    """Changes whenever a response is added (a new, latest ``updated_at``), erased or withdrawn
    (a lower count) or stripped by retention (``updated_at`` again). Two statements: SQLite
    answers a lone max() from the (consultation_id, updated_at) index without reading rows."""
    mine = _R.c.consultation_id == consultation_id
    count = conn.scalar(select(func.count()).select_from(_R).where(mine))
    newest = conn.scalar(select(func.max(_R.c.updated_at)).where(mine))
    return (int(count or 0), str(newest))


def export_rows(
    conn: Connection, consultation_id: uuid.UUID, found: Versions, layout: ExportLayout
) -> Iterator[tuple[str, list[ExportCell]]]:
    """(response id, export row) for every submitted response, read in keyset-paged batches."""
    last: uuid.UUID | None = None
    while True:
        statement = (
            select(
                _R.c.id,
                _R.c.export_id,
                _R.c.version_id,
                _R.c.respondent_type,
                _R.c.submitted_at,
                _R.c.answers,
            )
            .where(_R.c.consultation_id == consultation_id)
            .order_by(_R.c.id)
            .limit(BATCH_SIZE)
        )
        if last is not None:
            statement = statement.where(_R.c.id > last)
        batch = conn.execute(statement).all()
        if not batch:
            return
        for response_id, export_id, version_id, respondent_type, submitted_at, answers in batch:
            number, survey = found.by_id[version_id]
            yield (
                str(response_id),
                layout.row(
                    survey,
                    response_id=export_id,
                    respondent_type=respondent_type,
                    submitted_at=submitted_at,
                    version_number=number,
                    answers=answers or {},
                ),
            )
        last = batch[-1][0]


def drafts_by_page(conn: Connection, consultation_id: uuid.UUID, now: datetime) -> dict[str, int]:
    """Drafts still in progress, by the page they were last saved on ("" before any page)."""
    rows = conn.execute(
        select(_D.c.current_page, func.count())
        .where(_D.c.consultation_id == consultation_id, _D.c.expires_at > now)
        .group_by(_D.c.current_page)
    ).all()
    return {page or "": int(count) for page, count in rows}


def draft_start_times(
    conn: Connection, consultation_id: uuid.UUID, now: datetime
) -> list[datetime]:
    """When each draft still in progress was started (consent given)."""
    return list(
        conn.scalars(
            select(_D.c.created_at).where(
                _D.c.consultation_id == consultation_id, _D.c.expires_at > now
            )
        )
    )


def withdrawal_times(conn: Connection, consultation_id: uuid.UUID) -> list[datetime]:
    """Withdrawals delete the response, so the audit log is the only record of when."""
    return list(
        conn.scalars(
            select(_A.c.at).where(
                _A.c.action == "response_withdrawn",
                _A.c.object_type == "consultation",
                _A.c.object_id == str(consultation_id),
            )
        )
    )
