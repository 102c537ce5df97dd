"""Tables of the coding workspace: codebooks per text question, machine suggestions, people's
coding decisions, the double-coding sample and its resolutions, and confirmed quotes.

Rows point at responses by id and hold theme names, never copies of answer text; a quote holds
only its confirmed, redacted text.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UUIDv7AuditBase


class QuestionCodebook(UUIDv7AuditBase):
    """The theme tree used to code one text question (the `analysis` codebook as a dict)."""

    __tablename__ = "coding_codebook"
    __table_args__ = (UniqueConstraint("consultation_id", "question_key"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(100))
    definition: Mapped[dict[str, Any]] = mapped_column(JsonB)


class Suggestion(UUIDv7AuditBase):
    """What rules and the learned model propose for one answer, with why; replaced each run."""

    __tablename__ = "coding_suggestion"
    __table_args__ = (
        UniqueConstraint("question_key", "response_id"),
        # The queue's two orders each walk an index from the start: no sort per request.
        Index("ix_coding_suggestion_queue", "consultation_id", "question_key", "queue_rank"),
        Index("ix_coding_suggestion_received", "consultation_id", "question_key", "received_rank"),
    )

    # Indexed only through the queue's indexes, which start with it (one index less to write).
    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE")
    )
    question_key: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    # [{"theme", "score", "source": "rule"|"model", "why"}], coded themes only, best first.
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    # "|A|B|": the theme names again, so the queue can filter by theme with LIKE on any database.
    labels: Mapped[str] = mapped_column(Text, default="|")
    uncertainty: Mapped[float] = mapped_column(Float, default=0.0)
    # Place in the queue's "most worth coding first" order (research.coding.ranking), 0 first.
    queue_rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Place in the order the answers were received.
    received_rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Tally(UUIDv7AuditBase):
    """How many answers the last coding run saw and how many it suggested themes for, written
    with the suggestions so the queue's progress line never counts every suggestion."""

    __tablename__ = "coding_tally"
    __table_args__ = (UniqueConstraint("consultation_id", "question_key"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE")
    )
    question_key: Mapped[str] = mapped_column(String(100))
    answers: Mapped[int] = mapped_column(Integer)
    with_themes: Mapped[int] = mapped_column(Integer)


class Decision(UUIDv7AuditBase):
    """One person's coding of one answer: the themes they judged present.

    `kind` says how it relates to the suggestion shown: accepted as it was, changed, added by
    hand where nothing was suggested, or "none" (no theme applies).
    """

    __tablename__ = "coding_decision"
    __table_args__ = (UniqueConstraint("question_key", "response_id", "coder_id"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    coder_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    themes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    suggested: Mapped[list[str]] = mapped_column(JsonB, default=list)
    kind: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)


class SampleItem(UUIDv7AuditBase):
    """An answer the lead chose for blind double coding."""

    __tablename__ = "coding_sample"
    __table_args__ = (UniqueConstraint("question_key", "response_id"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )


class Resolution(UUIDv7AuditBase):
    """The agreed coding of a double-coded answer after discussion: this is what counts."""

    __tablename__ = "coding_resolution"
    __table_args__ = (UniqueConstraint("question_key", "response_id"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    themes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )


class Quote(UUIDv7AuditBase):
    """A quote chosen for a theme: redaction spans proposed by machine, confirmed by a person.

    `spans` are character offsets into the answer as stored; `text` is the answer with those
    spans replaced by their type markers, filled only when a person confirms.
    """

    __tablename__ = "coding_quote"
    __table_args__ = (UniqueConstraint("question_key", "response_id", "theme"),)

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(200))
    spans: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    text: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
