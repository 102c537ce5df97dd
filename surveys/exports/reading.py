"""Reading a consultation's responses for export in keyset-paged batches, so an export of any
size holds one batch in memory at a time (plain column tuples, never ORM objects)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.definition import Survey
from surveys.definition.questions.base import ExportCell
from surveys.exports.layout import ExportLayout
from surveys.journey import definition_of
from surveys.models import Response, SurveyVersion
from surveys.models import Survey as SurveyRow

BATCH_SIZE = 500


@dataclass(frozen=True)
class Versions:
    """The consultation's versions: id -> (number, parsed definition)."""

    by_id: dict[uuid.UUID, tuple[int, Survey]]


async def _versions(db: AsyncSession, consultation_id: uuid.UUID) -> Versions:
    rows = await db.scalars(
        select(SurveyVersion)
        .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
        .where(SurveyRow.consultation_id == consultation_id)
        .order_by(SurveyVersion.number)
    )
    return Versions({v.id: (v.number, definition_of(v)) for v in rows})


async def layout_for(db: AsyncSession, consultation_id: uuid.UUID) -> ExportLayout:
    versions = await _versions(db, consultation_id)
    return ExportLayout.for_versions([survey for _, survey in versions.by_id.values()])


Where = Sequence[ColumnElement[bool]]


async def count_responses(db: AsyncSession, consultation_id: uuid.UUID, where: Where = ()) -> int:
    """How many responses an export holds; ``where``: extra conditions (the list's filters)."""
    total = await db.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.consultation_id == consultation_id, *where)
    )
    return int(total or 0)


ResponseRow = list[ExportCell]


async def read_rows(
    db: AsyncSession,
    consultation_id: uuid.UUID,
    layout: ExportLayout,
    *,
    batch_size: int = BATCH_SIZE,
    where: Where = (),
) -> AsyncIterator[list[ResponseRow]]:
    """Batches of export rows, in response order (UUIDv7 ids follow creation time), limited
    by ``where`` (extra conditions on ``Response``, e.g. the staff list's filters)."""
    versions = await _versions(db, consultation_id)
    last: uuid.UUID | None = None
    while True:
        statement = (
            select(
                Response.id,
                Response.export_id,
                Response.version_id,
                Response.respondent_type,
                Response.submitted_at,
                Response.answers,
            )
            .where(Response.consultation_id == consultation_id, *where)
            .order_by(Response.id)
            .limit(batch_size)
        )
        if last is not None:
            statement = statement.where(Response.id > last)
        batch = (await db.execute(statement)).all()
        if not batch:
            return
        rows = []
        for _, export_id, version_id, respondent_type, submitted_at, answers in batch:
            number, survey = versions.by_id[version_id]
            rows.append(
                layout.row(
                    survey,
                    response_id=export_id,
                    respondent_type=respondent_type,
                    submitted_at=submitted_at,
                    version_number=number,
                    answers=answers or {},
                )
            )
        last = batch[-1][0]
        yield rows
