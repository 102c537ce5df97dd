"""The coordinator's pages: panels, their members and meetings."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from consult.errors import NotFound
from consult.forms import FormErrors, form_values, iso_date, text
from consult.permissions import Permission, requires
from panels import store
from panels.access import membership_problem
from panels.controllers.common import record, today
from panels.forms import choice, criteria_text, read_membership, read_panel, read_user_id
from panels.models import Meeting, Membership, Panel, Theme
from panels.scales import (
    MEMBER_ROLES,
    PANEL_TYPES,
    SCALES,
    THEME_KINDS,
    VETTING_STATUSES,
    is_overdue,
)

GUARD = [requires(Permission.MANAGE_PANELS)]
PANEL_FIELDS = (
    "name",
    "public_name",
    "slug",
    "panel_type",
    "terms_of_reference",
    "outcome_scale",
    "agreement_version",
    "access_days",
    "suppression_k",
)
MEMBERSHIP_FIELDS = (
    "role",
    "vetting_status",
    "vetting_expires_on",
    "agreement_signed_on",
    "agreement_version",
    "training_completed_on",
)
# The choices panel and membership forms offer, from the one vocabulary in panels.scales.
CHOICES = {
    "panel_types": PANEL_TYPES,
    "scale_options": {key: scale.label for key, scale in SCALES.items()},
    "member_roles": MEMBER_ROLES,
    "vetting_statuses": VETTING_STATUSES,
}


def _panel_form(panel: Panel | None, form: FormMultiDict | None, errors: FormErrors) -> Template:
    values = form_values(form) if form else None
    if values is None and panel is not None:
        values = {
            **{name: getattr(panel, name) for name in PANEL_FIELDS},
            "criteria": criteria_text(panel.criteria),
        }
    return Template(
        "panels/panel_form.html",
        context={"panel": panel, "values": values or {}, "errors": errors.messages, **CHOICES},
        status_code=400 if errors else 200,
    )


async def _panel_page(
    db: AsyncSession, panel: Panel, *, status_code: int = 200, **extra: Any
) -> Template:
    users = await store.users_by_id(db, [m.user_id for m in panel.memberships])
    candidates = [
        u
        for u in await store.panel_member_accounts(db)
        if u.id not in {m.user_id for m in panel.memberships}
    ]
    recommendations = await store.recommendations(db, panel.id)
    cases = await store.cases(db, panel.id)
    context = {
        "panel": panel,
        "users": users,
        "candidates": candidates,
        "problems": {m.id: membership_problem(m, panel, today()) for m in panel.memberships},
        "meetings": await store.meetings(db, panel.id),
        "cases": cases,
        "references": {c.id: c.reference for c in cases},
        "themes": await store.themes(db, panel.id),
        "theme_kinds": THEME_KINDS,
        "recommendations": recommendations,
        "overdue": {r.id for r in recommendations if is_overdue(r.status, r.due_on, today())},
        "errors": {},
        "values": {},
        **CHOICES,
        **extra,
    }
    return Template("panels/panel.html", context=context, status_code=status_code)


class PanelController(Controller):
    path = "/staff/panels"
    include_in_schema = False
    guards = GUARD

    @get("/", name="panels")
    async def list_panels(self, db_session: AsyncSession) -> Template:
        overdue = [
            r
            for r in await store.recommendations(db_session)
            if is_overdue(r.status, r.due_on, today())
        ]
        return Template(
            "panels/panels.html",
            context={"panels": await store.all_panels(db_session), "overdue": overdue},
        )

    @get("/new")
    async def new_form(self) -> Template:
        return _panel_form(None, None, FormErrors())

    @post("/new")
    async def create(
        self, request: Request[Any, Any, Any], form: FormMultiDict, db_session: AsyncSession
    ) -> Template | Redirect:
        errors = FormErrors()
        values = read_panel(form, errors)
        if not errors and await store.panel_by_slug(db_session, values["slug"]):
            errors.add("slug", "Another panel already uses that web address")
        if errors:
            return _panel_form(None, form, errors)
        panel = Panel(**values)
        db_session.add(panel)
        await db_session.flush()
        record(db_session, request, "panel_created", "panel", panel.id)
        return Redirect(f"/staff/panels/{panel.id}", status_code=303)

    @get("/{panel_id:uuid}")
    async def show(self, panel_id: uuid.UUID, db_session: AsyncSession) -> Template:
        return await _panel_page(db_session, await store.panel(db_session, panel_id))

    @get("/{panel_id:uuid}/edit")
    async def edit_form(self, panel_id: uuid.UUID, db_session: AsyncSession) -> Template:
        return _panel_form(await store.panel(db_session, panel_id), None, FormErrors())

    @post("/{panel_id:uuid}/edit")
    async def update(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        errors = FormErrors()
        values = read_panel(form, errors)
        other = await store.panel_by_slug(db_session, values["slug"]) if values["slug"] else None
        if other is not None and other.id != panel.id:
            errors.add("slug", "Another panel already uses that web address")
        if errors:
            return _panel_form(panel, form, errors)
        for name, value in values.items():
            setattr(panel, name, value)
        record(db_session, request, "panel_updated", "panel", panel.id)
        return Redirect(f"/staff/panels/{panel.id}", status_code=303)

    @post("/{panel_id:uuid}/members")
    async def add_member(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        errors = FormErrors()
        taken = {m.user_id for m in panel.memberships}
        options = {
            str(u.id) for u in await store.panel_member_accounts(db_session) if u.id not in taken
        }
        user_id = read_user_id(form, options, errors)
        values = read_membership(form, errors)
        if errors or user_id is None:
            return await _panel_page(
                db_session, panel, status_code=400, errors=errors.messages, values=form_values(form)
            )
        membership = Membership(user_id=user_id, **values)
        panel.memberships.append(membership)
        await db_session.flush()
        record(db_session, request, "panel_member_added", "panel", panel.id, user=str(user_id))
        return Redirect(f"/staff/panels/{panel.id}#members", status_code=303)

    @get("/{panel_id:uuid}/members/{membership_id:uuid}")
    async def member_form(
        self, panel_id: uuid.UUID, membership_id: uuid.UUID, db_session: AsyncSession
    ) -> Template:
        panel = await store.panel(db_session, panel_id)
        membership = _membership(panel, membership_id)
        users = await store.users_by_id(db_session, [membership.user_id])
        values = {name: getattr(membership, name) for name in MEMBERSHIP_FIELDS}
        return Template(
            "panels/member_form.html",
            context={
                "panel": panel,
                "membership": membership,
                "user": users[membership.user_id],
                "values": values,
                "errors": {},
                **CHOICES,
            },
        )

    @post("/{panel_id:uuid}/members/{membership_id:uuid}")
    async def update_member(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        membership_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        membership = _membership(panel, membership_id)
        errors = FormErrors()
        values = read_membership(form, errors)
        if errors:
            users = await store.users_by_id(db_session, [membership.user_id])
            return Template(
                "panels/member_form.html",
                context={
                    "panel": panel,
                    "membership": membership,
                    "user": users[membership.user_id],
                    "values": form_values(form),
                    "errors": errors.messages,
                    **CHOICES,
                },
                status_code=400,
            )
        for name, value in values.items():
            setattr(membership, name, value)
        record(
            db_session, request, "panel_member_updated", "panel", panel.id,
            user=str(membership.user_id),
        )  # fmt: skip
        return Redirect(f"/staff/panels/{panel.id}#members", status_code=303)

    @post("/{panel_id:uuid}/themes")
    async def add_theme(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        """A theme across cases (the chair records themes of one case at the reveal)."""
        panel = await store.panel(db_session, panel_id)
        errors = FormErrors()
        kind = choice(form, "kind", "the kind of theme", THEME_KINDS, errors)
        theme_text = text(form, "theme_text", "Theme", errors, max_length=2000, required=True)
        if errors:
            return await _panel_page(
                db_session, panel, status_code=400, errors=errors.messages, values=form_values(form)
            )
        db_session.add(Theme(panel_id=panel.id, kind=kind, text=theme_text))
        record(db_session, request, "panel_theme_added", "panel", panel.id, kind=kind)
        return Redirect(f"/staff/panels/{panel.id}#themes", status_code=303)

    @post("/{panel_id:uuid}/meetings")
    async def add_meeting(
        self,
        request: Request[Any, Any, Any],
        panel_id: uuid.UUID,
        form: FormMultiDict,
        db_session: AsyncSession,
    ) -> Template | Redirect:
        panel = await store.panel(db_session, panel_id)
        errors = FormErrors()
        held_on = iso_date(form, "held_on", "Meeting date", errors)
        if held_on is None:
            errors.add("held_on", "Enter the meeting date, like 2027-03-31")
        if errors or held_on is None:
            return await _panel_page(
                db_session, panel, status_code=400, errors=errors.messages, values=form_values(form)
            )
        meeting = Meeting(panel_id=panel.id, held_on=held_on)
        db_session.add(meeting)
        await db_session.flush()
        record(db_session, request, "panel_meeting_added", "panel_meeting", meeting.id)
        return Redirect(f"/staff/panels/{panel.id}/meetings/{meeting.id}", status_code=303)


def _membership(panel: Panel, membership_id: uuid.UUID) -> Membership:
    found = next((m for m in panel.memberships if m.id == membership_id), None)
    if found is None:
        raise NotFound("That person is not a member of this panel")
    return found
