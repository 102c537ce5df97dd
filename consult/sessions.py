"""Server-side sessions in the shared store, with a fresh session ID on every sign-in.

Litestar keeps whatever session ID the browser presents. Signing in must issue a new one, or an
ID planted before sign-in would become an authenticated session (session fixation).

What else this adds to Litestar's server-side sessions (security review, docs/security.md):

- the store keeps a keyed hash (HMAC-SHA256 with the deployment's secret) of each session ID,
  never the ID itself, so a copy of the database or of Redis signs nobody in;
- a new session ID (sign-in) and the end of a staff session (sign-out) also end the CSRF
  cookie, so a token handed out before sign-in never works with the signed-in session, nor one
  from the signed-in session after sign-out: the next page issues a new one;
- clearing a session sends ``Max-Age=0`` (not the session lifetime with a past date);
- a session that holds no staff key (a respondent's) lives only as long as the respondent idle
  timeout, in the browser and in the store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty
from sqlalchemy import Connection

from consult.db import DirectStore
from consult.outages import outage_kind

logger = logging.getLogger("consult")

# Route opt: the route works without the session when the store is down (the quick exit).
SESSION_OPTIONAL = "session_optional"
# Route opt: a `SessionCompanion`, the database read the route's handler needs next, run in the
# same unit of work as the session read when sessions live in the database (one connection
# checkout and, on PostgreSQL, one hand-off to SQLAlchemy's greenlet instead of two). Its result
# is found with `read_with_session`.
READ_WITH_SESSION = "read_with_session"

_ROTATE = "consult.rotate_session"
_NEW_ID = "consult.new_session_id"
_OLD_ID = "consult.old_session_id"
_LOADED = "consult.loaded_session"
_COMPANION_READ = "consult.read_with_session"

# (the request, the unit's database connection, the session as loaded: {} when none) -> result
SessionCompanion = Callable[[ASGIConnection[Any, Any, Any, Any], Connection, dict[str, Any]], Any]


def read_with_session(connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
    """What the route's `READ_WITH_SESSION` companion returned for this request; None when it
    did not run (no session cookie, or sessions kept outside the database)."""
    return connection.scope.get("state", {}).get(_COMPANION_READ)


def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask for a new session ID when this response is sent; the old one is deleted."""
    connection.scope.setdefault("state", {})[_ROTATE] = True


