"""Commit the request's database transaction before the session is written.

advanced-alchemy commits in an app-level `before_send` hook, which runs after the session
middleware has already written the session to the store. On SQLite, where one writer holds the
lock until commit, that store write would wait on the request's own open transaction. This
middleware sits inside the session middleware and runs the same advanced-alchemy handler first,
so the transaction ends (commit on 2xx/3xx, rollback otherwise) before the session is saved.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send


class CommitBeforeSessionWrite(ASGIMiddleware):
    def __init__(self, alchemy: SQLAlchemyAsyncConfig) -> None:
        self.alchemy = alchemy

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler: Any = self.alchemy.before_send_handler

        async def send_after_commit(message: Message) -> None:
            if message["type"] == "http.response.start":
                await handler(message, scope)
            await send(message)

        await next_app(scope, receive, send_after_commit)
