"""A consultation and the entries of its support directory."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import UUIDv7AuditBase


class Status(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


# The fields UK GDPR requires to be settled before special-category data is collected.
DATA_PROTECTION_FIELDS: dict[str, str] = {
    "controller": "Data controller",
    "article6_basis": "Article 6 lawful basis",
    "article9_condition": "Article 9 condition",
    "retention_days": "Retention period",
    "analysis_cutoff": "Analysis cut-off date",
    "dpia_reference": "DPIA reference",
}


class Consultation(UUIDv7AuditBase):
    __tablename__ = "consultation"

    slug: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    # What respondents see in titles and links: chosen to be safe on a watched screen.
    public_title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True)
    opens_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
    closes_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
    analysis_cutoff: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)
    controller: Mapped[str] = mapped_column(String(300), default="")
    article6_basis: Mapped[str] = mapped_column(String(300), default="")
    article9_condition: Mapped[str] = mapped_column(String(300), default="")
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    dpia_reference: Mapped[str] = mapped_column(String(200), default="")
    exit_url: Mapped[str] = mapped_column(String(500), default="https://www.bbc.co.uk/weather")
    draft_expiry_days: Mapped[int] = mapped_column(Integer, default=28)
    respondent_types: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    areas: Mapped[list[str]] = mapped_column(JsonB, default=list)
    # Small-cell threshold: counts under k are suppressed in everything that leaves the
    # researcher workspace (downloads, reports), with secondary suppression.
    disclosure_k: Mapped[int] = mapped_column(Integer, default=10, server_default="10")

    support_services: Mapped[list[SupportService]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="SupportService.position",
        lazy="selectin",
    )

    def missing_data_protection(self) -> list[str]:
        """Labels of the data-protection fields still empty, in form order."""
        return [
            label
            for name, label in DATA_PROTECTION_FIELDS.items()
            if getattr(self, name) in (None, "")
        ]


class SupportService(UUIDv7AuditBase):
    __tablename__ = "support_service"

    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    helps_with: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    text: Mapped[str] = mapped_column(String(60), default="")
    web: Mapped[str] = mapped_column(String(500), default="")
    review_date: Mapped[date | None] = mapped_column(Date, nullable=True, default=None)

    consultation: Mapped[Consultation] = relationship(back_populates="support_services")

    def is_stale(self, today: date) -> bool:
        return self.review_date is None or self.review_date < today
