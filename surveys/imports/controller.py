"""Staff import of responses gathered elsewhere: upload, map columns to questions (select
lists, no JavaScript), preview, then import all rows in one transaction or none.

The uploaded table waits between steps in a file under ``<data dir>/imports/`` named by a
random token and tied to the consultation (:mod:`.uploads`). It is personal data: it is deleted
as soon as the import completes or staff cancel it, and the retention job deletes uploads
abandoned for more than 24 hours.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.errors import Invalid, NotFound
from consult.permissions import Permission, requires
from surveys.imports import uploads
from surveys.imports.reading import (
    ImportProblem,
    Table,
    guess_targets,
    parse_rows,
    read_table,
    targets,
)
from surveys.journey import current_version, definition_of, hash_code, new_code
from surveys.models import Response
from surveys.responses.controller import consultation_or_404
from surveys.responses.listing import respondent_types

# A platform export's own id column: its rows are already held, or were (see _already_held).
ID_HEADING = "response_id"


def _data_dir(request: Request[Any, Any, Any]) -> Path:
    return Path(request.app.state["settings"].data_dir)


def _load(request: Request[Any, Any, Any], consultation_id: uuid.UUID, token: str) -> Table:
    gone = NotFound("That upload has gone; upload the file again")
    if not uploads.valid_token(token):
        raise gone
    path = uploads.path_of(_data_dir(request), token)
    if not path.exists():
        raise gone
    stored = json.loads(path.read_text("utf-8"))
    if stored["consultation_id"] != str(consultation_id):
        raise gone
    return Table(stored["headers"], stored["rows"])


async def _already_held(db: AsyncSession, consultation_id: uuid.UUID, table: Table) -> list[str]:
    """Rows of a platform export (a ``response_id`` column) that this consultation already
    holds, or that the file repeats: importing them would count one response twice. Rows that
    are imported get response ids of their own, never the file's."""
    headings = [h.strip().casefold() for h in table.headers]
    if ID_HEADING not in headings:
        return []
    column = headings.index(ID_HEADING)
    ids = {
        row[column].strip(): n for n, row in enumerate(table.rows, start=2) if row[column].strip()
    }
    held = set(
        await db.scalars(
            select(Response.export_id).where(
                Response.consultation_id == consultation_id, Response.export_id.in_(list(ids))
            )
        )
    )
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(table.rows, start=2):
        value = row[column].strip()
        if not value:
            continue
        if value in held:
            problems.append(
                f"row {number}: response {value} is already in this consultation; importing it "
                "again would count it twice (remove the row)"
            )
        elif value in seen:
            problems.append(f"row {number}: response {value} is also row {seen[value]}")
        seen.setdefault(value, number)
    return problems


class ImportController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/responses/import"
    include_in_schema = False
    guards = [requires(Permission.MANAGE_CONSULTATIONS)]

    @get("/")
    async def upload_form(self, consultation_id: uuid.UUID, db_session: AsyncSession) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        return Template(
            "responses/import_upload.html", context={"consultation": consultation, "error": None}
        )

    @post("/")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ImportProblem("Choose a CSV or XLSX file")
            content = await upload.read()
            # Parsing a spreadsheet takes seconds: off the event loop, so respondents are not kept waiting.
            table = await anyio.to_thread.run_sync(read_table, upload.filename, content)
        except ImportProblem as exc:
            return Template(
                "responses/import_upload.html",
                context={"consultation": consultation, "error": str(exc)},
                status_code=400,
            )
        token = secrets.token_hex(uploads.TOKEN_LENGTH // 2)
        uploads.save(
            _data_dir(request),
            token,
            {"consultation_id": str(consultation_id), "headers": table.headers, "rows": table.rows},
        )
        return Redirect(
            f"/staff/consultations/{consultation_id}/responses/import/{token}", status_code=303
        )

    @get("/{token:str}")
    async def mapping_form(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        token: str,
        db_session: AsyncSession,
    ) -> Template:
        return await self._page(request, consultation_id, token, db_session, None)

    @post("/{token:str}")
    async def map_and_import(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        token: str,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        version = await current_version(db_session, consultation)
        if version is None:
            raise Invalid("Publish a survey before importing responses")
        survey = definition_of(version)
        table = _load(request, consultation_id, token)
        keys = {value for value, _ in targets(survey)}
        mapping = {
            n: str(form.get(f"column-{n}"))
            for n in range(len(table.headers))
            if str(form.get(f"column-{n}", "")) in keys
        }
        types = respondent_types(survey, consultation)
        chosen_type = str(form.get("respondent_type", ""))
        if chosen_type not in dict(types.options):
            chosen_type = ""
        rows, problems = parse_rows(survey, table, mapping)
        problems += await _already_held(db_session, consultation_id, table)
        if not mapping:
            problems.insert(0, "Map at least one column to a question")
        if problems or form.get("action") != "import":
            return await self._page(request, consultation_id, token, db_session, {
                "mapping": mapping, "problems": problems, "rows": rows[:5],
                "respondent_type": chosen_type, "total": len(rows),
            }, status_code=400 if problems else 200)  # fmt: skip
        now = datetime.now(UTC)
        type_key = survey.respondent_type_question
        for answers in rows:
            if chosen_type and type_key and type_key not in answers:
                # The chosen type is the answer to the survey's respondent-type question, as it
                # would be had the respondent answered it here.
                answers[type_key] = chosen_type
            from_answers = answers.get(type_key) if type_key else None
            db_session.add(
                Response(
                    consultation_id=consultation_id,
                    version_id=version.id,
                    respondent_type=chosen_type
                    or (from_answers if isinstance(from_answers, str) else None),
                    answers=answers,
                    submitted_at=now,
                    # No one holds a withdrawal code for an imported row: a random one's hash.
                    withdrawal_code_hash=hash_code(new_code()),
                )
            )
        audit.record(
            db_session,
            "responses_imported",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={
                "rows": len(rows),
                "columns": {table.headers[n]: k for n, k in mapping.items()},
            },
        )
        await db_session.flush()
        uploads.delete(_data_dir(request), token)  # personal data: kept no longer than needed
        return Redirect(f"/staff/consultations/{consultation_id}/responses", status_code=303)

    @post("/{token:str}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        token: str,
        db_session: AsyncSession,
    ) -> Redirect:
        """Delete the upload and import nothing."""
        await consultation_or_404(db_session, consultation_id)
        table = _load(request, consultation_id, token)
        uploads.delete(_data_dir(request), token)
        audit.record(
            db_session,
            "responses_import_cancelled",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"rows": len(table.rows)},
        )
        return Redirect(f"/staff/consultations/{consultation_id}/responses", status_code=303)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        token: str,
        db_session: AsyncSession,
        result: dict[str, Any] | None,
        status_code: int = 200,
    ) -> Template:
        consultation = await consultation_or_404(db_session, consultation_id)
        version = await current_version(db_session, consultation)
        if version is None:
            raise Invalid("Publish a survey before importing responses")
        table = _load(request, consultation_id, token)
        survey = definition_of(version)
        # Preselect what a column heading names (key, wording or export column name).
        guesses = guess_targets(survey, table.headers)
        return Template(
            "responses/import_map.html",
            context={
                "consultation": consultation,
                "token": token,
                "table": table,
                "targets": targets(survey),
                "mapping": result["mapping"] if result else guesses,
                "result": result,
                "types": respondent_types(survey, consultation),
            },
            status_code=status_code,
        )
