"""The retention job's reads and writes (rules and report in :mod:`surveys.retention`): the
consultations, their expired drafts, and their responses a batch at a time. Plain functions
over a `Connection`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, bindparam, delete, func, select, update

from consult.consultations.models import Consultation
from consult.db import import_models
from surveys.models import Draft, Response

_C: Table = Consultation.__table__  # type: ignore[assignment]
_D: Table = Draft.__table__  # type: ignore[assignment]
_R: Table = Response.__table__  # type: ignore[assignment]

# The flag (in a table's `info`) of tables outside the survey layer that hold data derived
# from a response's free text, linked by a `response_id` column: the research workspace's
# sentence vectors. Retention deletes their rows for a response when it removes its free text,
# so nothing derived from the text outlives it.
DERIVED_FROM_FREE_TEXT = "derived_from_free_text"


def consultations(connection: Connection) -> list[Row[Any]]:
    """(id, slug, closes_at, retention_days) of every consultation, by slug."""
    return list(
        connection.execute(
            select(_C.c.id, _C.c.slug, _C.c.closes_at, _C.c.retention_days).order_by(_C.c.slug)
        )
    )


def expired_drafts(connection: Connection, consultation_id: uuid.UUID, now: datetime) -> int:
    mine = (_D.c.consultation_id == consultation_id, _D.c.expires_at < now)
    return int(connection.scalar(select(func.count()).select_from(_D).where(*mine)) or 0)


def delete_expired_drafts(
    connection: Connection, consultation_id: uuid.UUID, now: datetime
) -> None:
    connection.execute(
        delete(_D).where(_D.c.consultation_id == consultation_id, _D.c.expires_at < now)
    )


def response_batch(
    connection: Connection, consultation_id: uuid.UUID, after: uuid.UUID | None, size: int
) -> list[Row[Any]]:
    """(id, version id, answers) of the next ``size`` responses after ``after``, by id."""
    statement = (
        select(_R.c.id, _R.c.version_id, _R.c.answers)
        .where(_R.c.consultation_id == consultation_id)
        .order_by(_R.c.id)
        .limit(size)
    )
    if after is not None:
        statement = statement.where(_R.c.id > after)
    return list(connection.execute(statement))


_SET_ANSWERS = (
    update(_R).where(_R.c.id == bindparam("response_id")).values(answers=bindparam("kept"))
)


def set_answers(connection: Connection, changed: list[tuple[uuid.UUID, dict[str, Any]]]) -> None:
    """Keep only ``kept`` of each response's answers, and delete what other tables derived
    from the free text removed (see ``DERIVED_FROM_FREE_TEXT``), in the same transaction."""
    if not changed:
        return
    connection.execute(_SET_ANSWERS, [{"response_id": rid, "kept": kept} for rid, kept in changed])
    ids = [rid for rid, _ in changed]
    for table in derived_from_free_text():
        connection.execute(delete(table).where(table.c.response_id.in_(ids)))


def derived_from_free_text() -> list[Table]:
    import_models()  # every model module, so a flagged table is never missed
    return [t for t in _R.metadata.tables.values() if t.info.get(DERIVED_FROM_FREE_TEXT)]
