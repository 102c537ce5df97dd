"""Everything downloaded from the workspace is suppressed at the consultation's k: no count
under k, no row or column with exactly one hidden count (which its total would give away), no
percentage or chart mark of a hidden count; every download is audited. The threshold is set
through the settings page's form."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from consult.audit import AuditEvent
from consult.settings import Settings
from tests.conftest import db_session
from tests.forms import open_page, submit
from tests.research.conftest import demo_with_responses, known_answers

ANSWERS = known_answers(150, seed=3)
HIDDEN = "[c]"


def sections(text: str) -> dict[str, list[list[str]]]:
    """The CSV's titled tables: {title: [header, rows...]}."""
    found: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
        elif current is None and len(row) == 1 and not row[0].startswith("Note:"):
            current = found.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return found


def assert_protected(text: str, k: int) -> None:
    tables = sections(text)
    counts = tables["Number"]
    header, rows = counts[0], counts[1:]
    grid = [[cell for cell in row[1:]] for row in rows]
    for row in grid:
        for cell in row:
            assert cell == HIDDEN or not 0 < int(cell) < k, (cell, text)
    total = header.index("Total") - 1
    for row in grid:  # a row whose total is shown must not have exactly one hidden count
        if row[total] != HIDDEN:
            assert sum(cell == HIDDEN for cell in row) != 1, (row, text)
    labels = [row[0] for row in rows]
    if "Total" in labels:  # column totals are sums too
        for column in range(len(header) - 1):
            cells = [row[column] for row in grid]
            if cells[labels.index("Total")] != HIDDEN:
                assert sum(cell == HIDDEN for cell in cells) != 1, (column, text)
    for title in ("Row percentage", "% of those answering"):
        if title not in tables:
            continue
        shares = tables[title]
        share_header = shares[0]
        for row, share_row in zip(rows, shares[1:], strict=False):
            for name, share in zip(share_header[1:], share_row[1:], strict=True):
                if row[header.index(name)] == HIDDEN:
                    assert share == HIDDEN, (name, row, share_row)


async def _links(client: AsyncTestClient[Any], url: str) -> dict[str, str]:
    page = await open_page(client, url)
    return {
        a.get_text(" ", strip=True).split(" of ")[0]: a["href"]
        for a in page.soup.select("#downloads a")
    }


async def test_no_cell_under_k_leaves_in_any_download(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    consultation_id = await demo_with_responses(settings, ANSWERS)
    await staff("researcher")
    base = f"/staff/consultations/{consultation_id}/analysis"
    pages = [
        f"{base}/questions/sex",
        f"{base}/questions/age_band?respondent_type=professional",
        f"{base}/questions/abuse_types",
        f"{base}/questions/service_satisfaction",
        f"{base}/questions/pursuing_perpetrators",
        f"{base}/breakdowns?rating=service_satisfaction.police&group=respondent_type",
        f"{base}/breakdowns?rating=pursuing_perpetrators&group=age_band",
        f"{base}/crosstab?rows=age_band&columns=sex",
        f"{base}/crosstab?rows=respondent_type&columns=age_band",
    ]
    hidden_somewhere = False
    for url in pages:
        links = await _links(client, url)
        response = await client.get(links["Table (CSV)"])
        assert response.status_code == 200, (url, response.text)
        assert "attachment" in response.headers["content-disposition"]
        assert_protected(response.text, 10)
        hidden_somewhere |= HIDDEN in response.text
        svg = await client.get(links["Chart (SVG)"])
        assert svg.status_code == 200 and svg.text.startswith("<svg")
        shown = [int(n) for n in re.findall(r"count: (\d+)", svg.text)]
        assert all(n == 0 or n >= 10 for n in shown), (url, shown)
        png = await client.get(links["Chart (PNG)"])
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert hidden_somewhere  # the data has small cells, so the checks above had work to do
    async with db_session(settings) as db:
        events = list(
            await db.scalars(select(AuditEvent).where(AuditEvent.action == "analysis_downloaded"))
        )
    assert len(events) == 3 * len(pages)
    assert {event.detail["format"] for event in events} == {"csv", "svg", "png"}
    assert all(event.detail["k"] == 10 for event in events)


async def test_workspace_shows_raw_counts_that_the_download_hides(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    rows = [
        ("professional", {"consent": "yes", "respondent_type": "professional", "sex": "female"})
    ] * 30
    rows += [
        ("professional", {"consent": "yes", "respondent_type": "professional", "sex": "male"})
    ] * 3
    consultation_id = await demo_with_responses(settings, rows)
    await staff("researcher")
    url = f"/staff/consultations/{consultation_id}/analysis/questions/sex"
    page = await open_page(client, url)
    assert "3 (9.1%)" in page.text and "Not for publication" in page.text
    links = await _links(client, url)
    text = (await client.get(links["Table (CSV)"])).text
    number = sections(text)["Number"]
    cells = dict(zip(number[0][1:], number[1][1:], strict=True))
    # Male (3) is hidden, and so is one more count, else 33 - 30 - 0 would give it away.
    assert cells["Male"] == HIDDEN
    assert sum(cell == HIDDEN for cell in cells.values()) >= 2
    assert_protected(text, 10)


async def test_threshold_form_sets_k_for_downloads_and_refuses_bad_values(
    client: AsyncTestClient[Any], settings: Settings, staff: Any
) -> None:
    rows = [("public", {"consent": "yes", "respondent_type": "public", "sex": "female"})] * 12
    rows += [("public", {"consent": "yes", "respondent_type": "public", "sex": "male"})] * 6
    consultation_id = await demo_with_responses(settings, rows)
    await staff("researcher")
    settings_url = f"/staff/consultations/{consultation_id}/analysis/settings"
    for bad, message in (
        ("0", "between 1 and 1000"),
        ("-3", "between 1 and 1000"),
        ("ten", "must be a whole number"),
        ("9" * 400, "between 1 and 1000"),
        ("9" * 5000, "must be a whole number"),
        ("2.5", "must be a whole number"),
        ("", "Enter the threshold"),
    ):
        response = await submit(client, settings_url, "Save threshold", {"k": bad})
        assert response.status_code == 400, bad
        assert message in response.text, (bad, response.text[-3000:])
    response = await submit(client, settings_url, "Save threshold", {"k": "5"})
    assert response.status_code == 200 and "The threshold is now 5" in response.text
    url = f"/staff/consultations/{consultation_id}/analysis/questions/sex"
    links = await _links(client, url)
    text = (await client.get(links["Table (CSV)"])).text
    cells = dict(zip(sections(text)["Number"][0][1:], sections(text)["Number"][1][1:], strict=True))
    assert cells["Male"] == "6" and cells["Female"] == "12"
    assert_protected(text, 5)
    async with db_session(settings) as db:
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.action == "disclosure_k_changed")
        )
    assert event is not None and event.detail == {"from": 10, "to": 5}
