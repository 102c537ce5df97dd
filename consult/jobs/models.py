"""The background job table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UUIDv7AuditBase


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(UUIDv7AuditBase):
    """One piece of background work. `updated_at` doubles as the heartbeat of a running job."""

    __tablename__ = "background_job"

    consultation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # Plain words for the page ("Coded 1,200 of 4,000 answers"); never answer text.
    message: Mapped[str] = mapped_column(String(300), default="")
    # A small result a page reads (counts, suggestions); bulky results go to their own tables.
    result: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, nullable=True, default=None)

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
