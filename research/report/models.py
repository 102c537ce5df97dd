"""Tables of the findings report: a report per consultation with its ordered sections, frozen
versions signed off by an administrator, and the actions of "We asked, you said, we did".

A section holds only what the researcher chose (its kind and parameters); the numbers are
computed, suppressed and placed when the report model is built, so a draft always shows the
current data and a signed-off version keeps exactly what was signed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UUIDv7AuditBase


class Report(UUIDv7AuditBase):
    """The findings report of one consultation and its public "you said, we did" page."""

    __tablename__ = "report"

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # The draft being edited is version `draft_number`; signing it off freezes it.
    draft_number: Mapped[int] = mapped_column(Integer, default=1)
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown, for the public page
    published: Mapped[bool] = mapped_column(Boolean, default=False)


class ReportSection(UUIDv7AuditBase):
    __tablename__ = "report_section"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown narrative
    params: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class ReportVersion(UUIDv7AuditBase):
    """A signed-off version: the report model as built at sign-off, as JSON."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    model: Mapped[dict[str, Any]] = mapped_column(JsonB)
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    signed_off_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class Action(UUIDv7AuditBase):
    """What the partnership will do, kept up to date on the public page."""

    __tablename__ = "report_action"

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="planned")
    reason: Mapped[str] = mapped_column(Text, default="")
