"""Staff pages that add, edit, reorder and delete the pages of a draft's sections.

Pages have no key: they are addressed by their position in their section, counted from 1 in
addresses (``/sections/<key>/pages/1``) and from 0 in :mod:`.service`.
"""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.builder import forms, service
from surveys.builder.context import item_form, workspace
from surveys.builder.controllers import BASE_PATH
from surveys.builder.editing import (
    MANAGE,
    ItemEdit,
    Req,
    apply_change,
    direction,
    draft_definition,
    find,
    update_item,
)
from surveys.builder.service import Definition


def page_edit(key: str, page: int) -> ItemEdit:
    def locate(definition: Definition) -> tuple[dict, tuple[int, int]]:
        item = service.page_of(definition, key, page - 1)
        return item, (service.section_index(definition, key), page - 1)

    return ItemEdit(
        template="builder/page_form.html",
        action="survey_page_updated",
        anchor=f"section-{key}",
        detail={"section": key, "page": page},
        locate=locate,
        read=forms.page_fields,
        save=lambda definition, fields: service.update_page(definition, key, page - 1, fields),
        context={"key": key, "page": page},
    )


class PageController(Controller):
    path = f"{BASE_PATH}/sections/{{key:str}}/pages"
    include_in_schema = False

    @post("/", guards=MANAGE)
    async def add_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        title = str(form.get("page_title", "") or "").strip()[:300]
        return await apply_change(
            request, db_session, consultation_id, "survey_page_added", f"section-{key}",
            lambda d: service.add_page(d, key, title), section=key,
        )  # fmt: skip

    @get("/{page:int}", guards=MANAGE)
    async def page_form(
        self, consultation_id: uuid.UUID, key: str, page: int, db_session: AsyncSession
    ) -> Template:
        ws = await workspace(db_session, consultation_id)
        definition = draft_definition(ws.draft)
        edit = page_edit(key, page)
        item, position = find(lambda: edit.locate(definition))
        return item_form(ws, edit.template, item, position, **edit.context)

    @post("/{page:int}", guards=MANAGE)
    async def update_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        form: FormMultiDict, db_session: AsyncSession,
    ) -> Template | Redirect:  # fmt: skip
        return await update_item(request, db_session, consultation_id, form, page_edit(key, page))

    @post("/{page:int}/move", guards=MANAGE)
    async def move_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        form: FormMultiDict, db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await apply_change(
            request, db_session, consultation_id, "survey_page_moved", f"section-{key}",
            lambda d: service.move_page(d, key, page - 1, direction(form)), section=key, page=page,
        )  # fmt: skip

    @post("/{page:int}/delete", guards=MANAGE)
    async def delete_page(
        self, request: Req, consultation_id: uuid.UUID, key: str, page: int,
        db_session: AsyncSession,
    ) -> Redirect:  # fmt: skip
        return await apply_change(
            request, db_session, consultation_id, "survey_page_deleted", f"section-{key}",
            lambda d: service.delete_page(d, key, page - 1), section=key, page=page,
        )  # fmt: skip
