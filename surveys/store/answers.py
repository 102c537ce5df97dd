"""Reading submitted answers for analysis: one row per response, only the columns asked for."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from surveys.models import Response

BATCH = 2000


@dataclass(frozen=True)
class SubmittedAnswers:
    response_id: uuid.UUID
    respondent_type: str | None
    submitted_at: datetime
    answers: dict[str, Any]


def submitted_answers(
    conn: Connection, consultation_id: uuid.UUID, keys: Sequence[str] | None = None
) -> Iterator[SubmittedAnswers]:
    """Every submitted response of a consultation in submission order, with only the answers
    to `keys` (all answers when None), read in keyset batches so memory stays flat."""
    table = Response.__table__
    wanted = set(keys) if keys is not None else None
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = (
            select(table.c.id, table.c.respondent_type, table.c.submitted_at, table.c.answers)
            .where(table.c.consultation_id == consultation_id)
            .order_by(table.c.submitted_at, table.c.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(
                (table.c.submitted_at > after[0])
                | ((table.c.submitted_at == after[0]) & (table.c.id > after[1]))
            )
        rows = conn.execute(query).all()
        for row in rows:
            answers = row.answers or {}
            if wanted is not None:
                answers = {k: v for k, v in answers.items() if k in wanted}
            yield SubmittedAnswers(row.id, row.respondent_type, row.submitted_at, answers)
        if len(rows) < BATCH:
            return
        after = (rows[-1].submitted_at, rows[-1].id)
