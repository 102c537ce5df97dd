"""Who may open a panel's case material: the per-membership rules behind the permission table.

`consult/permissions.py` decides which roles reach panel pages at all; this module decides, for
one member and one case, whether the material may be shown. Every refusal is a `Forbidden`
(a 403 page) whose message says why, so a member knows whom to ask.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Forbidden, NotFound
from panels import store
from panels.models import Case, Meeting, Membership, Panel


@dataclass
class CaseAccess:
    panel: Panel
    case: Case
    membership: Membership
    meeting: Meeting


def membership_problem(membership: Membership, panel: Panel, today: date) -> str | None:
    """Why this member may see no case material today, or None when they may."""
    if membership.vetting_status != "vetted":
        return "Vetting is not complete; the panel coordinator records it."
    if membership.vetting_expires_on is None:
        return "No vetting expiry date is recorded; the panel coordinator records it."
    if membership.vetting_expires_on < today:
        return (
            f"Vetting expired on {membership.vetting_expires_on:%d %B %Y}; "
            "the panel coordinator can renew it."
        )
    if membership.agreement_signed_on is None or (
        membership.agreement_version != panel.agreement_version
    ):
        return (
            f"The current confidentiality agreement (version {panel.agreement_version}) is not "
            "signed; the panel coordinator records it."
        )
    return None


def access_ends_on(meeting: Meeting, panel: Panel) -> date:
    return meeting.held_on + timedelta(days=panel.access_days)


async def member_case(
    db: AsyncSession, user: Any, case_id: uuid.UUID, today: date, *, chair: bool = False
) -> CaseAccess:
    """The case and the member's standing on its panel, or a refusal saying why."""
    case = await store.case(db, case_id)
    membership = await store.membership(db, case.panel_id, user.id)
    if membership is None:
        raise Forbidden("You are not a member of the panel that reviews this case.")
    if case.released_at is None or case.meeting_id is None:
        raise NotFound("That case has not been released to the panel")
    panel = await store.panel(db, case.panel_id)
    problem = membership_problem(membership, panel, today)
    if problem:
        raise Forbidden(problem)
    stepped = (await store.step_asides(db, case.id)).get(user.id)
    if stepped == "conflict":
        raise Forbidden("You declared a conflict of interest, so this case is closed to you.")
    if stepped == "swap":
        raise Forbidden("You asked to swap this case, so it is closed to you.")
    meeting = await store.meeting(db, panel.id, case.meeting_id)
    ends = access_ends_on(meeting, panel)
    if today > ends:
        raise Forbidden(f"Access to this case ended on {ends:%d %B %Y}.")
    if chair and membership.role != "chair":
        raise Forbidden("Only the panel's chair can do this.")
    return CaseAccess(panel, case, membership, meeting)


async def chair_of(db: AsyncSession, user: Any, panel_id: uuid.UUID, today: date) -> Membership:
    """The user's chair membership of a panel in good standing, or a refusal."""
    membership = await store.membership(db, panel_id, user.id)
    if membership is None or membership.role != "chair":
        raise Forbidden("Only the panel's chair can do this.")
    panel = await store.panel(db, panel_id)
    problem = membership_problem(membership, panel, today)
    if problem:
        raise Forbidden(problem)
    return membership
