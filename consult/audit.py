"""The audit log: who did what, when, to which object. Append-only; administrators read it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.mixins.uuid import uuid7
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Connection, String, select
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


def _values(
    action: str,
    actor: Any | None,
    object_type: str | None,
    object_id: Any | None,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC),
        "actor_id": getattr(actor, "id", None),
        "actor_email": getattr(actor, "email", None),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "detail": detail or {},
    }


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
    event = AuditEvent(**_values(action, actor, object_type, object_id, detail))
    db.add(event)
    return event


def insert(
    connection: Connection,
    action: str,
    *,
    actor: Any | None = None,
    object_type: str | None = None,
    object_id: Any | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """`record` for a unit of work on a plain connection (Core), in the unit's transaction."""
    table: Any = AuditEvent.__table__
    connection.execute(
        table.insert().values(id=uuid7(), **_values(action, actor, object_type, object_id, detail))
    )


async def recent_events(db: AsyncSession, *, limit: int, offset: int) -> list[AuditEvent]:
    rows = await db.execute(
        select(AuditEvent).order_by(AuditEvent.at.desc()).limit(limit).offset(offset)
    )
    return list(rows.scalars())


# --- reading the log: names instead of ids ----------------------------------------------------
# object_type -> async function(db, ids) -> {id: name}. The core names its own objects here;
# other packages add theirs (surveys names survey versions and responses) without the core
# importing them.
Namer = Callable[[AsyncSession, list[str]], Awaitable[dict[str, str]]]
NAMERS: dict[str, Namer] = {}


def names(object_type: str) -> Callable[[Namer], Namer]:
    def register(namer: Namer) -> Namer:
        NAMERS[object_type] = namer
        return namer

    return register


def uuids(ids: list[str]) -> list[uuid.UUID]:
    found = []
    for raw in ids:
        try:
            found.append(uuid.UUID(raw))
        except ValueError:
            continue
    return found


@names("consultation")
async def _consultation_names(db: AsyncSession, ids: list[str]) -> dict[str, str]:
    from consult.consultations.models import Consultation

    rows = await db.execute(
        select(Consultation.id, Consultation.title).where(Consultation.id.in_(uuids(ids)))
    )
    return {str(key): f"Consultation '{title}'" for key, title in rows.all()}


@names("user")
async def _user_names(db: AsyncSession, ids: list[str]) -> dict[str, str]:
    from consult.accounts.models import User

    rows = await db.execute(select(User.id, User.name, User.email).where(User.id.in_(uuids(ids))))
    return {str(key): f"User {name} ({email})" for key, name, email in rows.all()}


def action_label(action: str) -> str:
    """``consultation_created`` -> ``Consultation created``."""
    return action.replace("_", " ").capitalize()


async def readable(db: AsyncSession, events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Each event as the log page shows it: who by name, what in words, and the object by its
    name (or what it was, once deleted), never a bare id."""
    from consult.accounts.models import User

    wanted: dict[str, list[str]] = {}
    for event in events:
        if event.object_type and event.object_id:
            wanted.setdefault(event.object_type, []).append(event.object_id)
    found: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        namer = NAMERS.get(object_type)
        if namer is not None:
            for key, name in (await namer(db, sorted(set(ids)))).items():
                found[(object_type, key)] = name
    actors = {e.actor_id for e in events if e.actor_id is not None}
    people = {
        key: name
        for key, name in (
            await db.execute(select(User.id, User.name).where(User.id.in_(actors)))
        ).all()
    }
    shown = []
    for event in events:
        who = event.actor_email or "Nobody signed in"
        if event.actor_id in people:
            who = f"{people[event.actor_id]} ({event.actor_email})"
        what = ""
        if event.object_type:
            kind = event.object_type.replace("_", " ")
            what = found.get(
                (event.object_type, event.object_id or ""),
                f"A {kind} no longer held" if event.object_id else kind.capitalize(),
            )
        shown.append(
            {"at": event.at, "who": who, "action": action_label(event.action), "what": what}
        )
    return shown