async def _keep_posted_form(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Read a respondent's posted form before answering the outage, so the outage page can
    offer to send it again (`consult.errors.outage_page` finds it in the request's state)."""
    request: Request[Any, Any, Any] = Request(connection.scope, connection.receive)
    if request.method == "POST" and request.content_type[0] == "application/x-www-form-urlencoded":
        await request.form()


class RotatingSessionBackend(ServerSideSessionBackend):
    config: RotatingSessionConfig

    def stored_id(self, session_id: str) -> str:
        """The store's key for ``session_id``: a keyed hash, so the store never holds an ID a
        browser could present."""
        key = self.config.id_secret.encode("utf-8")
        return hmac.new(key, session_id.encode("utf-8"), hashlib.sha256).hexdigest()

    async def get(self, session_id: str, store: Store) -> bytes | None:
        return await super().get(self.stored_id(session_id), store)

    async def set(self, session_id: str, data: bytes, store: Store) -> None:
        await store.set(self.stored_id(session_id), data, expires_in=self._lifetime(data))

    async def delete(self, session_id: str, store: Store) -> None:
        await super().delete(self.stored_id(session_id), store)

    def _is_staff(self, data: bytes) -> bool:
        try:
            session = json.loads(data)
        except ValueError:
            return False
        return isinstance(session, dict) and any(key in session for key in self.config.staff_keys)

    def _lifetime(self, data: bytes) -> int:
        if self.config.anonymous_max_age is not None and not self._is_staff(data):
            return int(self.config.anonymous_max_age)
        return int(self.config.max_age)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        state = connection.scope.setdefault("state", {})
        if state.get(_ROTATE):
            if _NEW_ID not in state:
                state[_OLD_ID] = connection.cookies.get(self.config.key)
                state[_NEW_ID] = self.generate_session_id()
            return str(state[_NEW_ID])
        return super().get_session_id(connection)

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            try:
                data = await self._read(connection, session_id, store)
            except Exception as error:
                if outage_kind(error) is None:
                    raise
                if connection.route_handler.opt.get(SESSION_OPTIONAL):
                    return {}  # the quick exit leaves even when the store is down
                await _keep_posted_form(connection)
                raise
            if data is not None:
                connection.scope.setdefault("state", {})[_LOADED] = data
                return self.deserialize_data(data)
        return {}

    async def _read(
        self, connection: ASGIConnection[Any, Any, Any, Any], session_id: str, store: Store
    ) -> bytes | None:
        companion: SessionCompanion | None = connection.route_handler.opt.get(READ_WITH_SESSION)
        if companion is None or not isinstance(store, DirectStore):
            return await self.get(session_id, store=store)

        def then(db: Connection, data: bytes | None) -> Any:
            return companion(connection, db, self.deserialize_data(data) if data else {})

        data, result = await store.get_with(self.stored_id(session_id), then)
        connection.scope.setdefault("state", {})[_COMPANION_READ] = result
        return data

    async def store_in_message(
        self, scope_session: Any, message: Any, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        # An empty session is no session: set no cookie and write nothing, so a visitor who
        # never signs in or starts a survey carries no session cookie at all.
        if not scope_session and scope_session is not Empty:
            if not connection.cookies.get(self.config.key):
                return
            scope_session = Empty
        state = connection.scope.get("state", {})
        loaded = state.get(_LOADED)
        if (
            loaded is not None
            and scope_session is not Empty
            and not state.get(_ROTATE)
            and self.serialize_data(scope_session, connection.scope) == loaded
        ):
            # Unchanged: the stored copy and the browser's cookie are still right.
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        session_id = self.get_session_id(connection)
        if scope_session is Empty:
            await self._delete_or_lapse(session_id, store)
            headers.add("Set-Cookie", self._cookie(self.config.key, "", 0))
            # Signing out (or being signed out) ends the token too. A respondent's session
            # ends on pages that may carry forms (resume after a time-out): their token stays.
            if loaded is not None and self._is_staff(loaded):
                self._end_csrf_cookie(headers)
        else:
            data = self.serialize_data(scope_session, connection.scope)
            await self.set(session_id, data, store=store)
            cookie = self._cookie(self.config.key, session_id, self._lifetime(data))
            headers.add("Set-Cookie", cookie)
        if state.get(_ROTATE):
            self._end_csrf_cookie(headers)
        old_id = state.get(_OLD_ID)
        if old_id:
            await self.delete(old_id, store=store)

    def _cookie(self, key: str, value: str, max_age: int, *, httponly: bool = True) -> str:
        config = self.config
        return Cookie(
            key=key,
            value=value,
            max_age=max_age,
            path=config.path,
            domain=config.domain,
            secure=config.secure,
            httponly=httponly,
            samesite=config.samesite,
        ).to_header(header="")

    def _end_csrf_cookie(self, headers: MutableScopeHeaders) -> None:
        if self.config.csrf_cookie:
            headers.add("Set-Cookie", self._cookie(self.config.csrf_cookie, "", 0))

    async def _delete_or_lapse(self, session_id: str, store: Store) -> None:
        """Ending a session clears the cookie even when the store cannot delete the stored copy:
        leaving (quick exit, sign-out, a sent survey) must never fail because the store is down.
        The stored copy then lapses at its expiry time."""
        try:
            await self.delete(session_id, store=store)
        except Exception as error:
            if (kind := outage_kind(error)) is None:
                raise
            logger.warning(
                "a session could not be deleted from the %s; it expires on its own", kind
            )


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
    # The HMAC key of stored session IDs (the deployment's secret key).
    id_secret: str = ""
    # A session holding none of these keys belongs to an anonymous visitor (a respondent).
    staff_keys: tuple[str, ...] = ()
    anonymous_max_age: int | None = None
    # The CSRF cookie ended with each new session ID and at sign-out.
    csrf_cookie: str = ""
