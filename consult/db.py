"""Database wiring: the engine, the advanced-alchemy config, and the shared key-value store.

One metadata holds every table (advanced-alchemy's registry), so Alembic sees all models once
`import_models()` has run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from advanced_alchemy.base import UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
)
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore, StoreModelMixin
from advanced_alchemy.operations import OnConflictUpsert
from sqlalchemy import Connection, Table, bindparam, delete, event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from consult.direct import CONNECT_TIMEOUT, DirectDatabase, PreparedQuery, apply_sqlite_pragmas
from consult.settings import BASE_DIR, Settings, make_private_dir

# Packages whose models live in the shared metadata; migrations and tests import them all.
MODEL_MODULES = (
    "consult.accounts.models",
    "consult.audit",
    "consult.consultations.models",
    "consult.jobs.models",
    "surveys.models",
    "panels.models",
    "research.coding.models",
    "research.coding.vectors",
    "research.report.models",
    "research.computed",
)

__all__ = [
    "MODEL_MODULES",
    "StoreItem",
    "UUIDv7AuditBase",
    "UUIDv7Base",
    "build_alchemy_config",
    "build_engine",
    "import_models",
]


T = TypeVar("T")


class StoreItem(StoreModelMixin):
    """Rows of the shared key-value store: server-side sessions and throttling counters."""

    __tablename__ = "store_item"


def import_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The busy timeout makes concurrent writers queue instead of failing with "database is
    # locked"; these connections wait on aiosqlite's thread, not on the event loop.
    apply_sqlite_pragmas(dbapi_connection, busy_timeout_ms=10_000)


def build_engine(settings: Settings, *, for_migrations: bool = False) -> AsyncEngine:
    # Errors carry the statement but never its parameters: those are respondents' answers,
    # and errors are logged.
    kwargs: dict[str, Any] = {"echo": settings.database_echo, "hide_parameters": True}
    if settings.is_sqlite:
        make_private_dir(settings.data_dir)
        if for_migrations:
            kwargs["poolclass"] = NullPool
    else:
        # An unreachable server fails the request (an outage page) in seconds, not minutes.
        kwargs.update(pool_pre_ping=True, connect_args={"timeout": CONNECT_TIMEOUT})
        if for_migrations:
            kwargs["poolclass"] = NullPool
    engine = create_async_engine(settings.database_url, **kwargs)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def build_alchemy_config(
    settings: Settings, engine: AsyncEngine | None = None
) -> SQLAlchemyAsyncConfig:
    import_models()
    return SQLAlchemyAsyncConfig(
        engine_instance=engine or build_engine(settings),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        # Forms post and then redirect, so a 3xx must commit too. Named, not built here: each
        # config gets its own scope key, and a handler built by hand would watch the wrong one.
        before_send_handler="autocommit_include_redirects",
        alembic_config=AlembicAsyncConfig(
            script_location=str(BASE_DIR / "consult" / "migrations"),
            version_table_name="alembic_version",
            render_as_batch=True,
        ),
        create_all=False,
    )


STORE_COLUMNS = ("key", "namespace", "value", "expires_at")


class DirectStore(SQLAlchemyStore[Any]):
    """advanced-alchemy's store, with `get`, `set` and `delete` run as direct units of work.

    Every request with a session cookie reads its session here, so the stock path (an ORM
    session and transaction per call, through aiosqlite's thread) cost more than a respondent
    page's own queries. Same table, same rows, same expiry rules; the statements are prepared
    once per namespace. Everything else (`exists`, `expires_in`, `delete_all`) is the stock one.
    """

    def __init__(
        self,
        config: SQLAlchemyAsyncConfig,
        model: type[StoreModelMixin],
        namespace: Any,
        direct: DirectDatabase,
    ) -> None:
        super().__init__(config, model=model, namespace=namespace)
        # The app's own DirectDatabase: it owns the connection and closes it at shutdown.
        self._direct = direct
        table: Table = model.__table__  # type: ignore[assignment]
        where = (table.c.key == bindparam("key")) & (table.c.namespace == self.namespace)
        self._read = PreparedQuery(
            select(table.c.value).where(
                where, table.c.expires_at.is_(None) | (table.c.expires_at > bindparam("now"))
            )
        )
        self._delete = delete(table).where(where)
        self._upsert = OnConflictUpsert.create_upsert(
            table=table,
            values={name: bindparam(f"new_{name}") for name in STORE_COLUMNS},
            conflict_columns=["key", "namespace"],
            update_columns=["value", "expires_at"],
            dialect_name=self._direct.dialect_name,
        )

        self._insert_counter = _insert_ignoring_conflict(
            table, self.namespace, self._direct.dialect_name
        )
        # An UPDATE may not bind a parameter named like a column ("key").
        counter = (table.c.key == bindparam("counter_key")) & (table.c.namespace == self.namespace)
        self._lock_counter = (
            select(table.c.value, table.c.expires_at).where(counter).with_for_update()
        )
        self._set_counter = (
            update(table)
            .where(counter)
            .values(value=bindparam("new_value"), expires_at=bindparam("new_expires_at"))
        )

    def with_namespace(self, namespace: str) -> DirectStore:
        new_namespace = f"{self.namespace}_{namespace}" if self.namespace else namespace
        return type(self)(self._config, self._model, new_namespace, self._direct)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for:
            return await super().get(key, renew_for)
        now = datetime.now(UTC)
        return await self._direct.read(lambda c: self._value(c, key, now))

    async def get_with(
        self, key: str, then: Callable[[Connection, bytes | None], T]
    ) -> tuple[bytes | None, T]:
        """`get`, and ``then`` given what it found, as one unit of work: a request that reads
        its session and then the database pays for one connection checkout, not two
        (`consult.sessions.READ_WITH_SESSION`)."""
        now = datetime.now(UTC)

        def unit(connection: Connection) -> tuple[bytes | None, T]:
            value = self._value(connection, key, now)
            return value, then(connection, value)

        return await self._direct.read(unit)

    def _value(self, connection: Connection, key: str, now: datetime) -> bytes | None:
        row = self._read.first(connection, key=key, now=now)
        return bytes(row[0]) if row and row[0] else None

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        if isinstance(expires_in, int):
            expires_in = timedelta(seconds=expires_in)
        row = {
            "new_key": key,
            "new_namespace": self.namespace,
            "new_value": value if isinstance(value, bytes) else value.encode("utf-8"),
            "new_expires_at": datetime.now(UTC) + expires_in if expires_in is not None else None,
        }
        await self._direct.write(lambda c: c.execute(self._upsert, row), one_statement=True)

    async def delete(self, key: str) -> None:
        await self._direct.write(
            lambda c: c.execute(self._delete, {"key": key}), one_statement=True
        )

    async def increment(self, key: str, expires_in: timedelta) -> int:
        """Add one to the counter under ``key`` and return the new value, in one unit of work
        that holds the lock from read to write (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ...
        FOR UPDATE`` on PostgreSQL): concurrent calls each get a different count. An expired
        counter starts again at 1; each call keeps the counter ``expires_in`` longer."""
        return await self._direct.write(lambda c: self._increment(c, key, expires_in))

    def _increment(self, connection: Connection, key: str, expires_in: timedelta) -> int:
        now = datetime.now(UTC)
        params = {"counter_key": key}
        # Make sure the row exists, so there is a row to lock (another writer may insert it).
        connection.execute(
            self._insert_counter,
            {"new_key": key, "new_value": b"0", "new_expires_at": now + expires_in},
        )
        value, expires_at = connection.execute(self._lock_counter, params).one()
        live = expires_at is None or expires_at > now
        count = (int(value) if live and value else 0) + 1
        connection.execute(
            self._set_counter,
            {**params, "new_value": str(count).encode(), "new_expires_at": now + expires_in},
        )
        return count


def _insert_ignoring_conflict(table: Table, namespace: Any, dialect_name: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the store's (key, namespace)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (
        dialect_insert(table)
        .values(
            key=bindparam("new_key"),
            namespace=namespace,
            value=bindparam("new_value"),
            expires_at=bindparam("new_expires_at"),
        )
        .on_conflict_do_nothing(index_elements=["key", "namespace"])
    )


def build_store(
    alchemy_config: SQLAlchemyAsyncConfig, namespace: str, direct: DirectDatabase
) -> SQLAlchemyStore[Any]:
    return DirectStore(alchemy_config, StoreItem, namespace, direct)
