"""Direct units of work on SQLite: one connection per worker, the write lock taken without
stopping the event loop, a time limit on every unit, checkpoints on a thread.

See :mod:`consult.direct` for why units run on the event loop itself (the default) or on one
thread of their own (``CONSULT_DIRECT_EXECUTOR=thread``, as datasette runs its writes).
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from consult.errors import DatabaseBusy, DatabaseTooSlow

logger = logging.getLogger("consult")
T = TypeVar("T")
Work = Callable[[Connection], T]

LOCK_WAIT = 10.0
# Write units between WAL checkpoints (a page save writes a few pages; SQLite's own default is
# every 1,000 pages).
CHECKPOINT_EVERY = 250
# SQLite calls the time-limit check every this many virtual-machine instructions: a respondent
# page's statements run a few hundred, so the check costs nothing on them.
PROGRESS_STEPS = 1000
_FIRST_PAUSE = 0.0002
_LONGEST_PAUSE = 0.002

BUSY_MESSAGE = (
    "The service is very busy and could not save this just now. "
    "Nothing you had already saved is lost: go back and try again."
)
SLOW_MESSAGE = (
    "The service took too long over this and stopped it. "
    "Nothing you had already saved is lost: go back and try again."
)


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


def _driver_error(error: BaseException) -> BaseException:
    # PreparedQuery raises the driver's own error; statements through SQLAlchemy wrap it.
    return error.orig if isinstance(error, OperationalError) else error  # type: ignore[return-value]


def _is_locked(error: BaseException) -> bool:
    cause = _driver_error(error)
    return isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause)


def _is_interrupted(error: BaseException) -> bool:
    cause = _driver_error(error)
    return isinstance(cause, sqlite3.OperationalError) and "interrupted" in str(cause)


class SQLiteUnits:
    """Runs units of work on this worker's one SQLite connection."""

    def __init__(self, url: URL, *, executor: str, time_limit: float) -> None:
        self._path = url.database or ""
        self._time_limit = time_limit
        self._deadline = math.inf  # of the unit under way; read by SQLite's progress handler
        self._sqlite: Connection | None = None
        self._engine = create_engine(
            url.set(drivername="sqlite"),
            # BEGIN and COMMIT are ours (see `_attempt`), so the driver must not add its own.
            isolation_level="AUTOCOMMIT",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
        event.listen(self._engine, "connect", _sqlite_connection_setup)
        # One thread owns the connection, so units still run one at a time.
        self._thread = (
            ThreadPoolExecutor(1, thread_name_prefix="consult-direct")
            if executor == "thread"
            else None
        )
        self._writes_since_checkpoint = 0
        self._checkpointing: asyncio.Future[None] | None = None

    def _connection(self) -> Connection:
        if self._sqlite is None or self._sqlite.closed:
            self._sqlite = self._engine.connect()
            raw = self._sqlite.connection.dbapi_connection
            raw.set_progress_handler(self._past_deadline, PROGRESS_STEPS)  # type: ignore[union-attr]
        return self._sqlite

    def _past_deadline(self) -> bool:
        """SQLite's progress handler: True interrupts the statement ("interrupted")."""
        return time.monotonic() > self._deadline

    async def run(self, work: Work[T], begin: str | None) -> T:
        """``begin`` None for a read, "BEGIN IMMEDIATE" for a write. A write never makes the
        loop wait for SQLite's lock: while another writer holds it this yields to the loop and
        tries again, up to LOCK_WAIT seconds, then raises `DatabaseBusy` (a 503 page)."""
        deadline = time.monotonic() + LOCK_WAIT
        pause = _FIRST_PAUSE
        while True:
            if self._thread is None:
                done, result = self._attempt(work, begin)
            else:
                loop = asyncio.get_running_loop()
                done, result = await loop.run_in_executor(self._thread, self._attempt, work, begin)
            if done:
                if begin is not None:
                    self._after_commit()
                return result  # type: ignore[return-value]
            if time.monotonic() > deadline:
                raise DatabaseBusy(BUSY_MESSAGE)
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    def _attempt(self, work: Work[T], begin: str | None) -> tuple[bool, T | None]:
        """(False, None) when the lock was not free; the unit's result once it has run."""
        connection = self._connection()
        self._deadline = time.monotonic() + self._time_limit
        try:
            if begin is None:
                return True, work(connection)
            connection.exec_driver_sql(begin)
        except (OperationalError, sqlite3.OperationalError) as error:
            if _is_locked(error):
                return False, None
            if _is_interrupted(error):
                raise self._too_slow() from error
            raise
        finally:
            self._deadline = math.inf
        return True, self._in_transaction(connection, work)

    def _in_transaction(self, connection: Connection, work: Work[T]) -> T:
        self._deadline = time.monotonic() + self._time_limit
        try:
            # COMMIT inside the `try`: a COMMIT that fails (a deferred constraint, a full disk)
            # leaves SQLite's transaction open, and must be rolled back like any other failure.
            result = work(connection)
            connection.exec_driver_sql("COMMIT")
        except BaseException as error:
            self._deadline = math.inf  # the ROLLBACK must not be interrupted too
            self._end_transaction(connection)
            if _is_interrupted(error):
                raise self._too_slow() from error
            raise  # as it came: "raise error from error" would make it its own cause
        finally:
            self._deadline = math.inf
        return result

    def _too_slow(self) -> DatabaseTooSlow:
        logger.warning("a direct unit of work ran past its %.1f s limit", self._time_limit)
        return DatabaseTooSlow(SLOW_MESSAGE)

    def _end_transaction(self, connection: Connection) -> None:
        """Roll back whatever the failed unit left open (SQLite may already have, for example
        on a full disk). If even that fails, drop the connection: the next unit gets a fresh
        one rather than a connection stuck mid-transaction, where every BEGIN would fail."""
        raw = connection.connection.dbapi_connection
        if raw is None or not raw.in_transaction:  # type: ignore[attr-defined]
            return
        try:
            connection.exec_driver_sql("ROLLBACK")
        except Exception:
            logger.warning("ROLLBACK failed; the direct connection is replaced", exc_info=True)
            connection.invalidate()
            self._sqlite = None

    def _after_commit(self) -> None:
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint < CHECKPOINT_EVERY:
            return
        if self._checkpointing is not None and not self._checkpointing.done():
            return
        self._writes_since_checkpoint = 0
        self._checkpointing = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    def _checkpoint(self) -> None:
        """RESTART, not PASSIVE: under a steady stream of page saves a passive checkpoint never
        catches up with the writers, so the WAL is never reused and grows without bound (70 MB
        in 8 s of the benchmark), and every read gets slower. RESTART holds the write lock for
        the copy (direct writes wait on the event loop meanwhile) and lets the next write start
        the WAL from the beginning."""
        try:
            with closing(sqlite3.connect(self._path, timeout=LOCK_WAIT)) as connection:
                connection.execute("PRAGMA wal_checkpoint(RESTART)")
        except sqlite3.Error:
            # The next checkpoint (or any other connection's) catches up; nothing is lost.
            logger.warning("WAL checkpoint failed", exc_info=True)

    async def close(self) -> None:
        """Wait for a checkpoint under way (it holds the write lock and the file), then close
        the connection on the thread that uses it."""
        if self._checkpointing is not None:
            await self._checkpointing
            self._checkpointing = None
        if self._thread is None:
            self._close_connection()
        else:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._close_connection)
            self._thread.shutdown(wait=True)
        self._engine.dispose()

    def _close_connection(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
