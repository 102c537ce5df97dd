"""Staff pages that build a survey's draft: the survey page, its settings and its sections.

Every handler reads its form, applies one pure edit from :mod:`.service` to the draft's
definition, records an audit event in the same transaction and redirects back (post/redirect/
get); the shared shapes live in :mod:`.editing`. Any change to a survey with no draft first
makes one, copied from the latest published version, so a published version is never touched.
Pages are in :mod:`.pages`, questions in :mod:`.questions`.
"""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.forms import FormErrors, form_values, text
from consult.permissions import Permission, requires
from surveys.builder import choices, forms, service
from surveys.builder.context import (
    builder_page,
    editable,
    item_form,
    record,
    save_definition,
    workspace,
)
from surveys.builder.editing import (
    MANAGE,
    ItemEdit,
    Req,
    apply_change,
    back,
    direction,
    draft_definition,
    find,
    update_item,
)
from surveys.builder.service import BuilderError, Definition

BASE_PATH = "/staff/consultations/{consultation_id:uuid}/survey"


def section_edit(key: str) -> ItemEdit:
    def locate(definition: Definition) -> tuple[dict, tuple[int, int]]:
        s = service.section_index(definition, key)
        return definition["sections"][s], (s, -1)

    return ItemEdit(
        template="builder/section_form.html",
        action="survey_section_updated",
        anchor=f"section-{key}",
        detail={"section": key},
        locate=locate,
        read=forms.section_fields,
        save=lambda definition, fields: service.update_section(definition, key, fields),
    )


class SurveyBuilderController(Controller):
    path = BASE_PATH
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
        offered = [key for key, _ in choices.single_choice_questions(draft.definition)]
        if fields["respondent_type_question"] and fields["respondent_type_question"] not in offered:
            errors.add("respondent_type_question", "Choose a single-choice question from the list")
        if errors:
            return builder_page(
                ws, errors=errors.messages, values=form_values(form), status_code=400
            )
        await save_definition(db_session, draft, service.update_survey(draft.definition, fields))
        record(db_session, request, "survey_settings_updated", draft)
        return back(ws.base)


class SectionController(Controller):
    path = f"{BASE_PATH}/sections"
    include_in_schema = False

    @post("/", guards=MANAGE)
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
        await save_definition(db_session, draft, changed)
        record(db_session, request, "survey_section_added", draft, section=key)
        return back(ws.base, f"section-{key}")

    @get("/{key:str}", guards=MANAGE)
    async def section_form(
        self, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        definition = draft_definition(ws.draft)
        item, position = find(lambda: section_edit(key).locate(definition))
        return item_form(ws, "builder/section_form.html", item, position)

    @post("/{key:str}", guards=MANAGE)
    async def update_section(
        self, request: Req, consultation_id: uuid.UUID, key: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        return await update_item(request, db_session, consultation_id, form, section_edit(key))

    @post("/{key:str}/move", guards=MANAGE)
    async def move_section(
        self, request: Req, consultation_id: uuid.UUID, key: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await apply_change(
            request, db_session, consultation_id, "survey_section_moved", f"section-{key}",
            lambda d: service.move_section(d, key, direction(form)), section=key,
        )  # fmt: skip

    @post("/{key:str}/delete", guards=MANAGE)
    async def delete_section(
        self, request: Req, consultation_id: uuid.UUID, key: str, db_session: AsyncSession
    ) -> Redirect:
        return await apply_change(
            request, db_session, consultation_id, "survey_section_deleted", "",
            lambda d: service.delete_section(d, key), section=key,
        )  # fmt: skip
