"""The core's routes, collected for `create_app()`."""

from typing import Any

from litestar import get
from litestar.response import Template

from consult.accounts.admin import AuditController, UserAdminController
from consult.accounts.controller import SignInController
from consult.consultations.controller import ConsultationController
from consult.health import healthz, livez
from consult.permissions import Permission, requires
from consult.public import home, quick_exit


@get(
    "/staff",
    name="staff_home",
    guards=[requires(Permission.USE_STAFF_AREA)],
    include_in_schema=False,
)
async def staff_home() -> Template:
    return Template("staff/home.html")


ROUTES: list[Any] = [
    home,
    healthz,
    livez,
    quick_exit,
    staff_home,
    SignInController,
    UserAdminController,
    AuditController,
    ConsultationController,
]
