"""Server-side sessions in the shared store, with a fresh session ID on every sign-in.

Litestar keeps whatever session ID the browser presents. Signing in must issue a new one, or an
ID planted before sign-in would become an authenticated session (session fixation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty

_ROTATE = "consult.rotate_session"
_NEW_ID = "consult.new_session_id"
_OLD_ID = "consult.old_session_id"
_LOADED = "consult.loaded_session"


def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask for a new session ID when this response is sent; the old one is deleted."""
    connection.scope.setdefault("state", {})[_ROTATE] = True


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
            data = await self.get(session_id, store=store)
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
        await super().store_in_message(scope_session, message, connection)
        old_id = connection.scope.get("state", {}).get(_OLD_ID)
        if old_id:
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
