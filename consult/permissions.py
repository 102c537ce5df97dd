"""Who may do what: the one table of roles and permissions, and the guard that enforces it.

Every staff route names the permission it needs; nothing else in the code decides access.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    RESEARCHER = "researcher"
    PANEL_COORDINATOR = "panel_coordinator"
    PANEL_MEMBER = "panel_member"
    FORCE_LIAISON = "force_liaison"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_CONSULTATIONS = "manage_consultations"
    VIEW_CONSULTATIONS = "view_consultations"
    VIEW_RESPONSES = "view_responses"
    EXPORT_RESPONSES = "export_responses"
    ERASE_RESPONSES = "erase_responses"
    # The researcher workspace: results, breakdowns, word clouds (raw counts, not for publication).
    VIEW_ANALYSIS = "view_analysis"
    MANAGE_PANELS = "manage_panels"
    REVIEW_CASES = "review_cases"
    # The force's written answer to a panel's recommendations (liaison, or coordinator for it).
    RESPOND_TO_RECOMMENDATIONS = "respond_to_recommendations"
    USE_STAFF_AREA = "use_staff_area"
    CODE_RESPONSES = "code_responses"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.RESEARCHER: frozenset(
        {
            Permission.USE_STAFF_AREA,
            Permission.MANAGE_CONSULTATIONS,
            Permission.VIEW_CONSULTATIONS,
            Permission.VIEW_RESPONSES,
            Permission.EXPORT_RESPONSES,
            Permission.ERASE_RESPONSES,
            Permission.CODE_RESPONSES,
            Permission.VIEW_ANALYSIS,
        }
    ),
    Role.PANEL_COORDINATOR: frozenset(
        {
            Permission.USE_STAFF_AREA,
            Permission.VIEW_CONSULTATIONS,
            Permission.MANAGE_PANELS,
            Permission.REVIEW_CASES,
            Permission.RESPOND_TO_RECOMMENDATIONS,
        }
    ),
    # Which panels and cases a member may open, and whether they chair, is decided per panel
    # membership by panels/access.py (vetting, agreement, conflicts, access window).
    Role.PANEL_MEMBER: frozenset({Permission.USE_STAFF_AREA, Permission.REVIEW_CASES}),
    Role.FORCE_LIAISON: frozenset(
        {Permission.USE_STAFF_AREA, Permission.RESPOND_TO_RECOMMENDATIONS}
    ),
}


def role_can(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def requires(permission: Permission) -> Guard:
    """A route guard that lets through only a signed-in user whose role has `permission`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None:
            raise NotAuthorizedException("Sign in to continue.")
        if not role_can(user.role, permission):
            raise PermissionDeniedException("Your role does not allow this.")

    return guard
