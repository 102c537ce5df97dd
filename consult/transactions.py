"""Commit the request's database transaction before the session is written, and make sure a
failure on the way out still gets an error page.

advanced-alchemy commits in an app-level `before_send` hook, which runs after the session
middleware has already written the session to the store. On SQLite, where one writer holds the
lock until commit, that store write would wait on the request's own open transaction. This
middleware sits inside the session middleware and ends the transaction first (commit on
2xx/3xx, rollback otherwise), before the session is saved.

It commits itself rather than calling advanced-alchemy's handler, because that handler logs a
failed commit at debug level and lets the success page go out: on a full disk a staff change
was reported saved and was lost. Here a failed commit raises, and the person gets the outage
page instead of a false success.
"""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar._utils import delete_aa_scope_state, get_aa_scope_state
from litestar.exceptions import LitestarException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncSession


class CommitBeforeSessionWrite(ASGIMiddleware):
    def __init__(self, alchemy: SQLAlchemyAsyncConfig) -> None:
        self.key = alchemy.session_scope_key

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_after_commit(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._end_transaction(scope, message["status"])
            await send(message)

        await next_app(scope, receive, send_after_commit)

    async def _end_transaction(self, scope: Scope, status: int) -> None:
        session: AsyncSession | None = get_aa_scope_state(scope, self.key)
        if session is None:
            return
        delete_aa_scope_state(scope, self.key)
        try:
            if 200 <= status < 400:  # forms post and then redirect: a 3xx commits too
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()


class ErrorPageUntilSent(ASGIMiddleware):
    """The outermost middleware. The transaction is committed and the session written as the
    response starts, after the handler; Litestar then counts the response as started, and an
    error there (a full disk, the session store down) became a bare text/plain "Internal
    Server Error". Nothing had reached the browser yet, so the error goes back to the exception
    handlers, which send the right page (the outage page, for an outage)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        sent = False

        async def watch(message: Message) -> None:
            nonlocal sent
            sent = sent or message["type"] == "http.response.start"
            await send(message)

        try:
            await next_app(scope, receive, watch)
        except Exception as error:
            if sent:
                raise
            cause: BaseException = error
            # Each exception middleware on the way wrapped it in "caught after response started".
            while isinstance(cause, LitestarException) and cause.__cause__ is not None:
                cause = cause.__cause__
            ScopeState.from_scope(scope).response_started = False
            raise cause from None
