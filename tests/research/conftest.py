"""Fixtures for the researcher workspace: the demo survey with responses whose answers the
tests know (written straight to the database; the journey has its own tests), and helpers to
read the tables a page renders."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.settings import Settings
from surveys.models import Survey as SurveyRow
from surveys.models import SurveyVersion
from surveys.store.bulk import NewResponse, insert_responses
from tests.conftest import db_session
from tests.forms import Page, open_page, parse
from tests.surveys.conftest import load_demo

TYPES = ["victim_survivor", "on_behalf", "professional", "public"]
AGES = ["age_18_24", "age_25_34", "age_35_44", "prefer_not_to_say"]
SEXES = ["female", "male"]
SATISFACTION = ["very_satisfied", "satisfied", "neither", "dissatisfied", "very_dissatisfied"]
SERVICES = ["police", "idva", "housing"]
ABUSE = ["domestic_physical", "coercive_control", "stalking_harassment"]
# Words whose lemma is the word itself and that are not stop words, so counts are plain.
WORDS = ["angry", "numb", "hopeful", "safe", "calm", "free", "proud"]


def known_answers(count: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """(respondent type, answers) with every question sometimes left blank."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        kind = rng.choice(TYPES)
        answers: dict[str, Any] = {"consent": "yes", "respondent_type": kind}
        if rng.random() < 0.85:
            answers["age_band"] = rng.choice(AGES)
        if rng.random() < 0.8:
            answers["sex"] = rng.choice(SEXES)
        if kind in ("victim_survivor", "on_behalf"):
            grid = {
                s: rng.choice([*SATISFACTION, "dont_know"]) for s in SERVICES if rng.random() < 0.8
            }
            if grid:
                answers["service_satisfaction"] = grid
            if rng.random() < 0.9:
                answers["abuse_types"] = {"selected": sorted(rng.sample(ABUSE, rng.randint(1, 2)))}
            if rng.random() < 0.9:
                answers["words_now"] = [rng.choice(WORDS), rng.choice(WORDS), ""]
        if kind == "professional" and rng.random() < 0.9:
            answers["pursuing_perpetrators"] = rng.choice(
                ["very_good", "good", "ok", "poor", "very_poor", "dont_know"]
            )
        found.append((kind, answers))
    return found


async def demo_with_responses(
    settings: Settings, answers: list[tuple[str, dict[str, Any]]]
) -> uuid.UUID:
    """The demo consultation and survey, with exactly ``answers`` submitted."""
    await load_demo(settings)
    async with db_session(settings) as db:
        consultation = await db.scalar(
            select(Consultation).where(Consultation.slug == "community-survey")
        )
        assert consultation is not None
        version_id = await db.scalar(
            select(SurveyVersion.id)
            .join(SurveyRow, SurveyRow.id == SurveyVersion.survey_id)
            .where(SurveyRow.consultation_id == consultation.id)
        )
        start = datetime.now(UTC) - timedelta(days=20)
        rows = [
            NewResponse(kind, body, start + timedelta(hours=5 * i))
            for i, (kind, body) in enumerate(answers)
        ]
        await db.run_sync(
            lambda s: insert_responses(s.connection(), consultation.id, version_id, rows)
        )
        await db.commit()
        return consultation.id


def table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    """A rendered table as {row label: [cell texts]}."""
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table {table_id}"
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        label = tr.find("th").get_text(" ", strip=True)
        rows[label] = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
    return rows


def table_header(html: str, table_id: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", id=table_id)
    assert table is not None
    return [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]


def count_of(cell: str) -> int:
    """The count in a "count (percent)" cell."""
    return int(cell.split(" ")[0].replace(",", ""))


def progress_shown(html: str) -> bool:
    """True while the page shows a background job working its result out."""
    return BeautifulSoup(html, "html.parser").find(id="job-progress") is not None


async def until_worked_out(
    client: AsyncTestClient[Any], response: Any, seconds: float = 240
) -> Page:
    """Follow the page's "Refresh the page" link, as a person without JavaScript would, until
    the background job has stored the result and the page shows it."""
    page = parse(str(response.url), response)
    deadline = asyncio.get_running_loop().time() + seconds
    while (link := page.soup.find("a", id="job-refresh")) is not None:
        assert asyncio.get_running_loop().time() < deadline, "the background job did not finish"
        await asyncio.sleep(0.2)
        page = await open_page(client, str(link["href"]))
    return page
