"""Staff pages that build a survey's draft: settings, sections, pages and questions.

Every handler reads its form, applies one pure edit from :mod:`.service` to the draft's
definition, records an audit event in the same transaction and redirects back (post/redirect/
get). Any change to a survey with no draft first makes one, copied from the latest published
version, so a published version is never touched.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Invalid, NotFound
from consult.forms import FormErrors, form_values, text
from consult.permissions import Permission, requires
from surveys.builder import forms, service, versions
from surveys.builder.context import builder_page, editable, item_form, record, workspace
from surveys.builder.service import BuilderError, Definition
from surveys.definition import QUESTION_TYPES

MANAGE = [requires(Permission.MANAGE_CONSULTATIONS)]
Req = Request[Any, Any, Any]


def back(base: str, anchor: str = "") -> Redirect:
    return Redirect(f"{base}#{anchor}" if anchor else base, status_code=303)


def direction(form: FormMultiDict) -> str:
    return "up" if form.get("direction") == "up" else "down"


class SurveyBuilderController(Controller):
    path = "/staff/consultations/{consultation_id:uuid}/survey"
    include_in_schema = False

    @get("/", name="survey_builder", guards=[requires(Permission.VIEW_CONSULTATIONS)])
    async def show(self, consultation_id: uuid.UUID, db_session: AsyncSession) -> Template:
        return builder_page(await workspace(db_session, consultation_id))

    @post("/edit", guards=MANAGE)
    async def start_editing(
        self, request: Req, consultation_id: uuid.UUID, db_session: AsyncSession
    ) -> Redirect:
        ws = await workspace(db_session, consultation_id)
        await editable(db_session, request, ws)
        return back(ws.base)

    @post("/settings", guards=MANAGE)
    async def settings(
        self,
        request: Req,
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        ws = await workspace(db_session, consultation_id)
        errors = FormErrors()
        fields = forms.survey_settings(form, errors)
        draft = await editable(db_session, request, ws)
        choices = [key for key, _ in service.single_choice_questions(draft.definition)]
        if fields["respondent_type_question"] and fields["respondent_type_question"] not in choices:
            errors.add("respondent_type_question", "Choose a single-choice question from the list")
        if errors:
            return builder_page(
                ws, errors=errors.messages, values=form_values(form), status_code=400
            )
        versions.save_definition(draft, service.update_survey(draft.definition, fields))
        record(db_session, request, "survey_settings_updated", draft)
        return back(ws.base)

    # --- sections -------------------------------------------------------------------------------
    @post("/sections", guards=MANAGE)
    async def add_section(
        self,
        request: Req,
        consultation_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        ws = await workspace(db_session, consultation_id)
        errors = FormErrors()
        title = text(form, "section_title", "Section title", errors, required=True)
        key = text(form, "section_key", "Section key", errors, max_length=60) or service.key_from(
            title, "section"
        )
        draft = await editable(db_session, request, ws)
        try:
            changed = service.add_section(draft.definition, key, title)
        except BuilderError as error:
            errors.add("section_key", error.message)
        if errors:
            return builder_page(
                ws, errors=errors.messages, values=form_values(form), status_code=400
            )
        versions.save_definition(draft, changed)
        record(db_session, request, "survey_section_added", draft, section=key)
        return back(ws.base, f"section-{key}")

    @get("/sections/{key:str}", guards=MANAGE)
    async def section_form(
        self, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        definition = _draft_definition(ws.draft)
        s = _find(lambda: service.section_index(definition, key))
        return item_form(ws, "builder/section_form.html", definition["sections"][s], (s, -1))

    @post("/sections/{key:str}", guards=MANAGE)
    async def update_section(
        self, request: Req, consultation_id: uuid.UUID, key: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        draft = await editable(db_session, request, ws)
        s = _find(lambda: service.section_index(draft.definition, key))
        current = draft.definition["sections"][s]
        errors = FormErrors()
        fields = forms.section_fields(form, errors, current)
        if errors:
            return item_form(
                ws, "builder/section_form.html", {**current, **fields}, (s, -1),
                errors=errors.messages, status_code=400,
            )  # fmt: skip
        versions.save_definition(draft, service.update_section(draft.definition, key, fields))
        record(db_session, request, "survey_section_updated", draft, section=key)
        return back(ws.base, f"section-{key}")

    @post("/sections/{key:str}/move", guards=MANAGE)
    async def move_section(
        self, request: Req, consultation_id: uuid.UUID, key: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await self._change(
            request, db_session, consultation_id, "survey_section_moved", f"section-{key}",
            lambda d: service.move_section(d, key, direction(form)), section=key,
        )  # fmt: skip

    @post("/sections/{key:str}/delete", guards=MANAGE)
    async def delete_section(
        self, request: Req, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Redirect:
        return await self._change(
            request, db_session, consultation_id, "survey_section_deleted", "",
            lambda d: service.delete_section(d, key), section=key,
        )  # fmt: skip

    # --- pages ----------------------------------------------------------------------------------
    @post("/sections/{key:str}/pages", guards=MANAGE)
    async def add_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        title = str(form.get("page_title", "") or "").strip()[:300]
        return await self._change(
            request, db_session, consultation_id, "survey_page_added", f"section-{key}",
            lambda d: service.add_page(d, key, title), section=key,
        )  # fmt: skip

    @get("/sections/{key:str}/pages/{page:int}", guards=MANAGE)
    async def page_form(
        self, consultation_id: uuid.UUID, key: str, page: int, db_session: AsyncSession
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        definition = _draft_definition(ws.draft)
        item = _find(lambda: service.page_of(definition, key, page - 1))
        s = service.section_index(definition, key)
        return item_form(ws, "builder/page_form.html", item, (s, page - 1), key=key, page=page)

    @post("/sections/{key:str}/pages/{page:int}", guards=MANAGE)
    async def update_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        form: FormMultiDict, db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        draft = await editable(db_session, request, ws)
        current = _find(lambda: service.page_of(draft.definition, key, page - 1))
        errors = FormErrors()
        fields = forms.page_fields(form, errors, current)
        if errors:
            s = service.section_index(draft.definition, key)
            return item_form(
                ws, "builder/page_form.html", {**current, **fields}, (s, page - 1),
                errors=errors.messages, status_code=400, key=key, page=page,
            )  # fmt: skip
        changed = service.update_page(draft.definition, key, page - 1, fields)
        versions.save_definition(draft, changed)
        record(db_session, request, "survey_page_updated", draft, section=key, page=page)
        return back(ws.base, f"section-{key}")

    @post("/sections/{key:str}/pages/{page:int}/move", guards=MANAGE)
    async def move_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        form: FormMultiDict, db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await self._change(
            request, db_session, consultation_id, "survey_page_moved", f"section-{key}",
            lambda d: service.move_page(d, key, page - 1, direction(form)), section=key, page=page,
        )  # fmt: skip

    @post("/sections/{key:str}/pages/{page:int}/delete", guards=MANAGE)
    async def delete_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await self._change(
            request, db_session, consultation_id, "survey_page_deleted", f"section-{key}",
            lambda d: service.delete_page(d, key, page - 1), section=key, page=page,
        )  # fmt: skip

    # --- questions ------------------------------------------------------------------------------
    @get("/sections/{key:str}/pages/{page:int}/questions/new", guards=MANAGE)
    async def new_question_form(
        self, consultation_id: uuid.UUID, key: str, page: int, db_session: AsyncSession,
        kind: str = "short_text",
    ) -> Template:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        definition = _draft_definition(ws.draft)
        _find(lambda: service.page_of(definition, key, page - 1))
        if kind not in QUESTION_TYPES:
            raise NotFound("There is no question type with that name")
        position = (service.section_index(definition, key), page - 1)
        return item_form(
            ws, "builder/question_form.html", {"type": kind, "sensitive": True, "required": True},
            position, key=key, page=page, new=True,
        )  # fmt: skip

    @post("/sections/{key:str}/pages/{page:int}/questions", guards=MANAGE)
    async def add_question(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        form: FormMultiDict, db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        draft = await editable(db_session, request, ws)
        _find(lambda: service.page_of(draft.definition, key, page - 1))
        kind = str(form.get("type", ""))
        if kind not in QUESTION_TYPES:
            raise Invalid("Choose a question type from the list")
        errors = FormErrors()
        qkey = text(form, "key", "Question key", errors, max_length=60)
        fields = forms.question_fields(form, kind, errors, {})
        qkey = qkey or service.key_from(fields.get("title", ""), "question")
        question = {"key": qkey, **fields}
        changed: Definition = draft.definition
        if not errors:
            try:
                changed = service.add_question(draft.definition, key, page - 1, question)
            except BuilderError as error:
                errors.add("key", error.message)
        if errors:
            position = (service.section_index(draft.definition, key), page - 1)
            return item_form(
                ws, "builder/question_form.html", question, position, errors=errors.messages,
                status_code=400, key=key, page=page, new=True,
            )  # fmt: skip
        versions.save_definition(draft, changed)
        record(db_session, request, "survey_question_added", draft, question=qkey, type=kind)
        return back(ws.base, f"question-{qkey}")

    @get("/questions/{qkey:str}", guards=MANAGE)
    async def question_form(
        self, consultation_id: uuid.UUID, qkey: str, db_session: AsyncSession
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        definition = _draft_definition(ws.draft)
        s, p, q = _find(lambda: service.find_question(definition, qkey))
        item = definition["sections"][s]["pages"][p]["questions"][q]
        return item_form(ws, "builder/question_form.html", item, (s, p))

    @post("/questions/{qkey:str}", guards=MANAGE)
    async def update_question(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        draft = await editable(db_session, request, ws)
        s, p, q = _find(lambda: service.find_question(draft.definition, qkey))
        current = draft.definition["sections"][s]["pages"][p]["questions"][q]
        errors = FormErrors()
        fields = forms.question_fields(form, current["type"], errors, current)
        if errors:
            return item_form(
                ws, "builder/question_form.html", {**fields, "key": qkey}, (s, p),
                errors=errors.messages, status_code=400,
            )  # fmt: skip
        versions.save_definition(draft, service.update_question(draft.definition, qkey, fields))
        record(db_session, request, "survey_question_updated", draft, question=qkey)
        return back(ws.base, f"question-{qkey}")

    @post("/questions/{qkey:str}/move", guards=MANAGE)
    async def move_question(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await self._change(
            request, db_session, consultation_id, "survey_question_moved", f"question-{qkey}",
            lambda d: service.move_question(d, qkey, direction(form)), question=qkey,
        )  # fmt: skip

    @post("/questions/{qkey:str}/delete", guards=MANAGE)
    async def delete_question(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, db_session: AsyncSession
    ) -> Redirect:
        return await self._change(
            request, db_session, consultation_id, "survey_question_deleted", "",
            lambda d: service.delete_question(d, qkey), question=qkey,
        )  # fmt: skip

    async def _change(
        self, request: Req, db: AsyncSession, consultation_id: uuid.UUID, action: str,
        anchor: str, edit: Any, **detail: Any,
    ) -> Redirect:  # fmt: skip
        """One form-less edit (move, delete, add page) applied to the draft and audited."""
        ws = await workspace(db, consultation_id)
        draft = await editable(db, request, ws)
        changed = _find(lambda: edit(draft.definition))
        versions.save_definition(draft, changed)
        record(db, request, action, draft, **detail)
        return back(ws.base, anchor)


def _draft_definition(draft: Any) -> Definition:
    if draft is None:
        raise NotFound("There is no draft to edit. Choose 'Edit survey' on the survey page first.")
    definition: Definition = draft.definition
    return definition


def _find(lookup: Any) -> Any:
    """Run a service lookup, turning "not there any more" into a 404 page."""
    try:
        return lookup()
    except BuilderError as error:
        raise NotFound(error.message) from error
