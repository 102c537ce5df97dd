"""Large consultations' results are worked out off the request path: the page shows a job's
progress and never waits on it, the result is stored and read by later page loads, it is
worked out again when the responses change, a job left running by a stopped worker runs again
when a worker starts, and with Redis the SAQ worker runs what the pages queue. Counts are
checked against values computed here from the answers written."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update

from consult.jobs import Job, JobStatus
from consult.settings import Settings
from research.computed import AnalysisResult
from surveys.models import Survey as SurveyRow
from surveys.models import SurveyVersion
from surveys.store.bulk import NewResponse, insert_responses
from tests.conftest import db_session, service_reachable, sign_in, skip_or_fail
from tests.forms import open_page
from tests.research.conftest import (
    count_of,
    demo_with_responses,
    known_answers,
    progress_shown,
    table_header,
    table_rows,
    until_worked_out,
)

ANSWERS = known_answers(150, seed=23)
AGES = {"age_18_24": "18 to 24", "age_25_34": "25 to 34", "age_35_44": "35 to 44"}
PROFESSIONAL = "I work or volunteer with people affected"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Every consultation counts as large: counts go through background jobs too."""
    return replace(settings, background_analysis_from=0)


def age_counts(answers: list[tuple[str, dict[str, Any]]]) -> Counter[str]:
    return Counter(AGES[a["age_band"]] for _, a in answers if a.get("age_band") in AGES)


async def stored(settings: Settings) -> list[AnalysisResult]:
    async with db_session(settings) as db:
        return list(await db.scalars(select(AnalysisResult)))


async def job_count(settings: Settings) -> int:
    async with db_session(settings) as db:
        return int(await db.scalar(select(func.count()).select_from(Job)) or 0)


async def add_answers(settings: Settings, answers: list[tuple[str, dict[str, Any]]]) -> None:
    async with db_session(settings) as db:
        row = (
            await db.execute(select(SurveyVersion.id, SurveyRow.consultation_id).join(SurveyRow))
        ).one()
        rows = [NewResponse(kind, body, datetime.now(UTC)) for kind, body in answers]
        await db.run_sync(lambda s: insert_responses(s.connection(), row[1], row[0], rows))
        await db.commit()


async def age_page(client: AsyncTestClient[Any], consultation_id: uuid.UUID) -> Any:
    """The age question's results, filtered to professionals through the page's filter form."""
    base = f"/staff/consultations/{consultation_id}/analysis"
    page = await open_page(client, f"{base}/questions/age_band")
    return await page.form(id="filters").fill(respondent_type=["professional"]).submit(client)


