"""Staff pages for a consultation's responses: the filtered list, one response, erasure, and
export downloads. Handlers stay thin: queries live in :mod:`.listing`, formats in
:mod:`surveys.exports`."""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import File, Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.errors import Invalid, NotFound
from consult.forms import FormErrors, text
from consult.permissions import Permission, requires
from surveys import exports, journey
from surveys.responses import listing

FORMATS = {
    # The CSV comes zipped with its data dictionary (<name>.csv, <name>-dictionary.json).
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


async def consultation_or_404(db: AsyncSession, consultation_id: uuid.UUID) -> Consultation:
    consultation = await db.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound("There is no consultation with that reference")
    return consultation


def _export_name(consultation: Consultation) -> str:
    return f"responses-{consultation.slug}-{datetime.now(UTC):%Y%m%d-%H%M}"


class ResponsesController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/responses"
    include_in_schema = False

    @get("/", name="responses", guards=[requires(Permission.VIEW_RESPONSES)])
    async def list_responses(
        self,
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        respondent_type: str = "",
        submitted_from: str = "",
        submitted_to: str = "",
        answer: str = "",
        search: str = "",
        page: Annotated[int, Parameter(ge=1, le=listing.MAX_PAGE)] = 1,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        filters = listing.read_filters(
            respondent_type, submitted_from, submitted_to, answer, search, page
        )
        result = await listing.find_responses(db_session, consultation_id, filters)
        survey = await listing.current_survey(db_session, consultation)
        pages = max(1, -(-result.total // result.limit))
        return Template(
            "responses/list.html",
            context={
                "consultation": consultation,
                "counts": await listing.status_counts(
                    db_session, consultation_id, datetime.now(UTC)
                ),
                "result": result,
                "filters": filters,
                "raw": {
                    "submitted_from": submitted_from,
                    "submitted_to": submitted_to,
                    "answer": answer,
                },
                "choice_questions": listing.choice_questions(survey),
                "types": listing.respondent_types(survey, consultation),
                "page": max(page, 1),
                "pages": pages,
                "formats": list(FORMATS),
                "header_modes": exports.HEADER_MODES,
                "filtered": bool(listing.filters_used(filters)) and not filters.errors,
            },
            status_code=400 if filters.errors else 200,
        )

    @get("/{response_id:uuid}", name="response", guards=[requires(Permission.VIEW_RESPONSES)])
    async def show(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        response_id: uuid.UUID,
        db_session: AsyncSession,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        response = await listing.get_response(db_session, consultation_id, response_id)
        number, survey = await listing.survey_of(db_session, response)
        audit.record(
            db_session,
            "response_viewed",
            actor=request.user,
            object_type="response",
            object_id=response.id,
            detail={"consultation_id": str(consultation_id)},
        )
        return Template(
            "responses/response.html",
            context={
                "consultation": consultation,
                "response": response,
                "version_number": number,
                "sections": listing.summary(survey, response.answers),
                "types": listing.respondent_types(survey, consultation),
            },
        )

    @get("/{response_id:uuid}/erase", guards=[requires(Permission.ERASE_RESPONSES)])
    async def erase_form(
        self, consultation_id: uuid.UUID, response_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        response = await listing.get_response(db_session, consultation_id, response_id)
        return Template(
            "responses/erase.html",
            context={"consultation": consultation, "response": response, "errors": {}},
        )

    @post("/{response_id:uuid}/erase", guards=[requires(Permission.ERASE_RESPONSES)])
    async def erase(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        response_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        response = await listing.get_response(db_session, consultation_id, response_id)
        errors = FormErrors()
        reason = text(
            form, "reason", "The reason for erasure", errors, max_length=500, required=True
        )
        if errors:
            return Template(
                "responses/erase.html",
                context={
                    "consultation": consultation,
                    "response": response,
                    "errors": errors.messages,
                },
                status_code=400,
            )
        await journey.forget_response(db_session, response)
        audit.record(
            db_session,
            "response_erased",
            actor=request.user,
            object_type="response",
            object_id=response_id,
            detail={"consultation_id": str(consultation_id), "reason": reason},
        )
        return Redirect(f"/staff/consultations/{consultation_id}/responses", status_code=303)

    @get("/export", name="responses_export", guards=[requires(Permission.EXPORT_RESPONSES)])
    async def export(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        format: str = "csv",
        header: str = "names",
        respondent_type: str = "",
        submitted_from: str = "",
        submitted_to: str = "",
        answer: str = "",
        search: str = "",
    ) -> Stream | File:
        """All submitted responses, or ("Export these responses") only those the list's
        filters find: the same parameters, read and applied by the same code as the list."""
        consultation = await consultation_or_404(db_session, consultation_id)
        if format not in FORMATS:
            raise Invalid("Choose CSV, XLSX or SPSS (.sav)")
        if header not in exports.HEADER_MODES:
            raise Invalid("Choose how columns are headed: names, wording or both")
        filters = listing.read_filters(
            respondent_type, submitted_from, submitted_to, answer, search
        )
        if filters.errors:
            raise Invalid(next(iter(filters.errors.values())))
        dialect = db_session.get_bind().dialect.name
        where = listing.conditions(dialect, filters)
        layout = await exports.layout_for(db_session, consultation_id)
        # Counted before streaming so the audit record commits with this request.
        rows = await exports.count_responses(db_session, consultation_id, where)
        detail: dict[str, Any] = {"format": format, "rows": rows, "header": header}
        if used := listing.filters_used(filters):
            detail["filters"] = used
        audit.record(
            db_session,
            "responses_exported",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail=detail,
        )
        alchemy = request.app.state["alchemy"]
        name = _export_name(consultation)
        filename = f"{name}.{'zip' if format == 'csv' else format}"
        if format == "csv":
            return Stream(
                _zip_stream(alchemy, consultation_id, name, layout, header, where),
                media_type=FORMATS["csv"],
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        handle, name = tempfile.mkstemp(suffix=f".{format}")
        os.close(handle)
        path = Path(name)
        try:
            async with alchemy.get_session() as db:
                batches = exports.read_rows(db, consultation_id, layout, where=where)
                if format == "xlsx":
                    await exports.write_xlsx(path, layout, batches, header)
                else:
                    await exports.write_sav(path, layout, batches)
        except BaseException:
            await anyio.Path(name).unlink(missing_ok=True)
            raise
        return File(
            path=path,
            filename=filename,
            media_type=FORMATS[format],
            background=BackgroundTask(path.unlink, missing_ok=True),
        )


async def _zip_stream(
    alchemy: Any,
    consultation_id: uuid.UUID,
    name: str,
    layout: exports.ExportLayout,
    header: str,
    where: Any,
) -> Any:
    """The ZIP (CSV and dictionary) read on a session of the stream's own: the request's
    session is finished (committed and closed) once the response starts."""
    async with alchemy.get_session() as db:
        rows = exports.read_rows(db, consultation_id, layout, where=where)
        async for chunk in exports.zip_chunks(name, layout, rows, header):
            if chunk:
                yield chunk
