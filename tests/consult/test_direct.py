"""Direct units of work (consult.direct) and the session store built on them, on SQLite and
PostgreSQL: atomic writes, reads, waiting for SQLite's write lock without stopping the event
loop, and a clear error when the lock never comes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, select

from consult import direct_sqlite as direct_module
from consult.db import StoreItem, build_alchemy_config, build_engine, build_store
from consult.direct import DatabaseBusy, DirectDatabase, PreparedQuery
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
