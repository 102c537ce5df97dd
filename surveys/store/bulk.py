"""Many responses in one statement: the demo's generated responses and the benchmark's."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Connection, Table

from surveys.models import Response

_R: Table = Response.__table__  # type: ignore[assignment]
CHUNK = 1000


@dataclass(frozen=True)
class NewResponse:
    respondent_type: str | None
    answers: dict[str, Any]
    submitted_at: datetime


def insert_responses(
    conn: Connection,
    consultation_id: uuid.UUID,
    version_id: uuid.UUID,
    responses: Iterable[NewResponse],
) -> int:
    """Insert submitted responses in chunks (executemany); returns how many. Each gets a
    withdrawal-code hash nobody holds the code for, so none can be withdrawn by a code."""
    count = 0
    chunk: list[dict[str, Any]] = []
    for response in responses:
        chunk.append(
            {
                "id": uuid7(),
                "consultation_id": consultation_id,
                "version_id": version_id,
                "respondent_type": response.respondent_type,
                "answers": response.answers,
                "submitted_at": response.submitted_at,
                "withdrawal_code_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            }
        )
        if len(chunk) == CHUNK:
            conn.execute(_R.insert(), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        conn.execute(_R.insert(), chunk)
        count += len(chunk)
    return count
