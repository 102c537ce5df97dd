"""Long staff writes commit in batches, so respondents saving pages are never kept waiting
for the whole of an import or a retention run: each batch commits on its own (counted on the
database engine), and a batch the database refuses leaves no row and no audit record behind,
a page saying where the import stopped, and an upload holding only the rows not imported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, select, text, update

from consult.consultations.models import Consultation
from surveys.imports.batches import IMPORT_BATCH
from surveys.models import Response
from surveys.retention import BATCH_SIZE, apply_retention
from tests.conftest import db_session
from tests.forms import submit_page
from tests.surveys.responses.conftest import (
    FULL_ANSWERS,
    add_responses,
    audit_events,
    consultation_id,
)
from tests.surveys.responses.test_imports import upload

ROWS = 2 * IMPORT_BATCH + 200
REFUSED_ROW = IMPORT_BATCH + 200  # in the second batch
MAPPING = {"column-0": "name_of_group", "column-1": "colour"}


def table(rows: int, refuse: int | None = None) -> bytes:
    lines = ["Group,Colour"]
    for n in range(rows):
        lines.append(f"{'REFUSE-ME' if n == refuse else f'Group {n}'},Red")
    return ("\r\n".join(lines) + "\r\n").encode()


@contextmanager
def counted_commits(engine: Engine) -> Iterator[list[int]]:
    commits: list[int] = []

    def count(_connection: Any) -> None:
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(engine, "commit", count)


async def stored_groups(settings) -> list[str]:
    async with db_session(settings) as db:
        rows = await db.scalars(select(Response.answers).order_by(Response.id))
        return [answers["name_of_group"] for answers in rows]


async def test_an_import_commits_batch_by_batch(client, settings, staff, survey) -> None:
    await staff("researcher")
    page = await upload(client, survey, "many.csv", table(ROWS))
    preview = await submit_page(client, page, "Preview", MAPPING)
    assert f"All {ROWS} rows can be imported" in preview.text
    engine = client.app.state["alchemy"].get_engine().sync_engine
    with counted_commits(engine) as commits:
        done = await submit_page(
            client, preview, f"Import {ROWS} responses", follow_redirects=False
        )
    assert done.status_code == 303
    assert len(await stored_groups(settings)) == ROWS
    # One commit per batch, each with its own audit record (plus the request's own commit).
    batches = -(-ROWS // IMPORT_BATCH)
    assert len(commits) >= batches
    events = await audit_events(settings, "responses_imported")
    assert sorted(e.detail["rows"] for e in events) == [200, IMPORT_BATCH, IMPORT_BATCH]
    assert sorted(e.detail["first_row"] for e in events) == [
        2,
        2 + IMPORT_BATCH,
        2 + 2 * IMPORT_BATCH,
    ]


def refuse_trigger(dialect: str) -> list[str]:
    """A real database refusal (as a full disk or a constraint would be) for one row."""
    if dialect == "postgresql":
        return [
            "CREATE FUNCTION refuse_row() RETURNS trigger AS $$ BEGIN "
            "IF NEW.answers::text LIKE '%REFUSE-ME%' THEN RAISE EXCEPTION 'refused'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_row BEFORE INSERT ON survey_response FOR EACH ROW "
            "EXECUTE FUNCTION refuse_row()",
        ]
    return [
        "CREATE TRIGGER refuse_row BEFORE INSERT ON survey_response "
        "WHEN NEW.answers LIKE '%REFUSE-ME%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    ]


async def run_sql(settings, statements: list[str]) -> None:
    async with db_session(settings) as db:
        for statement in statements:
            await db.execute(text(statement))
        await db.commit()


async def test_a_refused_batch_leaves_nothing_half_written_and_the_rest_can_follow(
    client, settings, staff, survey
) -> None:
    dialect = "postgresql" if settings.database_url.startswith("postgresql") else "sqlite"
    await run_sql(settings, refuse_trigger(dialect))
    try:
        await staff("researcher")
        page = await upload(client, survey, "many.csv", table(ROWS, refuse=REFUSED_ROW))
        preview = await submit_page(client, page, "Preview", MAPPING)
        stopped = await submit_page(client, preview, f"Import {ROWS} responses")
    finally:
        await run_sql(
            settings,
            ["DROP TRIGGER refuse_row ON survey_response", "DROP FUNCTION refuse_row()"]
            if dialect == "postgresql"
            else ["DROP TRIGGER refuse_row"],
        )
    assert stopped.status_code == 409
    assert "The import stopped" in stopped.text
    first, last = IMPORT_BATCH + 2, 2 * IMPORT_BATCH + 1
    assert f"The database refused rows {first} to {last} of the file" in stopped.text
    assert f"{IMPORT_BATCH} rows before them were imported" in stopped.text
    # The first batch stayed; nothing of the refused batch (or after it) was written.
    assert await stored_groups(settings) == [f"Group {n}" for n in range(IMPORT_BATCH)]
    [event] = await audit_events(settings, "responses_imported")
    assert event.detail["rows"] == IMPORT_BATCH
    # The upload now holds only the rows not imported: importing again finishes the job and
    # counts no row twice.
    left = ROWS - IMPORT_BATCH
    assert f"All {left} rows can be imported" in stopped.text
    done = await submit_page(client, stopped, f"Import {left} responses", follow_redirects=False)
    assert done.status_code == 303
    groups = await stored_groups(settings)
    assert len(groups) == ROWS and len(set(groups)) == ROWS
    assert "REFUSE-ME" in groups


async def test_retention_strips_free_text_batch_by_batch(settings, survey) -> None:
    count = 2 * BATCH_SIZE + 100
    await add_responses(settings, [FULL_ANSWERS] * count)
    cid = await consultation_id(settings)
    async with db_session(settings) as db:
        await db.execute(
            update(Consultation)
            .where(Consultation.id == cid)
            .values(closes_at=datetime(2026, 1, 1, tzinfo=UTC), retention_days=30)
        )
        await db.commit()
    async with db_session(settings) as db:
        with counted_commits(db.get_bind()) as commits:
            report = await apply_retention(
                db, datetime(2027, 1, 1, tzinfo=UTC), False, data_dir=settings.data_dir
            )
    assert report.consultations[0].responses_stripped == count
    # Three batches, each committed on its own, then the audit record.
    assert len(commits) >= 4
    async with db_session(settings) as db:
        answers = list(await db.scalars(select(Response.answers)))
    assert len(answers) == count and not any("story" in a for a in answers)
