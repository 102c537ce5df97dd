"""Direct units of work (consult.direct) and the session store built on them, on SQLite and
PostgreSQL: atomic writes, reads, waiting for SQLite's write lock without stopping the event
loop, and a clear error when the lock never comes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.exc import IntegrityError

from consult import direct as consult_direct
from consult import direct_sqlite as direct_module
from consult.db import StoreItem, build_alchemy_config, build_engine, build_store
from consult.direct import (
    DatabaseBusy,
    DatabaseTooSlow,
    DirectDatabase,
    NotOneStatement,
    PreparedQuery,
    UnsupportedQuery,
)
from consult.settings import Settings

ITEMS = StoreItem.__table__
LATER = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture
async def direct(settings: Settings) -> AsyncIterator[DirectDatabase]:
    engine = build_engine(settings)
    database = DirectDatabase(engine)
    yield database
    await database.close()
    await engine.dispose()


def _keys(connection: Connection) -> list[str]:
    return list(connection.execute(select(ITEMS.c.key).order_by(ITEMS.c.key)).scalars())


def _insert(key: str) -> Any:
    return lambda connection: connection.execute(
        ITEMS.insert().values(key=key, namespace="test", value=b"v", expires_at=LATER)
    )


async def test_a_write_is_committed_and_read_back(direct: DirectDatabase) -> None:
    await direct.write(_insert("one"))
    assert await direct.read(_keys) == ["one"]


async def test_a_failing_write_leaves_nothing_behind(direct: DirectDatabase) -> None:
    def half_then_fail(connection: Connection) -> None:
        _insert("half")(connection)
        raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        await direct.write(half_then_fail)
    assert await direct.read(_keys) == []
    await direct.write(_insert("after"))  # the connection is usable again
    assert await direct.read(_keys) == ["after"]


# SQLite has one write lock for the whole file; PostgreSQL locks rows, so these are SQLite's.
only_sqlite = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


@only_sqlite
async def test_a_write_waits_for_another_writer_without_stopping_the_event_loop(
    direct: DirectDatabase, settings: Settings
) -> None:
    other = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    ticking = asyncio.create_task(ticker())
    waiting = asyncio.create_task(direct.write(_insert("waited")))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    assert ticks > 10  # the loop kept serving other work while the write waited
    other.execute("COMMIT")
    await asyncio.wait_for(waiting, 5)
    ticking.cancel()
    other.close()
    assert await direct.read(_keys) == ["waited"]


async def test_a_direct_write_waits_for_an_orm_session_of_the_same_worker(
    direct: DirectDatabase, settings: Settings
) -> None:
    """The ORM session needs the event loop to reach its commit: no deadlock."""
    alchemy = build_alchemy_config(settings)
    async with alchemy.get_session() as session:
        await session.execute(
            ITEMS.insert().values(key="orm", namespace="test", value=b"v", expires_at=LATER)
        )
        waiting = asyncio.create_task(direct.write(_insert("direct")))
        await asyncio.sleep(0.05)
        await session.commit()
    await asyncio.wait_for(waiting, 5)
    await alchemy.get_engine().dispose()
    assert await direct.read(_keys) == ["direct", "orm"]


@only_sqlite
async def test_a_lock_that_never_comes_gives_a_clear_busy_error(
    direct: DirectDatabase, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(direct_module, "LOCK_WAIT", 0.05)
    other = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as raised:
            await direct.write(_insert("never"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert raised.value.status_code == 503
    assert "Nothing you had already saved is lost" in raised.value.message
    assert await direct.read(_keys) == []


async def test_reads_see_other_connections_commits_at_once(
    direct: DirectDatabase, settings: Settings
) -> None:
    assert await direct.read(_keys) == []
    engine = build_engine(settings, for_migrations=True)
    async with engine.begin() as connection:
        await connection.execute(
            ITEMS.insert().values(key="x", namespace="t", value=b"v", expires_at=LATER)
        )
    await engine.dispose()
    assert await direct.read(_keys) == ["x"]


async def test_the_session_store_keeps_replaces_expires_and_deletes_values(
    direct: DirectDatabase, settings: Settings
) -> None:
    store = build_store(build_alchemy_config(settings), "sessions", direct)
    await store.set("a", b"first", expires_in=60)
    assert await store.get("a") == b"first"
    await store.set("a", "second", expires_in=timedelta(seconds=60))
    assert await store.get("a") == b"second"
    await store.set("gone", b"old", expires_in=-1)
    assert await store.get("gone") is None
    other_namespace = store.with_namespace("other")
    assert await other_namespace.get("a") is None
    await store.delete("a")
    assert await store.get("a") is None
    assert await store.get("never-set") is None


@only_sqlite
async def test_writes_are_checkpointed_into_the_database_file_off_the_event_loop(
    direct: DirectDatabase, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(direct_module, "CHECKPOINT_EVERY", 3)
    path = settings.database_url.split("///", 1)[1]

    def in_database_file() -> list[str]:
        # immutable=1 reads the database file alone, without the WAL.
        with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as file_only:
            return [row[0] for row in file_only.execute("SELECT key FROM store_item")]

    for key in ("a", "b"):
        await direct.write(_insert(key))
    assert in_database_file() == []  # still only in the WAL
    await direct.write(_insert("c"))
    for _ in range(200):
        if sorted(in_database_file()) == ["a", "b", "c"]:
            break
        await asyncio.sleep(0.01)
    assert sorted(in_database_file()) == ["a", "b", "c"]


@only_sqlite
async def test_a_read_that_finds_the_file_locked_is_tried_again(direct: DirectDatabase) -> None:
    """The driver's own error (PreparedQuery reads on SQLite's cursor) is retried like
    SQLAlchemy's wrapped one."""
    await direct.write(_insert("seen"))
    query = PreparedQuery(select(ITEMS.c.key).where(ITEMS.c.key == bindparam("key")))
    attempts = 0

    def locked_once(connection: Connection) -> Any:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise sqlite3.OperationalError("database is locked")
        return query.first(connection, key="seen")

    assert await direct.read(locked_once) == ("seen",)
    assert attempts == 2


