"""The two shapes every builder change takes, written once.

- :func:`apply_change`: a form-less edit (move, delete, add a page) applied to the draft.
- :func:`update_item`: an edit form for a section, page or question: read the form against the
  item as stored, show the form again with messages (400) when it has problems, otherwise save.

Both make the draft when there is none (so a published version is never touched), record one
audit event in the same transaction and redirect back (post/redirect/get).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import NotFound
from consult.forms import FormErrors
from consult.permissions import Permission, requires
from surveys.builder.context import editable, item_form, record, save_definition, workspace
from surveys.builder.service import BuilderError, Definition

MANAGE = [requires(Permission.MANAGE_CONSULTATIONS)]
Req = Request[Any, Any, Any]
Item = dict[str, Any]
Position = tuple[int, int]


def back(base: str, anchor: str = "") -> Redirect:
    return Redirect(f"{base}#{anchor}" if anchor else base, status_code=303)


def direction(form: FormMultiDict) -> str:
    return "up" if form.get("direction") == "up" else "down"


def draft_definition(draft: Any) -> Definition:
    if draft is None:
        raise NotFound("There is no draft to edit. Choose 'Edit survey' on the survey page first.")
    definition: Definition = draft.definition
    return definition


def find(lookup: Callable[[], Any]) -> Any:
    """Run a service lookup, turning "not there any more" into a 404 page."""
    try:
        return lookup()
    except BuilderError as error:
        raise NotFound(error.message) from error


async def apply_change(
    request: Req,
    db: AsyncSession,
    consultation_id: uuid.UUID,
    action: str,
    anchor: str,
    edit: Callable[[Definition], Definition],
    **detail: Any,
) -> Redirect:
    """One form-less edit (move, delete, add page) applied to the draft and audited."""
    ws = await workspace(db, consultation_id)
    draft = await editable(db, request, ws)
    changed = find(lambda: edit(draft.definition))
    await save_definition(db, draft, changed)
    record(db, request, action, draft, **detail)
    return back(ws.base, anchor)


def _merged(current: Item, fields: Item) -> Item:
    return {**current, **fields}


@dataclass(frozen=True)
class ItemEdit:
    """How one kind of item's edit form is read, saved and audited."""

    template: str
    action: str
    anchor: str
    detail: dict[str, Any]
    # The item as stored and its (section, page) position, which routing choices depend on.
    locate: Callable[[Definition], tuple[Item, Position]]
    read: Callable[[FormMultiDict, FormErrors, Item], Item]
    save: Callable[[Definition, Item], Definition]
    # What the form shows again when it has problems.
    shown: Callable[[Item, Item], Item] = _merged
    context: dict[str, Any] = field(default_factory=dict)


async def update_item(
    request: Req,
    db: AsyncSession,
    consultation_id: uuid.UUID,
    form: FormMultiDict,
    edit: ItemEdit,
) -> Template | Redirect:
    ws = await workspace(db, consultation_id)
    draft = await editable(db, request, ws)
    current, position = find(lambda: edit.locate(draft.definition))
    errors = FormErrors()
    fields = edit.read(form, errors, current)
    if errors:
        return item_form(
            ws, edit.template, edit.shown(current, fields), position,
            errors=errors.messages, status_code=400, **edit.context,
        )  # fmt: skip
    await save_definition(db, draft, edit.save(draft.definition, fields))
    record(db, request, edit.action, draft, **edit.detail)
    return back(ws.base, edit.anchor)
