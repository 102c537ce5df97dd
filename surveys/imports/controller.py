"""Staff import of responses gathered elsewhere: upload, map columns to questions (select
lists, no JavaScript), preview, then import.

Every row is checked before anything is written; the rows are then written in batches
(:mod:`.batches`). Should the database refuse a batch, the upload keeps only the rows not
imported, so importing again continues where it stopped and never counts a row twice.

The uploaded table waits between steps in a file under ``<data dir>/imports/`` named by a
random token and tied to the consultation (:mod:`.uploads`). It is personal data: it is deleted
as soon as the import completes or staff cancel it, and the retention job deletes uploads
abandoned for more than 24 hours.
"""

from __future__ import annotations

import json
import secrets
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.consultations.service import consultation_or_404
from consult.errors import Invalid, NotFound
from consult.permissions import Permission, requires
from consult.settings import Settings
from surveys.definition import Survey
from surveys.imports import uploads
from surveys.imports.batches import write_batches
from surveys.imports.reading import (
    ImportProblem,
    Table,
    guess_targets,
    parse_rows,
    read_table,
    targets,
)
from surveys.responses.listing import respondent_types
from surveys.store.database import SurveyStore
from surveys.store.responses import held_export_ids
from surveys.store.versions import Version, current_version

# A platform export's own id column: its rows are already held, or were (see _already_held).
ID_HEADING = "response_id"


def upload_dir(settings: Settings) -> Path:
    """The deployment's data folder, where uploads wait (a dependency of every handler here)."""
    return Path(settings.data_dir)


def _load(data_dir: Path, consultation_id: uuid.UUID, token: str) -> Table:
    gone = NotFound("That upload has gone; upload the file again")
    if not uploads.valid_token(token):
        raise gone
    path = uploads.path_of(data_dir, token)
    if not path.exists():
        raise gone
    stored = json.loads(path.read_text("utf-8"))
    if stored["consultation_id"] != str(consultation_id):
        raise gone
    return Table(stored["headers"], stored["rows"])


async def _already_held(
    db: AsyncSession, store: SurveyStore, consultation_id: uuid.UUID, table: Table
) -> list[str]:
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
    held = await store.run(db, lambda c: held_export_ids(c, consultation_id, ids))
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


async def _published(
    db: AsyncSession, store: SurveyStore, consultation_id: uuid.UUID
) -> tuple[Version, Survey]:
    version = await store.run(db, partial(current_version, consultation_id=consultation_id))
    if version is None:
        raise Invalid("Publish a survey before importing responses")
    return version, store.definitions(version)


def _mapping(form: FormMultiDict, table: Table, survey: Survey) -> dict[int, str]:
    """Column number -> question key, for the columns mapped to a question."""
    keys = {value for value, _ in targets(survey)}
    return {
        n: str(form.get(f"column-{n}"))
        for n in range(len(table.headers))
        if str(form.get(f"column-{n}", "")) in keys
    }


class ImportController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/responses/import"
    include_in_schema = False
    guards = [requires(Permission.MANAGE_CONSULTATIONS)]
    dependencies = {"data_dir": Provide(upload_dir, sync_to_thread=False)}

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
        data_dir: Path,
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
        _keep(data_dir, consultation_id, token, table)
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
        store: SurveyStore,
        data_dir: Path,
    ) -> Template:
        return await _page(data_dir, store, consultation_id, token, db_session, None)

    @post("/{token:str}")
    async def map_and_import(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        token: str,
        form: FormMultiDict,
        db_session: AsyncSession,
        store: SurveyStore,
        data_dir: Path,
    ) -> Template | Redirect:
        consultation = await consultation_or_404(db_session, consultation_id)
        version, survey = await _published(db_session, store, consultation_id)
        table = _load(data_dir, consultation_id, token)
        mapping = _mapping(form, table, survey)
        chosen_type = str(form.get("respondent_type", ""))
        if chosen_type not in dict(respondent_types(survey, consultation).options):
            chosen_type = ""
        rows, problems = parse_rows(survey, table, mapping)
        problems += await _already_held(db_session, store, consultation_id, table)
        if not mapping:
            problems.insert(0, "Map at least one column to a question")
        result = {"mapping": mapping, "problems": problems, "rows": rows[:5],
                  "respondent_type": chosen_type, "total": len(rows)}  # fmt: skip
        if problems or form.get("action") != "import":
            status = 400 if problems else 200
            return await _page(data_dir, store, consultation_id, token, db_session, result, status)
        columns = {table.headers[n]: k for n, k in mapping.items()}
        done = await write_batches(
            request, db_session, store, consultation_id, version, survey, rows, chosen_type, columns
        )
        if done.stopped:
            _keep(
                data_dir, consultation_id, token, Table(table.headers, table.rows[done.imported :])
            )
            left = rows[done.imported :]
            result.update(stopped=done.stopped, rows=left[:5], total=len(left))
            return await _page(data_dir, store, consultation_id, token, db_session, result, 409)
        uploads.delete(data_dir, token)  # personal data: kept no longer than needed
        return Redirect(f"/staff/consultations/{consultation_id}/responses", status_code=303)

    @post("/{token:str}/cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        consultation_id: uuid.UUID,
        token: str,
        db_session: AsyncSession,
        data_dir: Path,
    ) -> Redirect:
        """Delete the upload and import nothing."""
        await consultation_or_404(db_session, consultation_id)
        table = _load(data_dir, consultation_id, token)
        uploads.delete(data_dir, token)
        audit.record(
            db_session,
            "responses_import_cancelled",
            actor=request.user,
            object_type="consultation",
            object_id=consultation_id,
            detail={"rows": len(table.rows)},
        )
        return Redirect(f"/staff/consultations/{consultation_id}/responses", status_code=303)


def _keep(data_dir: Path, consultation_id: uuid.UUID, token: str, table: Table) -> None:
    content = {
        "consultation_id": str(consultation_id),
        "headers": table.headers,
        "rows": table.rows,
    }
    uploads.save(data_dir, token, content)


async def _page(
    data_dir: Path,
    store: SurveyStore,
    consultation_id: uuid.UUID,
    token: str,
    db_session: AsyncSession,
    result: dict[str, Any] | None,
    status_code: int = 200,
) -> Template:
    consultation = await consultation_or_404(db_session, consultation_id)
    _, survey = await _published(db_session, store, consultation_id)
    table = _load(data_dir, consultation_id, token)
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
