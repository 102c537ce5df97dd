"""Respondent journey operations on the database: drafts, save and return, submission and
withdrawal. Controllers call these and stay thin; routing decisions come from
:mod:`surveys.definition` and nothing else.

Codes shown to respondents (resume and withdrawal) are stored only as sha256 hashes: they carry
80 bits of randomness, so a fast hash is enough and lets us look a code up directly.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from consult import audit
from consult.accounts.passwords import hash_password, verify_password
from consult.consultations.models import Consultation, Status
from surveys.definition import Answers, Survey, prune_answers, survey_from_dict
from surveys.models import Draft, Response, SurveyVersion
from surveys.models import Survey as SurveyRow

MAX_PASSPHRASE_ATTEMPTS = 5
MAX_PASSPHRASE_LENGTH = 200

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


async def consultation_by_slug(db: AsyncSession, slug: str) -> Consultation | None:
    return await db.scalar(select(Consultation).where(Consultation.slug == slug))


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


def _current_version_id() -> Any:
    """The id of the consultation's newest published version, as a correlated subquery."""
    return (
        select(SurveyVersion.id)
        .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
        .where(
            SurveyRow.consultation_id == Consultation.id,
            SurveyVersion.published_at.is_not(None),
        )
        .order_by(SurveyVersion.published_at.desc(), SurveyVersion.number.desc())
        .limit(1)
        .correlate(Consultation)
        .scalar_subquery()
    )


async def consultation_for_visit(
    db: AsyncSession, slug: str
) -> tuple[Consultation | None, uuid.UUID | None]:
    """The consultation behind ``slug`` and the id of its current version, in one statement.

    Every respondent request needs both, and the support directory (shown in the respondent
    layout), which the model loads with a second "selectin" query; joining it here and asking
    for the version id in a subquery saves two round trips per request (three statements
    become one). Same rows, same order as `consultation_by_slug` + `current_version`.
    """
    result = await db.execute(
        select(Consultation, _current_version_id())
        .options(joinedload(Consultation.support_services))
        .where(Consultation.slug == slug)
    )
    row = result.unique().first()
    return (None, None) if row is None else (row[0], row[1])


# Published versions never change (see `definition_of`), so each worker keeps the rows it has
# served. They are expunged from the session that loaded them, so that session's rollback or
# close cannot expire them under a concurrent request; only plain columns are ever read.
_published: dict[uuid.UUID, SurveyVersion] = {}


async def published_version(db: AsyncSession, version_id: uuid.UUID) -> SurveyVersion | None:
    """A published version by id, from this worker's cache after the first time."""
    version = _published.get(version_id)
    if version is None:
        version = await db.get(SurveyVersion, version_id)
        if version is None or version.published_at is None:
            return version
        definition_of(version)
        db.expunge(version)
        _published[version_id] = version
    return version


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


# --- drafts ----------------------------------------------------------------------------------
async def start_draft(
    db: AsyncSession, consultation: Consultation, version: SurveyVersion, answers: Answers
) -> Draft:
    draft = Draft(
        consultation_id=consultation.id,
        version_id=version.id,
        answers=dict(answers),
        skipped_sections=[],
        expires_at=now() + timedelta(days=consultation.draft_expiry_days),
    )
    db.add(draft)
    await db.flush()
    return draft


async def live_draft(db: AsyncSession, draft_id: str, consultation: Consultation) -> Draft | None:
    """The session's draft, unless it has gone (submitted, deleted, expired, other survey)."""
    try:
        key = uuid.UUID(draft_id)
    except ValueError:
        return None
    draft = await db.get(Draft, key)
    if draft is None or draft.consultation_id != consultation.id or draft.expires_at <= now():
        return None
    return draft


def save_answers(draft: Draft, answers: Answers, page_slug: str | None) -> None:
    # A new dict, so the JSON column sees the change; blanks overwrite earlier answers.
    draft.answers = {**draft.answers, **answers}
    draft.current_page = page_slug


def set_skipped(draft: Draft, section_key: str, skipped: bool) -> None:
    keys = set(draft.skipped_sections) - {section_key}
    if skipped:
        keys.add(section_key)
    draft.skipped_sections = sorted(keys)


