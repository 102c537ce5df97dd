"""Migrations create the whole schema from empty, match the models, and run back down."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

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


def test_responses_already_stored_get_their_own_export_id(empty_database: Settings) -> None:
    """Migration 0003 gives every response already in the database a random response id."""
    import uuid
    from datetime import UTC, datetime

    from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
    from sqlalchemy import column, insert, select, table

    def typed(name: str, *columns: Any) -> Any:
        stamps = (column("created_at", DateTimeUTC), column("updated_at", DateTimeUTC))
        return table(name, column("id", GUID), *columns, *stamps)

    consultations = typed(
        "consultation", column("slug"), column("title"), column("public_title"),
        column("summary"), column("status"), column("controller"), column("article6_basis"),
        column("article9_condition"), column("dpia_reference"), column("exit_url"),
        column("draft_expiry_days"), column("respondent_types", JsonB), column("areas", JsonB),
    )  # fmt: skip
    surveys = typed("survey", column("consultation_id", GUID), column("key"), column("title"))
    versions = typed(
        "survey_version", column("survey_id", GUID), column("number"), column("definition", JsonB)
    )
    responses = typed(
        "survey_response", column("consultation_id", GUID), column("version_id", GUID),
        column("answers", JsonB), column("submitted_at", DateTimeUTC),
        column("withdrawal_code_hash"),
    )  # fmt: skip
    migrate.upgrade(empty_database, "0002")
    sync_url = empty_database.database_url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    engine = create_engine(sync_url)
    now = datetime.now(UTC)
    stamps = {"created_at": now, "updated_at": now}
    cid, sid, vid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        with engine.begin() as conn:
            conn.execute(insert(consultations).values(
                id=cid, slug="s", title="t", public_title="p", summary="", status="open",
                controller="", article6_basis="", article9_condition="", dpia_reference="",
                exit_url="https://x", draft_expiry_days=28, respondent_types=[], areas=[],
                **stamps,
            ))  # fmt: skip
            conn.execute(
                insert(surveys).values(id=sid, consultation_id=cid, key="k", title="t", **stamps)
            )
            conn.execute(
                insert(versions).values(id=vid, survey_id=sid, number=1, definition={}, **stamps)
            )
            for n in range(3):
                conn.execute(insert(responses).values(
                    id=uuid.uuid4(), consultation_id=cid, version_id=vid, answers={},
                    submitted_at=now, withdrawal_code_hash=f"{n:064d}", **stamps,
                ))  # fmt: skip
        migrate.upgrade(empty_database)
        with engine.connect() as conn:
            found = list(
                conn.scalars(select(column("export_id")).select_from(table("survey_response")))
            )
        assert len(found) == 3 and len(set(found)) == 3 and all(found)
    finally:
        engine.dispose()