# --- hardening (issue 11) ----------------------------------------------------------------------
def _commit_fails(connection: Connection) -> None:
    """A unit whose statements all succeed and whose COMMIT fails: a foreign key checked only
    at COMMIT (temporary tables, so no schema of the app's is touched)."""
    _insert("lost")(connection)
    connection.exec_driver_sql("CREATE TEMP TABLE parent_t (id INTEGER PRIMARY KEY)")
    connection.exec_driver_sql(
        "CREATE TEMP TABLE child_t "
        "(parent INTEGER REFERENCES parent_t (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    connection.exec_driver_sql("INSERT INTO child_t VALUES (1)")


async def test_a_commit_that_fails_leaves_the_connection_ready_for_the_next_unit(
    direct: DirectDatabase,
) -> None:
    with pytest.raises(IntegrityError) as raised:
        await direct.write(_commit_fails)
    assert raised.value.__cause__ is not raised.value  # the error as it came, not its own cause
    # The same failure again, not "table parent_t already exists" or "cannot start a
    # transaction within a transaction": the first unit was rolled back completely.
    with pytest.raises(IntegrityError):
        await direct.write(_commit_fails)
    await direct.write(_insert("after"))
    assert await direct.read(_keys) == ["after"]


def _runaway_select(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        )
    else:
        connection.exec_driver_sql("SELECT pg_sleep(30)")


def _runaway(connection: Connection) -> None:
    _insert("half")(connection)
    _runaway_select(connection)


async def test_a_unit_past_its_time_limit_is_stopped_and_rolled_back_with_a_clear_error(
    settings: Settings,
) -> None:
    engine = build_engine(settings)
    direct = DirectDatabase(engine, time_limit=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseTooSlow) as raised:
            await direct.write(_runaway)
        assert time.monotonic() - started < 5
        assert raised.value.status_code == 503
        assert "took too long" in raised.value.message
        with pytest.raises(DatabaseTooSlow):
            await direct.read(_runaway_select)
        await direct.write(_insert("next"))  # the limit is per unit, and the connection works
        assert await direct.read(_keys) == ["next"]
    finally:
        await direct.close()
        await engine.dispose()


@only_sqlite
async def test_one_thread_of_its_own_runs_units_like_the_event_loop_does(
    settings: Settings,
) -> None:
    engine = build_engine(settings)
    direct = DirectDatabase(engine, executor="thread")
    try:
        await direct.write(_insert("one"))
        with pytest.raises(IntegrityError):
            await direct.write(_commit_fails)
        await asyncio.gather(*(direct.write(_insert(f"k{n}")) for n in range(5)))
        assert await direct.read(_keys) == ["k0", "k1", "k2", "k3", "k4", "one"]
    finally:
        await direct.close()
        await engine.dispose()


def test_an_unknown_executor_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="loop"):
        DirectDatabase(build_engine(settings), executor="threads")


