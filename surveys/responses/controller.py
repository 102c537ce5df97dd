"""Staff pages for a consultation's responses: the filtered list, one response, erasure, and
export downloads. Handlers stay thin: queries live in :mod:`surveys.store` (run in the
request's transaction, so audit records commit with them), formats in :mod:`surveys.exports`."""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import File, Redirect, Stream, Template
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.models import Consultation
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid
from consult.forms import FormErrors, text
from consult.permissions import Permission, requires
from surveys import exports
from surveys.responses import listing
from surveys.store import listing as found
from surveys.store import responses
from surveys.store.database import SurveyStore
from surveys.store.listing import ResponseFilters
from surveys.store.versions import current_survey, version

FORMATS = {
    # The CSV comes zipped with its data dictionary (<name>.csv, <name>-dictionary.json).
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}


def _export_name(consultation: Consultation) -> str:
    return f"responses-{consultation.slug}-{datetime.now(UTC):%Y%m%d-%H%M}"


def _export_choice(format: str, header: str, filters: ResponseFilters) -> None:
    if format not in FORMATS:
        raise Invalid("Choose CSV, XLSX or SPSS (.sav)")
    if header not in exports.HEADER_MODES:
        raise Invalid("Choose how columns are headed: names, wording or both")
    if filters.errors:
        raise Invalid(next(iter(filters.errors.values())))


class ResponsesController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/responses"
    include_in_schema = False
    dependencies = {"filters": Provide(listing.read_filters, sync_to_thread=False)}

    @get("/", name="responses", guards=[requires(Permission.VIEW_RESPONSES)])
    async def list_responses(
        self,
        consultation_id: uuid.UUID,
        db_session: AsyncSession,
        store: SurveyStore,
        filters: ResponseFilters,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        now = datetime.now(UTC)
        result = await store.run(
            db_session, lambda c: found.find_responses(c, consultation_id, filters)
        )
        survey = await store.run(
            db_session,
            partial(current_survey, consultation_id=consultation_id, parse=store.definitions),
        )
        counts = await store.run(db_session, lambda c: found.status_counts(c, consultation_id, now))
        return Template(
            "responses/list.html",
            context={
                "consultation": consultation,
                "counts": counts,
                "result": result,
                "filters": filters,
                "raw": filters.raw,
                "choice_questions": listing.choice_questions(survey),
                "types": listing.respondent_types(survey, consultation),
                "page": filters.page,
                "pages": max(1, -(-result.total // result.limit)),
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
        store: SurveyStore,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        response = await store.run(
            db_session, lambda c: responses.response_or_404(c, consultation_id, response_id)
        )
        asked = await store.run(db_session, lambda c: version(c, response.version_id))
        assert asked is not None  # RESTRICT on the foreign key: a response keeps its version
        survey = store.definitions(asked)
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
                "version_number": asked.number,
                "sections": listing.summary(survey, response.answers),
                "types": listing.respondent_types(survey, consultation),
            },
        )

    @get("/{response_id:uuid}/erase", guards=[requires(Permission.ERASE_RESPONSES)])
    async def erase_form(
        self,
        consultation_id: uuid.UUID,
        response_id: uuid.UUID,
        db_session: AsyncSession,
        store: SurveyStore,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        response = await store.run(
            db_session, lambda c: responses.response_or_404(c, consultation_id, response_id)
        )
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
        store: SurveyStore,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        response = await store.run(
            db_session, lambda c: responses.response_or_404(c, consultation_id, response_id)
        )
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
        code_hash = response.withdrawal_code_hash
        await store.run(
            db_session,
            lambda c: responses.forget_response(c, consultation_id, response_id, code_hash),
        )
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
        store: SurveyStore,
        filters: ResponseFilters,
        format: str = "csv",
        header: str = "names",
    ) -> Stream | File:
        """All submitted responses, or ("Export these responses") only those the list's
        filters find: the same parameters, read and applied by the same code as the list."""
        consultation = await consultation_or_404(db_session, consultation_id)
        _export_choice(format, header, filters)
        where = found.conditions(db_session.get_bind().dialect.name, filters)
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
        name = _export_name(consultation)
        filename = f"{name}.{'zip' if format == 'csv' else format}"
        if format == "csv":
            return Stream(
                _zip_stream(store, consultation_id, name, layout, header, where),
                media_type=FORMATS["csv"],
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        path = await _export_file(store, consultation_id, layout, where, format, header)
        return File(
            path=path,
            filename=filename,
            media_type=FORMATS[format],
            background=BackgroundTask(path.unlink, missing_ok=True),
        )


async def _export_file(
    store: SurveyStore,
    consultation_id: uuid.UUID,
    layout: exports.ExportLayout,
    where: list[ColumnElement[bool]],
    format: str,
    header: str,
) -> Path:
    """The XLSX or SAV file in a temporary file (removed after sending), read on a session of
    its own."""
    handle, name = tempfile.mkstemp(suffix=f".{format}")
    os.close(handle)
    path = Path(name)
    try:
        async with store.session() as db:
            batches = exports.read_rows(db, consultation_id, layout, where=where)
            if format == "xlsx":
                await exports.write_xlsx(path, layout, batches, header)
            else:
                await exports.write_sav(path, layout, batches)
    except BaseException:
        await anyio.Path(name).unlink(missing_ok=True)
        raise
    return path


async def _zip_stream(
    store: SurveyStore,
    consultation_id: uuid.UUID,
    name: str,
    layout: exports.ExportLayout,
    header: str,
    where: Any,
) -> Any:
    """The ZIP (CSV and dictionary) read on a session of the stream's own: the request's
    session is finished (committed and closed) once the response starts."""
    async with store.session() as db:
        rows = exports.read_rows(db, consultation_id, layout, where=where)
        async for chunk in exports.zip_chunks(name, layout, rows, header):
            if chunk:
                yield chunk
