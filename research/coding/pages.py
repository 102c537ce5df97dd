"""Staff pages: the coding overview of a consultation, starting a coding run, and each text
question's codebook (edit themes, import, export). Handlers stay thin; the work is in
:mod:`.codebooks`, :mod:`.progress` and the coding job."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid
from consult.forms import FormErrors, text
from consult.jobs import JobRunner
from consult.permissions import Permission, requires
from research.coding import codebooks
from research.coding.progress import latest_job, progress
from research.coding.suggestions import JOB_KIND
from research.coding.texts import current_survey, text_question, text_questions

BASE = "/staff/consultations/{consultation_id:uuid}/analysis/coding"
CODE = [requires(Permission.CODE_RESPONSES)]


def base_url(consultation_id: uuid.UUID) -> str:
    return f"/staff/consultations/{consultation_id}/analysis/coding"


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def read_theme(form: FormMultiDict, errors: FormErrors) -> codebooks.ThemeFields:
    return codebooks.ThemeFields(
        name=text(form, "name", "Theme name", errors, max_length=120, required=True),
        description=text(form, "description", "Description", errors, max_length=1000),
        keywords=_lines(text(form, "keywords", "Keywords", errors, max_length=2000)),
        phrases=_lines(text(form, "phrases", "Phrases", errors, max_length=2000)),
        parent=text(form, "parent", "Parent theme", errors, max_length=120),
    )


class CodingPages(Controller):
    path = BASE
    include_in_schema = False
    guards = CODE

    @get("/")
    async def overview(self, consultation_id: uuid.UUID, db_session: AsyncSession) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        questions = text_questions(await current_survey(db_session, consultation))
        rows = [
            {
                "question": q,
                "progress": await progress(db_session, consultation_id, q.key),
                "job": await latest_job(db_session, consultation_id, JOB_KIND, q.key),
            }
            for q in questions
        ]
        return Template(
            "research/coding/overview.html",
            context={"consultation": consultation, "rows": rows, "base": base_url(consultation_id)},
        )

    @post("/{key:str}/run")
    async def run(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
        jobs: JobRunner,
    ) -> Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        job = await start_coding(db_session, jobs, consultation_id, key, request.user.id)
        return Redirect(base_url(consultation_id), status_code=303, background=jobs.dispatch(job))

    @get("/{key:str}/codebook")
    async def codebook(
        self, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Template:
        return await self._codebook_page(db_session, consultation_id, key, {}, None)

    async def _codebook_page(
        self,
        db: AsyncSession,
        consultation_id: uuid.UUID,
        key: str,
        errors: dict[str, str],
        values: dict[str, Any] | None,
        status_code: int = 200,
    ) -> Template:
        consultation = await consultation_or_404(db, consultation_id)
        question = await text_question(db, consultation, key)
        book = codebooks.codebook_of(await codebooks.codebook_row(db, consultation_id, key))
        return Template(
            "research/coding/codebook.html",
            context={
                "consultation": consultation,
                "question": question,
                "book": book,
                "themes": list(book.walk()),
                "errors": errors,
                "values": values or {},
                "base": base_url(consultation_id),
            },
            status_code=status_code,
        )

    @post("/{key:str}/codebook/themes")
    async def add_theme(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        return await self._change(request, consultation_id, key, form, db_session, None)

    @post("/{key:str}/codebook/themes/{index:int}")
    async def edit_theme(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        index: int,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        return await self._change(request, consultation_id, key, form, db_session, index)

    async def _change(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        form: FormMultiDict,
        db: AsyncSession,
        index: int | None,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db, consultation_id)
        await text_question(db, consultation, key)
        row = await codebooks.codebook_row(db, consultation_id, key)
        book = codebooks.codebook_of(row)
        names = book.theme_names()
        if index is not None and not 0 <= index < len(names):
            raise Invalid("That theme is no longer in the codebook")
        errors = FormErrors()
        fields = read_theme(form, errors)
        action = "theme_added"
        try:
            if not errors and index is None:
                codebooks.add_theme(book, fields)
            elif not errors and form.get("delete"):
                action = "theme_deleted"
                codebooks.delete_theme(book, names[index])  # type: ignore[index]
            elif not errors:
                action = "theme_changed"
                codebooks.edit_theme(book, names[index], fields)  # type: ignore[index]
        except Invalid as exc:
            errors.add("name", str(exc))
        if errors:
            values = {"index": index, **fields.__dict__}
            return await self._codebook_page(db, consultation_id, key, errors.messages, values, 400)
        codebooks.store(row, book)
        audit.record(
            db,
            action,
            actor=request.user,
            object_type="codebook",
            object_id=row.id,
            detail={"consultation_id": str(consultation_id), "question": key, "theme": fields.name},
        )
        return Redirect(f"{base_url(consultation_id)}/{key}/codebook", status_code=303)

    @post("/{key:str}/codebook/import")
    async def import_codebook(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        form = await request.form()
        upload = form.get("codebook")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors = {"codebook": "Choose a codebook file (.yaml or .qdc)"}
            return await self._codebook_page(db_session, consultation_id, key, errors, None, 400)
        try:
            book = codebooks.read_upload(upload.filename, await upload.read())
        except Invalid as exc:
            errors = {"codebook": str(exc)}
            return await self._codebook_page(db_session, consultation_id, key, errors, None, 400)
        row = await codebooks.codebook_row(db_session, consultation_id, key)
        codebooks.store(row, book)
        audit.record(
            db_session,
            "codebook_imported",
            actor=request.user,
            object_type="codebook",
            object_id=row.id,
            detail={
                "consultation_id": str(consultation_id),
                "question": key,
                "themes": len(book.theme_names()),
            },
        )
        return Redirect(f"{base_url(consultation_id)}/{key}/codebook", status_code=303)

    @get("/{key:str}/codebook/download/{extension:str}")
    async def export_codebook(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        key: str,
        extension: str,
        db_session: AsyncSession,
    ) -> Response[str]:
        if extension not in ("yaml", "qdc"):
            raise Invalid("Codebooks download as .yaml or .qdc")
        consultation = await consultation_or_404(db_session, consultation_id)
        await text_question(db_session, consultation, key)
        book = codebooks.codebook_of(await codebooks.codebook_row(db_session, consultation_id, key))
        body = codebooks.export_yaml(book) if extension == "yaml" else codebooks.export_qdc(book)
        audit.record(
            db_session,
            "codebook_downloaded",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"question": key, "format": extension},
        )
        media = "application/yaml" if extension == "yaml" else "application/xml"
        filename = f"codebook-{consultation.slug}-{key}.{extension}"
        return Response(
            body,
            media_type=f"{media}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


async def start_coding(
    db: AsyncSession, jobs: JobRunner, consultation_id: uuid.UUID, key: str, user_id: uuid.UUID
) -> uuid.UUID:
    """Queue a coding run unless one is already waiting or running for the question."""
    current = await latest_job(db, consultation_id, JOB_KIND, key)
    if current is not None and current.active:
        return current.id
    job = jobs.enqueue(
        db,
        JOB_KIND,
        consultation_id=consultation_id,
        params={"question_key": key},
        requested_by=user_id,
    )
    await db.flush()
    return job.id
