"""Every query the panels module runs, in one place (Core/ORM over the request's session)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.accounts.models import User
from consult.errors import NotFound
from panels.models import (
    Case,
    CaseStepAside,
    Consensus,
    Meeting,
    Membership,
    Panel,
    Recommendation,
    Review,
    Theme,
)


async def panel(db: AsyncSession, panel_id: uuid.UUID) -> Panel:
    found = await db.get(Panel, panel_id)
    if found is None:
        raise NotFound("There is no panel with that reference")
    return found


async def panel_by_slug(db: AsyncSession, slug: str) -> Panel | None:
    return await db.scalar(select(Panel).where(Panel.slug == slug))


async def all_panels(db: AsyncSession) -> list[Panel]:
    return list((await db.scalars(select(Panel).order_by(Panel.name))).all())


async def meeting(db: AsyncSession, panel_id: uuid.UUID, meeting_id: uuid.UUID) -> Meeting:
    found = await db.get(Meeting, meeting_id)
    if found is None or found.panel_id != panel_id:
        raise NotFound("There is no meeting with that reference on this panel")
    return found


async def meetings(db: AsyncSession, panel_id: uuid.UUID) -> list[Meeting]:
    rows = await db.scalars(
        select(Meeting).where(Meeting.panel_id == panel_id).order_by(Meeting.held_on)
    )
    return list(rows.all())


async def case(db: AsyncSession, case_id: uuid.UUID) -> Case:
    found = await db.get(Case, case_id)
    if found is None:
        raise NotFound("There is no case with that reference")
    return found


async def panel_case(db: AsyncSession, panel_id: uuid.UUID, case_id: uuid.UUID) -> Case:
    found = await case(db, case_id)
    if found.panel_id != panel_id:
        raise NotFound("There is no case with that reference on this panel")
    return found


async def cases(db: AsyncSession, panel_id: uuid.UUID) -> list[Case]:
    rows = await db.scalars(select(Case).where(Case.panel_id == panel_id).order_by(Case.reference))
    return list(rows.all())


async def meeting_cases(db: AsyncSession, meeting_id: uuid.UUID) -> list[Case]:
    rows = await db.scalars(
        select(Case).where(Case.meeting_id == meeting_id).order_by(Case.reference)
    )
    return list(rows.all())


async def users_by_id(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, User]:
    if not ids:
        return {}
    rows = await db.scalars(select(User).where(User.id.in_(ids)))
    return {user.id: user for user in rows.all()}


async def panel_member_accounts(db: AsyncSession) -> list[User]:
    """Accounts a coordinator can add to a panel."""
    rows = await db.scalars(
        select(User).where(User.role == "panel_member", User.is_active).order_by(User.name)
    )
    return list(rows.all())


async def membership(
    db: AsyncSession, panel_id: uuid.UUID, user_id: uuid.UUID
) -> Membership | None:
    return await db.scalar(
        select(Membership).where(Membership.panel_id == panel_id, Membership.user_id == user_id)
    )


async def memberships_of(db: AsyncSession, user_id: uuid.UUID) -> list[Membership]:
    rows = await db.scalars(select(Membership).where(Membership.user_id == user_id))
    return list(rows.all())


async def step_asides(db: AsyncSession, case_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = await db.execute(
        select(CaseStepAside.user_id, CaseStepAside.kind).where(CaseStepAside.case_id == case_id)
    )
    return {user_id: kind for user_id, kind in rows.all()}


async def my_step_asides(db: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = await db.execute(
        select(CaseStepAside.case_id, CaseStepAside.kind).where(CaseStepAside.user_id == user_id)
    )
    return {case_id: kind for case_id, kind in rows.all()}


async def released_cases(db: AsyncSession, panel_ids: list[uuid.UUID]) -> list[Case]:
    if not panel_ids:
        return []
    rows = await db.scalars(
        select(Case)
        .where(Case.panel_id.in_(panel_ids), Case.released_at.is_not(None))
        .order_by(Case.reference)
    )
    return list(rows.all())


async def reviews(db: AsyncSession, case_id: uuid.UUID) -> list[Review]:
    rows = await db.scalars(
        select(Review).where(Review.case_id == case_id).order_by(Review.created_at)
    )
    return list(rows.all())


async def review_of(db: AsyncSession, case_id: uuid.UUID, user_id: uuid.UUID) -> Review | None:
    return await db.scalar(
        select(Review).where(Review.case_id == case_id, Review.user_id == user_id)
    )


async def reviewed_case_ids(db: AsyncSession, user_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await db.scalars(select(Review.case_id).where(Review.user_id == user_id))
    return set(rows.all())


async def consensus(db: AsyncSession, case_id: uuid.UUID) -> Consensus | None:
    return await db.scalar(select(Consensus).where(Consensus.case_id == case_id))


async def consensuses(db: AsyncSession, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, Consensus]:
    if not case_ids:
        return {}
    rows = await db.scalars(select(Consensus).where(Consensus.case_id.in_(case_ids)))
    return {row.case_id: row for row in rows.all()}


async def themes(db: AsyncSession, panel_id: uuid.UUID) -> list[Theme]:
    rows = await db.scalars(
        select(Theme).where(Theme.panel_id == panel_id).order_by(Theme.kind, Theme.created_at)
    )
    return list(rows.all())


async def recommendation(db: AsyncSession, recommendation_id: uuid.UUID) -> Recommendation:
    found = await db.get(Recommendation, recommendation_id)
    if found is None:
        raise NotFound("There is no recommendation with that reference")
    return found


async def recommendations(
    db: AsyncSession, panel_id: uuid.UUID | None = None
) -> list[Recommendation]:
    query = select(Recommendation).order_by(Recommendation.panel_id, Recommendation.number)
    if panel_id is not None:
        query = query.where(Recommendation.panel_id == panel_id)
    return list((await db.scalars(query)).all())


async def next_recommendation_number(db: AsyncSession, panel_id: uuid.UUID) -> int:
    highest = await db.scalar(
        select(func.max(Recommendation.number)).where(Recommendation.panel_id == panel_id)
    )
    return int(highest or 0) + 1


async def next_meeting_after(db: AsyncSession, current: Meeting) -> Meeting | None:
    return await db.scalar(
        select(Meeting)
        .where(Meeting.panel_id == current.panel_id, Meeting.held_on > current.held_on)
        .order_by(Meeting.held_on)
        .limit(1)
    )
