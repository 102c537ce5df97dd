"""Who is signed in: server-side session authentication for the staff area.

A session counts as signed in only after both the password and the two-factor code; the staff
area signs out after an idle period.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar.connection import ASGIConnection
from litestar.security.session_auth import SessionAuth

from consult.accounts.models import User
from consult.sessions import RotatingSessionBackend, RotatingSessionConfig, rotate_session_id
from consult.settings import Settings

USER_KEY = "user_id"
PENDING_KEY = "pending_user_id"
SEEN_KEY = "staff_seen"
SEEN_RESOLUTION = 10

# Everything outside the staff area is public; sign-in pages inside it are too.
PUBLIC_PATHS = [r"^/(?!staff|api/staff)", r"^/staff/login", r"^/staff/two-factor"]


def sign_in(connection: ASGIConnection[Any, Any, Any, Any], user: User) -> None:
    connection.scope["session"] = {USER_KEY: str(user.id), SEEN_KEY: time.time()}
    rotate_session_id(connection)


def start_second_factor(connection: ASGIConnection[Any, Any, Any, Any], user: User) -> None:
    connection.scope["session"] = {PENDING_KEY: str(user.id), SEEN_KEY: time.time()}
    rotate_session_id(connection)


def build_session_auth(
    settings: Settings, alchemy: SQLAlchemyAsyncConfig
) -> SessionAuth[User, RotatingSessionBackend]:
    async def retrieve_user(
        session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
    ) -> User | None:
        raw_id = session.get(USER_KEY)
        if not raw_id:
            return None
        idle = time.time() - float(session.get(SEEN_KEY, 0))
        if idle > settings.staff_idle_timeout:
            connection.scope["session"] = {}
            return None
        # Coarse on purpose: an unchanged session is not written back to the store.
        if idle > SEEN_RESOLUTION:
            session[SEEN_KEY] = time.time()
        try:
            user_id = uuid.UUID(str(raw_id))
        except ValueError:
            return None
        async with alchemy.get_session() as db:
            user = await db.get(User, user_id)
        return user if user is not None and user.is_active else None

    return SessionAuth[User, RotatingSessionBackend](
        retrieve_user_handler=retrieve_user,
        session_backend_config=RotatingSessionConfig(  # type: ignore[arg-type]
            store="sessions",
            key="session",
            max_age=settings.session_max_age,
            secure=settings.secure_cookies,
            httponly=True,
            samesite="lax",
        ),
        exclude=PUBLIC_PATHS,
    )


async def staff_user(
    connection: ASGIConnection[Any, Any, Any, Any], alchemy_session: Any
) -> User | None:
    """The signed-in staff user on a public path (where the auth middleware does not run), e.g.
    for staff previews of a draft consultation; None for respondents."""
    session = connection.scope.get("session")
    raw_id = session.get(USER_KEY) if isinstance(session, dict) else None
    if not raw_id:
        return None
    try:
        user = await alchemy_session.get(User, uuid.UUID(str(raw_id)))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None
