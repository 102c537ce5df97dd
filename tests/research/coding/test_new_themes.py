"""Suggesting new themes: a phrase many uncovered answers share is found by a background job
and becomes a codebook theme with one action."""

from __future__ import annotations

from typing import Any

import yaml
from litestar.testing import AsyncTestClient

from tests.forms import submit
from tests.research.coding.conftest import add_responses, wait_for_jobs

UNCOVERED = [
    ("public", "The library opening hours are too short"),
    ("public", "Longer library opening hours in the evening"),
    ("professional", "Library opening hours suit nobody who works"),
    ("public", "Weekend library opening hours would be good"),
    ("victim_survivor", "Quiet rooms and better library opening hours"),
    ("public", "Nothing else to add really"),
]


async def test_a_shared_phrase_among_uncovered_answers_becomes_a_theme(
    client: AsyncTestClient[Any], coding: str
) -> None:
    await add_responses(client.app.state["settings"], UNCOVERED)
    await submit(client, coding, "Code all answers", action="/prevention/run")
    await wait_for_jobs(client, coding)
    url = f"{coding}/prevention/new-themes"
    await submit(client, url, "Look for new themes")
    page = await wait_for_jobs(client, url)
    assert "Found" in page.text, page.soup.select_one("#job-status")
    phrases = [td.get_text(strip=True) for td in page.soup.select("#phrases tbody td:first-child")]
    assert "library open" in phrases, page.soup.select_one("#job-status").get_text()
    response = await page.form("Make this a theme from library open hour").submit(
        client, follow_redirects=True
    )
    assert response.status_code == 200
    book = yaml.safe_load((await client.get(f"{coding}/prevention/codebook/download/yaml")).text)
    names = [t["name"] for t in book["themes"]]
    assert "Library open hour" in names
    added = next(t for t in book["themes"] if t["name"] == "Library open hour")
    assert added["keywords"] == ["library open hour"]
