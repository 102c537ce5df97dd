"""What every panel controller shares: the audit call and today's date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit


def today() -> date:
    return datetime.now(UTC).date()


def record(
    db: AsyncSession,
    request: Request[Any, Any, Any],
    action: str,
    object_type: str,
    object_id: Any,
    **detail: Any,
) -> None:
    """An audit event in the request's transaction (so it commits or rolls back with the act)."""
    audit.record(
        db,
        action,
        actor=request.user,
        object_type=object_type,
        object_id=object_id,
        detail=detail or None,
    )
