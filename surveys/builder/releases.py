"""Staff pages around whole versions: publish, discard, copy, import, export, and duplicating
the consultation. Publishing is the only way a version goes live, and it refuses a definition
that would not load or a consultation whose data-protection record is incomplete."""

from __future__ import annotations

import json
import uuid
from typing import Any

import yaml
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.response import Redirect, Template
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.errors import Conflict
from consult.permissions import Permission, requires
from surveys.builder.context import builder_page, record, workspace
from surveys.builder.problems import publish_problems
from surveys.definition import (
    DefinitionError,
    parse_definition_text,
    survey_from_dict,
    survey_to_dict,
)
from surveys.store import editing as versions
from surveys.store.database import run
from surveys.store.versions import Version

MANAGE = [requires(Permission.MANAGE_CONSULTATIONS)]
MAX_IMPORT = 1024 * 1024
Req = Request[Any, Any, Any]


def problem_summary(problems: list[str]) -> dict[str, str]:
    """Messages for the GOV.UK error summary; each links to the list of problems."""
    return {f"problem-{i}": message for i, message in enumerate(problems, 1)}


async def read_upload(form: FormMultiDict) -> tuple[dict[str, Any] | None, list[str]]:
    """The uploaded definition as checked data, or the problems (by field path) and no data.

    The text is parsed here rather than by ``load_definition``, which treats a one-line string
    ending in ``.yaml`` as a path on the server: an upload must never read a server file.
    """
    upload = form.get("definition")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, ["definition: choose a YAML or JSON file to import"]
    raw = await upload.read()
    if len(raw) > MAX_IMPORT:
        return None, ["definition: the file is larger than 1 MB"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["definition: the file is not UTF-8 text"]
    try:
        return survey_to_dict(survey_from_dict(parse_definition_text(text))), []
    except DefinitionError as error:
        return None, error.messages


class SurveyVersionController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/survey"
    include_in_schema = False

    @post("/publish", guards=MANAGE)
    async def publish(
        self, request: Req, consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Template | Redirect:
        ws = await workspace(db_session, consultation_id)
        draft = ws.draft
        if draft is None or ws.survey is None:
            raise Conflict("There is no draft to publish")
        problems = publish_problems(draft.definition, ws.consultation.missing_data_protection())
        if problems:
            return builder_page(ws, errors=problem_summary(problems), status_code=422)
        survey = ws.survey
        await run(db_session, lambda c: versions.publish(c, survey, draft))
        record(db_session, request, "survey_version_published", draft, number=draft.number)
        return Redirect(ws.base, status_code=303)

    @post("/discard", guards=MANAGE)
    async def discard(
        self, request: Req, consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        ws = await workspace(db_session, consultation_id)
        if ws.draft is None:
            raise Conflict("There is no draft to discard")
        draft = ws.draft
        record(db_session, request, "survey_draft_discarded", draft, number=draft.number)
        await run(db_session, lambda c: versions.discard_draft(c, draft))
        return Redirect(ws.base, status_code=303)

    @post("/versions/{number:int}/copy", guards=MANAGE)
    async def copy_version(
        self, request: Req, consultation_id: uuid.UUID, number: int, db_session: AsyncSession
    ) -> Redirect:
        """Duplicate any version (e.g. an older published one) as the new draft."""
        ws = await workspace(db_session, consultation_id)
        if ws.survey is None:
            raise Conflict("This consultation has no survey yet")
        survey_id, consultation = ws.survey.id, ws.consultation

        def copied(connection: Connection) -> Version:
            source = versions.version_or_404(connection, survey_id, number)
            return versions.start_draft(connection, consultation, source)[0]

        draft = await run(db_session, copied)
        record(db_session, request, "survey_version_copied", draft, source=number)
        return Redirect(ws.base, status_code=303)

    @get("/versions/{number:int}/export", guards=[requires(Permission.VIEW_CONSULTATIONS)])
    async def export(
        self, consultation_id: uuid.UUID, number: int, db_session: AsyncSession,
        format: str = "yaml",
    ) -> Response[str]:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        if ws.survey is None:
            raise Conflict("This consultation has no survey yet")
        survey_id = ws.survey.id
        version = await run(db_session, lambda c: versions.version_or_404(c, survey_id, number))
        data = version.definition
        # A draft may be incomplete, so it is written as stored rather than through the loader.
        if format == "json":
            body, media = json.dumps(data, indent=2, ensure_ascii=False) + "\n", "application/json"
        else:
            format, media = "yaml", "application/yaml"
            body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        name = f"{ws.survey.key}-v{number}.{format}"
        return Response(
            body,
            media_type=f"{media}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/import", guards=MANAGE)
    async def import_definition(
        self, request: Req, consultation_id: uuid.UUID, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        definition, problems = await read_upload(form)
        if definition is None:
            return builder_page(
                ws, errors={"definition": "The file was not imported: fix the problems listed"},
                import_problems=problems, status_code=422,
            )  # fmt: skip
        consultation, first = ws.consultation, ws.survey is None

        def imported(connection: Connection) -> Version:
            if first:
                return versions.create_survey(connection, consultation.id, definition)
            draft, _ = versions.start_draft(connection, consultation)
            return versions.save_definition(connection, draft, definition)

        draft = await run(db_session, imported)
        record(db_session, request, "survey_definition_imported", draft, number=draft.number)
        return Redirect(ws.base, status_code=303)

    @post("/copy-consultation", guards=MANAGE)
    async def copy_consultation(
        self, request: Req, consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        ws = await workspace(db_session, consultation_id)
        original = ws.consultation
        copy_id = await run(db_session, lambda c: versions.duplicate_consultation(c, original))
        audit.record(
            db_session,
            "consultation_duplicated",
            actor=request.user,
            object_type="consultation",
            object_id=copy_id,
            detail={"from": str(ws.consultation.id)},
        )
        return Redirect(f"/staff/consultations/{copy_id}/survey", status_code=303)
