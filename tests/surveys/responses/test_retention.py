"""Retention with a clock the test sets: dry runs change nothing; a real run deletes expired
drafts and strips free text after the retention period, and audits counts (never text)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from consult.consultations.models import Consultation
from consult.settings import BASE_DIR, Settings
from surveys.models import Draft, Response, SurveyVersion
from surveys.retention import apply_retention
from tests.conftest import db_session
from tests.surveys.responses.conftest import (
    FULL_ANSWERS,
    add_responses,
    audit_events,
    consultation_id,
)

CLOSED = datetime(2026, 1, 1, tzinfo=UTC)


async def prepare(settings: Settings) -> None:
    """Closed 1 January 2026 with 30 days' retention; one draft expiring 1 March 2026."""
    cid = await consultation_id(settings)
    await add_responses(settings, [FULL_ANSWERS, {"colour": "blue"}])
    async with db_session(settings) as db:
        await db.execute(
            update(Consultation)
            .where(Consultation.id == cid)
            .values(closes_at=CLOSED, retention_days=30)
        )
        version_id = await db.scalar(select(SurveyVersion.id))
        db.add(
            Draft(
                consultation_id=cid,
                version_id=version_id,
                answers={"story": "draft text"},
                expires_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
        )
        await db.commit()


async def stored(settings: Settings) -> tuple[list[dict], int]:
    async with db_session(settings) as db:
        answers = [r.answers for r in await db.scalars(select(Response).order_by(Response.id))]
        drafts = len(list(await db.scalars(select(Draft))))
        return answers, drafts


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONSULT_DATABASE_URL": settings.database_url}
    return subprocess.run(
        [sys.executable, "-m", "surveys", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_dry_run_lists_what_would_go_and_changes_nothing(settings, survey) -> None:
    await prepare(settings)
    before = await stored(settings)
    async with db_session(settings) as db:
        report = await apply_retention(
            db, datetime(2027, 1, 1, tzinfo=UTC), dry_run=True, data_dir=settings.data_dir
        )
        await db.commit()
    [entry] = report.consultations
    assert (entry.expired_drafts, entry.responses_stripped) == (1, 1)
    assert await stored(settings) == before
    assert await audit_events(settings, "retention_applied") == []


async def test_free_text_stays_until_closing_date_plus_retention_days(settings, survey) -> None:
    await prepare(settings)
    async with db_session(settings) as db:
        early = await apply_retention(
            db, datetime(2026, 1, 30, tzinfo=UTC), dry_run=False, data_dir=settings.data_dir
        )
        await db.commit()
    assert early.consultations == []  # period ends 31 January; draft expires 1 March
    async with db_session(settings) as db:
        await apply_retention(
            db, datetime(2026, 2, 1, 1, tzinfo=UTC), dry_run=False, data_dir=settings.data_dir
        )
        await db.commit()
    answers, drafts = await stored(settings)
    assert "story" not in answers[0] and drafts == 1


async def test_real_run_deletes_drafts_strips_free_text_and_audits(settings, survey) -> None:
    await prepare(settings)
    async with db_session(settings) as db:
        await apply_retention(
            db, datetime(2026, 3, 2, tzinfo=UTC), dry_run=False, data_dir=settings.data_dir
        )
        await db.commit()
    answers, drafts = await stored(settings)
    assert drafts == 0
    full = answers[0]
    for key in ("name_of_group", "story", "words"):
        assert key not in full
    assert full["fruits"] == {"selected": ["apple", "other"]}  # the "other" text is gone
    assert full["colour"] == "red" and full["count"] == 3 and full["mood"] == "satisfied"
    [event] = await audit_events(settings, "retention_applied")
    assert event.detail["expired_drafts_deleted"] == 1
    assert event.detail["responses_free_text_removed"] == 1
    assert event.detail["answers_free_text_removed"] == 4
    assert "believed" not in str(event.detail) and "Quince" not in str(event.detail)


async def test_cli_dry_run_then_real_run(settings, survey) -> None:
    await prepare(settings)
    dry = run_cli(settings, "retention", "--dry-run", "--now", "2027-01-01T00:00:00")
    assert dry.returncode == 0, dry.stderr
    assert "would remove 1 expired draft(s)" in dry.stdout and "Dry run" in dry.stdout
    assert (await stored(settings))[1] == 1
    real = run_cli(settings, "retention", "--now", "2027-01-01T00:00:00")
    assert real.returncode == 0, real.stderr
    assert "removed 1 expired draft(s)" in real.stdout
    answers, drafts = await stored(settings)
    assert drafts == 0 and "story" not in answers[0]
    again = run_cli(settings, "retention", "--now", "2027-01-01T00:00:00")
    assert "Nothing to remove" in again.stdout


def test_cli_bad_time_is_one_line_error(tmp_path) -> None:
    env = {**os.environ, "CONSULT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "surveys", "retention", "--now", "next tuesday"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "error:" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_app_starts_and_stops_its_retention_job(client) -> None:
    task = client.app.state.get("retention_task")
    assert task is not None and not task.done()


async def test_abandoned_import_uploads_go_after_24_hours_dry_run_lists_them(
    client, settings, staff, survey
) -> None:
    from tests.forms import open_page

    await staff("researcher")
    names = []
    for _ in range(3):
        form = (await open_page(client, f"{survey}/import")).form("Upload")
        form.attach("file", "a.csv", b"Colour\r\nRed\r\n")
        response = await form.submit(client, follow_redirects=False)
        names.append(response.headers["location"].rsplit("/", 1)[1] + ".json")
    folder = settings.data_dir / "imports"
    now = datetime.now(UTC)
    old = (now - timedelta(hours=25)).timestamp()
    for name in names[:2]:
        os.utime(folder / name, (old, old))
    async with db_session(settings) as db:
        dry = await apply_retention(db, now, dry_run=True, data_dir=settings.data_dir)
        await db.commit()
    assert sorted(dry.abandoned_uploads) == sorted(names[:2])
    assert any("would remove 2 abandoned upload(s)" in line for line in dry.lines())
    assert len(list(folder.glob("*.json"))) == 3  # a dry run deletes nothing
    assert await audit_events(settings, "import_uploads_deleted") == []
    async with db_session(settings) as db:
        real = await apply_retention(db, now, dry_run=False, data_dir=settings.data_dir)
        await db.commit()
    assert len(real.abandoned_uploads) == 2
    assert [p.name for p in folder.glob("*.json")] == [names[2]]  # the recent one stays
    [event] = await audit_events(settings, "import_uploads_deleted")
    assert event.detail["abandoned_uploads_deleted"] == 2
    assert not any(name.split(".")[0] in str(event.detail) for name in names)  # counts only
    assert (await client.get(f"{survey}/import/{names[2][:-5]}")).status_code == 200
    assert (await client.get(f"{survey}/import/{names[0][:-5]}")).status_code == 404
