"""Jinja set-up: helpers every template may call."""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import Environment, pass_environment
from litestar.contrib.jinja import JinjaTemplateEngine
from markupsafe import Markup

from consult.caches import AppCache
from consult.permissions import Permission, Role, role_can


def _can(request: Any, permission: str) -> bool:
    user = request.scope.get("user")
    return user is not None and role_can(user.role, Permission(permission))


def _current_user(request: Any) -> Any:
    return request.scope.get("user")


# The "Get help" panel is on every respondent page and depends only on the consultation's support
# directory. Respondent pages get per-worker snapshots of the consultation (surveys.store),
# replaced whenever it or its directory changes, so the panel is rendered once per snapshot and
# kept (weakly, in the app's cache) as long as the snapshot.
def _help_panel_of(cache: AppCache) -> Any:
    panels = cache.weak("help_panels")

    @pass_environment
    def help_panel(env: Environment, consultation: Any) -> Markup:
        if not consultation:  # pages outside a consultation (home, errors) carry no directory
            return Markup(env.get_template("consult/get_help.html").render(consultation=None))  # noqa: S704 - autoescaped template output
        html = panels.get(consultation)
        if html is None:
            template = env.get_template("consult/get_help.html")
            html = panels[consultation] = Markup(template.render(consultation=consultation))  # noqa: S704 - autoescaped template output
        return html

    return help_panel


def configure_jinja(engine: JinjaTemplateEngine, *, cache: AppCache, reload: bool = True) -> None:
    env = engine.engine
    # Checking every template file's mtime on every render is for development only.
    env.auto_reload = reload
    env.autoescape = True
    env.globals.update(
        can=_can,
        current_user=_current_user,
        Role=Role,
        today=date.today,
        help_panel=_help_panel_of(cache),
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
