"""Short units of database work on a plain connection, for the requests that come by the thousand.

A respondent's page reads a few rows and a page save writes one. Through the async ORM session
each statement costs a thread hand-off (aiosqlite) plus ORM bookkeeping: milliseconds per page,
which capped the respondent journey at ~90 page saves/s on two cores (docs/performance.md). Here
a unit of work is a plain function over a SQLAlchemy `Connection` using prepared Core
statements, and it runs:

- on SQLite, on the event loop itself, over one connection per worker process: SQLite answers
  from a local file in microseconds, less than a hand-off to a thread costs. The unit never
  awaits, so the connection is never shared by two requests at once;
- on PostgreSQL, through the async engine's ``run_sync``, so network waits never block the loop.

A write never makes the event loop wait for SQLite's lock: it takes the lock with
``BEGIN IMMEDIATE`` and no busy timeout, and while another writer holds it (another worker, or
an ORM session of this very worker, which needs the loop to get to its commit) it yields to the
loop and tries again, up to ``LOCK_WAIT`` seconds, then raises `DatabaseBusy` (a 503 page).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Dialect, Select, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from consult.errors import ConsultError

logger = logging.getLogger("consult")
T = TypeVar("T")
Work = Callable[[Connection], T]

LOCK_WAIT = 10.0
# Write units between WAL checkpoints (a page save writes a few pages; SQLite's own default is
# every 1,000 pages).
CHECKPOINT_EVERY = 250
_FIRST_PAUSE = 0.0002
_LONGEST_PAUSE = 0.002


class DatabaseBusy(ConsultError):
    status_code = 503
    title = "Sorry, the service is busy"


def apply_sqlite_pragmas(
    dbapi_connection: Any, *, busy_timeout_ms: int, auto_checkpoint: bool = True
) -> None:
    """Every SQLite connection of the app: WAL, so readers carry on while a page is written;
    foreign keys on. The ORM's connections (consult.db) wait for the write lock inside SQLite
    (on aiosqlite's thread); direct ones must not, and leave checkpoints to `_checkpoint`."""
    cursor = dbapi_connection.cursor()
    # Before WAL mode creates the -wal and -shm files: SQLite gives them the main file's mode.
    restrict_database_files(cursor)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    if not auto_checkpoint:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def restrict_database_files(cursor: Any) -> None:
    """Make the SQLite file and its -wal/-shm/-journal companions readable by this account
    only (0600): they hold every session and answer. Done at each connection, so a file made
    by an older version (0644) is tightened too."""
    cursor.execute("PRAGMA database_list")
    for _seq, name, path in cursor.fetchall():
        if name != "main" or not path:
            continue  # an in-memory database has no file
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(path + suffix).chmod(0o600)
            except FileNotFoundError:
                pass
            except OSError:
                logger.warning("cannot make %s private", path + suffix)


def _sqlite_connection_setup(dbapi_connection: Any, _record: Any) -> None:
    # No busy timeout: waiting for the lock inside SQLite would stop this worker's event loop.
    # Checkpoints copy the WAL back and fsync: done on a worker thread, never in a COMMIT here.
    apply_sqlite_pragmas(dbapi_connection, busy_timeout_ms=0, auto_checkpoint=False)


def _is_locked(error: Exception) -> bool:
    # PreparedQuery raises the driver's own error; statements through SQLAlchemy wrap it.
    cause = error.orig if isinstance(error, OperationalError) else error
    return isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause)