async def test_question_results_show_progress_then_the_stored_result(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    response = await age_page(client, consultation_id)
    assert response.status_code == 200, response.text
    assert progress_shown(response.text) and "table-1" not in response.text
    page = await until_worked_out(client, response)
    expected = age_counts([(k, a) for k, a in ANSWERS if k == "professional"])
    cells = dict(
        zip(
            table_header(page.text, "table-1")[1:],
            table_rows(page.text, "table-1")["All in the selection"],
            strict=True,
        )
    )
    assert {label: count_of(cells[label]) for label in AGES.values()} == dict(expected)
    # Two results: the page as first opened (no filters) and the filtered one.
    results = await stored(settings)
    assert len(results) == 2 and any(r.payload for r in results)
    # A later load reads the stored result: shown at once, and no new job.
    jobs = await job_count(settings)
    again = await age_page(client, consultation_id)
    assert not progress_shown(again.text) and "table-1" in again.text
    assert await job_count(settings) == jobs
    # Its download reads the same stored counts, suppressed at the consultation's k.
    link = parse_link(again.text, "Table (CSV)")
    download = await client.get(link)
    assert download.status_code == 200 and "Number" in download.text


def parse_link(html: str, text: str) -> str:
    from bs4 import BeautifulSoup

    for a in BeautifulSoup(html, "html.parser").select("#downloads a"):
        if a.get_text(" ", strip=True).startswith(text):
            return str(a["href"])
    raise AssertionError(f"no download link {text!r}")


async def test_results_are_worked_out_again_when_responses_change(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    await until_worked_out(client, await age_page(client, consultation_id))
    more = [
        (
            "professional",
            {"consent": "yes", "respondent_type": "professional", "age_band": "age_18_24"},
        )
    ] * 7
    await add_answers(settings, more)
    response = await age_page(client, consultation_id)
    assert progress_shown(response.text), "the stored result is stale: it is worked out again"
    page = await until_worked_out(client, response)
    expected = age_counts([(k, a) for k, a in ANSWERS + more if k == "professional"])
    cells = dict(
        zip(
            table_header(page.text, "table-1")[1:],
            table_rows(page.text, "table-1")["All in the selection"],
            strict=True,
        )
    )
    assert count_of(cells["18 to 24"]) == expected["18 to 24"]
    # Only the current data version's results are kept.
    results = await stored(settings)
    assert len({r.data_version for r in results}) == 1 and any(r.payload for r in results)


async def test_breakdown_runs_as_a_job_and_its_download_waits_for_it(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis"
    page = await open_page(client, f"{base}/breakdowns")
    form = page.form(id="filters").fill(rating="pursuing_perpetrators", group="age_band")
    response = await form.submit(client)
    assert progress_shown(response.text) and "breakdown-table" not in response.text
    early = await client.get(
        f"{base}/breakdowns/download?rating=pursuing_perpetrators&group=age_band&format=csv"
    )
    assert early.status_code == 422 and "not worked out yet" in early.text
    page = await until_worked_out(client, response)
    rated = Counter(
        AGES[a["age_band"]]
        for kind, a in ANSWERS
        if a.get("age_band") in AGES and a.get("pursuing_perpetrators") not in (None, "dont_know")
    )
    rows = table_rows(page.text, "breakdown-table")
    header = table_header(page.text, "breakdown-table")[1:]
    for label, n in rated.items():
        assert count_of(dict(zip(header, rows[label], strict=True))["Total"]) == n
    assert "chi-square" in page.soup.find(id="breakdown-notes").get_text()
    download = await client.get(parse_link(page.text, "Table (CSV)"))
    assert download.status_code == 200


async def test_job_status_is_reported_for_the_pages_script(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    response = await age_page(client, consultation_id)
    status_url = response.text.split('data-job-status="', 1)[1].split('"', 1)[0]
    await until_worked_out(client, response)
    status = (await client.get(status_url)).json()
    assert status["status"] == "done" and status["active"] is False
    missing = status_url.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
    assert (await client.get(missing)).status_code == 404


async def test_a_result_job_left_running_by_a_stopped_worker_runs_again_at_start(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    from app import create_app

    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    await until_worked_out(client, await age_page(client, consultation_id))
    # The state a worker killed mid-job leaves: running, no heartbeat for minutes, no result.
    async with db_session(settings) as db:
        await db.execute(update(AnalysisResult).values(payload=None))
        await db.execute(
            update(Job).values(
                status=JobStatus.RUNNING, updated_at=datetime.now(UTC) - timedelta(minutes=5)
            )
        )
        await db.commit()
    async with AsyncTestClient(
        app=create_app(settings), base_url="http://testserver.local"
    ) as restarted:
        # The same browser after the restart: its session is in the database, not the app.
        restarted.cookies = client.cookies
        response = await age_page(restarted, consultation_id)
        page = await until_worked_out(restarted, response)
        assert "table-1" in page.text
    async with db_session(settings) as db:
        job = await db.scalar(select(Job))
        assert job is not None and job.status == JobStatus.DONE and job.attempts == 2
    assert all(r.payload is not None for r in await stored(settings))


@pytest.fixture
async def redis_client(settings: Settings) -> AsyncIterator[tuple[AsyncTestClient[Any], Any]]:
    if not service_reachable("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    from app import create_app, job_runner
    from consult.db import build_alchemy_config, build_engine
    from consult.jobs.worker import build_worker

    with_redis = replace(settings, redis_url="redis://127.0.0.1:6379/12")
    engine = build_engine(with_redis, for_migrations=True)
    worker = build_worker(job_runner(with_redis, build_alchemy_config(with_redis, engine)))
    task = asyncio.create_task(worker.start())
    try:
        async with AsyncTestClient(
            app=create_app(with_redis), base_url="http://testserver.local"
        ) as client:
            yield client, worker
    finally:
        await worker.stop()
        task.cancel()
        await engine.dispose()


async def test_with_redis_the_saq_worker_works_out_what_the_page_asks_for(
    redis_client: tuple[AsyncTestClient[Any], Any], settings: Settings
) -> None:
    from tests.conftest import create_user

    client, _ = redis_client
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await sign_in(client, await create_user(client, "researcher"))
    response = await age_page(client, consultation_id)
    assert progress_shown(response.text)
    page = await until_worked_out(client, response)
    assert "table-1" in page.text


async def test_overview_lists_questions_at_once_and_its_counts_when_worked_out(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    response = await client.get(f"/staff/consultations/{consultation_id}/analysis/")
    assert progress_shown(response.text) and "type-table" not in response.text
    listed = table_rows(response.text, "question-list")
    assert listed["What is your age?"][-2:] == ["–", "–"]
    page = await until_worked_out(client, response)
    by_type = table_rows(page.text, "type-table")
    assert sum(int(cells[-1].replace(",", "")) for cells in by_type.values()) == len(ANSWERS)
    ages = table_rows(page.text, "question-list")["What is your age?"]
    assert int(ages[-2]) == sum(1 for _, a in ANSWERS if a.get("age_band"))
