"""The public "We asked, you said, we did" page of a consultation, and the staff page that
publishes it and keeps its actions up to date.

The page shows only what an administrator signed off (figures and themes come from the latest
signed-off report version, already suppressed), plus the actions staff maintain. Its URL uses
the consultation's neutral slug and its title the neutral public title.
"""

from __future__ import annotations

import uuid
from typing import Any

import anyio
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid, NotFound
from research.coding.pages import CODE
from research.report import store
from research.report.actions import STATUS_LABELS, read_action
from research.report.document import ReportDocument, Section, markdown_html
from research.report.models import Action, Report
from research.report.pages import rendered

MAX_SUMMARY = 10_000


async def actions_of(db: AsyncSession, consultation_id: uuid.UUID) -> list[Action]:
    return list(
        await db.scalars(
            select(Action)
            .where(Action.consultation_id == consultation_id)
            .order_by(Action.position, Action.created_at)
        )
    )


def _base(consultation_id: uuid.UUID) -> str:
    return f"/staff/consultations/{consultation_id}/analysis/report/page"


class YouSaidPages(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/analysis/report/page"
    include_in_schema = False
    guards = CODE

    @get("/")
    async def settings(self, consultation_id: uuid.UUID, db_session: AsyncSession) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        return Template(
            "research/report/page_settings.html",
            context={
                "consultation": consultation,
                "report": report,
                "signed": await store.latest_version(db_session, report),
                "actions": await actions_of(db_session, consultation_id),
                "statuses": STATUS_LABELS,
                "base": _base(consultation_id),
            },
        )

    @post("/")
    async def publish(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        summary = str(form.get("summary", ""))
        if len(summary) > MAX_SUMMARY:
            raise Invalid(f"Keep the summary to {MAX_SUMMARY} characters")
        published = form.get("published") == "yes"
        if published and await store.latest_version(db_session, report) is None:
            raise Invalid("An administrator must sign the report off before the page is published")
        report.summary, report.published = summary, published
        audit.record(
            db_session,
            "you_said_page_published" if published else "you_said_page_saved",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
        )
        return Redirect(_base(consultation_id), status_code=303)

    @post("/actions")
    async def add_action(
        self, consultation_id: uuid.UUID, form: FormMultiDict, db_session: AsyncSession
    ) -> Redirect:
        await consultation_or_404(db_session, consultation_id)
        fields = read_action(form)
        count = len(await actions_of(db_session, consultation_id))
        db_session.add(Action(consultation_id=consultation_id, position=count, **fields.__dict__))
        return Redirect(_base(consultation_id), status_code=303)

    @post("/actions/{action_id:uuid}")
    async def update_action(
        self,
        consultation_id: uuid.UUID,
        action_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:
        action = await db_session.get(Action, action_id)
        if action is None or action.consultation_id != consultation_id:
            raise NotFound("That action is not part of this consultation")
        if form.get("remove") == "yes":
            await db_session.delete(action)
        else:
            for name, value in read_action(form).__dict__.items():
                setattr(action, name, value)
        return Redirect(_base(consultation_id), status_code=303)


async def _published(db: AsyncSession, slug: str) -> tuple[Consultation, Report, ReportDocument]:
    consultation = await db.scalar(select(Consultation).where(Consultation.slug == slug))
    report = (
        await db.scalar(select(Report).where(Report.consultation_id == consultation.id))
        if consultation is not None
        else None
    )
    version = await store.latest_version(db, report) if report is not None else None
    if consultation is None or report is None or not report.published or version is None:
        raise NotFound("There is no page here")
    return consultation, report, store.signed_document(version)


async def published_pages(db: AsyncSession) -> list[tuple[str, str]]:
    """Consultations whose "you said, we did" page is published, for the home page."""
    rows = await db.execute(
        select(Consultation.public_title, Consultation.slug)
        .join(Report, Report.consultation_id == Consultation.id)
        .where(Report.published.is_(True))
        .order_by(Consultation.public_title)
    )
    return [(f"{title}: what you told us", f"/c/{slug}/you-said") for title, slug in rows]


def themes_of(document: ReportDocument) -> list[tuple[str, str]]:
    """(theme, how many mentioned it) from the signed-off report's theme sections."""
    out = []
    for section in document.sections:
        if section.kind == "theme" and section.tables and section.tables[0].rows:
            row = section.tables[0].rows[0]
            out.append((section.title, row[-1]))
    return out


def respondents_of(document: ReportDocument) -> Section | None:
    return next((s for s in document.sections if s.kind == "respondents"), None)


class PublicPage(Controller):
    path = "/c/{slug:str}/you-said"
    include_in_schema = False

    @get("/")
    async def page(self, slug: str, db_session: AsyncSession) -> Template:
        consultation, report, document = await _published(db_session, slug)
        return Template(
            "research/report/you_said.html",
            context={
                "consultation": consultation,
                "page_title": f"What you told us - {consultation.public_title}",
                "summary_html": markdown_html(report.summary),
                "document": document,
                "respondents": respondents_of(document),
                "themes": themes_of(document),
                "actions": await actions_of(db_session, consultation.id),
                "statuses": STATUS_LABELS,
            },
        )

    @get("/report/{kind:str}")
    async def report(self, slug: str, kind: str, db_session: AsyncSession) -> Response[bytes]:
        consultation, _, document = await _published(db_session, slug)
        stem = f"report-{consultation.slug}-v{document.version}"
        return await anyio.to_thread.run_sync(rendered, document, kind, stem)
