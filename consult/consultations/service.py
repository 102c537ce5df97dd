"""Consultation rules: which lifecycle moves are allowed and when a consultation may open."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy.ext.asyncio import AsyncSession

from consult.consultations.models import Consultation, Status, SupportService
from consult.errors import Conflict, NotFound

# (from, action) -> to. Anything else is refused with a message saying why.
TRANSITIONS: dict[tuple[Status, str], Status] = {
    (Status.DRAFT, "open"): Status.OPEN,
    (Status.OPEN, "close"): Status.CLOSED,
    (Status.CLOSED, "reopen"): Status.OPEN,
    (Status.CLOSED, "publish"): Status.PUBLISHED,
}

ACTION_LABELS = {
    "open": "Open",
    "close": "Close",
    "reopen": "Reopen",
    "publish": "Mark findings published",
}


async def consultation_or_404(db: AsyncSession, consultation_id: uuid.UUID) -> Consultation:
    """The consultation a staff page is about, as the request session's own object (staff pages
    change it, and their audit record commits with the change); every package uses this one."""
    consultation = await db.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("There is no consultation with that reference")
    return consultation


def available_actions(status: str) -> list[str]:
    return [action for (start, action) in TRANSITIONS if start.value == status]


class ConsultationService(SQLAlchemyAsyncRepositoryService[Consultation]):
    class Repo(SQLAlchemyAsyncRepository[Consultation]):
        model_type = Consultation

    repository_type = Repo

    async def get_by_slug(self, slug: str) -> Consultation | None:
        return await self.repository.get_one_or_none(slug=slug)

    async def get_or_404(self, consultation_id: uuid.UUID) -> Consultation:
        return await consultation_or_404(self.repository.session, consultation_id)

    async def newest_first(self) -> list[Consultation]:
        return list(await self.repository.list(order_by=[Consultation.created_at.desc()]))

    @staticmethod
    def target(consultation: Consultation, action: str) -> Status:
        """Where ``action`` takes the consultation, or Conflict saying why it may not move."""
        try:
            target = TRANSITIONS[(Status(consultation.status), action)]
        except (KeyError, ValueError) as exc:
            raise Conflict(
                f"A {consultation.status} consultation cannot be moved with '{action}'"
            ) from exc
        if target is Status.OPEN:
            missing = consultation.missing_data_protection()
            if missing:
                raise Conflict(
                    "It cannot open until these data-protection fields are filled in: "
                    + ", ".join(missing)
                )
            if consultation.closes_at is not None and consultation.closes_at <= datetime.now(UTC):
                raise Conflict("It cannot open: its closing date has passed")
        return target

    async def transition(self, consultation: Consultation, action: str) -> Consultation:
        target = self.target(consultation, action)
        if target is Status.OPEN:
            consultation.opens_at = consultation.opens_at or datetime.now(UTC)
        consultation.status = target.value
        return await self.repository.update(consultation)

    @staticmethod
    def add_support_service(consultation: Consultation, **fields: Any) -> SupportService:
        entry = SupportService(position=len(consultation.support_services), **fields)
        consultation.support_services.append(entry)
        return entry


def provide_consultations(db_session: AsyncSession) -> ConsultationService:
    """The consultation controller's service, on the request's session (dependency injection)."""
    return ConsultationService(session=db_session)


def confirmation_needed(consultation: Consultation, action: str) -> str | None:
    """Moves that ask "are you sure?" first: closing (respondents are stopped mid-survey), and
    opening with an empty support directory (the "Get help" panel would list no services)."""
    if action == "close":
        return "close"
    if action in ("open", "reopen") and not consultation.support_services:
        return "no_support"
    return None
