"""A respondent's draft: read on every page, written on every save, sent, resumed or deleted.

Plain functions over a `Connection` with statements prepared once, run by :mod:`consult.direct`
(one short transaction each, see there for why). Every page save is one UPDATE of the draft
row, committed before the redirect, so a crash or a closed tab loses at most the page in hand.

Codes shown to respondents are stored only as hashes (:func:`surveys.codes.hash_code`).
Password hashing (Argon2id) runs outside any transaction: it takes tens of milliseconds and
must not hold SQLite's write lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from sqlalchemy import Connection, Table, bindparam, delete, select, update

from consult.accounts.passwords import verify_password
from consult.consultations.models import Consultation
from surveys.codes import hash_code, new_code
from surveys.definition import Answers, Survey, prune_answers
from surveys.models import Draft
from surveys.store import receipts
from surveys.store.responses import insert_responses, new_response

MAX_PASSPHRASE_ATTEMPTS = 5
MAX_PASSPHRASE_LENGTH = 200

_D: Table = Draft.__table__  # type: ignore[assignment]
# What the journey reads of a draft (a `DraftState`); the respondent page read selects them
# beside its consultation's (surveys.store.visits) and hands them to `live`.
COLUMNS = (
    _D.c.id,
    _D.c.consultation_id,
    _D.c.version_id,
    _D.c.answers,
    _D.c.skipped_sections,
    _D.c.current_page,
    _D.c.expires_at,
)
_BY_RESUME_CODE = select(*COLUMNS, _D.c.passphrase_hash, _D.c.failed_attempts).where(
    _D.c.resume_code_hash == bindparam("code_hash")
)
_THIS_DRAFT = _D.c.id == bindparam("draft_id")
_SAVE_ANSWERS = (
    update(_D)
    .where(_THIS_DRAFT)
    .values(answers=bindparam("new_answers"), current_page=bindparam("page"))
)
_SET_SKIPPED = update(_D).where(_THIS_DRAFT).values(skipped_sections=bindparam("sections"))
_SET_RESUME_CODE = (
    update(_D)
    .where(_THIS_DRAFT)
    .values(
        resume_code_hash=bindparam("code_hash"),
        passphrase_hash=bindparam("passphrase"),
        failed_attempts=0,
    )
)
# Counted before the passphrase is checked, and only while attempts remain, so parallel guesses
# cannot get more than MAX_PASSPHRASE_ATTEMPTS checks between them.
_COUNT_ATTEMPT = (
    update(_D)
    .where(_THIS_DRAFT, _D.c.failed_attempts < MAX_PASSPHRASE_ATTEMPTS)
    .values(failed_attempts=_D.c.failed_attempts + 1)
)
_RESET_ATTEMPTS = update(_D).where(_THIS_DRAFT).values(failed_attempts=0)
_DELETE = delete(_D).where(_THIS_DRAFT)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DraftState:
    """One draft row as the journey uses it."""

    id: uuid.UUID
    consultation_id: uuid.UUID
    version_id: uuid.UUID
    answers: dict[str, Any] = field(default_factory=dict)
    skipped_sections: list[str] = field(default_factory=list)
    current_page: str | None = None
    expires_at: datetime | None = None

    @property
    def skipped(self) -> frozenset[str]:
        return frozenset(self.skipped_sections)


def _state(row: Any) -> DraftState:
    return DraftState(*row[:7])


def live(row: Sequence[Any], consultation_id: uuid.UUID) -> DraftState | None:
    """The session's draft from its `COLUMNS` (all None when no row was found), unless it has
    gone (submitted, deleted, expired, other survey)."""
    if row[0] is None:
        return None
    draft = _state(row)
    if draft.consultation_id != consultation_id or (draft.expires_at or now()) <= now():
        return None
    return draft


def start(
    connection: Connection, consultation: Consultation, version_id: uuid.UUID, answers: Answers
) -> DraftState:
    """Nothing is stored before consent: the draft row starts with the consent page's answers."""
    draft = DraftState(
        id=uuid7(),
        consultation_id=consultation.id,
        version_id=version_id,
        answers=dict(answers),
        expires_at=now() + timedelta(days=consultation.draft_expiry_days),
    )
    connection.execute(
        _D.insert().values(
            id=draft.id,
            consultation_id=draft.consultation_id,
            version_id=draft.version_id,
            answers=draft.answers,
            skipped_sections=[],
            failed_attempts=0,
            expires_at=draft.expires_at,
        )
    )
    return draft


