"""Respondent journey rules shared by the journey and the staff tools: codes, whether a
consultation accepts answers or withdrawals, publishing versions, and withdrawal. The draft
itself, read and written on every page, is in :mod:`surveys.drafts`; routing decisions come
from :mod:`surveys.definition` and nothing else.

Codes shown to respondents (resume and withdrawal) are stored only as sha256 hashes: they carry
80 bits of randomness, so a fast hash is enough and lets us look a code up directly.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation, Status
from surveys.definition import Survey, survey_from_dict
from surveys.models import Response, SurveyVersion, WithdrawnCode
from surveys.models import Survey as SurveyRow

_definitions: dict[uuid.UUID, Survey] = {}


def now() -> datetime:
    return datetime.now(UTC)


# --- codes -----------------------------------------------------------------------------------
def new_code() -> str:
    """80 random bits in base32 (no 0/1/8/9 to misread), shown as four groups of four."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def hash_code(code: str) -> str:
    """Case, spaces and dashes do not matter when a code is typed back in."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


# --- consultations and definitions -----------------------------------------------------------
def is_accepting(consultation: Consultation) -> bool:
    if consultation.status != Status.OPEN.value:
        return False
    return consultation.closes_at is None or consultation.closes_at > now()


async def current_version(db: AsyncSession, consultation: Consultation) -> SurveyVersion | None:
    """The newest published version of the consultation's survey."""
    return await db.scalar(
        select(SurveyVersion)
        .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
        .where(
            SurveyRow.consultation_id == consultation.id,
            SurveyVersion.published_at.is_not(None),
        )
        .order_by(SurveyVersion.published_at.desc(), SurveyVersion.number.desc())
        .limit(1)
    )


def definition_of(version: SurveyVersion) -> Survey:
    """Versions never change once published, so the parsed definition is cached by id."""
    survey = _definitions.get(version.id)
    if survey is None:
        survey = _definitions[version.id] = survey_from_dict(version.definition)
    return survey


async def publish_version(
    db: AsyncSession, consultation: Consultation, definition: dict[str, Any]
) -> SurveyVersion:
    """Store ``definition`` as the next published version of the consultation's survey."""
    survey_row = await db.scalar(
        select(SurveyRow).where(
            SurveyRow.consultation_id == consultation.id, SurveyRow.key == definition["key"]
        )
    )
    if survey_row is None:
        survey_row = SurveyRow(
            consultation_id=consultation.id, key=definition["key"], title=definition["title"]
        )
        db.add(survey_row)
        await db.flush()
    latest = await db.scalar(
        select(SurveyVersion.number)
        .where(SurveyVersion.survey_id == survey_row.id)
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    )
    version = SurveyVersion(
        survey_id=survey_row.id,
        number=(latest or 0) + 1,
        definition=definition,
        published_at=now(),
    )
    db.add(version)
    await db.flush()
    return version


# --- submission and withdrawal ---------------------------------------------------------------
class Withdrawal(StrEnum):
    WITHDRAWN = "withdrawn"
    ALREADY_WITHDRAWN = "already_withdrawn"
    UNKNOWN = "unknown"
    TOO_LATE = "too_late"


def withdrawal_open(consultation: Consultation, today: date | None = None) -> bool:
    cutoff = consultation.analysis_cutoff
    return cutoff is None or (today or now().date()) <= cutoff


async def forget_response(db: AsyncSession, response: Response) -> None:
    """Delete a response (withdrawn or erased), keeping only its withdrawal code's hash so the
    code, used again, is answered "already withdrawn" rather than "not found"."""
    db.add(
        WithdrawnCode(
            consultation_id=response.consultation_id, code_hash=response.withdrawal_code_hash
        )
    )
    await db.delete(response)


async def withdraw(db: AsyncSession, consultation: Consultation, code: str) -> Withdrawal:
    code_hash = hash_code(code)
    response = await db.scalar(
        select(Response).where(
            Response.withdrawal_code_hash == code_hash,
            Response.consultation_id == consultation.id,
        )
    )
    if response is None:
        used = await db.scalar(
            select(WithdrawnCode.id).where(
                WithdrawnCode.code_hash == code_hash,
                WithdrawnCode.consultation_id == consultation.id,
            )
        )
        return Withdrawal.ALREADY_WITHDRAWN if used else Withdrawal.UNKNOWN
    if not withdrawal_open(consultation):
        return Withdrawal.TOO_LATE
    await forget_response(db, response)
    # Counted on the staff responses page; names the consultation only, never the response.
    audit.record(db, "response_withdrawn", object_type="consultation", object_id=consultation.id)
    return Withdrawal.WITHDRAWN
