"""Migrations create the whole schema from empty, match the models, and run back down."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from consult import migrate
from consult.settings import Settings, load_settings

EXPECTED_TABLES = {
    "user_account",
    "audit_event",
    "consultation",
    "support_service",
    "store_item",
    "alembic_version",
}


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    base = replace(load_settings(), data_dir=tmp_path)
    if request.param == "sqlite":
        return replace(base, database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    url = request.getfixturevalue("postgres_url")
    # The session database is already migrated; take it back to empty first.
    migrate.downgrade(replace(base, database_url=url), "base")
    request.addfinalizer(lambda: migrate.upgrade(replace(base, database_url=url)))
    return replace(base, database_url=url)


def _tables(settings: Settings) -> set[str]:
    sync_url = settings.database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = create_engine(sync_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(empty_database: Settings) -> None:
    migrate.upgrade(empty_database)
    assert _tables(empty_database) >= EXPECTED_TABLES


def test_migrations_match_the_models(empty_database: Settings) -> None:
    migrate.upgrade(empty_database)
    migrate.check(empty_database)  # raises when autogenerate would write a new migration


def test_downgrade_to_base_and_up_again(empty_database: Settings) -> None:
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    assert _tables(empty_database) <= {"alembic_version"}
    migrate.upgrade(empty_database)
    assert _tables(empty_database) >= EXPECTED_TABLES
