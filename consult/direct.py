"""Short units of database work on a plain connection, for the requests that come by the thousand.

A respondent's page reads a few rows and a page save writes one. Through the async ORM session
each statement costs a thread hand-off (aiosqlite) plus ORM bookkeeping: milliseconds per page,
which capped the respondent journey at ~90 page saves/s on two cores (docs/performance.md). Here
a unit of work is a plain function over a SQLAlchemy `Connection` using prepared Core
statements (`read` for pure reads, `write` for one atomic transaction), and it runs:

- on SQLite (:mod:`consult.direct_sqlite`) over one connection per worker process, on the event
  loop itself by default: SQLite answers from a local file in microseconds, less than a hand-off
  to a thread costs (``CONSULT_DIRECT_EXECUTOR=thread`` runs them on one thread of their own
  instead, as datasette runs its writes; see docs/performance.md for what is measured). The
  unit never awaits, so the connection is never shared by two requests at once;
- on PostgreSQL, through an async engine of its own whose connections stay open in a pool sized
  for the worker (``CONSULT_DIRECT_POOL_SIZE``), so network waits never block the loop. Every
  round trip costs both this process and PostgreSQL CPU on the same cores, so a read runs in
  autocommit (one round trip per statement, no BEGIN and ROLLBACK around it), a write is BEGIN,
  its statements, COMMIT (or, for a unit that promises one statement, that statement alone in
  autocommit: atomic by itself, and two round trips fewer), and a connection is checked for
  life only after it has been idle (`_ping_if_idle`) rather than on every checkout.

Every unit has a time limit (``CONSULT_DIRECT_TIME_LIMIT`` seconds: SQLite's progress handler,
PostgreSQL's ``statement_timeout``): a unit past it is stopped, rolled back and answered with
`DatabaseTooSlow` (a 503 page), so a runaway statement cannot hold a worker or the write lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from consult.direct_sqlite import (
    BUSY_MESSAGE,
    LOCK_WAIT,
    SLOW_MESSAGE,
    SQLiteUnits,
    apply_sqlite_pragmas,
    restrict_database_files,
)
from consult.errors import DatabaseBusy, DatabaseTooSlow
from consult.prepared import PreparedQuery, UnsupportedQuery

__all__ = [
    "DatabaseBusy",
    "DatabaseTooSlow",
    "DirectDatabase",
    "NotOneStatement",
    "PreparedQuery",
    "UnsupportedQuery",
    "apply_sqlite_pragmas",
    "restrict_database_files",
]

T = TypeVar("T")
Work = Callable[[Connection], T]

EXECUTORS = ("loop", "thread")
TIME_LIMIT = 5.0
# Per worker. Measured on 2 cores (docs/performance.md, "pool size"): 15 against 8 gave the
# same page saves per second and a p99 of 309 against 460 ms, since requests waiting inside
# PostgreSQL are served more evenly than requests waiting for the pool. The default of the
# setting CONSULT_DIRECT_POOL_SIZE.
POOL_SIZE = 15
CONNECT_TIMEOUT = 10
# A connection idle this long is pinged before use (PostgreSQL may have restarted meanwhile);
# one in steady use is not: its next statement would find out just as well.
IDLE_BEFORE_PING = 2.0
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for statement_timeout
_ONE_STATEMENT = "consult_one_statement"


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool replaces the connection and checks out again (SQLAlchemy's documented
        # pessimistic disconnect handling).
        raise DisconnectionError("an idle connection to PostgreSQL had gone") from error


class NotOneStatement(RuntimeError):
    """A unit written with ``one_statement=True`` ran a second statement (a programming error:
    in autocommit the first one was already committed on its own)."""


def _count_statements(connection: Any, *_args: Any) -> None:
    count = connection.info.get(_ONE_STATEMENT)
    if count is None:
        return
    if count >= 1:
        raise NotOneStatement("a unit of work promised one statement and ran a second")
    connection.info[_ONE_STATEMENT] = count + 1


def _timed_out(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        if getattr(current, "sqlstate", None) == _QUERY_CANCELED:
            return True
        current = current.__cause__ or getattr(current, "orig", None)
    return False


class DirectDatabase:
    """Runs units of work; `read` for pure reads, `write` for one atomic transaction."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        executor: str = "loop",
        time_limit: float = TIME_LIMIT,
        pool_size: int = POOL_SIZE,
    ) -> None:
        if executor not in EXECUTORS:
            raise ValueError(f"the direct executor must be one of {EXECUTORS}, not {executor!r}")
        self.dialect_name = engine.dialect.name
        self._sqlite: SQLiteUnits | None = None
        if self.dialect_name == "sqlite":
            self._sqlite = SQLiteUnits(engine.url, executor=executor, time_limit=time_limit)
            return
        connect_args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT}
        if engine.dialect.driver == "asyncpg":
            connect_args["server_settings"] = {"statement_timeout": str(int(time_limit * 1000))}
        self._engine = create_async_engine(
            engine.url,
            # Errors carry the statement, never its parameters (respondents' answers).
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=0,  # an overflow connection is opened and closed per unit: costly
            pool_timeout=LOCK_WAIT,
            connect_args=connect_args,
        )
        self._reader = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        event.listen(self._engine.sync_engine.pool, "checkin", _note_idle)
        event.listen(self._engine.sync_engine.pool, "checkout", _ping_if_idle)
        event.listen(self._engine.sync_engine, "before_cursor_execute", _count_statements)

    async def read(self, work: Work[T]) -> T:
        if self._sqlite is not None:
            return await self._sqlite.run(work, begin=None)
        return await self._postgres(work, write=False)

    async def write(self, work: Work[T], *, one_statement: bool = False) -> T:
        """``one_statement``: the unit runs exactly one statement (checked), which PostgreSQL
        then runs in autocommit, atomic by itself. SQLite ignores it: its writes need BEGIN
        IMMEDIATE to wait for the lock without stopping the loop, and cost no round trips."""
        if self._sqlite is not None:
            return await self._sqlite.run(work, begin="BEGIN IMMEDIATE")
        return await self._postgres(work, write=not one_statement, one_statement=one_statement)

    async def _postgres(self, work: Work[T], *, write: bool, one_statement: bool = False) -> T:
        try:
            if write:
                # SQLAlchemy commits at the end of the block, and rolls back (and returns the
                # connection clean) if the work or the COMMIT fails.
                async with self._engine.begin() as connection:
                    return await connection.run_sync(work)
            async with self._reader.connect() as connection:
                if not one_statement:
                    return await connection.run_sync(work)
                info = connection.sync_connection.info  # type: ignore[union-attr]
                info[_ONE_STATEMENT] = 0
                try:
                    return await connection.run_sync(work)
                finally:
                    del info[_ONE_STATEMENT]
        except DBAPIError as error:
            if _timed_out(error):
                raise DatabaseTooSlow(SLOW_MESSAGE) from error
            raise
        except PoolTimeout as error:
            raise DatabaseBusy(BUSY_MESSAGE) from error

    async def close(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.close()
        else:
            await self._engine.dispose()
