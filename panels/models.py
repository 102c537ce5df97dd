"""Scrutiny panels: panels, memberships, meetings, cases and what members and the force add.

Case material is kept twice: the coordinator's original (never shown to members) and the
confirmed redacted version, the only one a member's page ever renders.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import UUIDv7AuditBase


class Panel(UUIDv7AuditBase):
    __tablename__ = "panel"

    name: Mapped[str] = mapped_column(String(200))
    # What the public page and published reports show: neutral, safe on a watched screen.
    public_name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    panel_type: Mapped[str] = mapped_column(String(20))
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    outcome_scale: Mapped[str] = mapped_column(String(20), default="four_outcomes")
    # [{"key": ..., "label": ..., "group": ...}] in the order members score them.
    criteria: Mapped[list[dict[str, str]]] = mapped_column(JsonB, default=list)
    agreement_version: Mapped[str] = mapped_column(String(40), default="1")
    access_days: Mapped[int] = mapped_column(Integer, default=14)
    suppression_k: Mapped[int] = mapped_column(Integer, default=10)
    # The "You said, we did" page as last published (already redacted), or None.
    published: Mapped[dict[str, Any] | None] = mapped_column(JsonB, nullable=True, default=None)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", lazy="selectin"
    )


class Membership(UUIDv7AuditBase):
    __tablename__ = "panel_membership"
    __table_args__ = (UniqueConstraint("panel_id", "user_id"),)

    panel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    vetting_status: Mapped[str] = mapped_column(String(20), default="pending")
    vetting_expires_on: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)
    agreement_signed_on: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)
    agreement_version: Mapped[str] = mapped_column(String(40), default="")
    training_completed_on: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)

    panel: Mapped[Panel] = relationship(back_populates="memberships")


class Meeting(UUIDv7AuditBase):
    __tablename__ = "panel_meeting"

    panel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    # User ids of the members who attended.
    attendance: Mapped[list[str]] = mapped_column(JsonB, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")
    debrief_offered: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(UUIDv7AuditBase):
    __tablename__ = "panel_case"

    panel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("panel_meeting.id", ondelete="SET NULL"), nullable=True, index=True
    )
    reference: Mapped[str] = mapped_column(String(40))
    offence_type: Mapped[str] = mapped_column(String(200))
    offence_month: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM only
    closed_month: Mapped[str] = mapped_column(String(7), default="")
    outcome: Mapped[str] = mapped_column(String(300), default="")
    stages: Mapped[list[str]] = mapped_column(JsonB, default=list)
    victim_bands: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    suspect_bands: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    # Victims' Code right key -> met / partly / not_met / not_known, for those that applied.
    entitlements: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    material_original: Mapped[str] = mapped_column(Text, default="")
    # [{"type", "start", "end", "source"}] over material_original, as the coordinator left them.
    redaction_spans: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    material_confirmed: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
    released_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
    information_request: Mapped[str] = mapped_column(Text, default="")


class CaseStepAside(UUIDv7AuditBase):
    """A member off a case: a declared conflict of interest, or a swap asked for (no reason).

    Only the member and the coordinator ever see these; no other member is told."""

    __tablename__ = "panel_case_step_aside"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel_case.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # "conflict" or "swap"


class Review(UUIDv7AuditBase):
    """One member's own review of a case: comments overall and one score per criterion."""

    __tablename__ = "panel_review"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel_case.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    good_practice: Mapped[str] = mapped_column(Text, default="")
    concerns: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")

    scores: Mapped[list[Score]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin"
    )


class Score(UUIDv7AuditBase):
    __tablename__ = "panel_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel_review.id", ondelete="CASCADE"), index=True
    )
    criterion: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")


class Consensus(UUIDv7AuditBase):
    __tablename__ = "panel_consensus"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel_case.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[str] = mapped_column(Text, default="")
    chair_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )


class Theme(UUIDv7AuditBase):
    __tablename__ = "panel_theme"

    panel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("panel_case.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class Recommendation(UUIDv7AuditBase):
    __tablename__ = "panel_recommendation"
    __table_args__ = (UniqueConstraint("panel_id", "number"),)

    panel_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("panel.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("panel_meeting.id", ondelete="SET NULL"), nullable=True
    )
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("panel_case.id", ondelete="SET NULL"), nullable=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)
    status: Mapped[str] = mapped_column(String(20), default="awaiting", index=True)
    response: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
