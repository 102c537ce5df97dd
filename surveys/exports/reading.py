"""Reading a consultation's responses for export in keyset-paged batches, so an export of any
size holds one batch in memory at a time. The queries are in :mod:`surveys.store.exports`; each
batch runs on the caller's session (its own for a streamed download)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.definition.questions.base import ExportCell
from surveys.exports.layout import ExportLayout
from surveys.store import exports as stored
from surveys.store.database import run
from surveys.store.exports import Where
from surveys.store.versions import definitions_of

BATCH_SIZE = 500


async def layout_for(db: AsyncSession, consultation_id: uuid.UUID) -> ExportLayout:
    parse = definitions_of(db)
    versions = await run(
        db, partial(stored.export_versions, consultation_id=consultation_id, parse=parse)
    )
    return ExportLayout.for_versions([survey for _, survey in versions.values()])


async def count_responses(db: AsyncSession, consultation_id: uuid.UUID, where: Where = ()) -> int:
    """How many responses an export holds; ``where``: extra conditions (the list's filters)."""
    return await db.run_sync(
        lambda s: stored.count_responses(s.connection(), consultation_id, where)
    )


ResponseRow = list[ExportCell]


async def read_rows(
    db: AsyncSession,
    consultation_id: uuid.UUID,
    layout: ExportLayout,
    *,
    batch_size: int = BATCH_SIZE,
    where: Where = (),
) -> AsyncIterator[list[ResponseRow]]:
    """Batches of export rows, in response order, limited by ``where`` (extra conditions on
    ``survey_response``, e.g. the staff list's filters)."""
    parse = definitions_of(db)
    versions = await run(
        db, partial(stored.export_versions, consultation_id=consultation_id, parse=parse)
    )
    last: uuid.UUID | None = None
    while True:
        batch = await run(
            db,
            partial(
                stored.response_batch,
                consultation_id=consultation_id,
                after=last,
                size=batch_size,
                where=where,
            ),
        )
        if not batch:
            return
        rows = []
        for _, export_id, version_id, respondent_type, submitted_at, answers in batch:
            number, survey = versions[version_id]
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
