"""The coordinator's case pages: the structured summary, the material and its redaction review,
allocation to a meeting and release to members."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Conflict, Invalid
from consult.forms import FormErrors, form_values, text
from consult.permissions import Permission, requires
from panels import material, store
from panels.controllers.common import record
from panels.forms import read_case
from panels.models import Case, Panel
from panels.scales import CHARACTERISTIC_BANDS, ENTITLEMENT_STATUSES, VICTIMS_CODE_RIGHTS

GUARD = [requires(Permission.MANAGE_PANELS)]


async def _read_material(form: FormMultiDict, errors: FormErrors) -> str:
    upload = form.get("material_file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        try:
            if upload.filename.lower().endswith(".pdf") or data.startswith(b"%PDF"):
                # Parsing runs off the event loop: a large PDF must not hold up other requests.
                return material.check_length(await to_thread.run_sync(material.pdf_text, data))
            return material.check_length(data.decode("utf-8"))
        except UnicodeDecodeError:
            errors.add("material_file", "The file must be a PDF or plain text (UTF-8)")
        except Invalid as exc:
            errors.add("material_file", exc.message)
        return ""
    pasted = text(form, "material_text", "Case material", errors, max_length=200_000)
    return pasted.replace("\r\n", "\n")


def _case_form(
    panel: Panel, meetings: list[Any], form: FormMultiDict | None, errors: FormErrors
) -> Template:
    return Template(
        "panels/case_form.html",
        context={
            "panel": panel,
            "meetings": meetings,
            "meetings_options": {str(m.id): f"{m.held_on:%d %B %Y}" for m in meetings},
            "bands": CHARACTERISTIC_BANDS,
            "rights": VICTIMS_CODE_RIGHTS,
            "statuses": ENTITLEMENT_STATUSES,
            "values": form_values(form) if form else {},
            "errors": errors.messages,
        },
        status_code=400 if errors else 200,
    )


async def _case_page(
    db: AsyncSession, panel: Panel, case: Case, *, error: str | None = None, status_code: int = 200
) -> Template:
    steps = await store.step_asides(db, case.id)
    users = await store.users_by_id(db, list(steps))
    meetings = await store.meetings(db, panel.id)
    return Template(
        "panels/case.html",
        context={
            "panel": panel,
            "case": case,
            "meetings": meetings,
            "meetings_options": {str(m.id): f"{m.held_on:%d %B %Y}" for m in meetings},
            "bands": CHARACTERISTIC_BANDS,
            "rights": VICTIMS_CODE_RIGHTS,
            "statuses": ENTITLEMENT_STATUSES,
            "spans": material.spans_by_type(case.material_original, case.redaction_spans),
            "preview": material.apply_spans(case.material_original, case.redaction_spans),
            "span_types": {t: t.replace("_", " ").title() for t in material.SPAN_TYPES},
            "step_asides": [(users[u].name, kind) for u, kind in steps.items() if u in users],
            "error": error,
        },
        status_code=status_code,
    )


def _editable(case: Case) -> None:
    if case.released_at is not None:
        raise Conflict("This case has been released to members; its redaction cannot change.")


class CaseController(Controller):
    path = "/staff/panels/{panel_id:uuid}/cases"
    include_in_schema = False
    guards = GUARD

    @get("/new")
    async def new_form(self, panel_id: uuid.UUID, db_session: AsyncSession) -> Template:
        panel = await store.panel(db_session, panel_id)
        return _case_form(panel, await store.meetings(db_session, panel.id), None, FormErrors())

    @post("/new")
    async def create(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        meetings = await store.meetings(db_session, panel.id)
        errors = FormErrors()
        values = read_case(form, errors)
        original = await _read_material(form, errors)
        meeting_id = str(form.get("meeting_id", "") or "")
        if meeting_id and meeting_id not in {str(m.id) for m in meetings}:
            errors.add("meeting_id", "Choose one of this panel's meetings")
        if errors:
            return _case_form(panel, meetings, form, errors)
        case = Case(
            panel_id=panel.id,
            meeting_id=uuid.UUID(meeting_id) if meeting_id else None,
            material_original=original,
            redaction_spans=await material.find_spans(original) if original else [],
            **values,
        )
        db_session.add(case)
        await db_session.flush()
        record(
            db_session, request, "panel_case_created", "panel_case", case.id,
            spans_found=len(case.redaction_spans),
        )  # fmt: skip
        return Redirect(f"/staff/panels/{panel.id}/cases/{case.id}", status_code=303)

    @get("/{case_id:uuid}")
    async def show(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        case_id: uuid.UUID,
        db_session: AsyncSession,
    ) -> Template:
        panel = await store.panel(db_session, panel_id)
        case = await store.panel_case(db_session, panel.id, case_id)
        record(db_session, request, "panel_case_viewed", "panel_case", case.id, view="coordinator")
        return await _case_page(db_session, panel, case)

    @post("/{case_id:uuid}/spans")
    async def add_span(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        case = await store.panel_case(db_session, panel.id, case_id)
        _editable(case)
        span_type = str(form.get("span_type", ""))
        try:
            spans = material.add_phrase(
                case.material_original,
                case.redaction_spans,
                str(form.get("phrase", ""))[:500],
                span_type,
            )
        except Invalid as exc:
            return await _case_page(db_session, panel, case, error=exc.message, status_code=400)
        added = len(spans) - len(case.redaction_spans)
        case.redaction_spans, case.confirmed_at, case.material_confirmed = spans, None, None
        # The log holds the type and how many places, never the words themselves.
        record(
            db_session, request, "panel_redaction_added", "panel_case", case.id,
            type=span_type, places=added,
        )  # fmt: skip
        return Redirect(f"/staff/panels/{panel.id}/cases/{case.id}#redaction", status_code=303)

    @post("/{case_id:uuid}/spans/{index:int}/undo")
    async def undo_span(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        case_id: uuid.UUID,
        index: int,
        db_session: AsyncSession,
    ) -> Redirect:
        panel = await store.panel(db_session, panel_id)
        case = await store.panel_case(db_session, panel.id, case_id)
        _editable(case)
        if not 0 <= index < len(case.redaction_spans):
            raise Invalid("That redaction is no longer there. Reload the page.")
        removed = case.redaction_spans[index]
        case.redaction_spans = [s for i, s in enumerate(case.redaction_spans) if i != index]
        case.confirmed_at, case.material_confirmed = None, None
        record(
            db_session, request, "panel_redaction_undone", "panel_case", case.id,
            type=removed["type"], start=removed["start"], end=removed["end"],
        )  # fmt: skip
        return Redirect(f"/staff/panels/{panel.id}/cases/{case.id}#redaction", status_code=303)

    @post("/{case_id:uuid}/confirm")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        case_id: uuid.UUID,
        db_session: AsyncSession,
    ) -> Redirect:
        panel = await store.panel(db_session, panel_id)
        case = await store.panel_case(db_session, panel.id, case_id)
        _editable(case)
        case.material_confirmed = material.apply_spans(case.material_original, case.redaction_spans)
        case.confirmed_at = datetime.now(UTC)
        record(
            db_session, request, "panel_redaction_confirmed", "panel_case", case.id,
            spans=len(case.redaction_spans),
        )  # fmt: skip
        return Redirect(f"/staff/panels/{panel.id}/cases/{case.id}", status_code=303)

    @post("/{case_id:uuid}/allocate")
    async def allocate(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        case_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        case = await store.panel_case(db_session, panel.id, case_id)
        chosen = str(form.get("meeting_id", "") or "")
        meetings = {str(m.id): m for m in await store.meetings(db_session, panel.id)}
        if chosen not in meetings:
            return await _case_page(
                db_session, panel, case, error="Choose one of this panel's meetings",
                status_code=400,
            )  # fmt: skip
        case.meeting_id = meetings[chosen].id
        record(db_session, request, "panel_case_allocated", "panel_case", case.id, meeting=chosen)
        return Redirect(f"/staff/panels/{panel.id}/cases/{case.id}", status_code=303)

    @post("/{case_id:uuid}/release")
    async def release(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        case_id: uuid.UUID,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        case = await store.panel_case(db_session, panel.id, case_id)
        problem = None
        if case.material_confirmed is None:
            problem = "Confirm the redacted material before releasing the case"
        elif case.meeting_id is None:
            problem = "Allocate the case to a meeting before releasing it"
        if problem:
            return await _case_page(db_session, panel, case, error=problem, status_code=409)
        case.released_at = case.released_at or datetime.now(UTC)
        record(db_session, request, "panel_case_released", "panel_case", case.id)
        return Redirect(f"/staff/panels/{panel.id}/cases/{case.id}", status_code=303)
