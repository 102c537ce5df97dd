"""Outages: telling "the database, disk or session store is not answering" apart from a bug,
and logging once when one starts and once when the service answers again.

A respondent who meets an outage must hear that what they saved is safe and that this page's
answers were not saved yet (`consult.errors` renders that page, with status 503 and
`Retry-After`). Log lines name the failing part and the driver's error class and short message,
never a SQL statement's parameters (answers) or a session id.
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
import time
from typing import Any

from litestar.types import Message, Scope
from sqlalchemy import exc as sa_exc

logger = logging.getLogger("consult")

RETRY_AFTER_SECONDS = 30
# Paths that answer without the database or session store, so prove nothing about them.
QUIET_PATHS = ("/static/", "/livez")
DATABASE, DISK, SESSION_STORE = "database", "disk", "session store"
# SQLite errors that are a problem of the deployment, not of the moment.
_SQLITE_NOT_OUTAGES = ("no such table", "no such column", "syntax error", "constraint")


def _sqlite_kind(error: sqlite3.Error) -> str | None:
    message = str(error).lower()
    if "full" in message or "disk i/o" in message:
        return DISK
    if any(part in message for part in _SQLITE_NOT_OUTAGES):
        return None
    return DATABASE if isinstance(error, sqlite3.OperationalError) else None


def _is_driver_error(error: BaseException) -> bool:
    module = type(error).__module__
    return isinstance(error, sqlite3.Error | OSError) or module.startswith(("asyncpg", "redis"))


def _driver_kind(error: BaseException) -> str | None:
    """What a driver's own error says is down, if anything."""
    module = type(error).__module__
    if isinstance(error, sqlite3.Error):
        return _sqlite_kind(error)
    if module.startswith("asyncpg"):
        sqlstate = str(getattr(error, "sqlstate", "") or "")
        if sqlstate == "53100":  # disk_full
            return DISK
        if sqlstate[:2] in {"08", "53", "57"}:  # connection, resources, operator intervention
            return DATABASE
        # No SQLSTATE: the client's own errors ("connection is closed"), except bad arguments.
        return DATABASE if not sqlstate and not isinstance(error, ValueError) else None
    if module.startswith("redis"):
        name = type(error).__name__
        return SESSION_STORE if "Connection" in name or "Timeout" in name else None
    if isinstance(error, OSError):
        if error.errno in {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}:
            return DISK
        return (
            DATABASE
            if isinstance(error, ConnectionError | TimeoutError | socket.gaierror)
            else None
        )
    return None


def _wrapper_kind(error: BaseException) -> str | None:
    """SQLAlchemy's verdict, for when no driver error says more."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return DATABASE
    if isinstance(error, sa_exc.OperationalError | sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return DATABASE
    return None


def outage_kind(error: BaseException) -> str | None:
    """ "database", "disk" or "session store" when `error` (or what caused it) means that part
    is unreachable or full; None for anything else (a bug, bad input). The driver's own error
    decides when there is one (SQLAlchemy wraps "no such table" as an OperationalError too).
    A full disk wins: it is the more useful thing to tell an operator."""
    driver: list[str | None] = []
    wrappers: list[str | None] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_driver_error(current):
            driver.append(_driver_kind(current))
        else:
            wrappers.append(_wrapper_kind(current))
        current = current.__cause__ or current.__context__
    kinds = [kind for kind in (driver or wrappers) if kind is not None]
    if not kinds:
        return None
    return DISK if DISK in kinds else kinds[0]


def describe(error: BaseException) -> str:
    """The innermost driver error's class and first line: no SQL, no parameters."""
    innermost, seen = error, {id(error)}
    # A cause chain can loop (an error re-raised from one of its own causes); stop at the loop.
    while innermost.__cause__ is not None and id(innermost.__cause__) not in seen:
        innermost = innermost.__cause__
        seen.add(id(innermost))
    if isinstance(innermost, sa_exc.StatementError):
        return type(innermost).__name__
    first_line = (str(innermost).splitlines() or [""])[0][:160]
    return f"{type(innermost).__name__}: {first_line}" if first_line else type(innermost).__name__


class OutageLog:
    """One per app (each worker has its own): logs the first failure of an outage and the
    first success after it, not every failed request in between."""

    def __init__(self) -> None:
        self.down_since: float | None = None
        self.kind: str | None = None

    def down(self, kind: str, detail: BaseException | str) -> None:
        if self.down_since is not None:
            return
        self.down_since, self.kind = time.monotonic(), kind
        reason = detail if isinstance(detail, str) else describe(detail)
        logger.error("outage started: %s unavailable (%s)", kind, reason)

    def up(self) -> None:
        if self.down_since is None:
            return
        lasted = time.monotonic() - self.down_since
        logger.warning("outage ended: %s available again after %.0f s", self.kind, lasted)
        self.down_since, self.kind = None, None


def outage_log(app: Any) -> OutageLog:
    return app.state["outages"]  # type: ignore[no-any-return]


def noted_outage(app: Any, error: BaseException) -> bool:
    """For handlers that answer an outage themselves: True (and logged) if `error` is one."""
    kind = outage_kind(error)
    if kind is not None:
        outage_log(app).down(kind, error)
    return kind is not None


async def note_recovery(message: Message, scope: Scope) -> None:
    """An app `before_send` hook: the first response after an outage that is not a server
    error ends it (every page but static files and the liveness route reads the session store
    or the database). Runs on the message actually sent, after the session was written."""
    if message["type"] != "http.response.start" or message["status"] >= 500:
        return
    log = outage_log(scope["app"])
    if log.down_since is not None and not str(scope.get("path", "")).startswith(QUIET_PATHS):
        log.up()
