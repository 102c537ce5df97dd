"""Submitted responses: the one way a response row is built (with its respondent type), one
response for staff, erasure and withdrawal. Plain functions over a `Connection`.

Withdrawals and erasures delete the response and keep only its withdrawal code's hash, so the
code, used again, is answered "already withdrawn" rather than "not found".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Connection, Row, Table, delete, select

from consult import audit
from consult.consultations.models import Consultation
from consult.errors import NotFound
from surveys.codes import hash_code
from surveys.definition import Survey
from surveys.models import Response, WithdrawnCode

_R: Table = Response.__table__  # type: ignore[assignment]
_W: Table = WithdrawnCode.__table__  # type: ignore[assignment]


def new_response(
    survey: Survey,
    answers: dict[str, Any],
    *,
    consultation_id: uuid.UUID,
    version_id: uuid.UUID,
    withdrawal_code_hash: str,
    chosen_type: str = "",
    **columns: Any,
) -> dict[str, Any]:
    """A response row's values. Its respondent type is the answer to the survey's
    respondent-type question; a type chosen for a whole import (``chosen_type``) is that answer
    for every row that does not give one, as it would be had the respondent answered it."""
    key = survey.respondent_type_question
    if chosen_type and key and key not in answers:
        answers[key] = chosen_type
    given = answers.get(key) if key else None
    return {
        "id": uuid7(),
        "consultation_id": consultation_id,
        "version_id": version_id,
        "respondent_type": chosen_type or (given if isinstance(given, str) else None),
        "answers": answers,
        "submitted_at": columns.pop("submitted_at", None) or datetime.now(UTC),
        "withdrawal_code_hash": withdrawal_code_hash,
        **columns,
    }


def insert_responses(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """One statement: a single row as itself (the submit on every journey), more as executemany."""
    if rows:
        connection.execute(_R.insert(), rows[0] if len(rows) == 1 else rows)


def held_export_ids(
    connection: Connection, consultation_id: uuid.UUID, export_ids: Iterable[str]
) -> set[str]:
    """Which of ``export_ids`` (a platform export's ``response_id`` column) this consultation
    already holds."""
    return set(
        connection.scalars(
            select(_R.c.export_id).where(
                _R.c.consultation_id == consultation_id, _R.c.export_id.in_(list(export_ids))
            )
        )
    )


_SHOWN = (
    _R.c.id,
    _R.c.export_id,
    _R.c.consultation_id,
    _R.c.version_id,
    _R.c.respondent_type,
    _R.c.answers,
    _R.c.submitted_at,
    _R.c.withdrawal_code_hash,
)


def find_response(
    connection: Connection, consultation_id: uuid.UUID, response_id: uuid.UUID
) -> Row[Any] | None:
    """One response of this consultation (a response of another consultation is none)."""
    return connection.execute(
        select(*_SHOWN).where(_R.c.id == response_id, _R.c.consultation_id == consultation_id)
    ).first()


def response_or_404(
    connection: Connection, consultation_id: uuid.UUID, response_id: uuid.UUID
) -> Row[Any]:
    row = find_response(connection, consultation_id, response_id)
    if row is None:
        raise NotFound("There is no response with that reference")
    return row


def forget_response(
    connection: Connection, consultation_id: uuid.UUID, response_id: uuid.UUID, code_hash: str
) -> None:
    """Delete a response (withdrawn or erased), keeping only its withdrawal code's hash."""
    connection.execute(
        _W.insert().values(id=uuid7(), consultation_id=consultation_id, code_hash=code_hash)
    )
    connection.execute(delete(_R).where(_R.c.id == response_id))


class Withdrawal(StrEnum):
    WITHDRAWN = "withdrawn"
    ALREADY_WITHDRAWN = "already_withdrawn"
    UNKNOWN = "unknown"
    TOO_LATE = "too_late"


def withdrawal_open(consultation: Consultation, today: date | None = None) -> bool:
    cutoff = consultation.analysis_cutoff
    return cutoff is None or (today or datetime.now(UTC).date()) <= cutoff


def withdraw(connection: Connection, consultation: Consultation, code: str) -> Withdrawal:
    """One unit: the response goes and the audit log counts it, or nothing happens."""
    code_hash = hash_code(code)
    response_id = connection.scalar(
        select(_R.c.id).where(
            _R.c.withdrawal_code_hash == code_hash, _R.c.consultation_id == consultation.id
        )
    )
    if response_id is None:
        used = connection.scalar(
            select(_W.c.id).where(
                _W.c.code_hash == code_hash, _W.c.consultation_id == consultation.id
            )
        )
        return Withdrawal.ALREADY_WITHDRAWN if used else Withdrawal.UNKNOWN
    if not withdrawal_open(consultation):
        return Withdrawal.TOO_LATE
    forget_response(connection, consultation.id, response_id, code_hash)
    # Counted on the staff responses page; names the consultation only, never the response.
    audit.insert(
        connection, "response_withdrawn", object_type="consultation", object_id=consultation.id
    )
    return Withdrawal.WITHDRAWN