def save_answers(
    connection: Connection, draft: DraftState, answers: Answers, page_slug: str | None
) -> None:
    """Blank answers overwrite earlier ones: clearing a field and saving clears the answer."""
    merged = {**draft.answers, **answers}
    connection.execute(
        _SAVE_ANSWERS, {"draft_id": draft.id, "new_answers": merged, "page": page_slug}
    )
    draft.answers, draft.current_page = merged, page_slug


def set_skipped(connection: Connection, draft: DraftState, section_key: str, skipped: bool) -> None:
    keys = set(draft.skipped_sections) - {section_key}
    if skipped:
        keys.add(section_key)
    sections = sorted(keys)
    if sections != draft.skipped_sections:
        connection.execute(_SET_SKIPPED, {"draft_id": draft.id, "sections": sections})
    draft.skipped_sections = sections


def set_resume_code(
    connection: Connection, draft: DraftState, code: str, passphrase_hash: str | None
) -> None:
    """Any earlier code stops working; ``passphrase_hash`` is already Argon2id (or None)."""
    connection.execute(
        _SET_RESUME_CODE,
        {"draft_id": draft.id, "code_hash": hash_code(code), "passphrase": passphrase_hash},
    )


def delete_draft(connection: Connection, draft_id: uuid.UUID) -> None:
    connection.execute(_DELETE, {"draft_id": draft_id})


# --- resuming ----------------------------------------------------------------------------------
class ResumeProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    LOCKED = "locked"
    WRONG_PASSPHRASE = "wrong_passphrase"  # noqa: S105 - a status name, not a secret


@dataclass(frozen=True)
class Saved:
    """A draft found by its resume code, before the passphrase is checked."""

    draft: DraftState
    passphrase_hash: str | None
    failed_attempts: int


@dataclass(frozen=True)
class ResumeResult:
    draft: DraftState | None
    problem: ResumeProblem | None = None
    attempts_left: int = 0


def find_saved(
    connection: Connection, consultation_id: uuid.UUID, code: str
) -> Saved | ResumeProblem:
    """Step 1 of resuming (a write: an expired draft is deleted when its code is used)."""
    row = connection.execute(_BY_RESUME_CODE, {"code_hash": hash_code(code)}).first()
    if row is None or row[1] != consultation_id:
        return ResumeProblem.UNKNOWN
    saved = Saved(_state(row), row[7], row[8])
    if (saved.draft.expires_at or now()) <= now():
        connection.execute(_DELETE, {"draft_id": saved.draft.id})
        return ResumeProblem.EXPIRED
    if saved.failed_attempts >= MAX_PASSPHRASE_ATTEMPTS:
        return ResumeProblem.LOCKED
    if saved.passphrase_hash:
        # Count the attempt now; a right passphrase resets the count in step 2.
        counted = connection.execute(_COUNT_ATTEMPT, {"draft_id": saved.draft.id})
        if getattr(counted, "rowcount", 0) != 1:
            return ResumeProblem.LOCKED
    return saved


def check_passphrase(saved: Saved, passphrase: str) -> ResumeResult:
    """Step 2, outside any transaction (Argon2id is slow on purpose)."""
    if not saved.passphrase_hash:
        return ResumeResult(saved.draft)
    if verify_password(saved.passphrase_hash, passphrase):
        return ResumeResult(saved.draft)
    left = MAX_PASSPHRASE_ATTEMPTS - (saved.failed_attempts + 1)
    problem = ResumeProblem.LOCKED if left <= 0 else ResumeProblem.WRONG_PASSPHRASE
    return ResumeResult(None, problem, max(left, 0))


def reset_attempts(connection: Connection, draft: DraftState) -> None:
    """Step 3 after a right passphrase."""
    connection.execute(_RESET_ATTEMPTS, {"draft_id": draft.id})


# --- submitting --------------------------------------------------------------------------------
def submit(
    connection: Connection, draft: DraftState, survey: Survey, secret_key: str
) -> str | None:
    """Turn the draft into a response; the withdrawal code, or None if it was already sent.

    Deleting the draft first, and checking that this statement deleted it, makes a replayed or
    concurrent submit a no-op: only one transaction can delete the row. The code is sealed into
    the response row (:mod:`surveys.store.receipts`) for the confirmation page to show once.
    """
    deleted = connection.execute(_DELETE, {"draft_id": draft.id})
    if getattr(deleted, "rowcount", 0) != 1:
        return None
    code = new_code()
    row = new_response(
        survey,
        prune_answers(survey, dict(draft.answers), draft.skipped),
        consultation_id=draft.consultation_id,
        version_id=draft.version_id,
        withdrawal_code_hash=hash_code(code),
        **receipts.seal(code, secret_key, draft.id),
    )
    insert_responses(connection, [row])
    return code
