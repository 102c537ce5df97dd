"""Word clouds over HTTP: respondents counted once per word (three-words answers use all
three), one cloud per group side by side, names redacted, views audited, and downloads that
leave out words under k and groups under k."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bs4 import BeautifulSoup
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.audit import AuditEvent
from consult.settings import Settings
from tests.conftest import db_session
from tests.forms import open_page
from tests.research.conftest import (
    WORDS,
    demo_with_responses,
    known_answers,
    progress_shown,
    until_worked_out,
)

ANSWERS = known_answers(160, seed=5)
SURVIVOR = "I have lived experience of abuse or violence"


def panels(html: str) -> dict[tuple[str, str], dict[str, int]]:
    """{(group, question title): {word: respondents}} from the rendered frequency tables."""
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for heading in soup.select("h2.cloud-group"):
        row = heading.find_next_sibling("div")
        for panel in row.select(".cloud-panel"):
            title = panel.find("h3").get_text(strip=True)
            table = panel.find("table")
            words = {
                tr.find("th").get_text(strip=True): int(tr.find("td").get_text(strip=True))
                for tr in table.find("tbody").find_all("tr")
            }
            found[(heading.get_text(strip=True), title)] = words
    return found


def respondents_using(answers: list[dict[str, Any]], key: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for a in answers:
        counts.update({w for w in a.get(key, []) if w})
    return counts


async def test_clouds_side_by_side_by_group_count_each_respondent_once(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    rows = [(kind, {**a}) for kind, a in ANSWERS]
    for _, a in rows:  # a respondent repeating a word counts once
        if "words_now" in a:
            a["words_then"] = [a["words_now"][0], a["words_now"][0], "numb"]
    consultation_id = await demo_with_responses(settings, rows)
    await staff("researcher")
    page = await open_page(client, f"/staff/consultations/{consultation_id}/analysis/clouds")
    form = page.form(id="filters").fill(
        question=["words_then", "words_now"], group="respondent_type"
    )
    response = await form.submit(client)
    assert response.status_code == 200, response.text
    # Clouds are drawn by a background job: the page shows its progress, never waits on it.
    assert progress_shown(response.text) and not panels(response.text)
    found = panels((await until_worked_out(client, response)).text)
    now_title = "In three words, how do you feel about it now?"
    then_title = "In three words, how did it make you feel straight afterwards?"
    everyone = [a for _, a in rows]
    expected_now = respondents_using(everyone, "words_now")
    # Every word shown has its true count of respondents and at least 5 of them; a word may
    # be withdrawn from a cloud so that no count under 5 can be derived by comparing clouds.
    for key, expected in [
        (("All", now_title), expected_now),
        (("All", then_title), respondents_using(everyone, "words_then")),
        (
            (SURVIVOR, now_title),
            respondents_using([a for kind, a in rows if kind == "victim_survivor"], "words_now"),
        ),
    ]:
        shown = found[key]
        assert shown and all(n >= 5 and expected[w] == n for w, n in shown.items()), key
    assert set(found[("All", now_title)]) <= set(WORDS)
    async with db_session(settings) as db:
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.action == "analysis_word_cloud_viewed")
        )
    assert event is not None and event.detail["questions"] == ["words_then", "words_now"]
    assert event.detail["group"] == "respondent_type"


async def test_names_are_redacted_before_words_are_counted(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    text = "My support worker Margaret Hollingsworth listened and the refuge kept us safe."
    rows = [
        (
            "victim_survivor",
            {"consent": "yes", "respondent_type": "victim_survivor", "prevention": text},
        )
    ] * 8
    consultation_id = await demo_with_responses(settings, rows)
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis/clouds"
    page = await open_page(client, base)
    response = await page.form(id="filters").fill(question=["prevention", ""]).submit(client)
    words = panels((await until_worked_out(client, response)).text)[
        ("All", "What more could be done to stop this happening to others?")
    ]
    assert words.get("refuge") == 8
    assert "margaret" not in words and "hollingsworth" not in words


async def test_cloud_downloads_leave_out_words_and_groups_under_k(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    body = {"consent": "yes", "respondent_type": "victim_survivor"}
    rows = [("victim_survivor", {**body, "words_now": ["calm", "free", ""]})] * 12
    rows += [("victim_survivor", {**body, "words_now": ["proud", "", ""]})] * 6
    rows += [
        ("on_behalf", {**body, "respondent_type": "on_behalf", "words_now": ["calm", "", ""]})
    ] * 4
    consultation_id = await demo_with_responses(settings, rows)
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis/clouds"
    page = await open_page(client, f"{base}?question=words_now&group=respondent_type")
    page = await until_worked_out(client, page.response)
    assert panels(page.text)[("All", "In three words, how do you feel about it now?")]["proud"] == 6
    links = {a["href"] for a in page.soup.select(".cloud-panel a")}
    everyone = next(link for link in links if "value=All" in link and "format=csv" in link)
    csv_text = (await client.get(everyone)).text
    assert "calm,16," in csv_text and "free,12," in csv_text
    assert "proud" not in csv_text  # 6 respondents: shown in the workspace, not downloaded
    png = await client.get(everyone.replace("format=csv", "format=png"))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    # A group of 4 gets no cloud at all (fewer respondents than the cloud threshold), so
    # nothing of it can be downloaded either.
    assert not any("answering+on+behalf" in link for link in links)


async def test_bad_cloud_choices_are_named(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS[:10])
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis/clouds"
    response = await client.get(f"{base}?question=sex")
    assert response.status_code == 400 and "&#39;sex&#39; is not a text question" in response.text
    response = await client.get(f"{base}?question=words_now&min_respondents=2")
    assert response.status_code == 400 and "from 5 to 1000" in response.text
    response = await client.get(f"{base}?question=words_now&group=shoe")
    assert response.status_code == 400 and "&#39;shoe&#39; is not a group question" in response.text
