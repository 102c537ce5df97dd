"""Reading submitted answers for analysis and research: every response in keyset batches with
only the answers asked for, the answers as stored JSON text (the findings report parses them
itself), the responses a research table's query names, and a respondent-group test that a
research query can use as a condition."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Connection,
    Row,
    Select,
    Table,
    Text,
    cast,
    select,
)

from surveys.models import Response

_R: Table = Response.__table__  # type: ignore[assignment]
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
    table = _R
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


def answers_as_text(conn: Connection, consultation_id: uuid.UUID) -> Sequence[Row[Any]]:
    """``(id, respondent_type, submitted_at, answers)`` of every submitted response in
    submission order, the answers as the stored JSON text: the caller parses them with one
    ``json.loads`` each, where the JSON type's processing and a row object per response cost
    several times more (at 100,000 responses about 10 s of CPU against under 2,
    docs/performance.md)."""
    return conn.execute(
        select(_R.c.id, _R.c.respondent_type, _R.c.submitted_at, cast(_R.c.answers, Text))
        .where(_R.c.consultation_id == consultation_id)
        .order_by(_R.c.submitted_at, _R.c.id)
    ).all()


def answers_of(conn: Connection, response_ids: Select[Any]) -> dict[uuid.UUID, SubmittedAnswers]:
    """The responses whose ids ``response_ids`` selects (a research table's query, e.g. the
    confirmed quotes of a theme), by id. A response withdrawn or erased since is absent."""
    rows = conn.execute(
        select(_R.c.id, _R.c.respondent_type, _R.c.submitted_at, _R.c.answers).where(
            _R.c.id.in_(response_ids)
        )
    )
    return {
        row.id: SubmittedAnswers(row.id, row.respondent_type, row.submitted_at, row.answers or {})
        for row in rows
    }


def in_group(
    response_id: ColumnExpressionArgument[Any], respondent_type: str
) -> ColumnElement[bool]:
    """Whether the response ``response_id`` names (a column of the caller's query) is from the
    respondent group ``respondent_type``: a correlated EXISTS, one primary-key probe per row the
    caller's query reaches, as a join would be, so a query that walks an index and stops at its
    first row (the coding queue) still stops there."""
    return (
        select(_R.c.id)
        .where(_R.c.id == response_id, _R.c.respondent_type == respondent_type)
        .exists()
    )