class PreparedQuery:
    """A SELECT compiled once per dialect; on SQLite run on the driver's own cursor.

    Under load SQLAlchemy spent several times more CPU on each execution of the respondent
    pages' few small SELECTs (cache key, parameter and result handling) than SQLite spent
    answering them (py-spy, docs/performance.md). On SQLite this runs the compiled SQL directly
    and converts parameters and columns with the types' own processors, prepared once; on
    other databases it is an ordinary ``Connection.execute``. Rows come back as tuples.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._sqlite: tuple[str, list[tuple[str, Any, Any]], list[Any]] | None = None

    def _prepared(self, dialect: Dialect) -> tuple[str, list[tuple[str, Any, Any]], list[Any]]:
        if self._sqlite is None:
            compiled = self.statement.compile(dialect=dialect)
            binds = [compiled.binds[name] for name in compiled.positiontup or ()]
            params = [
                (
                    bind.key,
                    bind.effective_value,
                    bind.type.dialect_impl(dialect).bind_processor(dialect),
                )
                for bind in binds
            ]
            columns = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            ]
            self._sqlite = (compiled.string, params, columns)
        return self._sqlite

    def rows(self, connection: Connection, **values: Any) -> list[tuple[Any, ...]]:
        if connection.dialect.name != "sqlite":
            return [tuple(row) for row in connection.execute(self.statement, values)]
        sql, params, columns = self._prepared(connection.dialect)
        bound = []
        for name, fixed, process in params:
            value = values.get(name, fixed)
            bound.append(process(value) if process else value)
        cursor = connection.connection.dbapi_connection.execute(sql, bound)  # type: ignore[union-attr]
        return [
            tuple(
                process(value) if process else value
                for process, value in zip(columns, row, strict=True)
            )
            for row in cursor.fetchall()
        ]

    def first(self, connection: Connection, **values: Any) -> tuple[Any, ...] | None:
        rows = self.rows(connection, **values)
        return rows[0] if rows else None


class DirectDatabase:
    """Runs units of work; `read` for pure reads, `write` for one atomic transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._async_engine = engine
        self.dialect_name = engine.dialect.name
        self._sqlite: Connection | None = None
        self._writes_since_checkpoint, self._checkpointing = 0, False
        if self.dialect_name == "sqlite":
            self._sqlite_path = engine.url.database or ""
            self._sync_engine = create_engine(
                engine.url.set(drivername="sqlite"),
                # BEGIN and COMMIT are ours (see `_sqlite_unit`), so the driver must not add its own.
                isolation_level="AUTOCOMMIT",
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
            )
            event.listen(self._sync_engine, "connect", _sqlite_connection_setup)

    def _connection(self) -> Connection:
        if self._sqlite is None or self._sqlite.closed:
            self._sqlite = self._sync_engine.connect()
        return self._sqlite

    async def read(self, work: Work[T]) -> T:
        if self.dialect_name != "sqlite":
            async with self._async_engine.connect() as connection:
                return await connection.run_sync(work)
        return await self._sqlite_unit(work, begin=None)

    async def write(self, work: Work[T]) -> T:
        if self.dialect_name != "sqlite":
            async with self._async_engine.begin() as connection:
                return await connection.run_sync(work)
        return await self._sqlite_unit(work, begin="BEGIN IMMEDIATE")

    async def _sqlite_unit(self, work: Work[T], begin: str | None) -> T:
        deadline = time.monotonic() + LOCK_WAIT
        pause = _FIRST_PAUSE
        while True:
            connection = self._connection()
            try:
                if begin is None:
                    return work(connection)
                connection.exec_driver_sql(begin)
            except (OperationalError, sqlite3.OperationalError) as error:
                if not _is_locked(error):
                    raise
                if time.monotonic() > deadline:
                    raise DatabaseBusy(
                        "The service is very busy and could not save this just now. "
                        "Nothing you had already saved is lost: go back and try again."
                    ) from error
                await asyncio.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
                continue
            try:
                result = work(connection)
                connection.exec_driver_sql("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (for example on a full disk); a COMMIT
                # that failed leaves the transaction open, and the next BEGIN would fail.
                if connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                    connection.exec_driver_sql("ROLLBACK")
                raise
            self._after_commit()
            return result

    def _after_commit(self) -> None:
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint < CHECKPOINT_EVERY or self._checkpointing:
            return
        self._writes_since_checkpoint, self._checkpointing = 0, True
        asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    def _checkpoint(self) -> None:
        """RESTART, not PASSIVE: under a steady stream of page saves a passive checkpoint never
        catches up with the writers, so the WAL is never reused and grows without bound (70 MB
        in 8 s of the benchmark), and every read gets slower. RESTART holds the write lock for
        the copy (direct writes wait on the event loop meanwhile) and lets the next write start
        the WAL from the beginning."""
        try:
            with closing(sqlite3.connect(self._sqlite_path, timeout=LOCK_WAIT)) as connection:
                connection.execute("PRAGMA wal_checkpoint(RESTART)")
        except sqlite3.Error:
            # The next checkpoint (or any other connection's) catches up; nothing is lost.
            logger.warning("WAL checkpoint failed", exc_info=True)
        finally:
            self._checkpointing = False

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self.dialect_name == "sqlite":
            self._sync_engine.dispose()
