"""Survey tables: a survey and its published versions, respondents' drafts and responses.

Nothing here identifies a respondent: no IP address, user agent, account or timestamp finer
than the audit columns every row carries. Codes are stored only as hashes.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UUIDv7AuditBase


class Survey(UUIDv7AuditBase):
    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))


class SurveyVersion(UUIDv7AuditBase):
    """An immutable published definition; responses point at the version they answered."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    survey_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonB)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)


class Draft(UUIDv7AuditBase):
    """Answers in progress, saved page by page so a crash loses at most the page in hand."""

    __tablename__ = "survey_draft"

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_version.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    skipped_sections: Mapped[list[str]] = mapped_column(JsonB, default=list)
    current_page: Mapped[str | None] = mapped_column(String(20), nullable=True, default=None)
    # sha256 of a high-entropy code: unique and searchable, useless if the table leaks.
    resume_code_hash: Mapped[str | None] = mapped_column(
        String(64), nullable=True, default=None, unique=True
    )
    passphrase_hash: Mapped[str | None] = mapped_column(String(200), nullable=True, default=None)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)


def new_export_id() -> str:
    """The pseudonymous ``response_id`` every export carries: 65 random bits, so neither the
    database key nor the order of submission can be read from it, and it starts with a letter
    so no spreadsheet takes it for a number."""
    return "r" + base64.b32encode(secrets.token_bytes(8)).decode("ascii").rstrip("=").lower()


class Response(UUIDv7AuditBase):
    """A submitted response: only the answers still on the route, and nothing about the device."""

    __tablename__ = "survey_response"
    # The researcher workspace's change stamp reads the newest updated_at of a consultation's
    # responses on every page; without this index that is a scan of every response.
    __table_args__ = (
        Index("ix_survey_response_consultation_updated", "consultation_id", "updated_at"),
    )

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_version.id", ondelete="RESTRICT"), index=True
    )
    respondent_type: Mapped[str | None] = mapped_column(String(40), nullable=True, default=None)
    answers: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    withdrawal_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Until the confirmation page has shown it once: the withdrawal code sealed under a key
    # derived from the draft id the respondent's session holds (surveys.store.receipts), found by
    # that id's hash. Stored with the response in one transaction, so a code is never lost to
    # a session store that failed after the commit.
    receipt_hash: Mapped[str | None] = mapped_column(
        String(64), nullable=True, default=None, unique=True, index=True
    )
    receipt: Mapped[str | None] = mapped_column(String(300), nullable=True, default=None)
    # Exported as ``response_id``: stable for this response across exports, never the key above.
    export_id: Mapped[str] = mapped_column(String(20), unique=True, default=new_export_id)


class WithdrawnCode(UUIDv7AuditBase):
    """The hash of a withdrawal code already used, so using it again can be told apart from a
    mistyped code. Nothing else of the withdrawn response is kept."""

    __tablename__ = "survey_withdrawal"

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
