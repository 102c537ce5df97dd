"""Staff pages that add, edit, reorder, move between pages and delete a draft's questions.

Questions are addressed by key. A question keeps its key and type once added: answers are
stored under the key, so changing either would orphan them.
"""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import Invalid, NotFound
from consult.forms import FormErrors, text
from surveys.builder import forms, service
from surveys.builder.context import editable, item_form, record, save_definition, workspace
from surveys.builder.controllers import BASE_PATH
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
from surveys.definition import QUESTION_TYPES

TEMPLATE = "builder/question_form.html"


def question_edit(qkey: str) -> ItemEdit:
    def locate(definition: Definition) -> tuple[dict, tuple[int, int]]:
        s, p, q = service.find_question(definition, qkey)
        return definition["sections"][s]["pages"][p]["questions"][q], (s, p)

    return ItemEdit(
        template=TEMPLATE,
        action="survey_question_updated",
        anchor=f"question-{qkey}",
        detail={"question": qkey},
        locate=locate,
        read=lambda form, errors, current: forms.question_fields(
            form, current["type"], errors, current
        ),
        save=lambda definition, fields: service.update_question(definition, qkey, fields),
        # The form shows what was typed: a field cleared on purpose stays cleared.
        shown=lambda current, fields: {**fields, "key": qkey},
    )


def page_choice(raw: str) -> tuple[str, int]:
    """``"<section key>:<page number from 1>"`` from the "Move to page" select list."""
    section, _, number = raw.rpartition(":")
    if not section or not number.isdigit():
        raise Invalid("Choose a page from the list")
    return section, int(number) - 1


class NewQuestionController(Controller):
    path = f"{BASE_PATH}/sections/{{key:str}}/pages/{{page:int}}/questions"
    include_in_schema = False

    @get("/new", guards=MANAGE)
    async def new_question_form(
        self, consultation_id: uuid.UUID, key: str, page: int, db_session: AsyncSession,
        kind: str = "short_text",
    ) -> Template:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        definition = draft_definition(ws.draft)
        find(lambda: service.page_of(definition, key, page - 1))
        if kind not in QUESTION_TYPES:
            raise NotFound("There is no question type with that name")
        position = (service.section_index(definition, key), page - 1)
        return item_form(
            ws, TEMPLATE, {"type": kind},
            position, key=key, page=page, new=True,
        )  # fmt: skip

    @post("/", guards=MANAGE)
    async def add_question(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        form: FormMultiDict, db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        ws = await workspace(db_session, consultation_id)
        draft = await editable(db_session, request, ws)
        find(lambda: service.page_of(draft.definition, key, page - 1))
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
                ws, TEMPLATE, question, position, errors=errors.messages,
                status_code=400, key=key, page=page, new=True,
            )  # fmt: skip
        await save_definition(db_session, draft, changed)
        record(db_session, request, "survey_question_added", draft, question=qkey, type=kind)
        return back(ws.base, f"question-{qkey}")


class QuestionController(Controller):
    path = f"{BASE_PATH}/questions/{{qkey:str}}"
    include_in_schema = False

    @get("/", guards=MANAGE)
    async def question_form(
        self, consultation_id: uuid.UUID, qkey: str, db_session: AsyncSession
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        definition = draft_definition(ws.draft)
        item, position = find(lambda: question_edit(qkey).locate(definition))
        return item_form(ws, TEMPLATE, item, position)

    @post("/", guards=MANAGE)
    async def update_question(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        return await update_item(request, db_session, consultation_id, form, question_edit(qkey))

    @post("/move", guards=MANAGE)
    async def move_question(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await apply_change(
            request, db_session, consultation_id, "survey_question_moved", f"question-{qkey}",
            lambda d: service.move_question(d, qkey, direction(form)), question=qkey,
        )  # fmt: skip

    @post("/page", guards=MANAGE)
    async def move_question_to_page(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        """Move the question to the end of another page of the same draft (a select list)."""
        section, page = page_choice(str(form.get("to", "") or ""))
        return await apply_change(
            request, db_session, consultation_id, "survey_question_moved", f"question-{qkey}",
            lambda d: service.move_question_to_page(d, qkey, section, page),
            question=qkey, section=section, page=page + 1,
        )  # fmt: skip

    @post("/delete", guards=MANAGE)
    async def delete_question(
        self, request: Req, consultation_id: uuid.UUID, qkey: str, db_session: AsyncSession
    ) -> Redirect:
        return await apply_change(
            request, db_session, consultation_id, "survey_question_deleted", "",
            lambda d: service.delete_question(d, qkey), question=qkey,
        )  # fmt: skip