def skipped_of(draft: Draft | None) -> frozenset[str]:
    return frozenset(draft.skipped_sections) if draft else frozenset()


def issue_resume_code(draft: Draft, passphrase: str) -> str:
    """A fresh code (any earlier one stops working), optionally behind a passphrase."""
    code = new_code()
    draft.resume_code_hash = hash_code(code)
    draft.passphrase_hash = hash_password(passphrase) if passphrase else None
    draft.failed_attempts = 0
    return code


class ResumeProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    LOCKED = "locked"
    WRONG_PASSPHRASE = "wrong_passphrase"  # noqa: S105 - a status name, not a secret


@dataclass(frozen=True)
class ResumeResult:
    draft: Draft | None
    problem: ResumeProblem | None = None
    attempts_left: int = 0


async def resume(
    db: AsyncSession, consultation: Consultation, code: str, passphrase: str
) -> ResumeResult:
    draft = await db.scalar(select(Draft).where(Draft.resume_code_hash == hash_code(code)))
    if draft is None or draft.consultation_id != consultation.id:
        return ResumeResult(None, ResumeProblem.UNKNOWN)
    if draft.expires_at <= now():
        await db.delete(draft)
        return ResumeResult(None, ResumeProblem.EXPIRED)
    if draft.failed_attempts >= MAX_PASSPHRASE_ATTEMPTS:
        return ResumeResult(None, ResumeProblem.LOCKED)
    if draft.passphrase_hash and not verify_password(draft.passphrase_hash, passphrase):
        draft.failed_attempts += 1
        left = MAX_PASSPHRASE_ATTEMPTS - draft.failed_attempts
        problem = ResumeProblem.LOCKED if left <= 0 else ResumeProblem.WRONG_PASSPHRASE
        return ResumeResult(None, problem, left)
    draft.failed_attempts = 0
    return ResumeResult(draft)


async def delete_draft(db: AsyncSession, draft_id: str) -> None:
    try:
        key = uuid.UUID(draft_id)
    except ValueError:
        return
    await db.execute(delete(Draft).where(Draft.id == key))


# --- submission and withdrawal ---------------------------------------------------------------
async def submit(db: AsyncSession, draft: Draft, survey: Survey) -> str | None:
    """Turn the draft into a response; the withdrawal code, or None if it was already sent.

    Deleting the draft first, and checking that this statement deleted it, makes a replayed or
    concurrent submit a no-op: only one transaction can delete the row.
    """
    answers = dict(draft.answers)
    skipped = skipped_of(draft)
    consultation_id, version_id = draft.consultation_id, draft.version_id
    deleted = await db.execute(delete(Draft).where(Draft.id == draft.id))
    if getattr(deleted, "rowcount", 0) != 1:
        return None
    pruned = prune_answers(survey, answers, skipped)
    respondent_type = (
        pruned.get(survey.respondent_type_question) if survey.respondent_type_question else None
    )
    code = new_code()
    db.add(
        Response(
            consultation_id=consultation_id,
            version_id=version_id,
            respondent_type=respondent_type if isinstance(respondent_type, str) else None,
            answers=pruned,
            submitted_at=now(),
            withdrawal_code_hash=hash_code(code),
        )
    )
    await db.flush()
    return code


class Withdrawal(StrEnum):
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"
    TOO_LATE = "too_late"


def withdrawal_open(consultation: Consultation, today: date | None = None) -> bool:
    cutoff = consultation.analysis_cutoff
    return cutoff is None or (today or now().date()) <= cutoff


async def withdraw(db: AsyncSession, consultation: Consultation, code: str) -> Withdrawal:
    response = await db.scalar(
        select(Response).where(
            Response.withdrawal_code_hash == hash_code(code),
            Response.consultation_id == consultation.id,
        )
    )
    if response is None:
        return Withdrawal.UNKNOWN
    if not withdrawal_open(consultation):
        return Withdrawal.TOO_LATE
    await db.delete(response)
    # Counted on the staff responses page; names the consultation only, never the response.
    audit.record(db, "response_withdrawn", object_type="consultation", object_id=consultation.id)
    return Withdrawal.WITHDRAWN
