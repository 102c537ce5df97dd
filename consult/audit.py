"""The audit log: who did what, when, to which object. Append-only; administrators read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UUIDv7Base


class AuditEvent(UUIDv7Base):
    __tablename__ = "audit_event"

    at: Mapped[datetime] = mapped_column(DateTimeUTC, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    # The actor's email is copied, so the record still says who after an account is removed.
    actor_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(80), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


def record(
    db: AsyncSession,
    action: str,
    *,
    actor: Any | None = None,
    object_type: str | None = None,
    object_id: Any | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction, so it commits or rolls back with the act."""
    event = AuditEvent(
        at=datetime.now(UTC),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        detail=detail or {},
    )
    db.add(event)
    return event


async def recent_events(db: AsyncSession, *, limit: int, offset: int) -> list[AuditEvent]:
    rows = await db.execute(
        select(AuditEvent).order_by(AuditEvent.at.desc()).limit(limit).offset(offset)
    )
    return list(rows.scalars())
