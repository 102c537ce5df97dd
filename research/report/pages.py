"""Staff pages of the findings report: arrange sections, preview, download (audited) and sign
off (administrators only)."""

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
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid
from consult.permissions import Permission, requires
from research.coding.models import Quote
from research.coding.pages import CODE
from research.report import store
from research.report.build import answer_frame, build_section, gather, section_keys
from research.report.document import SECTION_KINDS, ReportDocument
from research.report.forms import pickable, read_section
from research.report.models import ReportVersion
from research.report.render import to_docx, to_html

REPORT = "/staff/consultations/{consultation_id:uuid}/analysis/report"
MEDIA = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# The report is one self-contained file: its own inline styles and data-URL images, nothing
# else (no scripts, no requests), which the app's usual policy would not allow to style it.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _base(consultation_id: uuid.UUID) -> str:
    return f"/staff/consultations/{consultation_id}/analysis/report"


def rendered(document: ReportDocument, kind: str, filename: str) -> Response[bytes]:
    if kind not in MEDIA:
        raise Invalid("Download the report as html or docx")
    body = to_html(document).encode() if kind == "html" else to_docx(document)
    return Response(
        body,
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{kind}"',
            "Content-Security-Policy": REPORT_CSP,
        },
    )


class ReportPages(Controller):
    path = REPORT
    include_in_schema = False
    guards = CODE

    @get("/")
    async def editor(
        self, request: Request[Any, Any, Any], consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        versions = list(
            await db_session.scalars(
                select(ReportVersion)
                .where(ReportVersion.report_id == report.id)
                .order_by(ReportVersion.number.desc())
            )
        )
        signed = versions[0].number if versions else 0
        return Template(
            "research/report/editor.html",
            context={
                "consultation": consultation,
                "report": report,
                "sections": await store.sections_of(db_session, report),
                "kinds": SECTION_KINDS,
                "versions": versions,
                "draft_open": report.draft_number > signed,
                "base": _base(consultation_id),
            },
        )

    @post("/title")
    async def save_title(
        self, consultation_id: uuid.UUID, form: FormMultiDict, db_session: AsyncSession
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        title = str(form.get("title", "")).strip()
        if not title or len(title) > 200:
            raise Invalid("Enter the report's title, up to 200 characters")
        await store.begin_edit(db_session, report)
        report.title = title
        return Redirect(_base(consultation_id), status_code=303)

    @post("/sections")
    async def add(
        self, consultation_id: uuid.UUID, form: FormMultiDict, db_session: AsyncSession
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        section = await store.add_section(db_session, report, str(form.get("kind", "")))
        return Redirect(f"{_base(consultation_id)}/sections/{section.id}", status_code=303)

    @get("/sections/{section_id:uuid}")
    async def edit(
        self, consultation_id: uuid.UUID, section_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        section = await store.section_of(db_session, report, section_id)
        inputs = await gather(db_session, consultation)
        quotes = list(
            await db_session.execute(
                select(Quote.id, Quote.question_key, Quote.theme, Quote.text)
                .where(Quote.consultation_id == consultation_id, Quote.confirmed_at.is_not(None))
                .order_by(Quote.theme, Quote.confirmed_at)
            )
        )
        return Template(
            "research/report/section.html",
            context={
                "consultation": consultation,
                "section": section,
                "kind_label": SECTION_KINDS[section.kind],
                "options": pickable(inputs.survey),
                "themes": [(k, t) for k, names in inputs.themes.items() for t in names],
                "quotes": quotes,
                "base": _base(consultation_id),
            },
        )

    @post("/sections/{section_id:uuid}")
    async def save(
        self,
        consultation_id: uuid.UUID,
        section_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        section = await store.section_of(db_session, report, section_id)
        inputs = await gather(db_session, consultation)
        title, body, params = read_section(section.kind, form, inputs)
        await store.begin_edit(db_session, report)
        section.title, section.body, section.params = title, body, params
        await db_session.flush()
        # Build the section once now, so a choice that cannot be reported is refused here
        # with its reason rather than breaking the preview later.
        if section.kind not in {"heading", "text", "next_steps", "methodology"}:
            keys = section_keys(inputs.survey, [section])
            await db_session.run_sync(
                lambda s: build_section(
                    s.connection(),
                    inputs,
                    answer_frame(s.connection(), consultation_id, keys),
                    section,
                )
            )
        return Redirect(_base(consultation_id), status_code=303)

    @post("/sections/{section_id:uuid}/move")
    async def move(
        self,
        consultation_id: uuid.UUID,
        section_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        step = {"up": -1, "down": 1}.get(str(form.get("direction", "")))
        if step is None:
            raise Invalid("Move a section up or down")
        await store.move_section(db_session, report, section_id, step)
        return Redirect(_base(consultation_id), status_code=303)

    @post("/sections/{section_id:uuid}/remove")
    async def remove(
        self, consultation_id: uuid.UUID, section_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        await store.remove_section(db_session, report, section_id)
        return Redirect(_base(consultation_id), status_code=303)

    @get("/preview")
    async def preview(self, consultation_id: uuid.UUID, db_session: AsyncSession) -> Response[str]:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        document = await store.draft_document(db_session, consultation, report)
        html = await anyio.to_thread.run_sync(to_html, document)
        return Response(
            html, media_type=MEDIA["html"], headers={"Content-Security-Policy": REPORT_CSP}
        )

    @get("/download/{kind:str}")
    async def download(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        kind: str,
        db_session: AsyncSession,
        version: int = 0,
    ) -> Response[bytes]:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        if version:
            row = await db_session.scalar(
                select(ReportVersion).where(
                    ReportVersion.report_id == report.id, ReportVersion.number == version
                )
            )
            if row is None:
                raise Invalid("There is no signed-off version with that number")
            document = store.signed_document(row)
        else:
            document = await store.draft_document(db_session, consultation, report)
        audit.record(
            db_session,
            "report_downloaded",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"format": kind, "version": document.version, "signed_off": bool(version)},
        )
        stem = f"report-{consultation.slug}-v{document.version}"
        return await anyio.to_thread.run_sync(rendered, document, kind, stem)

    @post("/sign-off", guards=[requires(Permission.SIGN_OFF_REPORTS)])
    async def sign_off(
        self, request: Request[Any, Any, Any], consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        report = await store.report_of(db_session, consultation)
        version = await store.sign_off(db_session, consultation, report, request.user.id)
        audit.record(
            db_session,
            "report_signed_off",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"version": version.number},
        )
        return Redirect(_base(consultation_id), status_code=303)
