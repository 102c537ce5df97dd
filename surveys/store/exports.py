"""Reading a consultation's responses for export: its versions, a count, and one keyset-paged
batch of plain column tuples (never ORM objects) at a time. Plain functions over a
`Connection`; :mod:`surveys.exports.reading` runs them batch by batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Table, func, select

from surveys.definition import Survey
from surveys.models import Response
from surveys.store.versions import Parse, all_versions, parse

_R: Table = Response.__table__  # type: ignore[assignment]
Where = Sequence[ColumnElement[bool]]


def export_versions(
    connection: Connection, consultation_id: uuid.UUID, parse: Parse = parse
) -> dict[uuid.UUID, tuple[int, Survey]]:
    """id -> (number, parsed definition) for every version of the consultation's survey."""
    return {v.id: (v.number, parse(v)) for v in all_versions(connection, consultation_id)}


def count_responses(connection: Connection, consultation_id: uuid.UUID, where: Where = ()) -> int:
    """How many responses an export holds; ``where``: extra conditions (the list's filters)."""
    total = connection.scalar(
        select(func.count()).select_from(_R).where(_R.c.consultation_id == consultation_id, *where)
    )
    return int(total or 0)


def response_batch(
    connection: Connection,
    consultation_id: uuid.UUID,
    after: uuid.UUID | None,
    size: int,
    where: Where = (),
) -> list[Row[Any]]:
    """The next ``size`` responses after ``after`` in id order (UUIDv7 ids follow creation
    time): (id, export id, version id, respondent type, submitted at, answers)."""
    statement = (
        select(
            _R.c.id,
            _R.c.export_id,
            _R.c.version_id,
            _R.c.respondent_type,
            _R.c.submitted_at,
            _R.c.answers,
        )
        .where(_R.c.consultation_id == consultation_id, *where)
        .order_by(_R.c.id)
        .limit(size)
    )
    if after is not None:
        statement = statement.where(_R.c.id > after)
    return list(connection.execute(statement).all())
