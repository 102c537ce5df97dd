"""Administrators' pages: staff accounts and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.accounts.models import User
from consult.accounts.service import UserService
from consult.errors import ConsultError
from consult.forms import FormErrors, form_values, text
from consult.permissions import Permission, Role, requires

PAGE_SIZE = 50


class UserAdminController(Controller):
    path = "/staff/users"
    guards = [requires(Permission.MANAGE_USERS)]
    include_in_schema = False

    @get("/", name="users")
    async def list_users(self, db_session: AsyncSession) -> Template:
        users = (await db_session.execute(select(User).order_by(User.email))).scalars()
        return Template("staff/users.html", context={"users": list(users)})

    @get("/new", name="user_new")
    async def new_user_form(self) -> Template:
        return Template(
            "staff/user_new.html", context={"errors": {}, "values": {}, "roles": list(Role)}
        )

    @post("/new")
    async def create_user(
        self, request: Request[Any, Any, Any], form: FormMultiDict, db_session: AsyncSession
    ) -> Template | Redirect:
        errors = FormErrors()
        email = text(form, "email", "Email address", errors, max_length=320, required=True)
        name = text(form, "name", "Name", errors, max_length=200, required=True)
        role = text(form, "role", "Role", errors, max_length=40, required=True)
        password = str(form.get("password", ""))[:1024]
        if not errors:
            try:
                user = await UserService(session=db_session).create_user(
                    email=email, name=name, role=role, password=password
                )
            except ConsultError as exc:
                errors.add("email" if "account" in exc.message else "password", exc.message)
            else:
                audit.record(
                    db_session,
                    "user_created",
                    actor=request.user,
                    object_type="user",
                    object_id=user.id,
                    detail={"role": role},
                )
                return Redirect("/staff/users", status_code=303)
        values = form_values(form)
        values.pop("password", None)
        return Template(
            "staff/user_new.html",
            context={"errors": errors.messages, "values": values, "roles": list(Role)},
            status_code=400,
        )


class AuditController(Controller):
    path = "/staff/audit"
    guards = [requires(Permission.VIEW_AUDIT_LOG)]
    include_in_schema = False

    @get("/", name="audit_log")
    async def audit_log(
        self, db_session: AsyncSession, page: Annotated[int, Parameter(ge=1, le=100_000)] = 1
    ) -> Template:
        events = await audit.recent_events(
            db_session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        return Template(
            "staff/audit.html",
            context={
                "events": await audit.readable(db_session, events),
                "page": page,
                "has_next": len(events) == PAGE_SIZE,
            },
        )
