"""The coordinator's meeting page: cases allocated, attendance, minutes and the debrief."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.forms import FormErrors, text
from consult.permissions import Permission, requires
from panels import store
from panels.controllers.common import record
from panels.models import Meeting, Panel


class MeetingController(Controller):
    path = "/staff/panels/{panel_id:uuid}/meetings"
    include_in_schema = False
    guards = [requires(Permission.MANAGE_PANELS)]

    @get("/{meeting_id:uuid}")
    async def meeting_page(
        self, panel_id: uuid.UUID, meeting_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        panel = await store.panel(db_session, panel_id)
        meeting = await store.meeting(db_session, panel.id, meeting_id)
        return await _meeting_page(db_session, panel, meeting)

    @post("/{meeting_id:uuid}")
    async def record_meeting(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        meeting_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        meeting = await store.meeting(db_session, panel.id, meeting_id)
        errors = FormErrors()
        members = {str(m.user_id) for m in panel.memberships}
        attended = [str(v) for v in form.getall("attendance", []) if str(v) in members]
        minutes = text(form, "minutes", "Minutes", errors, max_length=50000)
        if errors:
            return await _meeting_page(db_session, panel, meeting, errors.messages, 400)
        meeting.attendance = attended
        meeting.minutes = minutes
        meeting.debrief_offered = form.get("debrief_offered") == "yes"
        record(db_session, request, "panel_meeting_recorded", "panel_meeting", meeting.id)
        return Redirect(f"/staff/panels/{panel.id}/meetings/{meeting.id}", status_code=303)


async def _meeting_page(
    db: AsyncSession,
    panel: Panel,
    meeting: Meeting,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    users = await store.users_by_id(db, [m.user_id for m in panel.memberships])
    cases = await store.cases(db, panel.id)
    return Template(
        "panels/meeting.html",
        context={
            "panel": panel,
            "meeting": meeting,
            "users": users,
            "allocated": [c for c in cases if c.meeting_id == meeting.id],
            "unallocated": [c for c in cases if c.meeting_id is None],
            "errors": errors or {},
        },
        status_code=status_code,
    )
