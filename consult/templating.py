"""Jinja set-up: helpers every template may call."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar.contrib.jinja import JinjaTemplateEngine

from consult.permissions import Permission, Role, role_can


def _can(request: Any, permission: str) -> bool:
    user = request.scope.get("user")
    return user is not None and role_can(user.role, Permission(permission))


def _current_user(request: Any) -> Any:
    return request.scope.get("user")


def configure_jinja(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.autoescape = True
    env.globals.update(can=_can, current_user=_current_user, Role=Role, today=date.today)
    env.trim_blocks = True
    env.lstrip_blocks = True
