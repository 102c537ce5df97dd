"""Who is signed in: server-side session authentication for the staff area.

A session counts as signed in only after both the password and the two-factor code; the staff
area signs out after an idle period. A session also carries a keyed fingerprint of the account's
password hash: when the password changes (or is reset), every other session of the account stops
matching and is signed out at its next request.
"""

from __future__ import annotations

import hashlib
import hmac
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
PASSWORD_KEY = "password_mark"  # noqa: S105 - a session key, not a password
SEEN_RESOLUTION = 10

# Everything outside the staff area is public; sign-in pages inside it are too.
PUBLIC_PATHS = [r"^/(?!staff|api/staff)", r"^/staff/login", r"^/staff/two-factor"]


def password_mark(secret: str, user: User) -> str:
    """A keyed fingerprint of the password hash: changes whenever the password does."""
    digest = hmac.new(secret.encode(), user.password_hash.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def _mark(connection: ASGIConnection[Any, Any, Any, Any], user: User) -> str:
    return password_mark(connection.app.state["settings"].secret_key, user)


def sign_in(connection: ASGIConnection[Any, Any, Any, Any], user: User) -> None:
    connection.scope["session"] = {
        USER_KEY: str(user.id),
        SEEN_KEY: time.time(),
        PASSWORD_KEY: _mark(connection, user),
    }
    rotate_session_id(connection)


def start_second_factor(connection: ASGIConnection[Any, Any, Any, Any], user: User) -> None:
    connection.scope["session"] = {
        PENDING_KEY: str(user.id),
        SEEN_KEY: time.time(),
        PASSWORD_KEY: _mark(connection, user),
    }
    rotate_session_id(connection)


def keep_session_after_password_change(
    connection: ASGIConnection[Any, Any, Any, Any], user: User
) -> None:
    """The session that changed the password stays signed in; every other session of the
    account no longer matches the new password's fingerprint. (The ID is kept: the page this
    request renders carries forms whose CSRF token must stay valid.)"""
    session = connection.scope.get("session")
    if isinstance(session, dict):
        session[PASSWORD_KEY] = _mark(connection, user)


def session_matches(session: dict[str, Any], user: User | None, secret: str) -> bool:
    """The session belongs to this active account as it is now (same password)."""
    if user is None or not user.is_active:
        return False
    return hmac.compare_digest(str(session.get(PASSWORD_KEY, "")), password_mark(secret, user))


def idle_too_long(session: dict[str, Any], timeout: int) -> bool:
    return time.time() - float(session.get(SEEN_KEY, 0)) > timeout


def build_session_auth(
    settings: Settings, alchemy: SQLAlchemyAsyncConfig
) -> SessionAuth[User, RotatingSessionBackend]:
    async def retrieve_user(
        session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
    ) -> User | None:
        raw_id = session.get(USER_KEY)
        if not raw_id:
            return None
        if idle_too_long(session, settings.staff_idle_timeout):
            connection.scope["session"] = {}
            return None
        idle = time.time() - float(session.get(SEEN_KEY, 0))
        # Coarse on purpose: an unchanged session is not written back to the store.
        if idle > SEEN_RESOLUTION:
            session[SEEN_KEY] = time.time()
        try:
            user_id = uuid.UUID(str(raw_id))
        except ValueError:
            return None
        async with alchemy.get_session() as db:
            user = await db.get(User, user_id)
        if not session_matches(session, user, settings.secret_key):
            connection.scope["session"] = {}
            return None
        return user

    return SessionAuth[User, RotatingSessionBackend](
        retrieve_user_handler=retrieve_user,
        session_backend_config=RotatingSessionConfig(  # type: ignore[arg-type]
            store="sessions",
            key="session",
            max_age=settings.session_max_age,
            secure=settings.secure_cookies,
            httponly=True,
            samesite="lax",
            id_secret=settings.secret_key,
            staff_keys=(USER_KEY, PENDING_KEY),
            anonymous_max_age=settings.respondent_idle_timeout,
            csrf_cookie="csrf",
        ),
        exclude=PUBLIC_PATHS,
    )


async def staff_user(
    connection: ASGIConnection[Any, Any, Any, Any], alchemy_session: Any
) -> User | None:
    """The signed-in staff user on a public path (where the auth middleware does not run), e.g.
    for staff previews of a draft consultation; None for respondents, and for a staff session
    past the idle timeout or from before a password change: the same rules as the staff area."""
    session = connection.scope.get("session")
    raw_id = session.get(USER_KEY) if isinstance(session, dict) else None
    if not raw_id or not isinstance(session, dict):
        return None
    settings = connection.app.state["settings"]
    if idle_too_long(session, settings.staff_idle_timeout):
        return None
    try:
        user = await alchemy_session.get(User, uuid.UUID(str(raw_id)))
    except ValueError:
        return None
    return user if session_matches(session, user, settings.secret_key) else None
