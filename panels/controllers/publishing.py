"""Publishing: the meeting summary and annual report (HTML and DOCX) for the coordinator, the
"You said, we did" snapshot, and the public page that shows it under the panel's neutral
address (no JavaScript needed)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import NotFound
from consult.permissions import Permission, requires
from panels import reports, store
from panels.controllers.common import record
from panels.documents import DOCX_TYPE, report_docx
from panels.models import Panel
from panels.reports import publish_panel

GUARD = [requires(Permission.MANAGE_PANELS)]


async def _annual(db: AsyncSession, panel: Panel, year: int) -> reports.Report:
    meetings = {m.id: m for m in await store.meetings(db, panel.id) if m.held_on.year == year}
    cases = [c for c in await store.cases(db, panel.id) if c.meeting_id in meetings]
    consensus = await store.consensuses(db, [c.id for c in cases])
    case_ids = {c.id for c in cases}
    themes = [
        t for t in await store.themes(db, panel.id) if t.case_id in case_ids or t.case_id is None
    ]
    recommendations = [
        r for r in await store.recommendations(db, panel.id) if r.meeting_id in meetings
    ]
    return await reports.annual_report(panel, year, cases, consensus, themes, recommendations)


async def _summary(db: AsyncSession, panel: Panel, meeting_id: uuid.UUID) -> reports.Report:
    meeting = await store.meeting(db, panel.id, meeting_id)
    cases = await store.meeting_cases(db, meeting.id)
    consensus = await store.consensuses(db, [c.id for c in cases])
    case_ids = {c.id for c in cases}
    themes = [t for t in await store.themes(db, panel.id) if t.case_id in case_ids]
    recommendations = [
        r for r in await store.recommendations(db, panel.id) if r.meeting_id == meeting.id
    ]
    return await reports.meeting_summary(panel, meeting, cases, consensus, themes, recommendations)


def _docx(report: reports.Report, name: str) -> Response[bytes]:
    return Response(
        report_docx(report),
        media_type=DOCX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.docx"'},
    )


def _page(report: reports.Report, panel: Panel, docx_url: str) -> Template:
    return Template(
        "panels/report.html", context={"report": report, "panel": panel, "docx_url": docx_url}
    )


class PublishingController(Controller):
    path = "/staff/panels/{panel_id:uuid}"
    include_in_schema = False
    guards = GUARD

    @get("/report/{year:int}")
    async def annual_html(
        self, panel_id: uuid.UUID, year: int, db_session: AsyncSession
    ) -> Template:
        panel = await store.panel(db_session, panel_id)
        report = await _annual(db_session, panel, year)
        return _page(report, panel, f"/staff/panels/{panel.id}/report/{year}/docx")

    @get("/report/{year:int}/docx")
    async def annual_docx(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        year: int,
        db_session: AsyncSession,
    ) -> Response[bytes]:
        panel = await store.panel(db_session, panel_id)
        record(db_session, request, "panel_report_exported", "panel", panel.id, year=year)
        return _docx(await _annual(db_session, panel, year), f"{panel.slug}-{year}")

    @get("/meetings/{meeting_id:uuid}/summary")
    async def summary_html(
        self, panel_id: uuid.UUID, meeting_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        panel = await store.panel(db_session, panel_id)
        report = await _summary(db_session, panel, meeting_id)
        return _page(report, panel, f"/staff/panels/{panel.id}/meetings/{meeting_id}/summary/docx")

    @get("/meetings/{meeting_id:uuid}/summary/docx")
    async def summary_docx(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        meeting_id: uuid.UUID,
        db_session: AsyncSession,
    ) -> Response[bytes]:
        panel = await store.panel(db_session, panel_id)
        record(db_session, request, "panel_summary_exported", "panel_meeting", meeting_id)
        return _docx(await _summary(db_session, panel, meeting_id), f"{panel.slug}-meeting")

    @post("/publish")
    async def publish(
        self, request: Request[Any, Any, Any], panel_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        panel = await store.panel(db_session, panel_id)
        await publish_panel(db_session, panel)
        record(db_session, request, "panel_page_published", "panel", panel.id)
        return Redirect(f"/you-said-we-did/{panel.slug}", status_code=303)


class PublicController(Controller):
    path = "/you-said-we-did"
    include_in_schema = False

    @get("/{slug:str}", name="panel_public")
    async def show(self, slug: str, db_session: AsyncSession) -> Template:
        panel = await store.panel_by_slug(db_session, slug[:80])
        if panel is None or panel.published is None:
            raise NotFound("There is no published page at this address")
        return Template("panels/public.html", context={"page": panel.published, "panel": panel})