@only_sqlite
async def test_close_waits_for_the_checkpoint_under_way(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(direct_module, "CHECKPOINT_EVERY", 1)
    finished: list[bool] = []
    original = direct_module.SQLiteUnits._checkpoint

    def slow_checkpoint(self: Any) -> None:
        time.sleep(0.3)
        original(self)
        finished.append(True)

    monkeypatch.setattr(direct_module.SQLiteUnits, "_checkpoint", slow_checkpoint)
    engine = build_engine(settings)
    direct = DirectDatabase(engine)
    await direct.write(_insert("a"))
    assert finished == []  # under way on its thread
    await direct.close()
    assert finished == [True]
    await engine.dispose()


only_postgres = pytest.mark.parametrize("settings", ["postgresql"], indirect=True)


@only_postgres
async def test_a_connection_that_died_while_idle_is_replaced_before_use(
    direct: DirectDatabase, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ping on every checkout (a round trip per unit), but one after the connection has
    been idle: a PostgreSQL restart meanwhile does not fail the next request."""
    monkeypatch.setattr(consult_direct, "IDLE_BEFORE_PING", 0.0)
    first = await direct.read(lambda c: c.exec_driver_sql("SELECT pg_backend_pid()").scalar())
    admin = build_engine(settings, for_migrations=True)
    async with admin.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    await admin.dispose()
    second = await direct.read(lambda c: c.exec_driver_sql("SELECT pg_backend_pid()").scalar())
    assert second != first
    await direct.write(_insert("after"))
    assert await direct.read(_keys) == ["after"]


@only_postgres
async def test_reads_run_outside_a_transaction_and_writes_inside_one(
    direct: DirectDatabase,
) -> None:
    """A read is one round trip per statement (autocommit); a write is one transaction."""

    def in_transaction(connection: Connection) -> bool:
        # now() is the transaction's start: two statements of one transaction see the same.
        first = connection.exec_driver_sql("SELECT now()").scalar()
        time.sleep(0.01)
        return bool(first == connection.exec_driver_sql("SELECT now()").scalar())

    assert await direct.read(in_transaction) is False
    assert await direct.write(in_transaction) is True


# --- PreparedQuery -----------------------------------------------------------------------------
async def test_a_prepared_query_gives_what_sqlalchemy_gives(direct: DirectDatabase) -> None:
    for key in ("a", "b", "c"):
        await direct.write(_insert(key))
    statement = (
        select(ITEMS.c.key, ITEMS.c.expires_at)
        .where(
            (ITEMS.c.key == bindparam("key")) | (ITEMS.c.namespace == bindparam("key")),
            ITEMS.c.namespace == "test",
        )
        .order_by(ITEMS.c.key)
        .limit(1)
    )
    query = PreparedQuery(statement)

    def both(connection: Connection) -> tuple[Any, Any]:
        expected = [tuple(row) for row in connection.execute(statement, {"key": "b"})]
        return query.rows(connection, key="b"), expected

    got, expected = await direct.read(both)
    assert got == expected
    assert got[0][0] == "b" and got[0][1].tzinfo is not None  # the column type's processor ran


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        (ITEMS.insert().values(key="k"), "only a SELECT"),
        (select(ITEMS.c.key).where(ITEMS.c.key.in_(["a", "b"])), "rendered at execution time"),
        (
            select(ITEMS.c.key).where(ITEMS.c.key.in_(bindparam("keys", expanding=True))),
            "parameter 'keys' is rendered at execution time",
        ),
        (
            select(ITEMS.c.key).where(ITEMS.c.key == bindparam("k", callable_=lambda: "a")),
            "parameter 'k' takes its value from a callable",
        ),
    ],
)
def test_a_statement_prepared_queries_cannot_run_is_refused_when_built(
    statement: Any, reason: str
) -> None:
    with pytest.raises(UnsupportedQuery, match=reason):
        PreparedQuery(statement)


async def test_a_one_statement_write_is_stored_and_a_second_statement_is_refused(
    direct: DirectDatabase, settings: Settings
) -> None:
    await direct.write(_insert("one"), one_statement=True)
    assert await direct.read(_keys) == ["one"]

    def two(connection: Connection) -> None:
        _insert("two")(connection)
        _insert("three")(connection)

    if settings.is_sqlite:  # SQLite ignores the promise: one transaction as ever
        await direct.write(two, one_statement=True)
        assert await direct.read(_keys) == ["one", "three", "two"]
        return
    with pytest.raises(NotOneStatement):
        await direct.write(two, one_statement=True)
    await direct.write(_insert("after"))  # the check is per unit: ordinary writes carry on
    assert "three" not in await direct.read(_keys)
