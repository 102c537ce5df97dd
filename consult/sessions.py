"""Server-side sessions in the shared store, with a fresh session ID on every sign-in.

Litestar keeps whatever session ID the browser presents. Signing in must issue a new one, or an
ID planted before sign-in would become an authenticated session (session fixation).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty
from litestar.utils.dataclass import extract_dataclass_items

from consult.outages import outage_kind

logger = logging.getLogger("consult")

# Route opt: the route works without the session when the store is down (the quick exit).
SESSION_OPTIONAL = "session_optional"

_ROTATE = "consult.rotate_session"
_NEW_ID = "consult.new_session_id"
_OLD_ID = "consult.old_session_id"
_LOADED = "consult.loaded_session"


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
                data = await self.get(session_id, store=store)
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
        if scope_session is Empty:
            await self._end(message, connection)
            return
        await super().store_in_message(scope_session, message, connection)
        old_id = connection.scope.get("state", {}).get(_OLD_ID)
        if old_id:
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))

    async def _end(self, message: Any, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        """Ending a session clears the cookie even when the store cannot delete the stored copy:
        leaving (quick exit, sign-out, a sent survey) must never fail because the store is down.
        The stored copy then lapses at its expiry time."""
        try:
            await super().store_in_message(Empty, message, connection)
        except Exception as error:
            if (kind := outage_kind(error)) is None:
                raise
            logger.warning(
                "a session could not be deleted from the %s; it expires on its own", kind
            )
            params = extract_dataclass_items(
                self.config, exclude_none=True, include=Cookie.__dict__.keys()
            )
            cookie = Cookie(value="null", key=self.config.key, expires=0, **dict(params))
            MutableScopeHeaders.from_message(message).add("Set-Cookie", cookie.to_header(header=""))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
