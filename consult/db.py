"""Database wiring: the engine, the advanced-alchemy config, and the shared key-value store.

One metadata holds every table (advanced-alchemy's registry), so Alembic sees all models once
`import_models()` has run.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

from advanced_alchemy.base import UUIDv7AuditBase, UUIDv7Base
from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
)
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore, StoreModelMixin
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from consult.settings import BASE_DIR, Settings

# Packages whose models live in the shared metadata; migrations and tests import them all.
MODEL_MODULES = (
    "consult.accounts.models",
    "consult.audit",
    "consult.consultations.models",
    "surveys.models",
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


class StoreItem(StoreModelMixin):
    """Rows of the shared key-value store: server-side sessions and throttling counters."""

    __tablename__ = "store_item"


def import_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers carry on while a respondent's page is written; the busy timeout makes
    # concurrent writers queue instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def build_engine(settings: Settings, *, for_migrations: bool = False) -> AsyncEngine:
    kwargs: dict[str, Any] = {"echo": settings.database_echo}
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if for_migrations:
            kwargs["poolclass"] = NullPool
    else:
        kwargs.update(pool_pre_ping=True)
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


class ConnectionReadStore(SQLAlchemyStore[Any]):
    """advanced-alchemy's store, reading on a plain connection instead of an ORM session.

    Every request that carries a session cookie reads its session here. The stock `get` opens
    an ORM session and transaction for that one SELECT; py-spy showed it costing more CPU than
    all of a page's own queries. The same statement on a pooled connection returns the same
    value (and the connection's transaction ends when it is returned). Renewals, writes and
    deletes are advanced-alchemy's own.
    """

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for or not self._is_async:
            return await super().get(key, renew_for)
        db_key, db_namespace = self._make_key(key)
        model = self._model
        statement = select(model.value).where(
            model.key == db_key,
            model.namespace == db_namespace,
            model.expires_at.is_(None) | (model.expires_at > datetime.now(UTC)),
        )
        engine = self._config.get_engine()
        async with engine.connect() as connection:
            value = (await connection.execute(statement)).scalar_one_or_none()
        return self._decode_base64_value(value, engine.dialect.name) if value else None


def build_store(alchemy_config: SQLAlchemyAsyncConfig, namespace: str) -> SQLAlchemyStore[Any]:
    return ConnectionReadStore(alchemy_config, model=StoreItem, namespace=namespace)
