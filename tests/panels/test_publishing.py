"""Publishing: the meeting summary and annual report (HTML and DOCX) with small-cell
suppression and redaction, and the public "You said, we did" page."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from docx import Document

from consult.neutral import neutral_problem
from panels.reports import suppressed_table
from tests.forms import open_page, submit
from tests.panels.conftest import World
from tests.panels.test_force import with_recommendation


async def agreed(world: World) -> str:
    rec_id = await with_recommendation(world)
    await submit(
        world.client,
        f"{world.review_url}/reveal",
        "Record outcome",
        {"outcome": "appropriate", "reasons": "Handled well."},
    )
    await world.as_("liaison")
    await submit(
        world.client,
        f"/staff/recommendations/{rec_id}",
        "Save response",
        {"status": "accepted", "response": "Agreed; ring 07700 900999 for the plan."},
    )
    await world.as_("coordinator")
    return rec_id


async def test_annual_report_suppresses_small_counts_in_html_and_docx(world: World) -> None:
    await agreed(world)
    year = date.today().year
    page = await open_page(world.client, f"{world.panel_url}/report/{year}")
    assert f"Community review group: annual report {year}" in page.text
    cells = [td.get_text(strip=True) for td in page.soup.select("td.govuk-table__cell")]
    assert "[c]" in cells and set(cells) <= {"[c]", "0"}  # one case: every count is under 10
    assert "Refer within 48 hours." in page.text and "Accepted" in page.text
    assert "[PHONE]" in page.text and "07700 900999" not in page.text
    link = page.soup.find("a", string="Download as a Word document")
    response = await world.client.get(link["href"])
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"annual report {year}" in text and "07700 900999" not in text
    table_cells = {c.text for t in document.tables for row in t.rows for c in row.cells[1:]}
    assert "[c]" in table_cells and not any(c.isdigit() and c != "0" for c in table_cells)


def test_suppression_hides_small_cells_and_any_cell_that_would_give_them_away() -> None:
    counts = pd.DataFrame(
        {"Appropriate": [12, 3], "Inappropriate": [15, 11]}, index=["Stalking", "Harassment"]
    )
    table = suppressed_table("t", counts, k=10)
    assert table is not None
    shown = dict(table.rows)
    assert shown["Harassment"][0] == "[c]"  # primary: 3 < 10
    hidden = sum(v == "[c]" for values in shown.values() for v in values)
    assert hidden >= 3  # the row total or a partner cell is hidden too (secondary)
    assert shown["Stalking"][1] == "15" or shown["Stalking"][1] == "[c]"


async def test_meeting_summary_is_redacted_and_downloadable(world: World) -> None:
    await agreed(world)
    url = f"{world.panel_url}/meetings/{world.meeting_id}"
    await submit(
        world.client, url, "Save meeting record", {"minutes": "Call 07700 900777 to rebook."}
    )
    page = await open_page(world.client, f"{url}/summary")
    assert "Call [PHONE] to rebook." in page.text and "07700 900777" not in page.text
    link = page.soup.find("a", string="Download as a Word document")
    response = await world.client.get(link["href"])
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "[PHONE]" in text and "Refer within 48 hours." in text


async def test_you_said_we_did_is_public_neutral_and_needs_no_javascript(world: World) -> None:
    await agreed(world)
    url = "/you-said-we-did/community-review-group"
    world.client.cookies.clear()
    assert (await world.client.get(url)).status_code == 404  # not published yet
    await world.as_("coordinator")
    response = await submit(world.client, world.panel_url, 'Publish "You said, we did"')
    assert response.status_code == 200 and str(response.url).endswith(url)
    world.client.cookies.clear()
    page = await open_page(world.client, url)
    assert "You said:" in page.text and "Refer within 48 hours." in page.text
    assert "Agreed; ring [PHONE] for the plan." in page.text and "Accepted" in page.text
    assert neutral_problem(url, "address") is None
    assert neutral_problem(page.soup.title.get_text(), "title") is None
    assert not page.soup.select("form") and not page.soup.select("[onclick]")


async def test_a_panel_page_that_was_never_published_is_not_found(world: World) -> None:
    world.client.cookies.clear()
    assert (await world.client.get("/you-said-we-did/nothing-here")).status_code == 404
