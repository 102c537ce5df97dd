"""Error pages keep the layout of the area they are in: staff pages the staff layout with "Go to
the start" leading to the staff home; everything else the respondent layout with the quick exit
and Get help. A staff form saved on a full disk gets the staff outage page, never a bare 500."""

from __future__ import annotations

import uuid

import pytest

from tests.faults import sqlite_disk_full
from tests.forms import open_page, parse


async def test_a_staff_error_page_keeps_the_staff_layout_and_leads_to_the_staff_home(
    client, staff
) -> None:
    await staff("administrator")
    response = await client.get(f"/staff/consultations/{uuid.uuid4()}")
    assert response.status_code == 404
    page = parse(str(response.url), response)
    assert "Consult staff area" in response.text and "Sign out" in response.text
    assert "Exit this page" not in response.text
    assert page.soup.find("a", string="Go to the start")["href"] == "/staff"


async def test_a_public_error_page_has_the_quick_exit_and_get_help(client) -> None:
    response = await client.get("/c/no-such-survey/p/1-1")
    assert response.status_code == 404
    page = parse(str(response.url), response)
    assert "Exit this page" in response.text and page.soup.find(id="get-help") is not None
    assert page.soup.find("a", string="Go to the start")["href"] == "/"
    assert "Consult staff area" not in response.text


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
async def test_a_staff_form_saved_on_a_full_disk_gets_the_staff_outage_page(client, staff) -> None:
    await staff("administrator")
    form = (await open_page(client, "/staff/consultations/new")).form("Save")
    form.fill({"title": "Outage test", "public_title": "Have your say", "slug": "outage-test", "exit_url": "https://www.example.org/weather"})  # fmt: skip
    with sqlite_disk_full(client.app):
        response = await form.submit(client, follow_redirects=False)
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == "30"
    assert response.headers["content-type"].startswith("text/html")
    assert "Consult staff area" in response.text and "were not saved" in response.text
    listing = await client.get("/staff/consultations")
    assert listing.status_code == 200 and "Outage test" not in listing.text
